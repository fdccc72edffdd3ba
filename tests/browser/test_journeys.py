"""Each persona's journey, end to end in Chromium, as the demo users.

* leader: import KPI values (pre-filled template → preview → confirm) → priority gaps
  → projects → portfolio run watched to the end → download the workbook;
* procurement officer: assess a planned contract → check a real OCDS record
  (``tests/data/ocds/real``) → download the report;
* finance officer: save the fiscal profile → scenario run of two scenarios watched to
  the end → comparison → download the comparison workbook.

Background work really runs (a job-engine consumer in the test) with short solver time
limits; the page must open the result by itself (no reload by the test). Pages met on
the way are checked with :mod:`checks` (axe-core, 390 px), reported after the
journey's own assertions. On failure the last page is saved as a screenshot.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Error as PlaywrightError

from tests.browser.checks import PageFindings, check_page

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_OCDS = (
    DATA
    / "ocds"
    / "real"
    / "uk-contracts-finder-ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b.json"
)
JOB_TIMEOUT_MS = 180_000
TIME_LIMIT = "5"
CITY_DATA = "The city's current KPIs, targets, projects, mechanisms and fiscal profile"


def _city(live_server: Any) -> str:
    return f"{live_server.url}/cities/demo-city"


def _download(page: Any, link: Any) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    return Path(path).read_bytes()


def _assert_clean(findings: list[PageFindings]) -> None:
    failing = [f for f in findings if not f.ok]
    assert not failing, "\n".join(f.describe() for f in failing)


def _template_row(book: Any, code: str) -> Any:
    for name in book.sheetnames[1:]:
        for row in book[name].iter_rows(min_row=2):
            if row[0].value == code and row[3].value is None:
                return row
    raise AssertionError(f"{code} is not in the template")


def test_leader_imports_finds_gaps_and_runs_a_portfolio(
    page: Any, login: Any, live_server: Any, tmp_path: Path
) -> None:
    city = _city(live_server)
    seen: list[PageFindings] = []
    login("city_leader")

    # Import: the template comes pre-filled; one changed value is previewed, then confirmed.
    page.goto(f"{city}/kpis/import")
    template = _download(page, page.get_by_role("link", name=re.compile("pre-filled")))
    book = load_workbook(io.BytesIO(template))
    row = _template_row(book, "EC: I: WS: 3C")
    assert row[6].value == 28  # the demo city's latest value, 2025
    row[6].value = 24
    edited = tmp_path / "kpi-template.xlsx"
    book.save(edited)
    page.get_by_label("Values file (CSV or XLSX)").set_input_files(str(edited))
    page.get_by_role("button", name="Import values").click()
    page.wait_for_load_state()
    assert "Nothing has been stored yet" in page.inner_text("main")
    assert re.search(r"1\s*changed", page.inner_text(".stats"))
    seen.append(check_page(page))
    page.get_by_role("button", name="Replace the stored values").click()
    page.wait_for_load_state()
    assert "Imported" in page.inner_text("main")

    # Gaps, then the projects that close them.
    page.goto(f"{city}/kpis/gaps")
    assert page.locator("table").count() >= 1
    page.goto(f"{city}/projects/match")
    assert "Priority gaps and the projects that close them" in page.inner_text("h1")
    page.get_by_role("link", name="Candidates").first.click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() >= 3

    # Portfolio run on the city's own data, watched to the end.
    page.goto(f"{city}/portfolio/")
    page.get_by_label("Data").select_option(label=CITY_DATA)
    page.get_by_label("Time limit of the whole run (seconds)").fill(TIME_LIMIT)
    explain = page.get_by_label("Explain (extra re-solves)")
    if explain.is_checked():
        explain.uncheck()
    page.get_by_role("button", name="Run optimiser").click()
    page.wait_for_url(re.compile(r"/portfolio/runs/\d+$"))
    status = page.locator("[data-job-status-url]")
    if status.count():  # still running when the page opened: the box is live
        assert re.search(r"\d+ %", status.inner_text())
    page.get_by_role("link", name="workbook (XLSX)").wait_for(timeout=JOB_TIMEOUT_MS)
    seen.append(check_page(page))
    workbook = load_workbook(
        io.BytesIO(_download(page, page.get_by_role("link", name="workbook (XLSX)")))
    )
    assert len(workbook.sheetnames) >= 2
    _assert_clean(seen)


def test_procurement_officer_assesses_checks_a_real_record_and_exports(
    page: Any, login: Any, live_server: Any
) -> None:
    city = _city(live_server)
    seen: list[PageFindings] = []
    login("procurement_officer")

    page.goto(f"{city}/procurement/")
    page.get_by_label("Estimated value, net of VAT").fill("450000")
    page.get_by_role("button", name="Assess").click()
    page.wait_for_load_state()
    assessment = page.inner_text("main")
    assert re.search(r"procedure", assessment, re.I)
    seen.append(check_page(page))
    sheet = _download(page, page.get_by_role("link", name="Download as Excel"))
    assert load_workbook(io.BytesIO(sheet)).sheetnames

    page.goto(f"{city}/procurement/check")
    page.get_by_label(re.compile("^Tender file")).set_input_files(str(REAL_OCDS))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/procurement/checks/\d+$"))
    assert "Tender check" in page.inner_text("h1")
    seen.append(check_page(page))
    report = _download(page, page.get_by_role("link", name="Download as Excel"))
    assert load_workbook(io.BytesIO(report)).sheetnames
    _assert_clean(seen)


def test_finance_officer_saves_the_fiscal_profile_and_compares_scenarios(
    page: Any, login: Any, live_server: Any
) -> None:
    city = _city(live_server)
    seen: list[PageFindings] = []
    login("finance_officer")

    # The fiscal profile saves as shown (its blank row for the next year is ignored).
    page.goto(f"{city}/finance/fiscal-profile")
    revenue = page.locator("#years-0-revenue")
    revenue.fill(str(round(float(revenue.input_value() or "0")) + 1000))
    page.get_by_role("button", name="Save fiscal profile").click()
    page.wait_for_load_state()
    assert "Fiscal profile saved." in page.inner_text("main"), page.inner_text("main")[:2000]

    # Run the base scenario and a what-if, watch the job, read and download the comparison.
    page.goto(f"{city}/scenarios/")
    boxes = page.locator("input[name='run-scenario_ids']")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("#run-time_limit").fill(TIME_LIMIT)
    page.get_by_role("button", name="Run in the background").click()
    page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
    status = page.locator("[data-job-status-url]")
    assert re.search(r"\d+ / \d+ solves", status.inner_text())
    page.get_by_role("link", name=re.compile("Download the comparison workbook")).wait_for(
        timeout=JOB_TIMEOUT_MS
    )
    assert status.get_attribute("data-job-state") == "done"
    assert "Comparison" in page.inner_text("main")
    seen.append(check_page(page))
    workbook = _download(
        page, page.get_by_role("link", name=re.compile("Download the comparison workbook"))
    )
    assert load_workbook(io.BytesIO(workbook)).sheetnames
    _assert_clean(seen)


def test_a_robustness_job_counts_towards_a_fixed_total_and_opens_its_result(
    page: Any, login: Any, live_server: Any
) -> None:
    login("finance_officer")
    page.goto(f"{_city(live_server)}/scenarios/")
    page.locator("#robustness-samples").fill("3")
    page.get_by_role("button", name="Test robustness").click()
    page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
    counts: set[str] = set()
    result = page.get_by_role("heading", name="Core (always chosen)")
    for _ in range(600):
        if result.count():
            break
        with contextlib.suppress(PlaywrightError):  # the page may be opening the result
            counts.add(page.locator("[data-job=count]").inner_text(timeout=1000))
        page.wait_for_timeout(300)
    result.wait_for(timeout=JOB_TIMEOUT_MS)
    totals = {re.search(r"/ (\d+)", c).group(1) for c in counts if "/" in c}  # type: ignore[union-attr]
    assert totals == {"10"}, counts  # 1 + 3 x 3 from the first poll to the last
    assert page.locator("[data-job-status-url]").get_attribute("data-job-state") == "done"
