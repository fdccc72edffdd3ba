"""What a city leader reads first about a portfolio run: projects funded, total cost,
funding by source (by name) and KPI bands before and after."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

# below this, an amount is rounding noise of the solver, not a funding line
NEGLIGIBLE = 0.5
BAND_LABELS = {1: "below 33 %", 2: "33–66 %", 3: "66–95 %", 4: "95 % or more"}


@dataclass(frozen=True)
class RunSummary:
    """The headline figures of a finished run."""

    projects_funded: int
    total_cost: float
    funding: list[tuple[str, float]]  # (source name, amount), largest first, no zero lines
    bands_before: dict[int, int]  # U4SSC points (1–4) → number of KPIs
    bands_after: dict[int, int]
    kpis_improved: int


def mechanism_names(inputs: dict[str, Any]) -> dict[str, str]:
    """Financing mechanism id → the name a reader knows it by (own budget included)."""
    names = {"own_budget": "Own budget"}
    for mechanism in inputs.get("mechanisms") or ():
        names[str(mechanism["id"])] = str(mechanism.get("name") or mechanism["id"])
    return names


def source_name(names: dict[str, str], mechanism_id: str) -> str:
    """The source's name, or its id made readable when the run did not name it."""
    return names.get(mechanism_id) or mechanism_id.replace("_", " ").capitalize()


def funding_lines(funding: dict[str, float], names: dict[str, str]) -> list[tuple[str, float]]:
    """A project's (or the plan's) funding by source name, largest first, zero lines dropped."""
    lines = [
        (source_name(names, mid), amount) for mid, amount in funding.items() if amount > NEGLIGIBLE
    ]
    return sorted(lines, key=lambda line: (-line[1], line[0]))


def run_summary(result: dict[str, Any], inputs: dict[str, Any]) -> RunSummary:
    """Headline figures of a stored result dictionary and its input snapshot."""
    selected = result.get("selected") or []
    totals: dict[str, float] = {}
    for project in selected:
        for mid, amount in (project.get("funding") or {}).items():
            totals[mid] = totals.get(mid, 0.0) + float(amount)
    projection = result.get("kpi_projection") or []
    return RunSummary(
        projects_funded=len(selected),
        total_cost=sum(float(p.get("capex_total") or 0) for p in selected),
        funding=funding_lines(totals, mechanism_names(inputs)),
        bands_before=dict(Counter(int(k["band_before"]) for k in projection)),
        bands_after=dict(Counter(int(k["band_after"]) for k in projection)),
        kpis_improved=sum(1 for k in projection if k["band_after"] > k["band_before"]),
    )
