"""Login, per-city membership (404 for other cities) and per-role actions (403)."""

import pytest
from sqlalchemy import select

from models.cities import City
from models.permissions import Action, may
from models.services.cities import create_city
from models.services.users import create_user, grant_membership
from models.users import Role

CITY_PAGES = [
    "/cities/{slug}/",
    "/cities/{slug}/kpis/",
    "/cities/{slug}/projects/",
    "/cities/{slug}/finance/",
    "/cities/{slug}/procurement/",
    "/cities/{slug}/portfolio/",
    "/cities/{slug}/scenarios/",
]
CITY_API = [
    "/api/cities/{slug}/",
    "/api/cities/{slug}/kpis/values",
    "/api/cities/{slug}/projects/",
    "/api/cities/{slug}/finance/mechanisms",
    "/api/cities/{slug}/portfolio/runs",
    "/api/cities/{slug}/scenarios/",
]


@pytest.fixture
def other_city(db):
    """A second city, with its own admin, that no demo user belongs to."""
    city = create_city(
        db,
        slug="other-town",
        name="Other Town",
        country="X",
        population=50_000,
        currency="EUR",
        rule_pack="eu-2026",
    )
    user = create_user(db, "admin@other-town.example", "Other Admin", "other-admin-pass")
    grant_membership(db, user, city, Role.ADMIN)
    db.commit()
    return city


def test_demo_user_logs_in_and_reaches_the_dashboard(client, auth):
    response = auth.login_as("city_leader")
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Demo City (fictional)" in home
    page = client.get("/cities/demo-city/")
    assert page.status_code == 200
    assert "KPIs reported" in page.get_data(as_text=True)


def test_wrong_password_is_refused_next_to_the_field(client, auth):
    response = auth.login("leader@demo-city.example", "not-the-password")
    assert response.status_code == 422
    assert "not correct" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", CITY_PAGES)
def test_pages_need_a_login(client, path):
    response = client.get(path.format(slug="demo-city"))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", CITY_API)
def test_api_needs_a_login(client, path):
    response = client.get(path.format(slug="demo-city"))
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


@pytest.mark.parametrize("path", [*CITY_PAGES, "/cities/{slug}/admin/"])
def test_another_citys_pages_do_not_exist_for_a_non_member(client, auth, other_city, path):
    auth.login_as("admin")
    assert client.get(path.format(slug="demo-city")).status_code in (200,)
    assert client.get(path.format(slug=other_city.slug)).status_code == 404
    assert client.get(path.format(slug="no-such-city")).status_code == 404


@pytest.mark.parametrize("path", [*CITY_API, "/api/cities/{slug}/admin/audit"])
def test_another_citys_api_answers_404_json(client, auth, other_city, path):
    auth.login_as("admin")
    response = client.get(path.format(slug=other_city.slug))
    assert response.status_code == 404
    assert response.is_json


def test_the_city_list_shows_only_ones_own_cities(client, auth, other_city):
    auth.login_as("finance_officer")
    cities = client.get("/api/cities").get_json()["cities"]
    assert [c["slug"] for c in cities] == ["demo-city"]
    assert cities[0]["role"] == "finance_officer"


@pytest.mark.parametrize("role", ["city_leader", "procurement_officer", "finance_officer"])
def test_only_admins_administer(client, auth, role):
    auth.login_as(role)
    assert client.get("/cities/demo-city/admin/").status_code == 403
    assert client.get("/cities/demo-city/admin/audit").status_code == 403
    response = client.post(
        "/cities/demo-city/admin/profile",
        data={
            "name": "Hacked",
            "country": "X",
            "population": 1,
            "currency": "EUR",
            "rule_pack": "eu-2026",
            "fiscal_year_start_month": 1,
        },
    )
    assert response.status_code == 403
    assert client.get("/api/cities/demo-city/admin/audit").status_code == 403


def test_permission_matrix_matches_the_personas():
    assert not may(Role.PROCUREMENT_OFFICER, Action.EDIT_FINANCE)
    assert not may(Role.CITY_LEADER, Action.EDIT_FINANCE)
    assert may(Role.FINANCE_OFFICER, Action.EDIT_FINANCE)
    assert not may(Role.FINANCE_OFFICER, Action.EDIT_PROCUREMENT)
    assert may(Role.PROCUREMENT_OFFICER, Action.EDIT_PROCUREMENT)
    assert not may(Role.PROCUREMENT_OFFICER, Action.RUN_PORTFOLIO)
    assert all(may(Role.ADMIN, action) for action in Action)


def test_admin_edits_the_city_profile_and_the_change_is_audited(client, auth, db):
    auth.login_as("admin")
    response = client.post(
        "/cities/demo-city/admin/profile",
        data={
            "name": "Demo City (fictional)",
            "country": "Fictional country (demo data)",
            "population": 260000,
            "households": 112000,
            "currency": "EUR",
            "rule_pack": "eu-2026",
            "fiscal_year_start_month": 1,
        },
    )
    assert response.status_code == 302
    assert db.scalar(select(City.population).where(City.slug == "demo-city")) == 260000
    audit = client.get("/api/cities/demo-city/admin/audit").get_json()["entries"]
    assert audit[0]["entity"] == "city"
    assert audit[0]["details"]["population"] == {"from": 250000, "to": 260000}
    assert audit[0]["user"] == "admin@demo-city.example"


def test_invalid_profile_is_rejected_next_to_the_field_and_nothing_changes(client, auth, db):
    auth.login_as("admin")
    response = client.post(
        "/cities/demo-city/admin/profile",
        data={
            "name": "Demo City (fictional)",
            "country": "X",
            "population": 0,
            "currency": "euro",
            "rule_pack": "eu-2026",
            "fiscal_year_start_month": 1,
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Three capital letters" in page
    assert db.scalar(select(City.population).where(City.slug == "demo-city")) == 250000


def test_admin_adds_a_member_by_email(client, auth, db, other_city):
    auth.login_as("admin")
    response = client.post(
        "/cities/demo-city/admin/",
        data={"email": "admin@other-town.example", "role": "finance_officer"},
    )
    assert response.status_code == 302
    unknown = client.post(
        "/cities/demo-city/admin/", data={"email": "nobody@x.example", "role": "admin"}
    )
    assert unknown.status_code == 422
    assert "no user with e-mail" in unknown.get_data(as_text=True)


def test_logout_ends_the_session(client, auth):
    auth.login_as("city_leader")
    assert client.get("/cities/demo-city/").status_code == 200
    auth.logout()
    assert client.get("/cities/demo-city/").status_code == 302


def _post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            values = {arg: ("demo-city" if arg == "city_slug" else 1) for arg in rule.arguments}
            yield rule.build(values, append_unknown=False)[1]


def test_every_form_rejects_a_post_without_csrf_token(csrf_app):
    client = csrf_app.test_client()
    paths = list(_post_rules(csrf_app))
    assert "/auth/login" in paths and "/cities/demo-city/admin/profile" in paths
    for path in paths:
        response = client.post(path, data={"x": "1"})
        assert response.status_code == 400, path


def test_login_with_csrf_token_works(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login",
        data={
            "csrf_token": token,
            "email": "leader@demo-city.example",
            "password": "demo-leader-2027",
        },
    )
    assert response.status_code == 302


def test_a_rejected_login_summarises_its_errors_at_the_top(client):
    response = client.post("/auth/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page[page.index("error-summary") : page.index('<div class="field')]
    assert "2 problems to correct" in summary and 'href="#email"' in summary
    assert 'aria-invalid="true"' in page and 'aria-describedby="email-err"' in page
    assert '="None"' not in page
