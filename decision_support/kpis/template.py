"""The XLSX data-collection template a city fills in and imports back.

One sheet per dimension lists every KPI (one row per data point) with its code,
name, level and unit; the city fills ``year``, ``value``, ``quality``, ``verified``
and ``source``. Dropdowns offer the data points, quality flags and yes/no. An
instructions sheet explains the rules. :func:`decision_support.kpis.values.read_values`
reads the filled workbook as it is (every sheet with ``code`` and ``value`` columns).

Given a city's values, the template comes pre-filled with the latest value of every
KPI and data point (its year, value, quality, verified flag and source), so a city
updates what it has instead of starting from blank rows; the rows it does not touch
import back unchanged, and rows left empty never overwrite anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from decision_support.files.workbooks import print_layout, workbook_bytes, write_table
from decision_support.kpis.catalogue import DIMENSIONS, KPI, Catalogue, load_catalogue
from decision_support.kpis.spreadsheet import HEADER_FILL, HEADER_FONT, safe_cell, sheet_title
from decision_support.kpis.units import ratio_scale
from decision_support.kpis.values import QUALITY_FLAGS, KPIValue, value_kind

TEMPLATE_COLUMNS = (
    "code",
    "name",
    "level",
    "data_point",
    "unit",
    "year",
    "value",
    "quality",
    "verified",
    "source",
    "note",
    "numerator",
    "denominator",
    "computed",
    "data_origin",
    "category",
)
_WIDTHS = (18, 44, 9, 16, 30, 8, 12, 32, 9, 36, 30, 12, 12, 12, 26, 30)
# U4SSC collection practice (Verification Manual): where a value comes from.
DATA_ORIGINS = (
    "city administration",
    "national statistics office",
    "utility or operator",
    "survey",
    "third party",
    "other",
)
SCORES_SHEET = "Category scores"

INSTRUCTIONS = (
    "U4SSC KPI data collection template",
    "",
    "Fill in one row per KPI (or data point) on the Economy, Environment and "
    "Society and Culture sheets.",
    "Do not rename the sheets or the header row, and do not change the code, "
    "data_point or unit cells: they identify what each value is.",
    "year: the year the value refers to (e.g. 2024). Add rows (copy a row) to "
    "report further years.",
    "value: a number in the unit shown; a decimal comma is accepted; no thousands "
    "separators. Percentages as 0-100 (a % sign is allowed). Yes/no KPIs: yes or no.",
    "Write NR when the KPI is not reported. A row whose value is left empty is "
    "skipped: it never replaces a value already stored.",
    "A downloaded template is pre-filled with the city's latest values: change "
    "what is new, add rows for further years; the import shows what would change "
    "and asks before replacing stored values.",
    "quality: one of " + "; ".join(QUALITY_FLAGS) + " (U4SSC data-quality flags).",
    "verified: yes when an independent verifier has checked the value.",
    "source: where the value comes from (document, register, URL).",
    "numerator and denominator: for a ratio KPI, give both and leave value empty; "
    "the computed column shows the result (x 100 for percentages, x 100 000 for "
    "'per 100 000 inhabitants') and the import uses it. If you give value too, it "
    "must agree with them.",
    "data_origin: who produced the figure (" + "; ".join(DATA_ORIGINS) + ").",
    "The Category scores sheet counts, per U4SSC category, the KPIs and the values "
    "filled in; the scores and bands (0-33, 33-66, 66-95, 95+) are computed on import.",
    "The import is all-or-nothing: every problem is listed with its sheet, row "
    "and column, and nothing is stored until all are fixed.",
)


def _latest(values: Sequence[KPIValue]) -> dict[tuple[str, str | None], KPIValue]:
    """The most recent value per (KPI code, data point)."""
    latest: dict[tuple[str, str | None], KPIValue] = {}
    for value in values:
        key = (value.code, value.data_point)
        if value.year is None:
            continue
        if key not in latest or (latest[key].year or 0) <= value.year:
            latest[key] = value
    return latest


def _value_cell(value: KPIValue, kind: str) -> str | float:
    """The value as the reader reads it back: NR, yes/no, or the number."""
    if value.value is None:
        return "NR"
    if kind == "yes_no":
        return "yes" if value.value >= 1 else "no"
    return value.value


def _filled(kpi: KPI, data_point: str | None, value: KPIValue | None) -> list[object]:
    if value is None:
        return [None] * 5
    verified = None if value.verified is None else ("yes" if value.verified else "no")
    return [
        value.year,
        _value_cell(value, value_kind(kpi, data_point)),
        value.quality,
        verified,
        safe_cell(value.source) if value.source else None,
    ]


def _computed_formula(row: int, scale: float) -> str:
    return f'=IF(AND(ISNUMBER(L{row}),ISNUMBER(M{row}),M{row}<>0),L{row}/M{row}*{scale:g},"")'


def _scores_sheet(book: Workbook, catalogue: Catalogue) -> None:
    """Per category: KPIs, values filled in (live counts), and where scores come from."""
    sheet = book.create_sheet(SCORES_SHEET)
    header = ["dimension", "sub_dimension", "category", "KPIs", "values filled in", "score"]
    rows: list[list[object]] = []
    formulas: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for kpi in catalogue:
        key = (kpi.dimension, kpi.sub_dimension, kpi.category)
        seen[key] = seen.get(key, 0) + max(1, len(kpi.data_points))
    for index, ((dimension, sub, category), count) in enumerate(seen.items(), start=2):
        title = sheet_title(dimension).replace("'", "''")
        formulas.append(f"=COUNTIFS('{title}'!P:P,C{index},'{title}'!G:G,\"<>\")")
        rows.append([dimension, sub, category, count, None, "computed on import"])
    write_table(sheet, header, rows)
    for index, formula in enumerate(formulas, start=2):
        # A live count of this template's own cells (trusted text, not user input).
        sheet.cell(row=index, column=5, value=formula)
    print_layout(sheet)


def write_template(catalogue: Catalogue | None = None, values: Sequence[KPIValue] = ()) -> bytes:
    """The import template as XLSX bytes, pre-filled with the latest of ``values``."""
    catalogue = catalogue or load_catalogue()
    latest = _latest(values)
    book = Workbook()
    instructions = book.active
    instructions.title = "Instructions"
    for line in INSTRUCTIONS:
        instructions.append([safe_cell(line)])
    instructions["A1"].font = HEADER_FONT
    instructions.column_dimensions["A"].width = 120

    quality_list = '"' + ",".join(QUALITY_FLAGS) + '"'
    for dimension in DIMENSIONS:
        sheet = book.create_sheet(sheet_title(dimension))
        sheet.append(list(TEMPLATE_COLUMNS))
        for cell in sheet[1]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        sheet.freeze_panes = "C2"
        for number, width in enumerate(_WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        data_point_lists: dict[str, DataValidation] = {}
        for kpi in catalogue:
            if kpi.dimension != dimension:
                continue
            for data_point in kpi.data_points or (None,):
                sheet.append(
                    [
                        kpi.code,
                        safe_cell(kpi.name),
                        kpi.level,
                        data_point,
                        safe_cell(kpi.unit),
                        *_filled(kpi, data_point, latest.get((kpi.code, data_point))),
                        None,
                        None,
                        None,
                        _computed_formula(sheet.max_row + 1, ratio_scale(kpi)),
                        None,
                        safe_cell(kpi.category),
                    ]
                )
                if data_point is not None:
                    check = data_point_lists.get(kpi.code)
                    if check is None:
                        check = DataValidation(
                            type="list",
                            formula1='"' + ",".join(kpi.data_points) + '"',
                            allow_blank=False,
                        )
                        check.error = f"Choose a data point of {kpi.code}"
                        sheet.add_data_validation(check)
                        data_point_lists[kpi.code] = check
                    check.add(f"D{sheet.max_row}")
        last = max(sheet.max_row, 2)
        quality = DataValidation(type="list", formula1=quality_list, allow_blank=True)
        quality.error = "Choose one of the U4SSC data-quality flags"
        verified = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
        year = DataValidation(
            type="whole", operator="between", formula1="1900", formula2="2100", allow_blank=True
        )
        year.error = "A year between 1900 and 2100"
        origin = DataValidation(
            type="list", formula1='"' + ",".join(DATA_ORIGINS) + '"', allow_blank=True
        )
        for check, column in ((quality, "H"), (verified, "I"), (year, "F"), (origin, "O")):
            sheet.add_data_validation(check)
            check.add(f"{column}2:{column}{last + 500}")
        print_layout(sheet)
    _scores_sheet(book, catalogue)
    print_layout(instructions, None)
    return workbook_bytes(book)
