"""Excel round-trip of a city's candidate list.

Two sheets: ``projects`` (one row per project, the columns of :data:`PROJECT_COLUMNS`) and
``impacts`` (one row per KPI change, :data:`IMPACT_COLUMNS`; ``kpi_name``/``kpi_unit`` are
shown for reference and ignored on upload). Dropdowns guard procurement category, risk
levels, yes/no columns (low cost and one column per financing tag), cost level and
confidence.

Upload is all-or-nothing: every problem is collected with its 1-based row and the
column letter (header = row 1) and raised once as :class:`ProjectError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from decision_support.errors import Problem
from decision_support.files.tables import FileLimitError, read_xlsx
from decision_support.files.workbooks import (
    FORMULA_PREFIXES,
    print_layout,
    safe_cell,
    workbook_bytes,
)
from decision_support.kpis.catalogue import load_catalogue
from decision_support.projects.candidates import check_candidate, check_candidate_list
from decision_support.projects.model import (
    CONFIDENCE_LEVELS,
    COST_LEVELS,
    FINANCING_TAGS,
    LEVELS,
    PROCUREMENT_CATEGORIES,
    CandidateImpact,
    CandidateProject,
    ProjectError,
    ProjectProcurement,
    Risk,
)

PROJECTS_SHEET = "projects"
IMPACTS_SHEET = "impacts"
LIST_SEPARATOR = ";"
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Column:
    """A declared spreadsheet column: name, kind and whether a value is required."""

    name: str
    kind: str  # text | number | integer | yes_no | number_list | text_list | choice
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    width: int = 14


TAG_COLUMNS = tuple(f"tag_{tag.replace('-', '_')}" for tag in FINANCING_TAGS)

PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("id", "text", required=True, width=30),
    Column("name", "text", required=True, width=45),
    Column("template_id", "text", width=28),
    Column("intervention", "text", width=24),
    Column("low_cost", "yes_no", required=True, choices=("yes", "no")),
    Column("currency", "text", required=True, width=9),
    Column("capex_by_year", "number_list", required=True, width=30),
    Column("opex_per_year", "number", minimum=0),
    Column("savings_per_year", "number", minimum=0),
    Column("duration_years", "number", required=True, minimum=0),
    Column("lifetime_years", "number", required=True, minimum=0),
    Column("earliest_start", "integer", minimum=0),
    Column("latest_start", "integer", minimum=0),
    Column("cost_level", "choice", choices=COST_LEVELS),
    Column("procurement_category", "choice", required=True, choices=PROCUREMENT_CATEGORIES),
    Column("cpv", "text", width=11),
    Column("contract", "text", width=40),
    Column("estimated_value", "number", minimum=0),
    Column("cost_overrun_risk", "choice", required=True, choices=LEVELS),
    Column("delivery_risk", "choice", required=True, choices=LEVELS),
    *(Column(name, "yes_no", choices=("yes", "no"), width=12) for name in TAG_COLUMNS),
    Column("requires", "text_list", width=24),
    Column("excludes", "text_list", width=24),
    Column("description", "text", width=50),
    Column("sources", "text_list", width=50),
    Column("notes", "text_list", width=50),
)

IMPACT_COLUMNS: tuple[Column, ...] = (
    Column("project_id", "text", required=True, width=30),
    Column("kpi", "text", required=True, width=18),
    Column("data_point", "text", width=16),
    Column("change", "number", required=True),
    Column("confidence", "choice", required=True, choices=CONFIDENCE_LEVELS),
    Column("source", "text", required=True, width=50),
    Column("note", "text", width=50),
    Column("kpi_name", "text", width=30),
    Column("kpi_unit", "text", width=22),
)

# which spreadsheet column a candidate-validation field belongs to
_FIELD_COLUMN = {
    "id": "id",
    "name": "name",
    "capex_by_year": "capex_by_year",
    "opex_per_year": "opex_per_year",
    "savings_per_year": "savings_per_year",
    "duration_years": "duration_years",
    "lifetime_years": "lifetime_years",
    "earliest_start": "earliest_start",
    "latest_start": "latest_start",
    "cost_level": "cost_level",
    "procurement.category": "procurement_category",
    "procurement.cpv": "cpv",
    "procurement.estimated_value": "estimated_value",
    "risk.cost_overrun": "cost_overrun_risk",
    "risk.delivery": "delivery_risk",
    "requires": "requires",
    "excludes": "excludes",
}


# ------------------------------------------------------------------------ writer


def _join(values: Iterable[object]) -> str:
    return f"{LIST_SEPARATOR} ".join(str(v) for v in values)


def _number_text(value: float) -> str:
    return (
        f"{value:.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else str(int(value))
    )


def _project_row(p: CandidateProject) -> dict[str, object]:
    row: dict[str, object] = {
        "id": p.id,
        "name": p.name,
        "template_id": p.template_id or "",
        "intervention": p.intervention or "",
        "low_cost": "yes" if p.low_cost else "no",
        "currency": p.currency,
        "capex_by_year": _join(_number_text(v) for v in p.capex_by_year),
        "opex_per_year": p.opex_per_year,
        "savings_per_year": p.savings_per_year,
        "duration_years": p.duration_years,
        "lifetime_years": p.lifetime_years,
        "earliest_start": p.earliest_start,
        "latest_start": p.latest_start if p.latest_start is not None else "",
        "cost_level": p.cost_level,
        "procurement_category": p.procurement.category,
        "cpv": p.procurement.cpv,
        "contract": p.procurement.contract,
        "estimated_value": p.procurement.estimated_value,
        "cost_overrun_risk": p.risk.cost_overrun,
        "delivery_risk": p.risk.delivery,
        "requires": _join(p.requires),
        "excludes": _join(p.excludes),
        "description": p.description,
        "sources": _join(p.sources),
        "notes": _join(p.notes),
    }
    for tag, column in zip(FINANCING_TAGS, TAG_COLUMNS, strict=True):
        row[column] = "yes" if tag in p.tags else "no"
    return row


def _write_sheet(
    sheet: Worksheet, columns: tuple[Column, ...], rows: list[dict[str, object]]
) -> None:
    sheet.append([c.name for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(row.get(c.name, "")) for c in columns])
    last = max(2, len(rows) + 200)  # room for rows the user adds
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=f"{column.name}",
                error=f"Choose one of: {', '.join(column.choices)}",
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    print_layout(sheet)


def write_candidates_xlsx(projects: Iterable[CandidateProject]) -> bytes:
    """The candidate list as an .xlsx file (bytes)."""
    catalogue = load_catalogue()
    items = list(projects)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = PROJECTS_SHEET
    _write_sheet(sheet, PROJECT_COLUMNS, [_project_row(p) for p in items])
    impact_rows = []
    for p in items:
        for i in p.impacts:
            kpi = catalogue.find(i.kpi)
            impact_rows.append(
                {
                    "project_id": p.id,
                    "kpi": i.kpi,
                    "data_point": i.data_point or "",
                    "change": i.change,
                    "confidence": i.confidence,
                    "source": i.source,
                    "note": i.note,
                    "kpi_name": kpi.name if kpi else "",
                    "kpi_unit": kpi.unit if kpi else "",
                }
            )
    _write_sheet(workbook.create_sheet(IMPACTS_SHEET), IMPACT_COLUMNS, impact_rows)
    return workbook_bytes(workbook)


# ------------------------------------------------------------------------ reader


class _Sheet:
    """One sheet read as text, with located problems and typed column accessors."""

    def __init__(self, name: str, frame: pd.DataFrame, columns: tuple[Column, ...]) -> None:
        self.name = name
        self.frame = frame
        self.declared = {c.name: c for c in columns}
        self.problems: list[Problem] = []
        header = [str(c).strip() for c in frame.columns]
        self.frame.columns = pd.Index(header)
        self.letter = {name: get_column_letter(i + 1) for i, name in enumerate(header)}
        self.rows = pd.Series(range(2, len(frame) + 2), index=frame.index)
        for column in columns:
            if column.required and column.name not in self.letter:
                self.problems.append(
                    Problem(
                        f"sheet '{name}': missing column '{column.name}'", row=1, column=column.name
                    )
                )

    def complain(self, mask: pd.Series, column: str, message: str) -> None:
        for row in self.rows[mask]:
            self.problems.append(
                Problem(
                    f"sheet '{self.name}', {column}: {message}",
                    row=int(row),
                    column=self.letter.get(column, column),
                )
            )

    def text(self, name: str) -> pd.Series:
        if name not in self.frame:
            return pd.Series("", index=self.frame.index, dtype=object)
        raw = self.frame[name].map(
            lambda v: (
                "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
            )
        )
        # undo the writer's formula-injection quote
        return raw.map(lambda v: v[1:] if v.startswith("'") and v[1:2] in FORMULA_PREFIXES else v)

    def required_text(self, name: str) -> pd.Series:
        values = self.text(name)
        if self.declared[name].required and name in self.frame:
            self.complain(values == "", name, "a value is required")
        return values

    def number(self, name: str, default: float | None = None) -> pd.Series:
        column = self.declared[name]
        values = self.text(name)
        numbers = pd.to_numeric(values.replace("", None), errors="coerce")
        self.complain((values != "") & numbers.isna(), name, "not a number")
        if column.required and name in self.frame:
            self.complain(values == "", name, "a value is required")
        if column.minimum is not None:
            self.complain(numbers < column.minimum, name, f"must be at least {column.minimum:g}")
        if column.kind == "integer":
            self.complain(numbers.notna() & (numbers % 1 != 0), name, "must be a whole number")
        if default is not None:
            numbers = numbers.where(values != "", default)
        return numbers

    def yes_no(self, name: str) -> pd.Series:
        values = self.text(name).str.lower()
        self.complain(~values.isin(_YES | _NO), name, "must be yes or no")
        if self.declared[name].required and name in self.frame:
            self.complain(values == "", name, "a value is required")
        return values.isin(_YES)

    def choice(self, name: str) -> pd.Series:
        column = self.declared[name]
        values = self.text(name).str.lower()
        allowed = set(column.choices) | (set() if column.required else {""})
        self.complain(~values.isin(allowed), name, f"must be one of {', '.join(column.choices)}")
        return values

    def number_list(self, name: str) -> pd.Series:
        values = self.required_text(name)

        def parse(cell: str) -> tuple[float, ...] | None:
            try:
                numbers = tuple(float(part) for part in cell.split(LIST_SEPARATOR) if part.strip())
            except ValueError:
                return None
            return numbers if all(math.isfinite(n) for n in numbers) else None

        parsed = values.map(parse)
        self.complain(
            (values != "") & parsed.isna(), name, f"numbers separated by '{LIST_SEPARATOR}'"
        )
        return parsed

    def text_list(self, name: str) -> pd.Series:
        return self.text(name).map(
            lambda cell: tuple(part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip())
        )


def _read_frames(data: bytes) -> dict[str, pd.DataFrame]:
    try:
        frames = read_xlsx(data, source="workbook", sheet_name=None, dtype=object)
    except FileLimitError as exc:
        raise ProjectError(exc.problems) from None
    except Exception as exc:  # openpyxl raises many types for a non-xlsx upload
        raise ProjectError(
            Problem(f"not a readable .xlsx workbook ({type(exc).__name__})")
        ) from exc
    missing = [s for s in (PROJECTS_SHEET, IMPACTS_SHEET) if s not in frames]
    if missing:
        raise ProjectError([Problem(f"missing sheet '{s}'") for s in missing])
    return frames


def read_candidates_xlsx(data: bytes) -> list[CandidateProject]:
    """Parse and validate an uploaded candidate workbook; all-or-nothing."""
    frames = _read_frames(data)
    catalogue = load_catalogue()
    ps = _Sheet(PROJECTS_SHEET, frames[PROJECTS_SHEET], PROJECT_COLUMNS)
    im = _Sheet(IMPACTS_SHEET, frames[IMPACTS_SHEET], IMPACT_COLUMNS)
    if ps.problems or im.problems:
        raise ProjectError(ps.problems + im.problems)

    ids = ps.required_text("id")
    duplicated = ids.duplicated(keep="first") & (ids != "")
    ps.complain(duplicated, "id", "duplicate project id")
    projects_table = pd.DataFrame(
        {
            "id": ids,
            "name": ps.required_text("name"),
            "template_id": ps.text("template_id"),
            "intervention": ps.text("intervention"),
            "low_cost": ps.yes_no("low_cost"),
            "currency": ps.required_text("currency"),
            "capex_by_year": ps.number_list("capex_by_year"),
            "opex_per_year": ps.number("opex_per_year", 0.0),
            "savings_per_year": ps.number("savings_per_year", 0.0),
            "duration_years": ps.number("duration_years"),
            "lifetime_years": ps.number("lifetime_years"),
            "earliest_start": ps.number("earliest_start", 0.0),
            "latest_start": ps.number("latest_start"),
            "cost_level": ps.choice("cost_level").replace("", "typical"),
            "category": ps.choice("procurement_category"),
            "cpv": ps.text("cpv"),
            "contract": ps.text("contract"),
            "estimated_value": ps.number("estimated_value"),
            "cost_overrun": ps.choice("cost_overrun_risk"),
            "delivery": ps.choice("delivery_risk"),
            "requires": ps.text_list("requires"),
            "excludes": ps.text_list("excludes"),
            "description": ps.text("description"),
            "sources": ps.text_list("sources"),
            "notes": ps.text_list("notes"),
            "row": ps.rows,
        }
    )
    tag_flags = {tag: ps.yes_no(col) for tag, col in zip(FINANCING_TAGS, TAG_COLUMNS, strict=True)}
    projects_table["tags"] = (
        pd.DataFrame(tag_flags).apply(
            lambda flags: tuple(tag for tag in FINANCING_TAGS if flags[tag]), axis=1
        )
        if len(projects_table)
        else pd.Series(dtype=object)
    )

    impacts_table = pd.DataFrame(
        {
            "project_id": im.required_text("project_id"),
            "kpi": im.required_text("kpi"),
            "data_point": im.text("data_point"),
            "change": im.number("change"),
            "confidence": im.choice("confidence"),
            "source": im.required_text("source"),
            "note": im.text("note"),
            "row": im.rows,
        }
    )
    known_kpi = impacts_table["kpi"].map(lambda code: catalogue.find(code) is not None)
    im.complain((impacts_table["kpi"] != "") & ~known_kpi, "kpi", "unknown U4SSC KPI code")
    unknown_project = ~impacts_table["project_id"].isin(set(ids)) & (
        impacts_table["project_id"] != ""
    )
    im.complain(unknown_project, "project_id", "no project with this id in sheet 'projects'")
    if ps.problems or im.problems:
        raise ProjectError(ps.problems + im.problems)

    impacts_by_project: dict[str, list[CandidateImpact]] = {}
    for record in impacts_table.to_dict("records"):
        impacts_by_project.setdefault(record["project_id"], []).append(
            CandidateImpact(
                kpi=catalogue.get(record["kpi"]).code,
                change=float(record["change"]),
                confidence=record["confidence"],
                source=record["source"],
                data_point=record["data_point"] or None,
                note=record["note"],
            )
        )
    impact_rows: dict[str, list[int]] = {}
    for pid, row in zip(impacts_table["project_id"], impacts_table["row"], strict=True):
        impact_rows.setdefault(pid, []).append(int(row))

    projects: list[CandidateProject] = []
    problems: list[Problem] = []
    for record in projects_table.to_dict("records"):
        latest = record["latest_start"]
        estimated = record["estimated_value"]
        project = CandidateProject(
            id=record["id"],
            name=record["name"],
            capex_by_year=record["capex_by_year"],
            opex_per_year=float(record["opex_per_year"]),
            savings_per_year=float(record["savings_per_year"]),
            duration_years=float(record["duration_years"]),
            lifetime_years=float(record["lifetime_years"]),
            impacts=tuple(impacts_by_project.get(record["id"], [])),
            procurement=ProjectProcurement(
                category=record["category"],
                cpv=record["cpv"],
                contract=record["contract"],
                estimated_value=float(sum(record["capex_by_year"]))
                if pd.isna(estimated)
                else float(estimated),
            ),
            risk=Risk(record["cost_overrun"], record["delivery"]),
            currency=record["currency"],
            template_id=record["template_id"] or None,
            intervention=record["intervention"] or None,
            description=record["description"],
            low_cost=bool(record["low_cost"]),
            tags=record["tags"],
            requires=record["requires"],
            excludes=record["excludes"],
            sources=record["sources"],
            notes=record["notes"],
            cost_level=record["cost_level"],
            earliest_start=int(record["earliest_start"]),
            latest_start=None if pd.isna(latest) else int(latest),
        )
        row = int(record["row"])
        for problem in check_candidate(project, catalogue):
            field = problem.field or ""
            if field.startswith("impacts["):
                index = int(field[len("impacts[") : field.index("]")])
                rows = impact_rows.get(project.id, [row])
                sub = field.split(".", 1)[1] if "." in field else "kpi"
                problems.append(
                    Problem(
                        f"sheet '{IMPACTS_SHEET}', {sub}: {problem.message}",
                        row=rows[index] if index < len(rows) else row,
                        column=im.letter.get(sub, sub),
                    )
                )
            else:
                column = _FIELD_COLUMN.get(field.split("[")[0], field)
                problems.append(
                    Problem(
                        f"sheet '{PROJECTS_SHEET}', {column}: {problem.message}",
                        row=row,
                        column=ps.letter.get(column, column),
                    )
                )
        projects.append(project)
    if not problems:
        row_of = dict(zip(projects_table["id"], projects_table["row"], strict=True))
        for problem in check_candidate_list(projects):
            project_id = problem.message.split("'")[1] if "'" in problem.message else ""
            column = problem.field or "id"
            problems.append(
                Problem(
                    f"sheet '{PROJECTS_SHEET}', {column}: {problem.message}",
                    row=int(row_of.get(project_id, 1)),
                    column=ps.letter.get(column, column),
                )
            )
    if problems:
        raise ProjectError(problems)
    return projects
