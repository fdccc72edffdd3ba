"""Projected KPI values stay inside what the KPI can physically be (issue 17, item 6)."""

from __future__ import annotations

import pytest

from decision_support.kpis.catalogue import load_catalogue
from decision_support.portfolio import optimise

SHARE = "EC: ICT: ICT: 1C"  # a percentage, higher is better
WATER = "EC: I: WS: 3C"  # water supply loss (a percentage, lower is better)


def test_catalogue_gives_each_kpi_its_physical_range():
    catalogue = load_catalogue()
    assert catalogue.get(SHARE).value_range == (0.0, 100.0)
    assert catalogue.get("EC: ICT: ICT: 3C").value_range == (0.0, None)  # a count per inhabitants


@pytest.mark.parametrize(
    ("code", "baseline", "target", "impact", "expected"),
    [
        (SHARE, 90, 100, 10, 100.0),  # two +10 projects on 90 % would read 110 %
        (WATER, 8, 5, -6, 0.0),  # two −6 projects on 8 % would read −4 %
    ],
)
def test_projection_is_bounded_by_the_kpis_range(
    make_scenario, fast, code, baseline, target, impact, expected
):
    scenario = make_scenario(
        [
            {"id": "A", "capex_profile": [10], "value": 1, "impacts": {code: impact}},
            {"id": "B", "capex_profile": [10], "value": 1, "impacts": {code: impact}},
        ],
        kpis=[{"code": code, "baseline": baseline, "target": target}],
        objective={"mode": "gap_closure"},
    )
    result = optimise(scenario, fast)
    assert {p.id for p in result.selected} == {"A", "B"}
    (row,) = result.kpi_projection
    assert row.projected == expected
    assert row.band_after == 4 and row.gap_closed_share == 1.0
    assert result.verification is not None and result.verification.passed
