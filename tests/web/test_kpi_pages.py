"""KPI pages and API on the seeded demo city: snapshot, wheel, tables, SDGs, gaps,
trend, imports (all-or-nothing), value and target forms, exports."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.kpis import KpiTarget, KpiValue

BASE = "/cities/demo-city/kpis"
API = "/api/cities/demo-city/kpis"


@pytest.fixture
def leader(client, auth):
    auth.login_as("city_leader")
    return client


def count(db, model):
    return db.scalar(select(func.count(model.id)))


def upload(data: bytes, name: str, **fields):
    return {"file": (io.BytesIO(data), name), **fields}


@pytest.mark.parametrize("page", ["/", "/tables", "/sdg", "/gaps", "/targets", "/kpi/EC:I:WS:3C"])
def test_pages_render_for_the_demo_city(leader, page):
    response = leader.get(BASE + page)
    assert response.status_code == 200, page


def test_snapshot_shows_counts_dimensions_wheel_and_gaps(leader):
    html = leader.get(BASE + "/").get_data(as_text=True)
    assert "KPIs reported" in html and "88/91" in html
    assert 'id="kpi-wheel"' in html and "sunburst" in html
    assert "/vendor/plotly.min.js" in html
    assert "Society and Culture" in html and "Productivity" in html
    assert "EC: ICT: WS: 1C" in html  # the worst gap of the demo city


def test_year_selector_scores_an_earlier_year(leader):
    data = leader.get(API + "/assessment?year=2023").get_json()
    assert {k["year"] for k in data["kpis"]} == {2023}
    loss = next(k for k in data["kpis"] if k["code"] == "EC: I: WS: 3C")
    assert loss["value"] == 30.0


def test_tables_and_sdg_view(leader):
    tables = leader.get(BASE + "/tables").get_data(as_text=True)
    assert "Water Supply Loss" in tables and "no benchmark" in tables and "NR" in tables
    sdg = leader.get(BASE + "/sdg").get_data(as_text=True)
    assert "SDG 11" in sdg and "SDG 17" in sdg


def test_kpi_detail_has_a_trend_chart(leader):
    html = leader.get(BASE + "/kpi/EN:EN:AQ:1C").get_data(as_text=True)
    assert 'id="kpi-trend"' in html and "PM2.5" in html
    assert leader.get(BASE + "/kpi/EC:NO:PE:1C").status_code == 404


def test_api_assessment_matches_the_cli_contract(leader):
    data = leader.get(API + "/assessment").get_json()
    assert {
        "kpis",
        "categories",
        "sub_dimensions",
        "dimensions",
        "not_reported",
        "no_benchmark",
    } <= set(data)
    loss = next(k for k in data["kpis"] if k["code"] == "EC: I: WS: 3C")
    assert (loss["value"], loss["target"], loss["band"]) == (28.0, 15.0, "33-66")
    gaps = leader.get(API + "/gaps").get_json()["priority_gaps"]
    assert gaps[0]["code"] == "EC: ICT: WS: 1C"
    snapshot = leader.get(API + "/snapshot").get_json()
    assert snapshot["reported"] + snapshot["not_reported"] == 91
    trend = leader.get(API + "/trend/EC:I:WS:3C").get_json()
    assert [p["value"] for p in trend["points"]] == [30.0, 29.0, 28.0]


def test_import_writes_values_and_an_audit_entry(leader, db):
    before = count(db, KpiValue)
    data = b'code,value,year\nEC: ICT: ICT: 2C,44,2026\nEC:I:WS:3C,"26,5",2026\n'
    response = leader.post(BASE + "/import", data=upload(data, "v.csv"))
    assert response.status_code == 302
    assert count(db, KpiValue) == before + 2
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity, entry.details["created"]) == ("import", "kpi_values", 2)
    loss = next(
        k
        for k in leader.get(API + "/assessment").get_json()["kpis"]
        if k["code"] == "EC: I: WS: 3C"
    )
    assert (loss["value"], loss["year"]) == (26.5, 2026)


def test_bad_import_lists_every_problem_and_writes_nothing(leader, db):
    before = (count(db, KpiValue), count(db, AuditEntry))
    data = (
        b"code,value,year\nEC: ICT: ICT: 2C,44,2026\n"
        b"EC: X: Y: 1C,3,2026\nEC: ICT: ICT: 1C,140,2026\n"
    )
    response = leader.post(BASE + "/import", data=upload(data, "bad.csv"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2 problems found; nothing was saved" in html
    assert "unknown U4SSC KPI code" in html and "outside 0-100" in html
    assert (count(db, KpiValue), count(db, AuditEntry)) == before


def test_filled_template_imports_with_a_default_year(leader, db):
    template = leader.get(BASE + "/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    book["Economy"]["G2"] = 97  # EC: ICT: ICT: 1C
    buffer = io.BytesIO()
    book.save(buffer)
    refused = leader.post(BASE + "/import", data=upload(buffer.getvalue(), "t.xlsx"))
    assert refused.status_code == 422
    assert "some rows have no year" in refused.get_data(as_text=True)
    response = leader.post(
        BASE + "/import", data=upload(buffer.getvalue(), "t.xlsx", default_year="2027")
    )
    assert response.status_code == 302
    value = db.scalar(select(KpiValue).where(KpiValue.year == 2027, KpiValue.value.is_not(None)))
    assert value.value == 97


def test_value_form_adds_and_corrects_with_audit(leader, db):
    form = {
        "code": "EC:ICT:ICT:2C",
        "year": "2026",
        "value": "47,5",
        "quality": "",
        "verified": "yes",
    }
    assert leader.post(BASE + "/values/new", data=form).status_code == 302
    assert leader.post(BASE + "/values/new", data={**form, "value": "48"}).status_code == 302
    rows = db.scalars(select(KpiValue).where(KpiValue.year == 2026)).all()
    assert [(r.value, r.verified, r.quality) for r in rows] == [(48.0, True, "unknown")]
    actions = [
        e.action for e in db.scalars(select(AuditEntry).where(AuditEntry.entity == "kpi_value"))
    ]
    assert actions == ["add", "correct"]
    prefilled = leader.get(BASE + "/values/new?code=EC:ICT:ICT:2C&year=2026").get_data(as_text=True)
    assert 'value="48"' in prefilled


def test_value_form_shows_problems_next_to_fields(leader, db):
    before = count(db, KpiValue)
    form = {"code": "EN:EN:AQ:1C", "year": "2026", "value": "-3", "data_point": "PM7"}
    response = leader.post(BASE + "/values/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not a data point of KPI" in html and "PM7" in html and "is negative" in html
    assert count(db, KpiValue) == before


def test_targets_form_import_and_delete(leader, db):
    form = {"code": "EN:EN:AQ:1C", "data_point": "PM2.5", "target": "10", "target_year": "2030"}
    assert leader.post(BASE + "/targets", data=form).status_code == 302
    pm25 = next(
        k
        for k in leader.get(API + "/assessment").get_json()["kpis"]
        if k["code"] == "EN: EN: AQ: 1C" and k["data_point"] == "PM2.5"
    )
    assert (pm25["target"], pm25["target_origin"]) == (10.0, "city")
    bad = leader.post(BASE + "/targets", data={**form, "target": "0"})
    assert bad.status_code == 422 and "greater than zero" in bad.get_data(as_text=True)

    before = count(db, KpiTarget)
    refused = leader.post(
        BASE + "/targets/import",
        data={"import-file": (io.BytesIO(b"code,target\nEC: X: Y: 1C,3\n"), "t.csv")},
    )
    assert refused.status_code == 422 and "unknown U4SSC KPI code" in refused.get_data(as_text=True)
    assert count(db, KpiTarget) == before
    accepted = leader.post(
        BASE + "/targets/import",
        data={"import-file": (io.BytesIO(b"code,target\nEC: ICT: ICT: 1C,98\n"), "t.csv")},
    )
    assert accepted.status_code == 302
    assert count(db, KpiTarget) == before + 1

    target_id = db.scalar(select(KpiTarget.id).where(KpiTarget.data_point == "PM2.5"))
    assert leader.post(f"{BASE}/targets/{target_id}/delete").status_code == 302
    pm25 = next(
        k
        for k in leader.get(API + "/assessment").get_json()["kpis"]
        if k["code"] == "EN: EN: AQ: 1C" and k["data_point"] == "PM2.5"
    )
    assert (pm25["target"], pm25["target_origin"]) == (5.0, "reference")
    assert leader.post(f"{BASE}/targets/999999/delete").status_code == 404


def test_export_xlsx_is_coloured_workbook(leader):
    response = leader.get(BASE + "/export.xlsx")
    assert response.status_code == 200
    assert "demo-city-kpis.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Summary" and "Priority gaps" in book.sheetnames


def test_roles_without_kpi_rights_can_look_but_not_change(client, auth, db):
    auth.login_as("procurement_officer")
    assert client.get(BASE + "/").status_code == 200
    assert client.get(BASE + "/import").status_code == 403
    assert client.get(BASE + "/values/new").status_code == 403
    before = count(db, KpiTarget)
    form = {"code": "EC:ICT:ICT:1C", "target": "90"}
    assert client.post(BASE + "/targets", data=form).status_code == 403
    assert count(db, KpiTarget) == before
    assert client.get(API + "/assessment").status_code == 200
