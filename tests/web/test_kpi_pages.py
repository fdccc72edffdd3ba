"""KPI pages and API on the seeded demo city: snapshot, wheel, tables, SDGs, gaps,
trend, imports (all-or-nothing), value and target forms, exports."""

import io

import plotly.graph_objects as go
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from decision_support.kpis.analysis import benchmarking_wheel
from models.audit import AuditEntry
from models.cities import City
from models.kpis import KpiTarget, KpiValue
from models.services.kpi_values import city_assessment
from web.kpis.charts import wheel_figure

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


def _stored(db, code, year, data_point=""):
    from models.kpis import Kpi

    kpi = db.scalar(select(Kpi).where(Kpi.code == code))
    db.expire_all()
    return db.scalar(
        select(KpiValue).where(
            KpiValue.kpi_id == kpi.id, KpiValue.year == year, KpiValue.data_point == data_point
        )
    )


def _template_row(book, code, data_point=None):
    for name in book.sheetnames[1:]:
        for row in book[name].iter_rows(min_row=2):
            if row[0].value == code and row[3].value == data_point:
                return row
    raise AssertionError(code)


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_filled_template_carries_the_latest_values_and_imports_back_unchanged(leader, db):
    response = leader.get(BASE + "/template-filled.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    row = _template_row(book, "EC: I: WS: 3C")  # demo values 30, 29, 28 (latest 2025)
    assert (row[5].value, row[6].value) == (2025, 28)
    before = (count(db, KpiValue), count(db, AuditEntry))
    again = leader.post(BASE + "/import", data=upload(response.data, "t.xlsx"))
    assert again.status_code == 302
    assert (count(db, KpiValue), count(db, AuditEntry)) == before
    assert "every value in the file equals the stored one" in leader.get(BASE + "/import").get_data(
        as_text=True
    )


def test_an_import_that_replaces_values_is_previewed_and_confirmed(leader, db):
    book = load_workbook(io.BytesIO(leader.get(BASE + "/template-filled.xlsx").data))
    _template_row(book, "EC: I: WS: 3C")[6].value = 25
    _template_row(book, "EC: ICT: ICT: 1C")[6].value = "NR"
    _template_row(book, "EC: ICT: ICT: 2C")[6].value = None  # empty: never overwrites
    before = (count(db, KpiValue), count(db, AuditEntry))
    response = leader.post(BASE + "/import", data=upload(_saved(book), "t.xlsx"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing has been stored yet" in page
    assert "would become not reported" in page and "Replace the stored values" in page
    assert "sheet &#39;Economy&#39; row" in page or "sheet 'Economy' row" in page
    assert (count(db, KpiValue), count(db, AuditEntry)) == before
    assert _stored(db, "EC: I: WS: 3C", 2025).value == 28
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    confirmed = leader.post(BASE + "/import/confirm", data={"token": token, "submit": "y"})
    assert confirmed.status_code == 302
    assert _stored(db, "EC: I: WS: 3C", 2025).value == 25
    assert _stored(db, "EC: ICT: ICT: 1C", 2025).value is None
    ict2 = _stored(db, "EC: ICT: ICT: 2C", 2025)
    assert ict2 is None or ict2.value is not None
    # The token is used up: a second confirmation changes nothing.
    again = leader.post(BASE + "/import/confirm", data={"token": token, "submit": "y"})
    assert again.status_code == 302 and "/import" in again.headers["Location"]


def test_cancelling_a_previewed_import_changes_nothing(leader, db):
    book = load_workbook(io.BytesIO(leader.get(BASE + "/template-filled.xlsx").data))
    _template_row(book, "EC: I: WS: 3C")[6].value = 25
    page = leader.post(BASE + "/import", data=upload(_saved(book), "t.xlsx")).get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    leader.post(BASE + "/import/confirm", data={"token": token, "cancel": "y"})
    assert _stored(db, "EC: I: WS: 3C", 2025).value == 28


def test_a_blank_template_with_a_default_year_overwrites_nothing(leader, db):
    book = load_workbook(io.BytesIO(leader.get(BASE + "/template.xlsx").data))
    _template_row(book, "EC: ICT: ICT: 2C")[6].value = 55
    response = leader.post(
        BASE + "/import", data=upload(_saved(book), "t.xlsx", default_year="2025")
    )
    assert response.status_code == 200  # 2C has a 2025 value: the change is previewed
    page = response.get_data(as_text=True)
    nothing_lost = '<span class="stat-value">0</span><span class="stat-label">would become not'
    assert nothing_lost in page and "rows have an empty value and are skipped" in page
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    leader.post(BASE + "/import/confirm", data={"token": token, "submit": "y"})
    assert _stored(db, "EC: ICT: ICT: 2C", 2025).value == 55
    assert _stored(db, "EC: I: WS: 3C", 2025).value == 28  # untouched by its empty row


def test_a_row_without_a_year_is_named(leader):
    book = load_workbook(io.BytesIO(leader.get(BASE + "/template.xlsx").data))
    book["Economy"]["G2"] = 97
    page = leader.post(BASE + "/import", data=upload(_saved(book), "t.xlsx")).get_data(as_text=True)
    assert "some rows have no year" in page and "<td>2</td>" in page


def test_the_kpi_export_workbook_imports_back(leader, db):
    exported = leader.get(BASE + "/export.xlsx").data
    before = count(db, KpiValue)
    response = leader.post(BASE + "/import", data=upload(exported, "export.xlsx"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert count(db, KpiValue) == before


def test_the_wheel_document_is_a_valid_plotly_figure(db):
    """The wheel is built as a plain figure document (no validation when served):
    Plotly's graph objects accept every property of it."""
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    document = wheel_figure(benchmarking_wheel(city_assessment(db, city)[2]))
    figure = go.Figure(document)  # raises on an unknown or mistyped property
    assert figure.data[0].type == "sunburst"
    assert len(figure.data[0].ids) == len(document["data"][0]["ids"]) > 90
