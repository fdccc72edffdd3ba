"""Turn a library template into a concrete candidate project for one city.

Money: every library amount m (source currency, price year) becomes
m × k with k = to_base_eur(1, currency, price_year) × city.eur_to_local; capex is
(capex_per_unit[level]·s + capex_fixed[level])·k spread over the years by the template's
profile; opex and savings are (per_unit·s + fixed)·k per year. Impacts follow the formulas
of :class:`~decision_support.projects.model.TemplateImpact`. An impact that needs a city
size or a baseline value the city has not given is left out and explained in ``notes``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

from decision_support.errors import Problem
from decision_support.kpis.catalogue import compact_code, load_catalogue
from decision_support.projects.currency import ConversionTable, load_conversion
from decision_support.projects.model import (
    COST_LEVELS,
    CandidateImpact,
    CandidateProject,
    CityProfile,
    ProjectError,
    ProjectProcurement,
    ProjectTemplate,
    TemplateImpact,
)

_PER_100K = 100_000.0


def check_city(city: CityProfile) -> None:
    """Raise ProjectError unless the city profile is usable for instantiation."""
    problems = []
    if not city.population > 0:
        problems.append(Problem("population must be positive", field="population"))
    if not city.households > 0:
        problems.append(Problem("households must be positive", field="households"))
    if not city.eur_to_local > 0:
        problems.append(Problem("eur_to_local must be positive", field="eur_to_local"))
    if city.currency != "EUR" and city.eur_to_local == 1.0:
        problems.append(
            Problem(
                f"city currency is {city.currency}: give the EUR→{city.currency} rate",
                field="eur_to_local",
            )
        )
    for name, value in city.sizes.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            problems.append(Problem(f"size '{name}' must be a non-negative number", field=name))
    if problems:
        raise ProjectError(problems)


def resolve_size(template: ProjectTemplate, city: CityProfile, sizes: Mapping[str, float]) -> float:
    """The template's size for this city: given in ``sizes``, else the template default."""
    name = template.size.name
    unknown = sorted(set(sizes) - {name})
    if unknown:
        raise ProjectError(
            Problem(
                f"unknown size parameter(s) {', '.join(unknown)} for template "
                f"'{template.id}' (its size is '{name}', in {template.size.unit})",
                field=unknown[0],
            )
        )
    if name in sizes:
        value = sizes[name]
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ProjectError(Problem(f"size '{name}' must be a positive number", field=name))
        return float(value)
    if template.size.default_value is not None:
        return template.size.default_value
    source = template.size.default_from
    assert source is not None  # the schema requires value or from
    city_value = city.size(source)
    if city_value is None:
        raise ProjectError(
            Problem(
                f"template '{template.id}' needs size '{name}' ({template.size.description}) "
                f"or the city's '{source}' to default it from",
                field=name,
            )
        )
    return city_value * template.size.default_factor


def _baseline(city: CityProfile, impact: TemplateImpact) -> float | None:
    code = compact_code(impact.kpi)
    if impact.data_point:
        return city.baselines.get(f"{code}|{impact.data_point}")
    return city.baselines.get(code)


def impact_change(
    impact: TemplateImpact, size: float, city: CityProfile
) -> tuple[float | None, str | None]:
    """Δ of one impact for this city, or (None, reason) when the city lacks a figure."""
    v, basis = impact.value, impact.basis
    total = city.size(impact.of) if impact.of else None
    if impact.of and (total is None or total <= 0):
        return None, f"city size '{impact.of}' is not given"
    if basis == "fixed":
        return v, None
    if basis == "per_unit":
        return v * size, None
    if basis == "per_unit_per_capita":
        return v * size / city.population, None
    if basis == "per_unit_per_100k":
        return v * size / city.population * _PER_100K, None
    if basis == "share_of_households":
        return 100.0 * v * size / city.households, None
    if basis == "share_of_population":
        return 100.0 * v * size / city.population, None
    if basis == "share_of_total":
        assert total is not None
        return 100.0 * v * size / total, None
    if basis == "full_coverage":
        assert total is not None
        return v * min(1.0, size / total), None
    if basis == "relative":
        baseline = _baseline(city, impact)
        if baseline is None:
            return None, "the city has no baseline value for this KPI"
        if total is not None:
            factor = min(1.0, size / total)
        elif impact.per is not None:
            factor = size
        else:
            factor = 1.0
        return v / 100.0 * baseline * factor, None
    raise ValueError(f"unknown impact basis {basis!r}")


def _cap_share(change: float, kpi_kind: str) -> float:
    """A percentage KPI cannot move by more than 100 points."""
    if kpi_kind == "percentage":
        return max(-100.0, min(100.0, change))
    return change


def instantiate(
    template: ProjectTemplate,
    city: CityProfile,
    sizes: Mapping[str, float] | None = None,
    cost_level: str = "typical",
    *,
    project_id: str | None = None,
    conversion: ConversionTable | None = None,
) -> CandidateProject:
    """A concrete candidate project from ``template`` for ``city``.

    ``sizes`` may give the template's size parameter (e.g. ``{"meters": 40000}``);
    otherwise the template default applies. ``cost_level`` picks the low, typical or high
    capex estimate. ``requires``/``excludes`` still name template ids: use
    :func:`link_candidates` once a city's list is complete.
    """
    if cost_level not in COST_LEVELS:
        raise ProjectError(
            Problem(
                f"cost level must be one of {', '.join(COST_LEVELS)} (got {cost_level!r})",
                field="cost_level",
            )
        )
    check_city(city)
    sizes = dict(sizes or {})
    size = resolve_size(template, city, sizes)
    conversion = conversion or load_conversion()
    factor = conversion.to_base_eur(1.0, template.currency, template.price_year) * city.eur_to_local
    capex_total = 0.0
    if template.capex_per_unit is not None:
        capex_total += template.capex_per_unit.at(cost_level) * size
    if template.capex_fixed is not None:
        capex_total += template.capex_fixed.at(cost_level)
    capex_total *= factor
    opex = (template.opex.per_unit * size + template.opex.fixed) * factor
    savings = 0.0
    if template.savings is not None:
        savings = (template.savings.per_unit * size + template.savings.fixed) * factor
    catalogue = load_catalogue()
    impacts = []
    notes = list(template.estimate_notes)
    for impact in template.impacts:
        change, reason = impact_change(impact, size, city)
        kpi = catalogue.get(impact.kpi)
        if change is None:
            notes.append(f"impact on {kpi.code} not computed: {reason}")
            continue
        impacts.append(
            CandidateImpact(
                kpi=kpi.code,
                change=round(_cap_share(change, kpi.value_kind), 6),
                confidence=impact.confidence,
                source="; ".join(template.source_urls(impact.sources)),
                data_point=impact.data_point,
                note=impact.note,
            )
        )
    rate = conversion.rate(template.currency, template.price_year)
    notes.append(
        f"money converted from {template.currency} at {template.price_year} prices to EUR at "
        f"{conversion.base_year} prices"
        + (f" at {rate.describe()}" if template.currency != "EUR" else "")
        + "; euro-area inflation (HICP) from currency.yaml"
        + (
            f", then to {city.currency} at {city.eur_to_local:g} per EUR"
            if city.currency != "EUR"
            else ""
        )
    )
    capex_by_year = tuple(round(share * capex_total, 2) for share in template.capex_profile)
    return CandidateProject(
        id=project_id or template.id,
        name=template.name,
        capex_by_year=capex_by_year,
        opex_per_year=round(opex, 2),
        savings_per_year=round(savings, 2),
        duration_years=template.duration_years,
        lifetime_years=template.lifetime_years,
        impacts=tuple(impacts),
        procurement=ProjectProcurement(
            category=template.procurement.category,
            cpv=template.procurement.cpv,
            contract=template.procurement.contract,
            estimated_value=round(
                capex_total + opex * template.procurement.includes_operation_years, 2
            ),
        ),
        risk=template.risk,
        currency=city.currency,
        template_id=template.id,
        intervention=template.intervention,
        description=template.description,
        low_cost=template.low_cost,
        tags=template.tags,
        requires=template.requires,
        excludes=template.excludes,
        sources=tuple(dict.fromkeys(template.sources.values())),
        notes=tuple(notes),
        sizes={template.size.name: size},
        cost_level=cost_level,
    )


def link_candidates(candidates: Iterable[CandidateProject]) -> list[CandidateProject]:
    """Rewrite template-id ``requires``/``excludes`` into ids of the city's candidates.

    An exclusion of a template nobody instantiated is dropped (no conflict). A
    prerequisite nobody instantiated is dropped with a note saying it is assumed to be
    in place already. Exclusions are made symmetric.
    """
    items = list(candidates)
    ids = {c.id for c in items}
    by_template: dict[str, list[str]] = {}
    for c in items:
        if c.template_id:
            by_template.setdefault(c.template_id, []).append(c.id)

    def resolve(ref: str) -> list[str]:
        if ref in ids:
            return [ref]
        return by_template.get(ref, [])

    excludes: dict[str, set[str]] = {}
    requires: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for c in items:
        excludes[c.id] = {x for ref in c.excludes for x in resolve(ref) if x != c.id}
        requires[c.id] = []
        notes[c.id] = list(c.notes)
        for ref in c.requires:
            targets = resolve(ref)
            if targets:
                requires[c.id].append(targets[0])
            else:
                notes[c.id].append(
                    f"prerequisite '{ref}' is not in the candidate list: assumed already in place"
                )
    for a, others in list(excludes.items()):
        for b in others:
            excludes[b].add(a)
    return [
        replace(
            c,
            requires=tuple(dict.fromkeys(requires[c.id])),
            excludes=tuple(sorted(excludes[c.id])),
            notes=tuple(notes[c.id]),
        )
        for c in items
    ]
