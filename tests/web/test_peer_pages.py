"""Peer pages and API on the seeded demo city and the shipped peer dataset."""

import pytest
from sqlalchemy import select

from models.kpis import KpiTarget

BASE = "/cities/demo-city/peers"
API = "/api/cities/demo-city/peers"


@pytest.fixture
def leader(client, auth):
    auth.login_as("city_leader")
    return client


@pytest.mark.parametrize(
    "page",
    ["/", "/?peers=karmoy&peers=stavanger", "/practices", "/index", "/kpi/EC:I:WS:3C"],
)
def test_pages_render(leader, page):
    response = leader.get(BASE + page)
    assert response.status_code == 200, page


def test_comparison_page_shows_city_peers_and_not_reported(leader):
    html = leader.get(BASE + "/?peers=karmoy&peers=riyadh").get_data(as_text=True)
    assert "Karmøy" in html and "Riyadh" in html
    assert "not reported" in html
    assert 'id="peer-achievement"' in html and "/vendor/plotly.min.js" in html
    assert "basic-html/page14.html" in html  # every peer value links to its report page


def test_kpi_page_has_distribution_chart_with_the_city(leader):
    html = leader.get(BASE + "/kpi/EC:I:WS:3C?peers=karmoy").get_data(as_text=True)
    assert 'id="peer-distribution"' in html and "35.42" in html


def test_api_compare_matches_the_cli_contract(leader):
    data = leader.get(API + "/compare?peers=karmoy&peers=riyadh").get_json()
    assert [p["id"] for p in data["peers"]] == ["riyadh", "karmoy"]
    loss = next(k for k in data["kpis"] if k["code"] == "EC: I: WS: 3C")
    karmoy = next(p for p in loss["peers"] if p["city_id"] == "karmoy")
    riyadh = next(p for p in loss["peers"] if p["city_id"] == "riyadh")
    assert karmoy["value"] == 35.42 and riyadh["value"] == "not reported"
    assert {"index", "practices", "peer_target_offers"} <= set(data)


def test_unknown_peer_is_a_422_json_error(leader):
    response = leader.get(API + "/compare?peers=atlantis")
    assert response.status_code == 422
    assert "unknown peer city 'atlantis'" in response.get_json()["error"]["message"]


def test_pages_need_membership(client, auth):
    assert client.get(BASE + "/").status_code == 302  # not logged in → login page
    assert client.get(API + "/compare").status_code == 401


def test_adopting_a_peer_target_stores_a_city_target_with_its_origin(leader, db):
    # Open Data (number) has no reference target; Stavanger published 268 data sets.
    response = leader.post(
        API + "/targets",
        json={
            "code": "EC:ICT:PS:1A",
            "data_point": "number",
            "basis": "best",
            "peers": ["stavanger"],
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["adopted"]["target"] == 268.0
    row = db.scalar(
        select(KpiTarget).where(KpiTarget.data_point == "number", KpiTarget.scope == "city")
    )
    assert row is not None and row.value == 268.0 and "Stavanger" in row.source


def test_no_offer_for_a_kpi_that_has_a_target_already(leader):
    response = leader.post(
        API + "/targets", json={"code": "EC:I:WS:3C", "basis": "best", "peers": ["karmoy"]}
    )
    assert response.status_code == 422


def test_viewers_cannot_adopt_targets(client, auth):
    auth.login_as("procurement_officer")
    response = client.post(
        API + "/targets",
        json={
            "code": "EC:ICT:PS:1A",
            "data_point": "number",
            "basis": "best",
            "peers": ["stavanger"],
        },
    )
    assert response.status_code == 403


def test_adopt_form_redirects_to_the_targets_page(leader):
    response = leader.post(
        BASE + "/targets",
        data={
            "code": "EC:ICT:PS:1A",
            "data_point": "number",
            "basis": "best",
            "peers": "stavanger",
            "chosen": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/kpis/targets")
    targets = leader.get("/cities/demo-city/kpis/targets").get_data(as_text=True)
    assert "peer best: Stavanger" in targets


def test_imported_peer_results_appear_when_configured(app, leader, tmp_path):
    from decision_support.peers.dataset import import_dataset

    cities = tmp_path / "c.csv"
    cities.write_text(
        "city_id,name,country,region,population,population_year,population_source,report,"
        "report_url\nnewtown,Newtown,Norway,Northern Europe,40000,2022,https://example.org/p,"
        "VR 2022,https://example.org/r\n",
        encoding="utf-8",
    )
    values = tmp_path / "v.csv"
    values.write_text(
        "city_id,year,report,code,data_point,name_as_printed,value,unit_as_printed,page_url,note\n"
        "newtown,2022,VR 2022,EC: I: WS: 3C,,Water Supply Loss,12.5,%,https://example.org/p9,\n",
        encoding="utf-8",
    )
    import_dataset(tmp_path / "extra", values, cities)
    app.config["PEERS_DATASET_DIR"] = str(tmp_path / "extra")
    listed = leader.get(API + "/cities").get_json()["cities"]
    assert any(c["id"] == "newtown" and c["population_band"] == "under-50k" for c in listed)
    data = leader.get(API + "/compare?peers=newtown").get_json()
    loss = next(k for k in data["kpis"] if k["code"] == "EC: I: WS: 3C")
    assert loss["best_peer"] == "newtown" and loss["best_value"] == 12.5


def test_peer_city_profile_page_and_api(leader):
    html = leader.get(BASE + "/city/alesund-region").get_data(as_text=True)
    assert "Regional environment, land use and mode of transport plan" in html
    assert "basic-html/page26.html" in html and "unknown" in html  # population not read
    data = leader.get(API + "/cities/valencia").get_json()
    assert data["population"] == 795736 and data["population_source"].endswith("page16.html")
    assert leader.get(API + "/cities/atlantis").status_code == 404
