"""Every reader, fed generated and hostile documents, returns a result or raises a
domain error with a one-line message; nothing else escapes (issue 18).

Shapes come from the real files the product ships (the demo city, the rule packs)
and from OCDS releases, records and packages; each example changes a few nodes of
one of them, or is an arbitrary or hostile document. ``HYPOTHESIS_PROFILE=fuzz``
(``make fuzz``) runs many more examples than the default ``ci`` profile.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from reader_shapes import VALUES, as_text, documents_text, mutated, outcome

from decision_support.files.documents import load_document, load_yaml
from decision_support.finance.fiscal import parse_fiscal_profile
from decision_support.finance.funding_mix import parse_mix_document
from decision_support.finance.mechanisms import (
    apply_city_settings,
    load_mechanisms,
    parse_city_settings,
)
from decision_support.finance.overrides_xlsx import read_overrides_xlsx, write_overrides_xlsx
from decision_support.kpis.targets import read_targets
from decision_support.kpis.values import read_values
from decision_support.portfolio.scenario_file import parse_scenario
from decision_support.projects.candidate_files import parse_candidate_document
from decision_support.projects.spreadsheet import read_candidates_xlsx, write_candidates_xlsx
from rules.rule_pack import builtin_pack_dir, load_pack_file
from rules.tender_input import read_tenders
from scenarios.files import parse_document, whatif_from_dict
from scenarios.overrides import apply_overrides

DEMO = resources.files("scenarios").joinpath("demo_city")
OCDS_DATA = Path(__file__).resolve().parents[1] / "data" / "ocds"


def demo_text(name: str) -> str:
    return DEMO.joinpath(name).read_text("utf-8")


def demo_document(name: str) -> Any:
    return load_yaml(demo_text(name), source=name)


# --------------------------------------------------------------------------- tables

CELLS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", "inf", "-inf", "nan", "1e999", "9" * 5001, "=1+1", "12%", "yes"]),
)


@st.composite
def edited_rows(draw: st.DrawFn, name: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(demo_text(name))))
    rows = rows[: draw(st.integers(min_value=1, max_value=min(len(rows), 12)))]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        r = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if not rows[r]:
            continue
        c = draw(st.integers(min_value=0, max_value=len(rows[r]) - 1))
        rows[r][c] = draw(CELLS)
    if draw(st.booleans()):
        rows.append([draw(CELLS) for _ in range(draw(st.integers(min_value=0, max_value=12)))])
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


XLSX_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.booleans(),
    st.dates(),
    st.text(max_size=10),
    st.none(),
)


def storable(value: Any) -> Any:
    """The value as openpyxl can store it (control characters are not allowed)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([storable(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@st.composite
def typed_rows(draw: st.DrawFn, name: str) -> list[list[Any]]:
    """Rows of a real file with some cells given non-text types (inf, dates, bools)."""
    rows: list[list[Any]] = [list(r) for r in draw(edited_rows(name))]
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        r = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        if rows[r]:
            rows[r][draw(st.integers(min_value=0, max_value=len(rows[r]) - 1))] = draw(XLSX_VALUES)
    return rows


@given(rows=edited_rows("kpi_values.csv"))
def test_kpi_values_csv(rows: list[list[str]]) -> None:
    outcome(read_values, csv_bytes(rows), "values.csv")


@given(rows=typed_rows("kpi_values.csv"))
def test_kpi_values_xlsx(rows: list[list[Any]]) -> None:
    outcome(read_values, xlsx_bytes(rows), "values.xlsx")


@given(rows=edited_rows("kpi_targets.csv"))
def test_kpi_targets_csv(rows: list[list[str]]) -> None:
    outcome(read_targets, csv_bytes(rows), "targets.csv")


@given(rows=typed_rows("kpi_targets.csv"))
def test_kpi_targets_xlsx(rows: list[list[Any]]) -> None:
    outcome(read_targets, xlsx_bytes(rows), "targets.xlsx")


@given(data=st.binary(max_size=200))
def test_tables_of_arbitrary_bytes(data: bytes) -> None:
    outcome(read_values, data, "values.xlsx")
    outcome(read_values, data, "values.csv")


def edited_workbook(data: bytes, edits: list[tuple[int, int, Any]]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row, column, value in edits:
            sheet.cell(row=row, column=column, value=storable(value))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


EDITS = st.lists(
    st.tuples(st.integers(1, 8), st.integers(1, 26), XLSX_VALUES), min_size=1, max_size=5
)


@given(edits=EDITS)
def test_financing_overrides_xlsx(edits: list[tuple[int, int, Any]]) -> None:
    catalogue = load_mechanisms()
    outcome(read_overrides_xlsx, edited_workbook(write_overrides_xlsx(catalogue), edits), catalogue)


def _demo_candidates_xlsx() -> bytes:
    candidates = parse_candidate_document(demo_document("candidates.yaml"))
    return write_candidates_xlsx(candidates.candidates)


CANDIDATES_XLSX = _demo_candidates_xlsx()


@given(edits=EDITS)
def test_candidates_xlsx(edits: list[tuple[int, int, Any]]) -> None:
    outcome(read_candidates_xlsx, edited_workbook(CANDIDATES_XLSX, edits))


# --------------------------------------------------------------------------- documents


def _read_then(parse: Any) -> Any:
    def reader(text: str) -> Any:
        return parse(load_document(text, source="input"))

    return reader


def _candidates_with(**changes: Any) -> str:
    """The demo candidates with the first template entry changed (crashes found by fuzzing)."""
    document = demo_document("candidates.yaml")
    entry = next(e for e in document["candidates"] if "template" in e)
    entry.update(changes)
    return json.dumps(document, default=str)


@given(text=documents_text(demo_document("candidates.yaml")))
@example(text=_candidates_with(sizes=3))
@example(text=_candidates_with(earliest_start=[1]))
@example(text=_candidates_with(sizes=[["x"]]))
def test_candidates_file(text: str) -> None:
    outcome(_read_then(parse_candidate_document), text)


@given(text=documents_text(demo_document("fiscal_profile.yaml")))
def test_fiscal_profile(text: str) -> None:
    outcome(_read_then(parse_fiscal_profile), text)


@given(text=documents_text(demo_document("mechanisms.yaml")))
def test_city_mechanism_settings(text: str) -> None:
    def read(document: Any) -> Any:
        return apply_city_settings(load_mechanisms(), parse_city_settings(document))

    outcome(_read_then(read), text)


@given(text=documents_text(demo_document("funding_mix_led.yaml")))
def test_funding_mix_file(text: str) -> None:
    outcome(_read_then(parse_mix_document), text)


@given(text=documents_text(demo_document("portfolio.yaml")))
def test_scenario_file(text: str) -> None:
    def read(text: str) -> Any:
        return parse_scenario(parse_document(text, "scenario.yaml"))

    outcome(read, text)


WHATIF = demo_document("budget-cut-20.yaml")
BASE_SCENARIO = demo_document("portfolio.yaml")


@given(text=documents_text(WHATIF))
@example(text=json.dumps({**WHATIF, "base": ["portfolio.yaml"]}))
def test_whatif_and_overrides(text: str) -> None:
    def read(text: str) -> Any:
        whatif = whatif_from_dict(parse_document(text, "whatif.yaml"), "whatif.yaml")
        return apply_overrides(copy.deepcopy(BASE_SCENARIO), whatif.overrides)

    outcome(read, text)


@given(overrides=mutated(WHATIF["overrides"]) | VALUES)
def test_overrides_mapping(overrides: Any) -> None:
    outcome(apply_overrides, copy.deepcopy(BASE_SCENARIO), overrides)


PACK = load_yaml(builtin_pack_dir().joinpath("eu-2026.yaml").read_text("utf-8"), dates_as_text=True)


@given(text=documents_text(PACK))
@example(text=json.dumps({k: v for k, v in PACK.items() if k != "thresholds"}))
def test_rule_pack_file(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "eu-2026.yaml"
        path.write_text(text, encoding="utf-8")
        outcome(load_pack_file, path, [builtin_pack_dir()])


@given(text=documents_text({**PACK, "id": "city-pack", "extends": "eu-2026"}))
def test_city_pack_file(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "city-pack.yaml"
        path.write_text(text, encoding="utf-8")
        outcome(load_pack_file, path, [builtin_pack_dir()])


TENDER = {
    "id": "UDP-1",
    "title": "Urban data platform",
    "buyer": "City of Example",
    "authority": "sub-central",
    "category": "services",
    "value": 500_000,
    "currency": "EUR",
    "procedure": "open",
    "notice_date": "2026-03-02",
    "tender_deadline": "2026-04-06",
    "electronic_submission": True,
    "cpv": ["72000000-5"],
    "lots": [{"id": "1", "title": "Platform", "value": 300_000}],
    "award_criteria": [{"name": "Quality", "type": "quality", "weight": 60}],
    "duration_months": 36,
    "specification_text": "Open APIs; ISO/IEC 27001 or equivalent.",
    "features": {"personal_data": True},
    "clauses": {},
    "documents": [{"type": "tenderNotice", "title": "Notice", "url": "https://example.org"}],
}


@given(text=documents_text(TENDER))
def test_tender_description(text: str) -> None:
    outcome(read_tenders, text, "tender.yaml")


def _release(date: str, tag: str, **tender: Any) -> dict[str, Any]:
    return {
        "ocid": "ocds-abc123-0001",
        "id": f"ocds-abc123-0001-{tag}",
        "date": date,
        "tag": [tag],
        "initiationType": "tender",
        "buyer": {"id": "GB-1", "name": "City of Example"},
        "parties": [
            {
                "id": "GB-1",
                "name": "City of Example",
                "roles": ["buyer"],
                "details": {"classifications": [{"scheme": "gpaCoverageSchedule", "id": "annex2"}]},
            }
        ],
        "tender": {
            "id": "T-1",
            "title": "Street lighting controls",
            "mainProcurementCategory": "goods",
            "procurementMethod": "open",
            "value": {"amount": 250000, "currency": "EUR"},
            "items": [
                {
                    "id": "1",
                    "description": "Controllers",
                    "classification": {"scheme": "CPV", "id": "31520000"},
                }
            ],
            "lots": [{"id": "L1", "title": "Lot 1", "value": {"amount": 250000}}],
            "tenderPeriod": {"startDate": "2026-02-01T00:00:00Z", "endDate": "2026-03-10"},
            "contractPeriod": {"durationInDays": 730},
            "submissionMethod": ["electronicSubmission"],
            "awardCriteria": "ratedCriteria",
            "documents": [{"id": "d1", "documentType": "tenderNotice", "title": "Notice"}],
            **tender,
        },
    }


def _ocds_shapes() -> list[Any]:
    first = _release("2026-02-01T00:00:00Z", "tender")
    second = _release("2026-02-15T00:00:00Z", "tenderUpdate", title="Street lighting (amended)")
    shapes: list[Any] = [
        {"uri": "https://example.org/p", "version": "1.1", "releases": [first, second]},
        {"records": [{"ocid": first["ocid"], "releases": [first, second]}]},
        {"records": [{"ocid": first["ocid"], "compiledRelease": second}]},
        first,
    ]
    for path in sorted([*OCDS_DATA.glob("real/*.json"), *OCDS_DATA.glob("examples/*.json")]):
        shapes.append(json.loads(path.read_text("utf-8")))
    return shapes


OCDS = _ocds_shapes()


@given(
    document=st.sampled_from(OCDS).flatmap(lambda base: mutated(base, changes=4)),
    kind=st.sampled_from(["json", "yaml"]),
)
def test_ocds_import(document: Any, kind: str) -> None:
    outcome(read_tenders, as_text(document, kind), f"ocds.{kind}")


@given(text=st.sampled_from(OCDS).flatmap(documents_text))
def test_ocds_import_hostile(text: str) -> None:
    outcome(read_tenders, text, "ocds.json")


def test_yaml_text_of_the_demo_city_stays_readable() -> None:
    """The fuzz bases themselves are good documents (else the mutations test nothing)."""
    assert len(OCDS) == 4 + 15  # the generated shapes, the real records and examples
    assert parse_scenario(parse_document(demo_text("portfolio.yaml"), "portfolio.yaml"))
    assert read_tenders(json.dumps(OCDS[0]), "ocds.json")
    assert yaml.safe_dump(PACK)
