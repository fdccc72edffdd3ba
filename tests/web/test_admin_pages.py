"""Admin pages: invite, reset a password, confirm a role change, remove; the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.cities import City
from models.services.audit import record_change
from models.services.users import authenticate
from models.users import Membership, Role, User

ADMIN = "/cities/demo-city/admin"


def _flashed_password(page: str) -> str:
    found = re.search(r'temporary password: <code class="password">([^<]+)</code>', page)
    assert found, page
    return found.group(1)


def _member(db, email: str) -> Membership:
    return db.scalar(select(Membership).join(User).where(User.email == email))


def test_admin_invites_a_user_who_can_then_log_in(client, auth, db):
    auth.login_as("admin")
    response = client.post(
        f"{ADMIN}/invite",
        data={
            "invite-email": "New.Planner@demo-city.example",
            "invite-name": "New Planner",
            "invite-role": "finance_officer",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = _flashed_password(page)
    assert len(password) >= 16 and "no e-mail is sent" in page
    # shown in this response only (not flashed through the session cookie), never cached
    assert response.status_code == 200 and not response.history
    assert response.headers["Cache-Control"] == "no-store"
    db.expire_all()
    user = authenticate(db, "new.planner@demo-city.example", password)
    assert user is not None
    assert _member(db, user.email).role == Role.FINANCE_OFFICER
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "invite")).one()
    assert password not in str(entry.details)
    again = client.post(
        f"{ADMIN}/invite",
        data={"invite-email": user.email, "invite-name": "Twice", "invite-role": "admin"},
    )
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)


def test_admin_resets_a_members_password(client, auth, db):
    auth.login_as("admin")
    member = _member(db, "finance@demo-city.example")
    response = client.post(
        f"{ADMIN}/members", data={"member": member.id, "reset": "1"}, follow_redirects=True
    )
    password = _flashed_password(response.get_data(as_text=True))
    db.expire_all()
    assert authenticate(db, "finance@demo-city.example", password) is not None
    assert authenticate(db, "finance@demo-city.example", "demo-finance-2027") is None


def test_changing_a_role_asks_for_confirmation_first(client, auth, db):
    auth.login_as("admin")
    data = {"email": "finance@demo-city.example", "role": "city_leader"}
    first = client.post(f"{ADMIN}/", data=data)
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert "Change Fin Finance (demo)" in page and "Yes, make them" in page
    db.expire_all()
    assert _member(db, "finance@demo-city.example").role == Role.FINANCE_OFFICER
    confirmed = client.post(f"{ADMIN}/", data={**data, "confirm": "yes"})
    assert confirmed.status_code == 302
    db.expire_all()
    assert _member(db, "finance@demo-city.example").role == Role.CITY_LEADER


def test_admin_removes_a_member_but_never_the_last_admin(client, auth, db):
    auth.login_as("admin")
    page = client.get(f"{ADMIN}/").get_data(as_text=True)
    assert "return confirm(" in page  # the browser asks before removing
    leader = _member(db, "leader@demo-city.example")
    response = client.post(f"{ADMIN}/members", data={"member": leader.id, "remove": "1"})
    assert response.status_code == 302
    db.expire_all()
    assert _member(db, "leader@demo-city.example") is None
    assert db.scalar(select(User).where(User.email == "leader@demo-city.example")) is not None
    admin = _member(db, "admin@demo-city.example")
    refused = client.post(
        f"{ADMIN}/members", data={"member": admin.id, "remove": "1"}, follow_redirects=True
    )
    assert "last admin cannot be removed" in refused.get_data(as_text=True)
    db.expire_all()
    assert _member(db, "admin@demo-city.example") is not None


@pytest.fixture
def busy_log(db):
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    admin = db.scalar(select(User).where(User.email == "admin@demo-city.example"))
    for i in range(120):
        record_change(
            db,
            actor=admin,
            action="correct" if i % 2 else "import",
            entity="kpi_value",
            entity_id=i,
            city_id=city.id,
            details={"note": "Stadtwerke – Süd", "previous": {"value": i, "verified": True}},
        )
    db.commit()


def test_audit_log_is_readable_filterable_and_paged(client, auth, busy_log):
    auth.login_as("admin")
    page = client.get(f"{ADMIN}/audit").get_data(as_text=True)
    assert "Stadtwerke – Süd" in page and "\\u" not in page and "&#34;" not in page
    assert "value: 119; verified: yes" in page
    assert "page 1 of" in page and 'rel="next"' in page
    filtered = client.get(f"{ADMIN}/audit", query_string={"action": "correct"}).get_data(
        as_text=True
    )
    assert "60 entries" in filtered and "<td>import</td>" not in filtered
    assert "<td>correct</td>" in filtered
    second = client.get(f"{ADMIN}/audit", query_string={"action": "correct", "page": 2}).get_data(
        as_text=True
    )
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    assert "action=correct" in second  # the pager keeps the filter
    nobody = client.get(f"{ADMIN}/audit", query_string={"user": "nobody@"}).get_data(as_text=True)
    assert "No entries match these filters." in nobody
