"""Finance pages: mechanisms, city terms and spreadsheet, fiscal profile, calculator."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import openpyxl
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from decision_support.finance.mechanisms import load_mechanisms
from decision_support.finance.overrides_xlsx import COLUMNS, SHEET
from models.audit import AuditEntry
from models.financing import FinancingMechanism, FiscalProfileRecord

BASE = "/cities/demo-city/finance"


def _profile_form(**changes):
    data = {
        "discount_rate": "0.04",
        "preset": "",
        "max_debt_service_ratio": "0.12",
        "max_debt_stock_ratio": "",
        "stock_base": "revenue",
        "max_interest_to_operating_savings": "",
        "count_leases_and_ppp": "y",
        "years-0-year": "2026",
        "years-0-revenue": "100000000",
        "years-0-capital_budget": "10000000",
        "years-0-existing_debt_service": "5000000",
        "years-0-existing_debt_outstanding": "50000000",
        "years-1-year": "2027",
        "years-1-revenue": "102000000",
        "years-1-capital_budget": "11000000",
        "years-1-existing_debt_service": "4800000",
        "years-1-existing_debt_outstanding": "46000000",
        "years-2-year": "",
        "submit": "Save fiscal profile",
    }
    data.update(changes)
    return data


def test_demo_city_is_seeded_with_mechanisms_and_profile(db):
    rows = db.scalars(select(FinancingMechanism)).all()
    assert len(rows) >= 15
    enabled = {r.key for r in rows if r.enabled}
    assert {"own_budget", "go_bond", "eu_cohesion_grant"} <= enabled
    go = next(r for r in rows if r.key == "go_bond")
    assert go.rate == 0.034 and go.overrides == {"interest_rate": 0.034, "tenor_years": 25}
    assert go.terms["lead_time_months"] == 6
    profile = db.scalar(select(FiscalProfileRecord))
    assert profile.max_debt_service_ratio == 0.10
    assert [y.year for y in profile.years][:2] == [2026, 2027]


def test_every_member_sees_the_mechanism_list_and_details(client, auth):
    auth.login_as("procurement_officer")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "General-obligation municipal bond" in page
    assert "Download the settings" in page
    assert 'action="/cities/demo-city/finance/mechanisms/import"' not in page
    details = client.get(f"{BASE}/mechanisms/go_bond").get_data(as_text=True)
    assert "city override" in details  # the demo city's own rate
    assert "belonging.berkeley.edu" in details  # the issuance-cost source
    assert "Save terms" not in details
    assert client.get(f"{BASE}/mechanisms/no_such").status_code == 404


@pytest.mark.parametrize("role", ["city_leader", "procurement_officer"])
def test_only_finance_roles_change_terms(client, auth, role):
    auth.login_as(role)
    assert client.post(f"{BASE}/mechanisms/go_bond", data={}).status_code == 403
    assert client.post(f"{BASE}/fiscal-profile", data=_profile_form()).status_code == 403
    assert client.post(f"{BASE}/mechanisms/import", data={}).status_code == 403
    assert client.post(f"{BASE}/mechanisms/go_bond/reset").status_code == 403


def _mechanism_form(client, mechanism_id):
    """The catalogue's terms of a mechanism as form data."""
    assert client.get(f"{BASE}/mechanisms/{mechanism_id}").status_code == 200
    figures = load_mechanisms().get(mechanism_id).figures()
    data = {k: ("none" if v is None else v) for k, v in figures.items()}
    data = {k: v for k, v in data.items() if v != "none" and not isinstance(v, list | bool)}
    data["eligible_tags"] = figures["eligible_tags"]
    data["risk_transferred"] = figures["risk_transferred"]
    if figures["counts_as_city_debt"]:
        data["counts_as_city_debt"] = "y"
    data["enabled"] = "y"
    data["note"] = "bank quote"
    return data


def test_finance_officer_overrides_terms_and_it_is_audited(client, auth, db):
    auth.login_as("finance_officer")
    data = _mechanism_form(client, "eib_loan")
    data["interest_rate"] = "0.029"
    data["grace_years"] = "4"
    response = client.post(f"{BASE}/mechanisms/eib_loan", data=data)
    assert response.status_code == 302
    row = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == "eib_loan"))
    assert row.overrides == {"interest_rate": 0.029, "grace_years": 4}
    assert row.rate == 0.029 and row.grace_years == 4 and row.note == "bank quote"
    entry = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity == "financing_mechanism")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.details["to"]["overrides"] == {"interest_rate": 0.029, "grace_years": 4}
    page = client.get(f"{BASE}/mechanisms/eib_loan").get_data(as_text=True)
    assert "city override" in page
    assert client.post(f"{BASE}/mechanisms/eib_loan/reset").status_code == 302
    db.expire_all()
    row = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == "eib_loan"))
    assert row.overrides == {} and row.rate == 0.032


def test_invalid_terms_are_shown_next_to_their_fields(client, auth, db):
    auth.login_as("admin")
    data = _mechanism_form(client, "go_bond")
    data["grace_years"] = "30"
    data["max_share"] = "1.5"
    response = client.post(f"{BASE}/mechanisms/go_bond", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="max_share-err"' in page
    row = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == "go_bond"))
    assert row.grace_years == 0


def test_spreadsheet_round_trip_and_located_errors(client, auth, db):
    auth.login_as("finance_officer")
    response = client.get(f"{BASE}/mechanisms.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook[SHEET]
    ids = [c.value for c in sheet["A"]][1:]
    row = ids.index("lease_purchase") + 2
    sheet.cell(row=row, column=COLUMNS.index("enabled") + 1, value="no")
    sheet.cell(row=row, column=COLUMNS.index("interest_rate") + 1, value="cheap")
    bad = io.BytesIO()
    workbook.save(bad)
    response = client.post(
        f"{BASE}/mechanisms/import",
        data={"file": (io.BytesIO(bad.getvalue()), "settings.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page and "must be a number" in page
    sheet.cell(row=row, column=COLUMNS.index("interest_rate") + 1, value=0.05)
    good = io.BytesIO()
    workbook.save(good)
    response = client.post(
        f"{BASE}/mechanisms/import",
        data={"file": (io.BytesIO(good.getvalue()), "settings.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    lease = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == "lease_purchase"))
    assert not lease.enabled and lease.rate == 0.05


def test_fiscal_profile_page_shows_headroom_and_presets(client, auth):
    auth.login_as("city_leader")
    page = client.get(f"{BASE}/fiscal-profile").get_data(as_text=True)
    assert "Debt-service headroom" in page
    assert "15,400,000" in page  # 0.10 x 450 M - 29.6 M in 2026
    assert "Newport News" in page and "nnva.gov" in page
    assert "Borrowing capacity in 2026" in page
    assert "Save fiscal profile" not in page


def test_fiscal_profile_saved_with_validation(client, auth, db):
    auth.login_as("finance_officer")
    response = client.post(f"{BASE}/fiscal-profile", data=_profile_form(**{"years-1-revenue": ""}))
    assert response.status_code == 422
    assert "required for every year entered" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/fiscal-profile", data=_profile_form(discount_rate="2"))
    assert response.status_code == 422
    assert "maximum of 1" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/fiscal-profile", data=_profile_form())
    assert response.status_code == 302
    profile = db.scalar(select(FiscalProfileRecord))
    assert [y.year for y in profile.years] == [2026, 2027]
    assert profile.max_debt_service_ratio == 0.12 and profile.count_leases_and_ppp


def test_fiscal_profile_ignores_a_blank_row_with_a_year(client, auth, db):
    auth.login_as("finance_officer")
    # The page offers a blank row pre-filled with the next year: saving must not fail on it.
    response = client.post(f"{BASE}/fiscal-profile", data=_profile_form(**{"years-2-year": "2028"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    profile = db.scalar(select(FiscalProfileRecord))
    assert [y.year for y in profile.years] == [2026, 2027]


def test_fiscal_profile_errors_are_summarised_at_the_top(client, auth):
    auth.login_as("finance_officer")
    response = client.post(
        f"{BASE}/fiscal-profile",
        data=_profile_form(**{"years-1-revenue": "", "years-2-year": "2028"}),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page[page.index("error-summary") : page.index('<div class="grid-form">')]
    assert "1 problem to correct" in summary
    assert 'href="#years-1-revenue"' in summary and "row 2: Revenue" in summary
    assert "required for every year entered" in summary
    assert 'id="years-1-revenue-err"' in page  # and next to the field
    assert 'aria-invalid="None"' not in page and 'aria-describedby="None"' not in page


def test_preset_fills_the_rules(client, auth):
    auth.login_as("finance_officer")
    response = client.post(
        f"{BASE}/fiscal-profile",
        data=_profile_form(preset="newport_news_va", apply_preset="y", submit=""),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="0.095"' in page


def test_funding_mix_calculator_shows_cash_flows_and_broken_rules(client, auth):
    auth.login_as("city_leader")
    page = client.get(f"{BASE}/mix")
    assert page.status_code == 200
    response = client.post(
        f"{BASE}/mix",
        data={
            "name": "LED street lighting",
            "capex-0-year": "2027",
            "capex-0-amount": "6000000",
            "capex-1-year": "2028",
            "capex-1-amount": "4000000",
            "opex_per_year": "100000",
            "savings_per_year": "900000",
            "lifetime_years": "15",
            "tags": ["energy-saving", "green"],
            "amount_own_budget": "1000000",
            "amount_energy_performance_contract": "5000000",
            "amount_eu_cohesion_grant": "4000000",
            "amount_civic_bond": "1000000",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Net cost to city" in page
    assert 'id="funding-mix-chart"' in page and "/vendor/plotly" in page
    assert "adds up to 11,000,000 but the project costs 10,000,000" in page
    assert "chance of award" in page


def test_funding_mix_without_broken_rules(client, auth):
    auth.login_as("finance_officer")
    response = client.post(
        f"{BASE}/mix",
        data={
            "name": "Own-funded pilot",
            "capex-0-year": "2027",
            "capex-0-amount": "500000",
            "lifetime_years": "10",
            "amount_own_budget": "500000",
        },
    )
    assert response.status_code == 200
    assert "The mix breaks no rule." in response.get_data(as_text=True)


def test_funding_mix_form_errors(client, auth):
    auth.login_as("finance_officer")
    response = client.post(f"{BASE}/mix", data={"name": "", "lifetime_years": "0"})
    assert response.status_code == 422
    response = client.post(f"{BASE}/mix", data={"name": "No capex", "lifetime_years": "10"})
    assert response.status_code == 422
    assert "enter capex for at least one year" in response.get_data(as_text=True)


def test_finance_api(client, auth):
    auth.login_as("city_leader")
    payload = client.get("/api/cities/demo-city/finance/mechanisms").get_json()
    go = next(m for m in payload["mechanisms"] if m["id"] == "go_bond")
    assert go["enabled"] and go["rate"] == 0.034
    assert go["sources"]["interest_rate"]["status"] == "city_override"
    profile = client.get("/api/cities/demo-city/finance/fiscal-profile").get_json()
    assert profile["debt_rules"]["max_debt_service_ratio"] == 0.10
    assert profile["headroom"][0]["headroom"] == pytest.approx(15_400_000)


class _FormFields(HTMLParser):
    """Collects what a browser would submit from the first POST form with a submit button."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((a["name"], a.get("value", "y")))
            elif kind != "submit":
                self.data.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@pytest.mark.parametrize("mechanism_id", ["go_bond", "civic_bond", "eu_cohesion_grant"])
def test_posting_the_rendered_form_back_changes_nothing(client, auth, db, mechanism_id):
    auth.login_as("finance_officer")
    page = client.get(f"{BASE}/mechanisms/{mechanism_id}").get_data(as_text=True)
    form_html = page.split('<form method="post" novalidate class="grid-form">')[1].split("</form>")[
        0
    ]
    parser = _FormFields()
    parser.feed(form_html)
    before = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == mechanism_id))
    overrides = dict(before.overrides)
    data = MultiDict(parser.data)
    response = client.post(f"{BASE}/mechanisms/{mechanism_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    after = db.scalar(select(FinancingMechanism).where(FinancingMechanism.key == mechanism_id))
    assert after.overrides == overrides


def test_funding_mix_fills_from_a_candidate_project(client, auth, db):
    from models.services.cities import city_by_slug
    from models.services.projects import list_candidates

    auth.login_as("finance_officer")
    project = next(
        p for p in list_candidates(db, city_by_slug(db, "demo-city")) if len(p.capex_by_year) > 1
    )
    page = client.get(f"{BASE}/mix?project={project.id}").get_data(as_text=True)
    assert f'value="{project.name}"' in page
    first_amount = f"{float(project.capex_by_year[0])}"
    assert f'value="{first_amount}"' in page or f'value="{project.capex_by_year[0]}"' in page
    assert client.get(f"{BASE}/mix?project=NO-SUCH").status_code == 404


def test_funding_mix_downloads_as_a_printable_workbook(client, auth):
    import io

    from openpyxl import load_workbook

    auth.login_as("finance_officer")
    response = client.post(
        f"{BASE}/mix",
        data={
            "name": "Own-funded pilot",
            "capex-0-year": "2027",
            "capex-0-amount": "500000",
            "capex-1-year": "2028",
            "capex-1-amount": "250000",
            "lifetime_years": "10",
            "amount_own_budget": "750000",
            "export": "xlsx",
        },
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "funding-mix.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Mix", "Cash flow", "Rules broken"]
    cash = book["Cash flow"]
    assert [c.value for c in cash[1]][:3] == ["Year", "Capex", "Own funds"]
    assert cash["B2"].value == 500_000 and cash["B2"].number_format == "#,##0"
    assert book["Mix"]["C2"].value == 1.0 and book["Mix"]["C2"].number_format == "0.0%"
    assert book["Rules broken"]["A2"].value == "The mix breaks no rule"
    assert len(cash._charts) == 1
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
