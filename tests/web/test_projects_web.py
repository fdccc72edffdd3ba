"""Project pages: library, instantiation, create/edit/delete with the impacts table,
project page, matching, Excel round-trip, city sizes and the JSON API."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.audit import AuditEntry
from models.cities import City
from models.kpis import Kpi, KpiTarget, KpiValue
from models.projects import Project

BASE = "/cities/demo-city/projects"


@pytest.fixture
def leader(client, auth):
    auth.login_as("city_leader")
    return client


def demo_city(db):
    return db.scalar(select(City).where(City.slug == "demo-city"))


def add_value_and_target(db, code, value, target):
    """The demo city's latest (2025) value and its city target for ``code``, set or replaced."""
    city = demo_city(db)
    kpi = db.scalar(select(Kpi).where(Kpi.code == code))
    reported = db.scalar(
        select(KpiValue).where(
            KpiValue.city_id == city.id, KpiValue.kpi_id == kpi.id, KpiValue.year >= 2025
        )
    )
    if reported is None:
        db.add(KpiValue(city_id=city.id, kpi_id=kpi.id, year=2025, value=value))
    else:
        reported.value = value
    goal = db.scalar(
        select(KpiTarget).where(KpiTarget.city_id == city.id, KpiTarget.kpi_id == kpi.id)
    )
    if goal is None:
        db.add(KpiTarget(city_id=city.id, kpi_id=kpi.id, scope="city", value=target, source="t"))
    else:
        goal.value = target
    db.commit()


def project_form(**overrides):
    data = {
        "id": "kiosks",
        "name": "Service kiosks",
        "description": "Self-service kiosks in libraries.",
        "capex_by_year": "100000; 50000",
        "opex_per_year": "5000",
        "savings_per_year": "0",
        "duration_years": "2",
        "lifetime_years": "8",
        "procurement_category": "supplies",
        "cpv": "30200000",
        "contract": "framework",
        "cost_overrun_risk": "low",
        "delivery_risk": "medium",
        "tags": ["digital"],
        "sources": "https://example.org/kiosks",
        "impacts-0-kpi": "EC: ICT: PS: 2A",
        "impacts-0-data_point": "",
        "impacts-0-change": "4",
        "impacts-0-confidence": "medium",
        "impacts-0-source": "https://example.org/kiosks",
        "impacts-0-note": "four services",
    }
    data.update(overrides)
    return data


def test_candidate_list_shows_the_demo_candidates_and_low_cost_marks(leader):
    page = leader.get(f"{BASE}/").get_data(as_text=True)
    assert "smart-water-meters" in page and "nrw-performance-contract" in page
    assert page.count('class="badge low-cost"') >= 13
    assert "alternative to active-leak-detection" in page


def test_library_lists_templates_and_filters_low_cost(leader):
    page = leader.get(f"{BASE}/library").get_data(as_text=True)
    assert "64 sourced project templates" in page
    low = leader.get(f"{BASE}/library?low_cost=1").get_data(as_text=True)
    assert "30 templates shown" in low
    assert "Bus rapid transit" not in low
    water = leader.get(f"{BASE}/library?kpi=EC: I: WS: 3C").get_data(as_text=True)
    assert "Pressure management" in water.replace(
        "Water pressure management", "Pressure management"
    )
    assert "LED street-lighting" not in water


def test_template_page_shows_sources_and_estimates(leader):
    page = leader.get(f"{BASE}/library/smart-water-meters").get_data(as_text=True)
    assert "https://documents.redwoodcity.org" in page
    assert "order-of-magnitude estimates" in page
    assert "share_of_total: 1.0 per meters of the city" in page and "water_connections" in page
    assert leader.get(f"{BASE}/library/no-such-template").status_code == 404


def test_instantiating_a_template_creates_a_sized_candidate(leader, db):
    response = leader.post(
        f"{BASE}/library/public-wifi-hotspots",
        data={"size": "3", "cost_level": "high", "project_id": "wifi-squares"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/wifi-squares")
    row = db.scalar(select(Project).where(Project.code == "wifi-squares"))
    assert row.sizes == {"deployments": 3.0} and row.cost_level == "high" and row.low_cost
    assert row.impacts[0].change == 12  # 4 hotspots per deployment
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "project.create"))
    assert entry.details["id"] == "wifi-squares"
    page = leader.get(f"{BASE}/wifi-squares").get_data(as_text=True)
    assert "EC: ICT: ICT: 5A" in page and "digital-strategy.ec.europa.eu" in page


def test_instantiation_errors_stay_on_the_form(leader):
    response = leader.post(f"{BASE}/library/public-wifi-hotspots", data={"size": "-2"})
    assert response.status_code == 422
    again = leader.post(
        f"{BASE}/library/gtfs-static-feed", data={"project_id": "smart-water-meters"}
    )
    assert again.status_code == 422
    assert "already exists" in again.get_data(as_text=True)


def test_procurement_officers_may_look_but_not_change(client, auth):
    auth.login_as("procurement_officer")
    assert client.get(f"{BASE}/library").status_code == 200
    assert client.post(f"{BASE}/library/gtfs-static-feed", data={}).status_code == 403
    assert client.get(f"{BASE}/new").status_code == 403
    assert client.post(f"{BASE}/smart-water-meters/delete").status_code == 403


def test_create_form_grows_its_impacts_table(leader):
    response = leader.post(f"{BASE}/new", data=project_form(add_impact="Add a KPI row"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="impacts-1-kpi"' in page and 'name="impacts-2-kpi"' not in page


def test_create_form_saves_a_project_with_two_impacts(leader, db):
    data = project_form(
        **{
            "impacts-1-kpi": "EN: EN: AQ: 1C",
            "impacts-1-data_point": "NO2",
            "impacts-1-change": "-0.2",
            "impacts-1-confidence": "low",
            "impacts-1-source": "https://example.org/aq",
            "requires": ["gtfs-static-feed"],
        }
    )
    response = leader.post(f"{BASE}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    row = db.scalar(select(Project).where(Project.code == "kiosks"))
    assert row.capex_profile == [100000.0, 50000.0] and row.estimated_value == 150000.0
    assert sorted((i.kpi.code, i.data_point, i.change) for i in row.impacts) == [
        ("EC: ICT: PS: 2A", "", 4.0),
        ("EN: EN: AQ: 1C", "NO2", -0.2),
    ]
    assert row.requires == ["gtfs-static-feed"]


def test_page_names_are_not_project_ids(leader):
    response = leader.post(f"{BASE}/new", data=project_form(id="match"))
    assert response.status_code == 422
    assert "is the name of a page" in response.get_data(as_text=True)


def test_create_form_problems_are_shown_next_to_fields(leader):
    data = project_form(
        lifetime_years="1",
        **{
            "impacts-0-kpi": "EN: EN: AQ: 1C",
            "impacts-0-data_point": "CO2",
            "impacts-0-source": "",
        },
    )
    response = leader.post(f"{BASE}/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "lifetime must be at least the duration" in page
    assert "is reported per data point" in page
    assert "every impact needs a source" in page


def test_a_project_without_impacts_is_rejected_with_its_reason(leader):
    response = leader.post(f"{BASE}/new", data=project_form(**{"impacts-0-kpi": ""}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page[page.index("<form") : page.index('<div class="field')]
    assert "a project needs at least one KPI impact" in summary
    assert 'id="impacts-err"' in page


def test_text_in_a_number_field_is_kept_and_marked_and_zero_is_a_number(leader, db):
    data = project_form(duration_years="two", opex_per_year="0", savings_per_year="0")
    response = leader.post(f"{BASE}/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“two” is not a number" in page
    assert "This field is required" not in page
    at = page.index('id="duration_years"')
    control = page[at - 200 : at + 200]
    assert 'value="two"' in control and 'aria-invalid="true"' in control
    zero_years = project_form(duration_years="0", lifetime_years="0")
    response = leader.post(f"{BASE}/new", data=zero_years)
    assert "This field is required" not in response.get_data(as_text=True)
    zero_costs = project_form(opex_per_year="0", savings_per_year="0")
    response = leader.post(f"{BASE}/new", data=zero_costs)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.scalar(select(Project).where(Project.code == "kiosks")).opex_per_year == 0.0


def test_edit_renames_and_keeps_references(leader, db):
    # real-time-passenger-information requires gtfs-static-feed in the demo list
    page = leader.get(f"{BASE}/gtfs-static-feed/edit").get_data(as_text=True)
    assert 'value="gtfs-static-feed"' in page
    row = db.scalar(select(Project).where(Project.code == "gtfs-static-feed"))
    data = project_form(
        id="gtfs-feed",
        name=row.name,
        capex_by_year=str(row.capex_profile[0]),
        duration_years="0.25",
        lifetime_years="5",
        tags=[],
        **{
            "impacts-0-kpi": "EC: ICT: PS: 1A",
            "impacts-0-data_point": "number",
            "impacts-0-change": "1",
            "impacts-0-source": "https://www.gtfsbuilder.com/create_a_gtfs_feed",
        },
    )
    response = leader.post(f"{BASE}/gtfs-static-feed/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    rtpi = db.scalar(select(Project).where(Project.code == "real-time-passenger-information"))
    assert rtpi.requires == ["gtfs-feed"]
    assert db.scalar(select(Project).where(Project.code == "gtfs-static-feed")) is None


def test_delete_removes_the_project_and_references_to_it(leader, db):
    response = leader.post(f"{BASE}/active-leak-detection/delete")
    assert response.status_code == 302
    db.expire_all()
    nrw = db.scalar(select(Project).where(Project.code == "nrw-performance-contract"))
    assert nrw.excludes == []
    assert leader.get(f"{BASE}/active-leak-detection").status_code == 404


def test_project_page_shows_before_after_costs_dependencies_and_sources(leader, db):
    add_value_and_target(db, "EC: ICT: WS: 1C", 18.0, 60.0)
    page = leader.get(f"{BASE}/smart-water-meters").get_data(as_text=True)
    assert "Smart water meters" in page
    assert ">18<" in page  # now
    assert ">59.94<" in page  # 18 + 100 × 26 000 / 62 000
    assert 'id="project-costs"' in page and "/vendor/plotly" in page
    assert "38421100" in page and "supplies" in page
    assert "https://documents.redwoodcity.org" in page
    assert "order-of-magnitude estimates" in page
    rtpi = leader.get(f"{BASE}/real-time-passenger-information").get_data(as_text=True)
    assert f'href="{BASE}/gtfs-static-feed"' in rtpi


def test_project_page_shows_the_band_change_when_scoring_is_installed(leader, db):
    pytest.importorskip("decision_support.kpis.scoring")
    add_value_and_target(db, "EC: ICT: WS: 1C", 18.0, 60.0)
    page = leader.get(f"{BASE}/smart-water-meters").get_data(as_text=True)
    # 18 of 60 is 30 % of target (band 0-33); 59.94 of 60 is 99.9 % (band 95+)
    assert "0-33 %</span>" in page and "95+ %</span>" in page
    assert "band change" in page


def test_match_page(leader, db):
    page = leader.get(f"{BASE}/match").get_data(as_text=True)
    try:
        import decision_support.kpis.analysis  # noqa: F401
    except ImportError:
        assert "KPI scoring is not available" in page
        return
    add_value_and_target(db, "EC: I: WS: 3C", 28.0, 15.0)
    page = leader.get(f"{BASE}/match").get_data(as_text=True)
    assert "EC: I: WS: 3C" in page and "nrw-performance-contract" in page


def test_match_page_ranks_candidates_and_lists_uncovered_gaps(leader, monkeypatch):
    """The page with gaps given directly (the KPI feature computes them in production)."""
    from decision_support.projects.matching import PriorityGap
    from models.services import projects as service

    gaps = [
        PriorityGap("EC: I: WS: 3C", 28, 15, 13, "lower_is_better", name="Water Supply Loss"),
        PriorityGap("EC: P: IN: 2C", 10, 40, 30, "higher_is_better", name="Patents"),
    ]
    monkeypatch.setattr(service, "priority_gaps_for_city", lambda session, city: gaps)
    page = leader.get(f"{BASE}/match").get_data(as_text=True)
    assert "2 gaps · 1 without any candidate project" in page
    water = page.split("Water Supply Loss")[1].split("</section>")[0]
    rows = water.split("<tr>")[2:]
    # low-cost options closing ≥ 10 % first: pressure management pays for itself (−1.67
    # of 13 points, 13 %), then acoustic leak detection (−2 points, 15 %)
    assert "Water pressure management" in rows[0] and "low-cost" in rows[0]
    assert "Active leakage control" in rows[1] and "low-cost" in rows[1]
    assert "nrw-performance-contract" in water  # the demo candidate
    assert "(library)" in water  # templates not yet among the candidates
    assert "No candidate project or library template moves this KPI." in page


def test_excel_download_and_upload_round_trip(leader, db):
    download = leader.get(f"{BASE}/export.xlsx")
    assert download.status_code == 200
    assert download.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(download.data))
    sheet = book["projects"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "speed-limit-30")
    sheet.cell(row, header.index("opex_per_year") + 1).value = 1234.5
    buffer = io.BytesIO()
    book.save(buffer)
    response = leader.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "candidates.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert (
        db.scalar(select(Project).where(Project.code == "speed-limit-30")).opex_per_year == 1234.5
    )
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "project.import")) is not None


def test_malformed_upload_changes_nothing_and_lists_rows(leader, db):
    book = load_workbook(io.BytesIO(leader.get(f"{BASE}/export.xlsx").data))
    sheet = book["projects"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("opex_per_year") + 1).value = "lots"
    sheet.cell(3, header.index("id") + 1).value = sheet.cell(2, header.index("id") + 1).value
    buffer = io.BytesIO()
    book.save(buffer)
    before = db.scalar(select(Project).where(Project.code == "active-leak-detection")).opex_per_year
    response = leader.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "candidates.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page and "not a number" in page and "duplicate project id" in page
    db.expire_all()
    after = db.scalar(select(Project).where(Project.code == "active-leak-detection")).opex_per_year
    assert after == before


def test_city_sizes_page(leader, db):
    page = leader.get(f"{BASE}/sizes").get_data(as_text=True)
    assert 'value="62000' in page  # water connections of the demo city
    response = leader.post(f"{BASE}/sizes", data={"water_connections": "-1"})
    assert response.status_code == 422
    response = leader.post(f"{BASE}/sizes", data={"water_connections": "64000"})
    assert response.status_code == 302


def test_json_api(leader):
    payload = leader.get(f"/api{BASE}/").get_json()
    assert payload["count"] == 31 and payload["currency"] == "EUR"
    meters = next(p for p in payload["projects"] if p["id"] == "smart-water-meters")
    assert meters["impacts"][0]["kpi"] == "EC: ICT: WS: 1C" and meters["sources"]
    one = leader.get(f"/api{BASE}/smart-water-meters").get_json()
    assert one["procurement"]["cpv"] == "38421100"
    missing = leader.get(f"/api{BASE}/nope")
    assert missing.status_code == 404


def test_portfolio_entries_of_the_demo_city(db):
    from models.services.projects import portfolio_entries

    entries = portfolio_entries(db, demo_city(db), 2027, kpi_keys=["EC: I: WS: 3C"])
    by_id = {e["id"]: e for e in entries}
    assert len(entries) == 31
    assert by_id["nrw-performance-contract"]["earliest_start"] == 2028
    assert set(by_id["nrw-performance-contract"]["impacts"]) == {"EC: I: WS: 3C"}
    assert by_id["led-street-lighting"]["impacts"] == {}


def test_requires_and_excludes_are_searchable_lists_of_project_names(client, auth):
    import re

    auth.login_as("city_leader")
    page = client.get("/cities/demo-city/projects/new").get_data(as_text=True)
    assert 'type="checkbox" name="requires"' not in page
    assert 'type="checkbox" name="excludes"' not in page
    for name in ("requires", "excludes"):
        box = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert box is not None and "multiple" in box.group(0) and "searchable" in box.group(0)
        assert "Real-time passenger information" in box.group(1)  # names, not bare ids
        assert "(real-time-passenger-information)" in box.group(1)
    # the filter script is the app's own file (no CDN): the page works offline
    assert '<script defer src="/static/js/multi-select.js">' in page
    script = client.get("/static/js/multi-select.js")
    assert script.status_code == 200 and b"select[multiple].searchable" in script.data
    script.close()
    # the impacts table scrolls inside its own box, outside the field grid; Save is below it
    form = page[page.index('<form method="post"') :]
    grid = form[form.index('<div class="grid-form">') : form.index("<fieldset>")]
    assert grid.count("<div") == grid.count("</div>")  # the grid is closed before the table
    assert form.index("<fieldset>") < form.index('<div class="table-wrap">')
    assert form.index("</fieldset>") < form.index('class="form-actions"')
