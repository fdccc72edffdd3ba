"""The workbook helper every XLSX writer of the product uses (openpyxl).

* Safe cells: text starting with ``= + - @`` (or a tab / carriage return, OWASP's
  CSV-injection list) gets a leading apostrophe, so no spreadsheet runs it as a
  formula; ``None`` stays an empty cell.
* Sheet titles: Excel forbids ``[ ] : * ? / \\`` and more than 31 characters, and
  titles must be unique in a workbook.
* Tables: a bold, shaded, wrapped header row; number formats per column (money with
  thousands separators, percentages as %, ratios to two decimals); column widths
  from the content; the header row frozen.
* Print layout a council can use: A4 landscape, fitted to one page wide (as many
  pages tall as needed), header rows repeated on every page, "page N of M" footer.
  Charts go below their table, each starting on a fresh page (manual page breaks),
  so no chart is cut across pages.
* Charts: lines are never smoothed (yearly amounts are points, not curves) and
  share axes run from 0 % to 100 %.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart
from openpyxl.chart._chart import ChartBase
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")

MONEY = "#,##0"
MONEY_CENTS = "#,##0.00"
INTEGER = "#,##0"
PERCENT = "0.0%"
RATIO = "0.00"
YEAR = "0"
DATE = "yyyy-mm-dd"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH = 8, 45
HEADER_WRAP = 16
TOP = Alignment(vertical="top")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
LINE_HEIGHT_PT = 13.0
MAX_LINES = 30
ROW_HEIGHT_CM = 0.53  # Excel's default row (15 pt)

# Words kept upper-case (or spelled) when a field name becomes a column title.
_TITLE_WORDS = {
    "kpi": "KPI",
    "kpis": "KPIs",
    "id": "ID",
    "capex": "capex",
    "opex": "opex",
    "npv": "NPV",
    "dscr": "DSCR",
    "cpv": "CPV",
    "ocds": "OCDS",
    "eur": "EUR",
    "vat": "VAT",
}


def safe_cell(value: Any) -> Any:
    """A value no spreadsheet will run as a formula; lists and mappings become text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(safe_cell(v)) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid sheet title: forbidden characters replaced, at most 31 characters,
    not empty, and different (case-insensitively) from the ``taken`` titles."""
    cleaned = _BAD_TITLE_CHARS.sub(" ", name).strip().strip("'") or "Sheet"
    title = cleaned[:MAX_SHEET_TITLE]
    used = {t.lower() for t in taken}
    counter = 2
    while title.lower() in used:
        suffix = f" ({counter})"
        title = cleaned[: MAX_SHEET_TITLE - len(suffix)] + suffix
        counter += 1
    return title


def human_title(field: str) -> str:
    """A column title for a field name: ``debt_service_ratio`` → ``Debt service ratio``."""
    words = [_TITLE_WORDS.get(w.lower(), w.lower()) for w in re.split(r"[_\s]+", field) if w]
    if not words:
        return field
    first = words[0]
    words[0] = first if first.isupper() or first in _TITLE_WORDS.values() else first.capitalize()
    if words[0] in ("capex", "opex"):
        words[0] = words[0].capitalize()
    return " ".join(words)


def new_workbook() -> Workbook:
    """An empty workbook (openpyxl's default sheet removed)."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    return book


def add_sheet(book: Workbook, name: str) -> Worksheet:
    """A new sheet with a valid, unique title."""
    return book.create_sheet(sheet_title(name, book.sheetnames))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown_length(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if _is_number(value):
        if number_format == PERCENT:
            return len(f"{value:.1%}")
        if number_format in (MONEY, INTEGER):
            return len(f"{value:,.0f}")
        if number_format in (MONEY_CENTS, RATIO):
            return len(f"{value:,.2f}")
        return len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (estimate)."""
    usable = max(int(width) - 2, 1)
    return sum(max(math.ceil(len(part) / usable), 1) for part in text.split("\n"))


def write_table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    first_row: int = 1,
    formats: Mapping[int, str] | None = None,
    row_formats: Mapping[int, str] | None = None,
    freeze: bool = True,
) -> int:
    """Write a header and rows at ``first_row``; return the last row written.

    ``formats`` maps a 0-based column to a number format, ``row_formats`` a 0-based
    body row to one (it wins over the column's, from the third column on; for
    "measure, unit, values…" tables). Number formats apply to numeric cells only;
    floats without a format get two decimals with thousands separators.
    """
    formats = formats or {}
    row_formats = row_formats or {}
    body = [[None if raw == "" else raw for raw in values] for values in rows]

    def number_format_of(r: int, c: int, value: Any) -> str | None:
        chosen = (row_formats.get(r) if c >= 2 else None) or formats.get(c)
        if chosen is None and isinstance(value, float):
            return MONEY_CENTS
        return chosen

    # Widths: the content's, within bounds; a header wraps, so it counts up to 16.
    widths = [min(len(str(title)), HEADER_WRAP) for title in header]
    for r, values in enumerate(body):
        for c, value in enumerate(values):
            if c >= len(widths):
                widths.append(0)
            shown = _shown_length(safe_cell(value), number_format_of(r, c, value))
            widths[c] = max(widths[c], shown)
    widths = [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = max(current, width)

    header_lines = 1
    for column, title in enumerate(header, start=1):
        cell = sheet.cell(row=first_row, column=column, value=safe_cell(title))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_lines = max(header_lines, _lines(str(title), widths[column - 1]))
    if header_lines > 1:
        sheet.row_dimensions[first_row].height = LINE_HEIGHT_PT * header_lines
    last = first_row
    for r, values in enumerate(body):
        last = first_row + 1 + r
        lines = 1
        for c, value in enumerate(values):
            cell = sheet.cell(row=last, column=c + 1, value=safe_cell(value))
            number_format = number_format_of(r, c, value)
            if _is_number(value) and number_format:
                cell.number_format = number_format
            if isinstance(value, str) and (len(value) > widths[c] - 2 or "\n" in value):
                cell.alignment = WRAP_TOP
                lines = max(lines, _lines(value, widths[c]))
            else:
                cell.alignment = TOP
        if lines > 1:
            # Neither Excel nor LibreOffice grows rows of a generated file on opening.
            sheet.row_dimensions[last].height = LINE_HEIGHT_PT * min(lines, MAX_LINES)
    if freeze:
        sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
    return last


def print_layout(sheet: Worksheet, header_rows: str | None = "1:1") -> None:
    """A4 landscape, one page wide, ``header_rows`` repeated on every printed page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if header_rows:
        sheet.print_title_rows = header_rows
    sheet.oddFooter.center.text = "&A, page &P of &N"


def place_chart(sheet: Worksheet, chart: ChartBase, first_row: int) -> int:
    """Anchor ``chart`` at column A of ``first_row`` on a fresh printed page (a page
    break before it and after it); return the first free row below it."""
    if first_row > 1:
        sheet.row_breaks.append(Break(id=first_row - 1))
    sheet.add_chart(chart, f"A{first_row}")
    rows = math.ceil(float(chart.height) / ROW_HEIGHT_CM) + 2
    sheet.row_breaks.append(Break(id=first_row + rows - 1))
    return first_row + rows


def bar_chart(title: str, y_title: str, *, stacked: bool = False, share: bool = False) -> BarChart:
    """A column chart; ``share`` charts have a 0–100 % axis."""
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 8, 18
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    if share:
        share_axis(chart)
    return chart


def line_chart(title: str, y_title: str, *, share: bool = False) -> LineChart:
    """A line chart whose lines stay straight (call :func:`straight_lines` after
    adding data); ``share`` charts have a 0–100 % axis."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 8, 18
    if share:
        share_axis(chart)
    return chart


def straight_lines(chart: LineChart) -> None:
    """No smoothing: yearly amounts are joined by straight segments."""
    for series in chart.series:
        series.smooth = False


def share_axis(chart: ChartBase) -> None:
    """A y axis for shares: from 0 to 100 %, shown as percentages."""
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.majorUnit = 0.2
    chart.y_axis.number_format = "0%"


def workbook_bytes(book: Workbook) -> bytes:
    """The XLSX file; every sheet without a print layout gets the default one."""
    for sheet in book.worksheets:
        if sheet.page_setup.paperSize is None:
            print_layout(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
