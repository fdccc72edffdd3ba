"""Procurement pages: assessment form, checker (form and OCDS upload), printable
report and exports, planned contracts with anti-splitting warnings, JSON API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.audit import AuditEntry
from models.procurement import PlannedContract, TenderCheck

BASE = "/cities/demo-city/procurement"
API = "/api/cities/demo-city/procurement"
REPO = Path(__file__).resolve().parents[2]
TEST_DATA = REPO / "tests" / "data"


@pytest.fixture
def officer(client, auth):
    auth.login_as("procurement_officer")
    return client


def test_assessment_answer_on_the_same_page(officer):
    page = officer.get(
        f"{BASE}/?value=250000&category=services&authority=sub-central&date=2026-03-02&electronic=y"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Open procedure" in html
    assert "2026-06-25" in html  # earliest signature, hand-checked in the rules tests
    assert "Dir. 2014/24/EU Art. 4(c)" in html


def test_assessment_form_errors_are_shown_next_to_fields(officer):
    page = officer.get(f"{BASE}/?value=-5&category=services&authority=sub-central")
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    page = officer.get(f"{BASE}/?value=1000&category=services&authority=sub-central&lots=400,400")
    assert page.status_code == 422
    assert "lots add up to" in page.get_data(as_text=True)


def test_assessment_exports(officer):
    query = "value=300000&category=services&authority=sub-central&date=2026-03-02&electronic=y"
    xlsx = officer.get(f"{BASE}/?{query}&export=xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.data)).sheetnames[0] == "Assessment"
    ocds = officer.get(f"{BASE}/?{query}&export=ocds")
    package = json.loads(ocds.data)
    assert package["releases"][0]["tender"]["procurementMethod"] == "open"


def test_every_role_sees_the_pages_but_only_officers_change_things(client, auth):
    auth.login_as("city_leader")
    for path in ("/", "/check", "/checks/", "/contracts/"):
        assert client.get(BASE + path).status_code == 200
    assert client.post(f"{BASE}/contracts/", data={"code": "X"}).status_code == 403
    assert client.post(f"{BASE}/check", data={}).status_code == 403


def _tender_form(**overrides):
    data = {
        "t-title": "CCTV upgrade",
        "t-category": "supplies",
        "t-authority": "sub-central",
        "t-value": "400000",
        "t-procedure": "open",
        "t-notice_date": "2026-03-02",
        "t-tender_deadline": "2026-03-20",
        "t-electronic_submission": "y",
        "t-weight_price": "100",
        "t-specification_text": "Cameras shall be Hikvision DS-2CD series.",
        "t-feature_personal_data": "yes",
        "t-clause_exit_plan": "no",
        "t-submit": "Check the tender",
    }
    data.update(overrides)
    return data


def test_checker_form_saves_a_check_and_shows_the_report(officer, db):
    response = officer.post(f"{BASE}/check", data=_tender_form())
    assert response.status_code == 302
    report = officer.get(response.headers["Location"])
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "ICT-STD-01" in html and "Hikvision" in html
    assert "PROC-TIME" in html
    saved = db.scalars(select(TenderCheck)).one()
    assert saved.legal_failures >= 2 and saved.source == "form"
    findings = {f["criterion"]: f for f in saved.reports[0]["findings"]}
    assert findings["ICT-EXIT-01"]["status"] == "warning"
    assert findings["ICT-GDPR-01"]["status"] == "needs_information"
    xlsx = officer.get(f"{BASE}/checks/{saved.id}/report.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book["Findings"].max_row > 40
    assert db.scalars(select(AuditEntry).where(AuditEntry.entity == "tender_check")).first()
    api = officer.get(f"{API}/checks/{saved.id}").get_json()
    assert api["reports"][0]["summary"]["legal_failures"] == saved.legal_failures


def test_checker_form_errors_roll_back(officer, db):
    response = officer.post(f"{BASE}/check", data=_tender_form(**{"t-title": "", "t-lots": "abc"}))
    assert response.status_code == 422
    assert db.scalars(select(TenderCheck)).first() is None


def test_checker_upload_of_a_real_ocds_record(officer, db):
    path = TEST_DATA / "ocds/real/ukraine-ocds-be6bcu-UA-2016-06-02-000468-c.json"
    response = officer.post(
        f"{BASE}/check",
        data={
            "u-file": (io.BytesIO(path.read_bytes()), path.name),
            "u-authority": "sub-central",
            "u-specification_text": "",
            "u-submit": "Check the file",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.scalars(select(TenderCheck)).one()
    assert saved.source == "upload" and saved.filename == path.name
    assert officer.get(response.headers["Location"]).status_code == 200


def test_checker_upload_errors(officer, db):
    response = officer.post(
        f"{BASE}/check",
        data={
            "u-file": (io.BytesIO(b'{"releases": ['), "bad.json"),
            "u-authority": "central",
            "u-submit": "Check the file",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.get_data(as_text=True)
    assert db.scalars(select(TenderCheck)).first() is None


def test_demo_contracts_show_the_splitting_warning(officer):
    html = officer.get(f"{BASE}/contracts/").get_data(as_text=True)
    assert "PC-01" in html and "PC-02" in html
    assert "Possible splitting" in html
    data = officer.get(f"{API}/contracts").get_json()
    [warning] = data["splitting_warnings"]
    assert warning["contracts"] == ["PC-01", "PC-02"]
    assert warning["cpv_division"] == "72" and warning["year"] == 2027


def test_add_edit_export_and_delete_a_planned_contract(officer, db):
    form = {
        "code": "PC-09",
        "title": "Parking sensors",
        "category": "supplies",
        "authority": "sub-central",
        "estimated_value": "180000",
        "cpv": "38000000",
        "notice_date": "2027-05-03",
        "electronic": "y",
        "submit": "Save",
    }
    assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    row_id = db.scalars(select(PlannedContract.id).where(PlannedContract.code == "PC-09")).one()
    page = officer.get(f"{BASE}/contracts/{row_id}")
    assert page.status_code == 200 and "Does not apply" in page.get_data(as_text=True)
    duplicate = officer.post(f"{BASE}/contracts/", data=form)
    assert duplicate.status_code == 422 and "already used" in duplicate.get_data(as_text=True)
    edited = officer.post(f"{BASE}/contracts/{row_id}", data={**form, "estimated_value": "250000"})
    assert edited.status_code == 302
    db.expire_all()
    assert db.get(PlannedContract, row_id).estimated_value == 250000
    assert "Applies" in officer.get(f"{BASE}/contracts/{row_id}").get_data(as_text=True)
    package = json.loads(officer.get(f"{BASE}/contracts/{row_id}/ocds.json").data)
    assert package["releases"][0]["tender"]["value"]["amount"] == 250000
    xlsx = officer.get(f"{BASE}/contracts/{row_id}/assessment.xlsx")
    assert load_workbook(io.BytesIO(xlsx.data)).sheetnames[0] == "Assessment"
    assert officer.post(f"{BASE}/contracts/{row_id}/delete").status_code == 302
    db.expire_all()
    assert db.get(PlannedContract, row_id) is None


def test_contract_of_another_city_is_not_found(officer):
    assert officer.get(f"{BASE}/contracts/999999").status_code == 404
    assert officer.get(f"{BASE}/checks/999999").status_code == 404


def test_api_assess(officer):
    data = officer.get(
        f"{API}/assess?value=250000&category=services&authority=sub-central"
        "&date=2026-03-02&electronic=y"
    ).get_json()
    assert data["above_threshold"] is True and data["min_days"]["tender_submission"] == 30
    error = officer.get(f"{API}/assess?value=abc&category=services&authority=sub-central")
    assert error.status_code == 422
    assert error.get_json()["error"]["problems"][0]["field"] == "value"
    overview = officer.get(f"{API}/").get_json()
    assert overview["rule_pack"] == "eu-2026"
    assert {p["id"] for p in overview["packs"]} >= {"eu-2024", "eu-2026"}


def test_planned_contract_prefilled_from_and_linked_to_a_project(officer, db):
    from models.cities import City
    from models.projects import Project

    city = db.scalars(select(City).where(City.slug == "demo-city")).one()
    project = Project(
        city_id=city.id,
        code="P-LIGHT",
        name="LED street lighting",
        procurement_category="works",
        cpv="45316100",
        estimated_value=3_000_000,
    )
    db.add(project)
    db.commit()
    page = officer.get(f"{BASE}/contracts/?project={project.id}").get_data(as_text=True)
    assert 'value="P-LIGHT"' in page and 'value="45316100"' in page
    form = {
        "project_id": str(project.id),
        "code": "P-LIGHT",
        "title": "LED street lighting",
        "category": "works",
        "authority": "sub-central",
        "estimated_value": "3000000",
        "cpv": "45316100",
        "electronic": "y",
    }
    assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    row = db.scalars(select(PlannedContract).where(PlannedContract.code == "P-LIGHT")).one()
    assert row.project_id == project.id
    bad = officer.post(f"{BASE}/contracts/", data={**form, "code": "X2", "project_id": "999999"})
    assert bad.status_code == 422 and "not a project of this city" in bad.get_data(as_text=True)
    assert officer.get(f"{BASE}/contracts/?project=999999").status_code == 404


def test_chosen_procedure_on_the_assessment_page_and_for_a_contract(officer, db):
    page = officer.get(
        f"{BASE}/?value=250000&category=services&authority=sub-central"
        "&date=2026-03-02&electronic=y&procedure=restricted"
    )
    assert page.status_code == 200
    assert "Chosen by the user" in page.get_data(as_text=True)
    bad = officer.get(
        f"{BASE}/?value=250000&category=services&authority=sub-central&procedure=light-touch"
    )
    assert bad.status_code == 422 and "not a procedure" in bad.get_data(as_text=True)
    form = {
        "code": "PC-R",
        "title": "Restricted ICT",
        "category": "services",
        "authority": "sub-central",
        "estimated_value": "300000",
        "procedure": "restricted",
        "electronic": "y",
    }
    assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    row = db.scalars(select(PlannedContract).where(PlannedContract.code == "PC-R")).one()
    html = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "Restricted procedure" in html and "participation requests" in html
    officer.post(f"{BASE}/contracts/{row.id}", data={**form, "estimated_value": "100000"})
    html = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "is not available for this contract" in html
