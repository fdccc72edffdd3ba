"""The city's buyer record (language, country, region, organisation identifier) on
the admin profile, and the web OCDS exports that use it with the criteria typed on
the assessment and planned-contract forms."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.cities import City
from models.procurement import PlannedContract, TenderCheck
from rules.ocds_schema import libcove_review

BASE = "/cities/demo-city/procurement"
PROFILE = "/cities/demo-city/admin/profile"
PROFILE_FORM = {
    "name": "Demo City (fictional)",
    "country": "Spain",
    "population": 250000,
    "currency": "EUR",
    "rule_pack": "eu-2026",
    "fiscal_year_start_month": 1,
    "language": "en",
    "country_code": "ES",
    "region_code": "CT",
    "buyer_id_scheme": "ES-DIR3",
    "buyer_id": "L01089990",
}


@pytest.fixture
def officer(client, auth):
    auth.login_as("procurement_officer")
    return client


def _valid(package: dict) -> dict:
    context = libcove_review(package)
    assert context["validation_errors"] == []
    assert context["additional_fields"] == []
    return package["releases"][0]


def test_demo_contract_export_carries_language_identifier_address_and_criteria(officer, db):
    row_id = db.scalars(select(PlannedContract.id).where(PlannedContract.code == "PC-04")).one()
    release = _valid(json.loads(officer.get(f"{BASE}/contracts/{row_id}/ocds.json").data))
    assert release["language"] == "en"
    [party] = release["parties"]
    assert party["identifier"] == {
        "scheme": "ES-DIR3",
        "id": "L01089990",
        "legalName": "Demo City (fictional)",
    }
    assert party["address"] == {"region": "ES-CT", "countryName": "Spain"}
    tender = release["tender"]
    weights = [c["numbers"][0]["number"] for c in tender["lots"][0]["awardCriteria"]["criteria"]]
    assert weights == [50, 20, 30]
    assert [c["type"] for c in tender["selectionCriteria"]["criteria"]] == [
        "economic",
        "technical",
    ]


def test_language_follows_the_city(officer, db):
    city = db.scalars(select(City).where(City.slug == "demo-city")).one()
    city.language = "ca"
    db.commit()
    query = "value=300000&category=services&authority=sub-central&date=2026-03-02&electronic=y"
    release = _valid(json.loads(officer.get(f"{BASE}/?{query}&export=ocds").data))
    assert release["language"] == "ca"


def test_assessment_form_criteria_are_exported_and_bad_lines_shown_at_the_field(officer):
    query = (
        "value=300000&category=services&authority=sub-central&date=2026-03-02&electronic=y"
        "&award_criteria=quality%3B+Service+plan%3B+60%0Aprice%3B+Price%3B+40"
        "&selection_criteria=technical%3B+Two+similar+contracts"
    )
    release = _valid(json.loads(officer.get(f"{BASE}/?{query}&export=ocds").data))
    tender = release["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["lots"][0]["awardCriteria"]["criteria"][0]["name"] == "Service plan"
    assert tender["selectionCriteria"]["criteria"][0]["description"] == "Two similar contracts"
    bad = officer.get(f"{BASE}/?{query.replace('60', 'sixty')}")
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    start = html.index('id="award_criteria-err"')
    assert "line 1: the weight must be a number (percent)" in html[start : start + 300]


def test_planned_contract_form_keeps_criteria_and_rejects_bad_ones(officer, db):
    form = {
        "code": "PC-20",
        "title": "Parking sensors",
        "category": "supplies",
        "authority": "sub-central",
        "estimated_value": "400000",
        "cpv": "38000000",
        "notice_date": "2027-05-03",
        "electronic": "y",
        "award_criteria": "quality; Detection accuracy; 55\ncost; Life-cycle cost; 45",
        "selection_criteria": "economic; Annual turnover; EUR 800,000",
        "submit": "Save",
    }
    assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    row = db.scalars(select(PlannedContract).where(PlannedContract.code == "PC-20")).one()
    assert row.award_criteria[1] == {"type": "cost", "name": "Life-cycle cost", "weight": 45.0}
    page = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "cost; Life-cycle cost; 45" in page
    release = _valid(json.loads(officer.get(f"{BASE}/contracts/{row.id}/ocds.json").data))
    assert release["tender"]["awardCriteria"] == "ratedCriteria"
    # a client that leaves the criteria fields out keeps the stored criteria
    kept = {k: v for k, v in form.items() if not k.endswith("_criteria")}
    assert officer.post(f"{BASE}/contracts/{row.id}", data=kept).status_code == 302
    db.expire_all()
    assert db.get(PlannedContract, row.id).award_criteria[1]["name"] == "Life-cycle cost"
    bad = officer.post(
        f"{BASE}/contracts/{row.id}",
        data={**form, "award_criteria": "quality; Accuracy; 55\nprice; Price; 30"},
    )
    assert bad.status_code == 422
    assert "award criteria weights add up to 85 %, not 100 %" in bad.get_data(as_text=True)
    bad = officer.post(
        f"{BASE}/contracts/{row.id}", data={**form, "selection_criteria": "finance; Turnover"}
    )
    assert bad.status_code == 422
    assert "line 1: write &#39;type; description; minimum&#39;" in bad.get_data(as_text=True)


def test_admin_saves_the_buyer_record(client, auth, db):
    auth.login_as("admin")
    data = {**PROFILE_FORM, "language": "ES", "region_code": "md", "buyer_id": "L01280796"}
    assert client.post(PROFILE, data=data).status_code == 302
    db.expire_all()
    city = db.scalars(select(City).where(City.slug == "demo-city")).one()
    assert (city.language, city.region_code, city.buyer_id) == ("es", "MD", "L01280796")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("language", "Spanish", "BCP 47"),
        ("country_code", "EU", "ISO 3166-1"),
        ("region_code", "ZZ", "not a region of ES"),
        ("buyer_id_scheme", "DIR3", "org-id.guide"),
        ("buyer_id", "", "give the identifier in that register"),
    ],
)
def test_admin_profile_rejects_bad_codes_next_to_the_field(client, auth, db, field, value, message):
    auth.login_as("admin")
    response = client.post(PROFILE, data={**PROFILE_FORM, field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    # the message sits in the field's own error element
    assert f'id="{field}-err"' in html
    start = html.index(f'id="{field}-err"')
    assert message in html[start : start + 400]
    db.expire_all()
    assert db.scalar(select(City.buyer_id).where(City.slug == "demo-city")) == "L01089990"


def _direct_award_form(**overrides):
    data = {
        "t-title": "Emergency repair of the fibre ring",
        "t-category": "services",
        "t-authority": "sub-central",
        "t-value": "300000",
        "t-procedure": "negotiated-without-publication",
        "t-notice_date": "2026-03-02",
        "t-electronic_submission": "y",
        "t-method_rationale": "Art. 32(2)(c): storm damage cut the traffic control network",
        "t-fact_unforeseeable_event": "yes",
        "t-fact_time_limits_impossible": "yes",
        "t-fact_strictly_necessary": "yes",
        "t-fact_not_attributable_to_authority": "yes",
        "t-submit": "Check the tender",
    }
    data.update(overrides)
    return data


def _direct_finding(officer, db, data):
    response = officer.post(f"{BASE}/check", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.scalars(select(TenderCheck).order_by(TenderCheck.id.desc())).first()
    return {f["criterion"]: f for f in saved.reports[0]["findings"]}["PROC-DIRECT"]


def test_checker_form_asks_the_grounds_conditions(officer, db):
    page = officer.get(f"{BASE}/check").get_data(as_text=True)
    assert "Dir. 2014/24/EU Art. 32(2)(c): Extreme urgency" in page
    assert "not attributable to the contracting authority" in page
    finding = _direct_finding(officer, db, _direct_award_form())
    assert finding["status"] == "pass" and "Art. 32(2)(c)" in finding["message"]
    denied = _direct_award_form(**{"t-fact_not_attributable_to_authority": "no"})
    assert _direct_finding(officer, db, denied)["status"] == "fail"
    chosen = _direct_award_form(
        **{"t-method_rationale": "", "t-direct_award_ground": "exclusive-rights"}
    )
    finding = _direct_finding(officer, db, chosen)
    assert finding["status"] == "needs_information" and "[only_one_operator]" in finding["message"]
