"""The assessment page says how current its rule pack is, labels unverified sources,
and routes a concession to the concession rules."""

from __future__ import annotations

import pytest

BASE = "/cities/demo-city/procurement"
QUERY = "category=services&authority=sub-central&date=2026-05-04&electronic=y"


@pytest.fixture
def officer(client, auth):
    auth.login_as("procurement_officer")
    return client


def test_assessment_shows_pack_dates_and_unverified_labels(officer):
    page = officer.get(f"{BASE}/?value=250000&{QUERY}&pack=eu-2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "valid from 2026-01-01 to 2027-12-31" in html
    assert "figures last checked 2026-12-03" in html
    assert '<span class="badge">unverified</span>' in html


def test_a_concession_is_assessed_under_the_concessions_directive(officer):
    page = officer.get(f"{BASE}/?value=8000000&{QUERY}&pack=eu-2026&concession=y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Answer under eu-concessions-2026" in html
    assert "Dir. 2014/23/EU Art. 39(3)" in html


def test_a_call_off_has_no_standstill(officer):
    page = officer.get(f"{BASE}/?value=250000&{QUERY}&pack=eu-2026&call_off=y")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Standstill: <strong>0</strong>" in html
    assert "Call-off under a framework agreement" in html


def test_checker_page_shows_pack_and_criteria_dates(officer):
    html = officer.get(f"{BASE}/check").get_data(as_text=True)
    assert "figures checked 2026-12-03" in html
    assert "criteria last checked 2026-12-03" in html


def test_finance_pages_show_how_current_the_data_is(client, auth):
    auth.login_as("finance_officer")
    index = client.get("/cities/demo-city/finance/").get_data(as_text=True)
    assert "Financing mechanism catalogue (default terms): figures from 2026-01-01" in index
    assert "last checked 2026-12-03" in index
    fiscal = client.get("/cities/demo-city/finance/fiscal-profile").get_data(as_text=True)
    assert "Debt-rule presets: figures from 2026-01-01" in fiscal
    assert "Spain - TRLRHL art. 53" in fiscal


def test_unverified_time_limits_are_labelled_next_to_the_figure(officer):
    page = officer.get(f"{BASE}/?value=500000&{QUERY}&pack=world-bank-2025")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<strong>30</strong> working days <span class="badge">unverified</span>' in html
    assert '<strong>10</strong> working days <span class="badge">unverified</span>' in html
    assert "(seventh edition, September 2025): valid from 2025-09-01" in html


def test_the_world_bank_market_approach_rests_on_the_country_table(officer):
    query = "category=works&authority=sub-central&date=2026-05-04&electronic=y"
    page = officer.get(f"{BASE}/?value=3000000&{query}&pack=world-bank-2025")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "the choice depends on the thresholds the lender sets for the country" in html
    assert "no figure for works is shipped" in html
    assert "No prior-review threshold for the moderate, low risk ratings" in html
