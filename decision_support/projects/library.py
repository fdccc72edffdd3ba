"""The project library: declarative YAML templates, checked by a JSON Schema and by
cross-file rules, loaded into :class:`ProjectTemplate` objects.

Rules beyond the schema (each broken rule becomes one :class:`Problem` naming the file and
the template id; all problems are reported together):

* template ids are unique across files; ``requires``/``excludes``/``variant_of`` name
  existing templates (never the template itself);
* every impact names a catalogue KPI; a KPI reported per data point needs a valid
  ``data_point``; the basis has the size/denominator it needs (``per`` is the template's
  size, ``of`` a known city parameter);
* every ``sources`` key a figure cites exists in the template's ``sources`` map;
* capex low ≤ typical ≤ high; the spending profile has ⌈duration⌉ shares summing to 1;
  lifetime ≥ duration; the price year is in the conversion table;
* a variant shares the intervention group of the template it is a variant of.

Templates of one intervention group are mutually exclusive: :attr:`ProjectTemplate.excludes`
is the symmetric closure of the explicit exclusions plus the group siblings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from decision_support.errors import Problem
from decision_support.files.documents import (
    DocumentError,
    load_json,
    load_yaml,
    read_document_file,
)
from decision_support.files.schema import document_path
from decision_support.kpis.catalogue import Catalogue, compact_code, load_catalogue
from decision_support.projects.currency import load_conversion
from decision_support.projects.model import (
    CostRange,
    LibraryError,
    MoneyBlock,
    Procurement,
    ProjectTemplate,
    Risk,
    SizeParameter,
    TemplateImpact,
)

LIBRARY_PACKAGE = "decision_support.data.project_library"
_NOT_TEMPLATE_FILES = {"currency.yaml", "city_parameters.yaml"}
_NEEDS_PER = {
    "per_unit",
    "per_unit_per_capita",
    "per_unit_per_100k",
    "share_of_households",
    "share_of_population",
    "share_of_total",
    "full_coverage",
}
_NEEDS_OF = {"share_of_total", "full_coverage"}
_PROFILE_TOLERANCE = 1e-6


def _read_resource(name: str) -> str:
    return resources.files(LIBRARY_PACKAGE).joinpath(name).read_text("utf-8")


@cache
def template_schema() -> dict[str, Any]:
    """The JSON Schema every library file must satisfy."""
    schema: dict[str, Any] = load_json(
        _read_resource("template.schema.json"), source="template.schema.json"
    )
    return schema


@cache
def city_parameters() -> dict[str, dict[str, str]]:
    """Known city size parameters: name → {unit, description}."""
    data = load_yaml(_read_resource("city_parameters.yaml"), source="city_parameters.yaml")
    return dict(data["parameters"])


@dataclass(frozen=True)
class Library:
    """All templates, by id, with the filters the CLI and web pages use."""

    templates: tuple[ProjectTemplate, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.templates})

    def __len__(self) -> int:
        return len(self.templates)

    def __iter__(self) -> Iterator[ProjectTemplate]:
        return iter(self.templates)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._by_id  # type: ignore[attr-defined]

    def find(self, template_id: str) -> ProjectTemplate | None:
        """The template with ``template_id``, or None."""
        found: ProjectTemplate | None = self._by_id.get(template_id)  # type: ignore[attr-defined]
        return found

    def get(self, template_id: str) -> ProjectTemplate:
        """The template with ``template_id``; raises LibraryError if unknown."""
        template = self.find(template_id)
        if template is None:
            raise LibraryError(
                Problem(f"unknown project template '{template_id}'", field="template")
            )
        return template

    def filter(
        self, *, low_cost: bool | None = None, kpi: str | None = None
    ) -> list[ProjectTemplate]:
        """Templates that are (not) low-cost and/or move ``kpi`` (either code spelling)."""
        wanted = compact_code(kpi) if kpi else None
        return [
            t
            for t in self.templates
            if (low_cost is None or t.low_cost == low_cost)
            and (wanted is None or any(compact_code(i.kpi) == wanted for i in t.impacts))
        ]


def _schema_problems(file: str, document: Any) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(template_schema())
    problems = []
    for error in sorted(
        validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        path = list(error.absolute_path)
        where = f"{file}"
        if len(path) >= 2 and path[0] == "templates" and isinstance(path[1], int):
            templates = document.get("templates") if isinstance(document, dict) else None
            entry = templates[path[1]] if isinstance(templates, list) else None
            tid = entry.get("id") if isinstance(entry, dict) else None
            where += f", template '{tid or '#' + str(path[1] + 1)}'"
            path = path[2:]
        problems.append(Problem(f"{where}: {error.message}", field=document_path(path)))
    return problems


def _range(block: Mapping[str, Any] | None) -> CostRange | None:
    if block is None:
        return None
    return CostRange(float(block["low"]), float(block["typical"]), float(block["high"]))


def _money(block: Mapping[str, Any] | None) -> MoneyBlock | None:
    if block is None:
        return None
    return MoneyBlock(
        per_unit=float(block.get("per_unit", 0.0)),
        fixed=float(block.get("fixed", 0.0)),
        sources=tuple(block["sources"]),
        note=block.get("note", ""),
        estimate=block.get("estimate"),
    )


def _template(entry: Mapping[str, Any], sub_dimension: str, file: str) -> ProjectTemplate:
    size = entry["size"]
    default = size["default"]
    capex = entry["capex"]
    timing = entry["timing"]
    proc = entry["procurement"]
    opex = _money(entry["opex_per_year"])
    assert opex is not None  # required by the schema
    return ProjectTemplate(
        id=entry["id"],
        name=entry["name"],
        description=" ".join(entry["description"].split()),
        sub_dimension=sub_dimension,
        intervention=entry["intervention"],
        low_cost=bool(entry["low_cost"]),
        size=SizeParameter(
            name=size["name"],
            unit=size["unit"],
            description=size["description"],
            default_value=float(default["value"]) if "value" in default else None,
            default_from=default.get("from"),
            default_factor=float(default.get("factor", 1.0)),
        ),
        impacts=tuple(
            TemplateImpact(
                kpi=i["kpi"],
                basis=i["basis"],
                value=float(i["value"]),
                confidence=i["confidence"],
                sources=tuple(i["sources"]),
                data_point=i.get("data_point"),
                per=i.get("per"),
                of=i.get("of"),
                note=i.get("note", ""),
                estimate=i.get("estimate"),
            )
            for i in entry["impacts"]
        ),
        currency=entry["currency"],
        price_year=int(entry["price_year"]),
        capex_per_unit=_range(capex.get("per_unit")),
        capex_fixed=_range(capex.get("fixed")),
        capex_profile=tuple(float(s) for s in capex["profile"]),
        capex_sources=tuple(capex["sources"]),
        capex_estimate=capex.get("estimate"),
        opex=opex,
        savings=_money(entry.get("savings_per_year")),
        duration_years=float(timing["duration_years"]),
        lifetime_years=float(timing["lifetime_years"]),
        timing_sources=tuple(timing["sources"]),
        timing_estimate=timing.get("estimate"),
        procurement=Procurement(
            category=proc["category"],
            cpv=proc["cpv"],
            contract=proc["contract"],
            cpv_label=proc.get("cpv_label", ""),
            includes_operation_years=float(proc.get("includes_operation_years", 0)),
        ),
        tags=tuple(entry["tags"]),
        requires=tuple(entry["requires"]),
        excludes=tuple(entry["excludes"]),
        risk=Risk(entry["risk"]["cost_overrun"], entry["risk"]["delivery"]),
        sources=dict(entry["sources"]),
        variant_of=entry.get("variant_of"),
        evidence_id=entry.get("evidence_id", ""),
        evidence_confidence=entry.get("evidence_confidence", ""),
        evidence_note=" ".join(entry.get("evidence_note", "").split()),
        file=file,
    )


def _check_template(t: ProjectTemplate, catalogue: Catalogue) -> list[Problem]:
    """Rules that need no other template."""
    problems: list[str] = []
    known_params = city_parameters()
    conversion = load_conversion()

    def cites(label: str, keys: Iterable[str]) -> None:
        for key in keys:
            if key not in t.sources:
                problems.append(f"{label} cites source '{key}' which is not in 'sources'")

    if t.size.default_from is not None and t.size.default_from not in known_params:
        problems.append(f"size default refers to unknown city parameter '{t.size.default_from}'")
    for n, impact in enumerate(t.impacts, start=1):
        label = f"impact {n} ({impact.kpi})"
        kpi = catalogue.find(impact.kpi)
        if kpi is None:
            problems.append(f"{label}: unknown U4SSC KPI code")
        elif kpi.data_points and impact.data_point not in kpi.data_points:
            problems.append(
                f"{label}: data_point must be one of {', '.join(kpi.data_points)}"
                f" (got {impact.data_point!r})"
            )
        elif not kpi.data_points and impact.data_point is not None:
            problems.append(f"{label}: this KPI has no data points")
        if impact.basis in _NEEDS_PER and impact.per is None:
            problems.append(f"{label}: basis '{impact.basis}' needs 'per'")
        if impact.per is not None and impact.per != t.size.name:
            problems.append(f"{label}: 'per' must be the template size '{t.size.name}'")
        if impact.basis in _NEEDS_OF and impact.of is None:
            problems.append(f"{label}: basis '{impact.basis}' needs 'of'")
        if impact.of is not None and impact.of not in known_params:
            problems.append(f"{label}: 'of' names unknown city parameter '{impact.of}'")
        if impact.basis == "relative" and impact.of is not None and impact.per is None:
            problems.append(f"{label}: relative impact with 'of' also needs 'per'")
        cites(label, impact.sources)
    for label, rng in (("capex per_unit", t.capex_per_unit), ("capex fixed", t.capex_fixed)):
        if rng is not None and not rng.low <= rng.typical <= rng.high:
            problems.append(f"{label}: needs low <= typical <= high")
    expected_years = max(1, math.ceil(t.duration_years - 1e-9))
    if len(t.capex_profile) != expected_years:
        problems.append(
            f"capex profile has {len(t.capex_profile)} shares, duration "
            f"{t.duration_years:g} years needs {expected_years}"
        )
    if abs(sum(t.capex_profile) - 1.0) > _PROFILE_TOLERANCE:
        problems.append(f"capex profile shares sum to {sum(t.capex_profile):.6f}, not 1")
    if t.lifetime_years < t.duration_years:
        problems.append(
            f"lifetime ({t.lifetime_years:g} years) is shorter than duration "
            f"({t.duration_years:g} years)"
        )
    if t.price_year not in conversion.price_index:
        problems.append(f"no currency conversion data for price year {t.price_year}")
    cites("capex", t.capex_sources)
    cites("opex_per_year", t.opex.sources)
    if t.savings is not None:
        cites("savings_per_year", t.savings.sources)
    cites("timing", t.timing_sources)
    if t.id in t.requires or t.id in t.excludes:
        problems.append("a template cannot require or exclude itself")
    return [Problem(f"{t.file}, template '{t.id}': {p}", field=t.id) for p in problems]


def _check_cross(templates: list[ProjectTemplate]) -> list[Problem]:
    problems = []
    by_id: dict[str, ProjectTemplate] = {}
    for t in templates:
        if t.id in by_id:
            problems.append(
                Problem(f"{t.file}, template '{t.id}': duplicate id (also in {by_id[t.id].file})")
            )
        by_id.setdefault(t.id, t)
    for t in templates:
        where = f"{t.file}, template '{t.id}'"
        for ref in (*t.requires, *t.excludes):
            if ref not in by_id:
                problems.append(Problem(f"{where}: refers to unknown template '{ref}'", field=t.id))
        if t.variant_of is not None:
            full = by_id.get(t.variant_of)
            if full is None:
                problems.append(
                    Problem(f"{where}: variant_of names unknown template '{t.variant_of}'")
                )
            elif full.intervention != t.intervention:
                problems.append(
                    Problem(
                        f"{where}: a variant must share the intervention group of "
                        f"'{full.id}' ('{full.intervention}')",
                        field=t.id,
                    )
                )
    return problems


def _close_exclusions(templates: list[ProjectTemplate]) -> list[ProjectTemplate]:
    """Add intervention-group siblings to ``excludes`` and make exclusion symmetric."""
    excludes: dict[str, set[str]] = {t.id: set(t.excludes) for t in templates}
    groups: dict[str, list[str]] = {}
    for t in templates:
        groups.setdefault(t.intervention, []).append(t.id)
    for members in groups.values():
        for a in members:
            excludes[a].update(m for m in members if m != a)
    for a, others in list(excludes.items()):
        for b in others:
            if b in excludes:
                excludes[b].add(a)
    return [replace(t, excludes=tuple(sorted(excludes[t.id]))) for t in templates]


def parse_library(documents: Mapping[str, Any], catalogue: Catalogue | None = None) -> Library:
    """Validate library documents (file name → parsed YAML) and build the library.

    Raises :class:`LibraryError` listing every problem in every file.
    """
    catalogue = catalogue or load_catalogue()
    sub_dimensions = {k.sub_dimension for k in catalogue}
    problems: list[Problem] = []
    templates: list[ProjectTemplate] = []
    for file, document in documents.items():
        schema_problems = _schema_problems(file, document)
        if schema_problems:
            problems.extend(schema_problems)
            continue
        if document["sub_dimension"] not in sub_dimensions:
            problems.append(
                Problem(f"{file}: unknown U4SSC sub-dimension '{document['sub_dimension']}'")
            )
        for entry in document["templates"]:
            template = _template(entry, document["sub_dimension"], file)
            problems.extend(_check_template(template, catalogue))
            templates.append(template)
    problems.extend(_check_cross(templates))
    if problems:
        raise LibraryError(problems)
    return Library(tuple(_close_exclusions(templates)))


def read_library_files(paths: Iterable[Path]) -> Library:
    """Load and validate library files from disk (e.g. a city's own additions)."""
    documents: dict[str, Any] = {}
    problems = []
    for path in paths:
        try:
            documents[path.name] = read_document_file(path, format="yaml")
        except DocumentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise LibraryError(problems)
    return parse_library(documents)


@cache
def _shipped_texts() -> tuple[tuple[str, str], ...]:
    folder = resources.files(LIBRARY_PACKAGE)
    return tuple(
        (entry.name, entry.read_text("utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml") and entry.name not in _NOT_TEMPLATE_FILES
    )


def shipped_documents() -> dict[str, Any]:
    """The shipped library files, parsed (file name → document)."""
    return {name: load_yaml(text, source=name) for name, text in _shipped_texts()}


@cache
def load_library() -> Library:
    """The shipped library (validated once, then cached)."""
    return parse_library(shipped_documents())
