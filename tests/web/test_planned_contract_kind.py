"""A planned contract's kind is stored, shown again on its form, and routes the
assessment: a concession under the concessions pack, a call-off without standstill;
the splitting check on the page, the API and the dashboard keeps the kinds apart."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models.procurement import PlannedContract

BASE = "/cities/demo-city/procurement"
API = "/api/cities/demo-city/procurement"


@pytest.fixture
def officer(client, auth):
    auth.login_as("procurement_officer")
    return client


def _form(**overrides):
    data = {
        "code": "PC-K1",
        "title": "Bike sharing concession",
        "category": "services",
        "authority": "sub-central",
        "contract_kind": "concession",
        "estimated_value": "8000000",
        "cpv": "60100000",
        "notice_date": "2027-03-01",
        "electronic": "y",
        "submit": "Save",
    }
    data.update(overrides)
    return data


def _row(db, code):
    return db.scalars(select(PlannedContract).where(PlannedContract.code == code)).one()


def test_a_stored_concession_round_trips_and_is_assessed_as_a_concession(officer, db):
    assert officer.post(f"{BASE}/contracts/", data=_form()).status_code == 302
    row = _row(db, "PC-K1")
    assert row.contract_kind == "concession"
    html = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "Answer under eu-concessions-2026" in html
    assert '<option selected value="concession">' in html
    listing = officer.get(f"{API}/contracts").get_json()
    [entry] = [c for c in listing["contracts"] if c["code"] == "PC-K1"]
    assert entry["above_threshold"] is True and entry["contract_kind"] == "concession"
    assert "services (concession)" in officer.get(f"{BASE}/contracts/").get_data(as_text=True)
    edited = officer.post(f"{BASE}/contracts/{row.id}", data=_form(contract_kind="contract"))
    assert edited.status_code == 302
    db.expire_all()
    assert _row(db, "PC-K1").contract_kind == "contract"
    html = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "Answer under eu-2026" in html


def test_a_stored_call_off_has_no_standstill(officer, db):
    form = _form(code="PC-C1", contract_kind="call-off", estimated_value="250000")
    assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    row = _row(db, "PC-C1")
    html = officer.get(f"{BASE}/contracts/{row.id}").get_data(as_text=True)
    assert "Standstill: <strong>0</strong>" in html
    assert "Call-off under a framework agreement" in html


def test_an_unknown_kind_is_refused_next_to_its_field(officer, db):
    page = officer.post(f"{BASE}/contracts/", data=_form(code="PC-X", contract_kind="lease"))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    select_tag = re.search(r'<select[^>]*id="contract_kind"[^>]*>', html)
    assert select_tag is not None and 'aria-invalid="true"' in select_tag.group(0)
    assert "Not a valid choice" in html
    assert db.scalars(select(PlannedContract).where(PlannedContract.code == "PC-X")).all() == []


def test_splitting_keeps_concessions_and_call_offs_apart(officer):
    # the demo's PC-01 and PC-02 (CPV 72, 2027) are flagged; a call-off in the same
    # division and year does not join them, two concessions are checked on their own
    base = {"category": "services", "notice_date": "2027-05-03"}
    contracts = [
        _form(code="CO-1", contract_kind="call-off", estimated_value="100000", cpv="72500000"),
        _form(code="K-1", estimated_value="3000000", **base),
        _form(code="K-2", estimated_value="3000000", cpv="60200000", **base),
    ]
    for form in contracts:
        assert officer.post(f"{BASE}/contracts/", data=form).status_code == 302
    warnings = officer.get(f"{API}/contracts").get_json()["splitting_warnings"]
    assert sorted(w["contracts"] for w in warnings) == [["K-1", "K-2"], ["PC-01", "PC-02"]]
    [concessions] = [w for w in warnings if w["contracts"] == ["K-1", "K-2"]]
    assert concessions["threshold"] > 5_000_000
    html = officer.get("/cities/demo-city/").get_data(as_text=True)
    assert "2 possible contract-splitting warnings" in html
