"""Every workbook the product writes prints as a council needs it: converted to PDF
by LibreOffice (headless), each page is A4 landscape, no sheet is split across pages
sideways, and the page count stays what a reader expects.

LibreOffice (Debian ``libreoffice-calc-nogui``) and ``pdfinfo`` (``poppler-utils``)
are installed by ``.ci/run``; without them the test fails in CI and is skipped
elsewhere. To look at the pages: ``pdftoppm -png <file>.pdf page`` on the PDFs this
test writes under pytest's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from decision_support.finance.fiscal import load_fiscal_profile
from decision_support.finance.funding_mix import ProjectFinanceInput, evaluate_funding_mix
from decision_support.finance.mechanisms import load_mechanisms
from decision_support.finance.mix_xlsx import funding_mix_xlsx
from decision_support.finance.overrides_xlsx import write_overrides_xlsx
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.export import assessment_to_xlsx
from decision_support.kpis.scoring import score_values
from decision_support.kpis.targets import load_reference_targets
from decision_support.kpis.template import write_template
from decision_support.kpis.values import read_values
from decision_support.portfolio.workbook import result_workbook
from decision_support.projects.candidate_files import read_candidate_file
from decision_support.projects.spreadsheet import write_candidates_xlsx
from rules.assessment import assess
from rules.checker import check_tender
from rules.contract import PlannedContract
from rules.report_xlsx import assessment_xlsx, report_xlsx
from rules.rule_pack import load_pack
from rules.tender_input import read_tender_file
from scenarios.comparison import ComparedRun, compare_runs
from scenarios.files import demo_city_path
from scenarios.solving import solve_scenario
from scenarios.workbook import comparison_workbook

REPO = Path(__file__).resolve().parents[2]
DEMO = demo_city_path().parent
A4_LANDSCAPE = (841.89, 595.3)  # points
SIZE = re.compile(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts")

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdfinfo")) and not os.environ.get("CI"),
    reason="LibreOffice (libreoffice-calc-nogui) and poppler-utils are not installed",
)


def _books(make_scenario: Callable[..., dict[str, Any]]) -> dict[str, bytes]:
    """Every workbook kind, written from the demo city's files or a tiny solved scenario."""
    uk = load_pack("uk-2026")
    contract = PlannedContract(
        category="services",
        authority="sub-central",
        estimated_value=300_000,
        notice_date=date(2026, 12, 21),
        title="Urban data platform",
    )
    real = REPO / "tests/data/ocds/real/ukraine-ocds-be6bcu-UA-2016-06-02-000468-c.json"
    reports = [check_tender(t, load_pack("eu-2026")) for t in read_tender_file(real)]

    base = make_scenario()
    cheaper = make_scenario(budget={"by_year": {2027: 70.0, 2028: 70.0, 2029: 70.0}})
    first, second = solve_scenario(base, {}), solve_scenario(cheaper, {})
    comparison = compare_runs(
        [
            ComparedRun.from_stored("Reference", base, first),
            ComparedRun.from_stored("Budget cut", cheaper, second),
        ]
    )

    catalogue = load_catalogue()
    values = read_values(DEMO / "kpi_values.csv", catalogue=catalogue)
    kpi_assessment = score_values(values, load_reference_targets(catalogue), catalogue=catalogue)

    mechanisms = load_mechanisms()
    fiscal = load_fiscal_profile(DEMO / "fiscal_profile.yaml")
    project = ProjectFinanceInput(
        name="LED street lighting",
        capex_by_year={fiscal.first_year + 1: 6_000_000, fiscal.first_year + 2: 4_000_000},
        opex_per_year=100_000,
        savings_per_year=900_000,
        lifetime_years=15,
    )
    mix = evaluate_funding_mix(
        project,
        {
            "own_budget": 1_000_000,
            "energy_performance_contract": 5_000_000,
            "eu_cohesion_grant": 4_000_000,
        },
        mechanisms,
        fiscal,
    )

    return {
        "procurement-assessment": assessment_xlsx(assess(contract, uk)),
        "checker-report": report_xlsx(reports),
        "portfolio-result": result_workbook(first),
        "scenario-comparison": comparison_workbook(comparison),
        "kpi-template": write_template(catalogue),
        "kpi-assessment": assessment_to_xlsx(kpi_assessment),
        "candidates": write_candidates_xlsx(
            read_candidate_file(DEMO / "candidates.yaml").candidates
        ),
        "financing-mechanisms": write_overrides_xlsx(mechanisms),
        "funding-mix": funding_mix_xlsx(mix, fiscal.currency),
    }


# Pages each printed workbook may take: at least one per sheet; the upper bound
# catches a sheet split sideways (fit to width lost) or a chart given extra pages.
PAGES = {
    "procurement-assessment": (4, 5),
    "checker-report": (3, 6),
    "portfolio-result": (8, 9),
    "scenario-comparison": (14, 16),
    "kpi-template": (4, 12),
    "kpi-assessment": (5, 14),
    "candidates": (2, 4),
    "financing-mechanisms": (2, 3),
    "funding-mix": (5, 5),
}


_PRINTED: dict[str, Path] = {}


@pytest.fixture
def printed(tmp_path_factory, make_scenario) -> dict[str, Path]:
    """The PDFs of every workbook, converted once per test session in one LibreOffice run."""
    if _PRINTED:
        return _PRINTED
    folder = tmp_path_factory.mktemp("print")
    books = _books(make_scenario)
    paths = []
    for name, data in books.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    profile = folder / "lo-profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    _PRINTED.update({name: folder / f"{name}.pdf" for name in books})
    return _PRINTED


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [(float(w), float(h)) for w, h in SIZE.findall(info)]


@needs_office
@pytest.mark.parametrize("name", list(PAGES))
def test_workbook_prints_on_a4_landscape_pages(printed, name) -> None:
    sizes = _page_sizes(printed[name])
    low, high = PAGES[name]
    assert low <= len(sizes) <= high, f"{name}: {len(sizes)} pages"
    for width, height in sizes:
        assert width == pytest.approx(A4_LANDSCAPE[0], abs=1)
        assert height == pytest.approx(A4_LANDSCAPE[1], abs=1)


def test_every_sheet_has_the_print_layout(make_scenario) -> None:
    for name, data in _books(make_scenario).items():
        book = load_workbook(BytesIO(data))
        for sheet in book.worksheets:
            setup = sheet.page_setup
            where = f"{name}/{sheet.title}"
            assert str(setup.paperSize) == sheet.PAPERSIZE_A4, where
            assert setup.orientation == "landscape", where
            assert setup.fitToWidth == 1 and setup.fitToHeight == 0, where
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
            for chart in sheet._charts:
                # each chart starts a printed page: a manual break just above it
                top = chart.anchor._from.row  # 0-based row of the anchor
                assert any(b.id == top for b in sheet.row_breaks.brk), where
                for series in getattr(chart, "series", []):
                    assert not series.smooth, where
