"""The 91 U4SSC KPIs (ITU-T Y.4903) as shipped with the product.

Source: ``decision_support/data/u4ssc_kpis.csv``, built from the research
catalogue (ITU Verification Manual 2022, Collection Methodology 2017 and public
third-party lists; provenance columns kept per row) with two added columns:
``value_kind`` (percentage / number / yes_no, read from the unit) and
``data_points`` (the sub-values a KPI is reported per, from the Collection
Methodology: e.g. PM2.5 … O3 for Air Pollution).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from decision_support.errors import Problem, UnknownKPIError

Direction = Literal["higher_is_better", "lower_is_better", "yes_is_better", "context_dependent", ""]
ValueKind = Literal["percentage", "number", "yes_no"]

DIMENSIONS = ("Economy", "Environment", "Society and Culture")

_CODE_PART = re.compile(r"\s*:\s*")


@dataclass(frozen=True)
class KPI:
    """One U4SSC KPI as defined in the catalogue."""

    code: str  # ITU's printed form, e.g. "EC: ICT: ICT: 1C"
    code_compact: str  # e.g. "EC:ICT:ICT:1C"
    name: str
    dimension: str
    sub_dimension: str
    category: str
    core: bool
    kpi_type: str  # Smart / Sustainable / Structural, where ITU states it
    unit: str
    value_kind: ValueKind
    data_points: tuple[str, ...]
    definition: str
    sdg_targets: tuple[str, ...]
    sdg_goals: str
    direction: Direction
    verification_status: str
    source: str
    note: str

    @property
    def level(self) -> str:
        return "Core" if self.core else "Advanced"

    @property
    def value_range(self) -> tuple[float, float | None]:
        """The values the KPI can physically take: (lowest, highest or None for no cap).

        Shares (value kind ``percentage``, unless the unit also allows plain numbers)
        lie in 0–100; yes/no and 0–1 indices in 0–1; every other unit of the catalogue
        (counts, rates per inhabitant, lengths, masses, times, ratios) is ≥ 0.
        """
        if self.value_kind == "percentage" and "number" not in self.unit.lower():
            return 0.0, 100.0
        if self.value_kind == "yes_no" or self.unit == "Index 0-1":
            return 0.0, 1.0
        return 0.0, None


def compact_code(code: str) -> str:
    """Return the compact spelling of a KPI code: ``EC: ICT: ICT: 1C`` → ``EC:ICT:ICT:1C``.

    Case and spacing around the colons are not significant; anything else is kept.
    """
    return ":".join(part for part in _CODE_PART.split(code.strip().upper()))


def printed_code(code: str) -> str:
    """Return ITU's printed spelling of a KPI code: ``EC:ICT:ICT:1C`` → ``EC: ICT: ICT: 1C``."""
    return ": ".join(compact_code(code).split(":"))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


class Catalogue:
    """The KPI catalogue with look-ups by either code spelling."""

    def __init__(self, kpis: list[KPI]) -> None:
        self.kpis: tuple[KPI, ...] = tuple(kpis)
        self._by_compact = {k.code_compact: k for k in kpis}

    def __iter__(self) -> Iterator[KPI]:
        return iter(self.kpis)

    def __len__(self) -> int:
        return len(self.kpis)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and compact_code(code) in self._by_compact

    def find(self, code: str) -> KPI | None:
        """The KPI for ``code`` in either spelling, or None."""
        return self._by_compact.get(compact_code(code))

    def get(self, code: str) -> KPI:
        """The KPI for ``code`` in either spelling; raises UnknownKPIError otherwise."""
        kpi = self.find(code)
        if kpi is None:
            raise UnknownKPIError(Problem(f"unknown U4SSC KPI code '{code}'", field="code"))
        return kpi


def _read_rows() -> list[dict[str, str]]:
    text = resources.files("decision_support.data").joinpath("u4ssc_kpis.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def load_catalogue() -> Catalogue:
    """Load the shipped catalogue (cached: it is immutable reference data)."""
    kpis = [
        KPI(
            code=row["code"],
            code_compact=row["code_compact"],
            name=row["name"],
            dimension=row["dimension"],
            sub_dimension=row["sub_dimension"],
            category=row["category"],
            core=row["core_or_advanced"] == "Core",
            kpi_type=row["smart_sustainable_structural"],
            unit=row["unit"],
            value_kind=row["value_kind"],  # type: ignore[arg-type]
            data_points=_split(row["data_points"]),
            definition=row["definition_short"],
            sdg_targets=_split(row["sdg_targets"]),
            sdg_goals=row["sdg_ks_norway_mapping"],
            direction=row["direction"],  # type: ignore[arg-type]
            verification_status=row["verification_status"],
            source=row["source"],
            note=row["note"],
        )
        for row in _read_rows()
    ]
    return Catalogue(kpis)
