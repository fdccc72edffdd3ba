"""U4SSC benchmark arithmetic used by the portfolio model: achievement and bands.

A KPI's achievement is its value as a share of the target (for lower-is-better
KPIs, target ÷ value). U4SSC scores each KPI in four bands of achievement:
below 33 % → 1 point, 33–66 % → 2, 66–95 % → 3, 95 % or more → 4 (ITU U4SSC
Verification Manual 2022, scoring of the benchmarking wheel; see
``docs/portfolio.md``).
"""

from __future__ import annotations

BAND_THRESHOLDS = (0.33, 0.66, 0.95)
MAX_POINTS = 4


def achievement(value: float, target: float, higher_is_better: bool) -> float:
    """Share of the target reached, clipped to [0, 1]."""
    if higher_is_better:
        if target <= 0:
            return 1.0 if value >= target else 0.0
        return min(1.0, max(0.0, value / target))
    if value <= target:
        return 1.0
    if value <= 0 or target < 0:
        return 0.0
    return min(1.0, max(0.0, target / value))


def benchmark_band(share: float) -> int:
    """U4SSC points (1–4) for an achievement share."""
    return 1 + sum(1 for threshold in BAND_THRESHOLDS if share >= threshold - 1e-9)


def band_value(threshold: float, target: float, higher_is_better: bool) -> float:
    """The KPI value at which achievement reaches ``threshold`` (a linear bound).

    Higher is better: value ≥ threshold · target. Lower is better: value ≤ target ÷ threshold.
    """
    return threshold * target if higher_is_better else target / threshold
