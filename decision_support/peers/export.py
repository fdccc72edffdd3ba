"""Peer comparisons as plain dictionaries: the JSON of the CLI and the web API."""

from __future__ import annotations

from typing import Any

from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.values import value_kind
from decision_support.peers.compare import (
    Comparison,
    IndexColumn,
    KPIComparison,
    PeerEntry,
    PeerPractice,
    PeerTargetOffer,
    population_band,
)
from decision_support.peers.dataset import PeerCity, PeerDataset, PeerProject, PeerValue
from decision_support.projects.library import Library


def city_to_dict(city: PeerCity) -> dict[str, Any]:
    """A peer city's profile."""
    return {
        "id": city.id,
        "name": city.name,
        "country": city.country,
        "region": city.region,
        "population": city.population,
        "population_year": city.population_year,
        "population_source": city.population_source or None,
        "population_band": population_band(city.population),
        "report": city.report,
        "report_url": city.report_url,
    }


def profile_to_dict(dataset: PeerDataset, city: PeerCity) -> dict[str, Any]:
    """A peer city's profile with every value as printed and the projects of its report."""
    return {
        **city_to_dict(city),
        "values": [
            {
                "code": v.code,
                "data_point": v.data_point,
                "name_as_printed": v.name_as_printed,
                "year": v.year,
                "value": _value_shown(v),
                "unit_as_printed": v.unit_as_printed or None,
                "report": v.report,
                "page_url": v.page_url,
                "note": v.note or None,
            }
            for v in dataset.values_of(city.id)
        ],
        "projects": [project_to_dict(p) for p in dataset.projects_of(city.id)],
    }


def _value_shown(value: PeerValue) -> float | str:
    if value.value is None:
        return "not reported"
    kpi = load_catalogue().get(value.code)
    if value_kind(kpi, value.data_point) == "yes_no":
        return "yes" if value.value >= 1 else "no"
    return value.value


def project_to_dict(project: PeerProject) -> dict[str, Any]:
    return {
        "city_id": project.city_id,
        "name": project.name,
        "kpis": list(project.kpis),
        "summary": project.summary,
        "page_url": project.page_url,
    }


def _shown(row: KPIComparison, number: float | None) -> float | str | None:
    if number is not None and value_kind(row.kpi, row.data_point) == "yes_no":
        return "yes" if number >= 1 else "no"
    return number


def _peer(row: KPIComparison, entry: PeerEntry) -> dict[str, Any]:
    value = entry.value
    return {
        "city_id": entry.city.id,
        "city": entry.city.name,
        "status": entry.status,
        "reason": entry.reason,
        "value": _shown(row, entry.number) if entry.status == "reported" else "not reported",
        "unit_as_printed": value.unit_as_printed if value else None,
        "year": value.year if value else None,
        "band": entry.band,
        "achievement_pct": entry.scored.achievement_pct if entry.scored else None,
        "page_url": value.page_url if value else None,
        "note": value.note if value and value.note else None,
    }


def row_to_dict(row: KPIComparison) -> dict[str, Any]:
    """One KPI (or data point): city value and band, each peer, best peer, median."""
    best = row.best
    city = row.city_value
    return {
        "code": row.kpi.code,
        "name": row.kpi.name,
        "data_point": row.data_point,
        "unit": row.kpi.unit,
        "dimension": row.kpi.dimension,
        "direction": row.direction,
        "target": row.target.value if row.target else None,
        "target_origin": row.target.origin if row.target and row.target.value is not None else None,
        "city": {
            "value": (
                "not reported" if city is None or city.value is None else _shown(row, city.value)
            ),
            "year": city.year if city else None,
            "band": row.city_scored.band if row.city_scored else None,
            "achievement_pct": row.city_scored.achievement_pct if row.city_scored else None,
        },
        "peers": [_peer(row, p) for p in row.peers],
        "best_peer": best.city.id if best else None,
        "best_value": _shown(row, best.number) if best else None,
        "peer_median": None if value_kind(row.kpi, row.data_point) == "yes_no" else row.median,
        "peers_reporting": len(row.reported_peers),
    }


def offer_to_dict(offer: PeerTargetOffer) -> dict[str, Any]:
    return {
        "code": offer.target.code,
        "data_point": offer.target.data_point,
        "basis": offer.basis,
        "target": offer.target.value,
        "direction": offer.target.direction,
        "source": offer.target.source,
        "note": offer.target.note,
    }


def practice_to_dict(practice: PeerPractice, templates: list[str]) -> dict[str, Any]:
    row = practice.row
    return {
        "code": row.kpi.code,
        "data_point": row.data_point,
        "city_value": row.city_value.value if row.city_value else None,
        "peer": practice.peer.city.id,
        "peer_value": practice.peer.number,
        "peer_band": practice.peer.band,
        "page_url": practice.peer.value.page_url if practice.peer.value else None,
        "projects": [project_to_dict(p) for p in practice.projects],
        "library_templates": templates,
    }


def index_to_dict(columns: list[IndexColumn]) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "is_city": c.is_city,
            "reported_values": c.reported,
            "dimensions": [
                {"name": d.name, "score_pct": d.score_pct, "band": d.band, "scored": d.scored}
                for d in c.dimensions
            ],
        }
        for c in columns
    ]


def comparison_to_dict(
    comparison: Comparison,
    offers: list[PeerTargetOffer],
    practices: list[dict[str, Any]],
    index: list[IndexColumn],
) -> dict[str, Any]:
    """The whole peer comparison (the ``peers compare --json`` document)."""
    return {
        "peers": [city_to_dict(c) for c in comparison.peers],
        "kpis": [row_to_dict(r) for r in comparison.rows],
        "peer_target_offers": [offer_to_dict(o) for o in offers],
        "practices": practices,
        "index": index_to_dict(index),
    }


def practices_to_dicts(practices: list[PeerPractice], library: Library) -> list[dict[str, Any]]:
    """Practices with the ids of the library templates that move the same KPI."""
    return [
        practice_to_dict(p, [t.id for t in library.filter(kpi=p.row.kpi.code)]) for p in practices
    ]
