"""Monte Carlo robustness: reproducible with a seed, core indices consistent with samples."""

from __future__ import annotations

import pytest

from scenarios.robustness import (
    classify,
    planned_solves,
    robustness,
    samples_for_budget,
    worst_case_seconds,
)
from scenarios.uncertainty import (
    OVERRUN_BY_RISK,
    RobustnessSpecError,
    UncertaintySpec,
    risk_level,
    sample_scenario,
)


def test_samples_depend_only_on_seed_and_index(make_scenario):
    spec = UncertaintySpec(samples=5, seed=11)
    first = sample_scenario(make_scenario(), spec, 3)
    again = sample_scenario(make_scenario(), spec, 3)
    other = sample_scenario(make_scenario(), UncertaintySpec(samples=5, seed=12), 3)
    assert first.scenario == again.scenario
    assert first.cost_multipliers != other.cost_multipliers
    for project in first.scenario["projects"]:
        base = next(p for p in make_scenario()["projects"] if p["id"] == project["id"])
        factor = first.cost_multipliers[project["id"]]
        assert project["capex_profile"] == pytest.approx(
            [c * factor for c in base["capex_profile"]]
        )
    # C carries the tag risk-high: its factor stays within that triangle
    high = OVERRUN_BY_RISK["high"]
    assert high.low <= first.cost_multipliers["C"] <= high.high


def test_grant_award_is_drawn_with_its_probability(make_scenario):
    spec = UncertaintySpec(samples=400, seed=5)
    kept = sum(
        any(
            m["id"] == "erdf"
            for m in sample_scenario(make_scenario(), spec, i).scenario["mechanisms"]
        )
        for i in range(400)
    )
    assert 0.6 < kept / 400 < 0.8  # award probability 0.7


def test_bad_settings_are_all_reported():
    spec = UncertaintySpec(samples=0, weight_spread=1.5, risk_levels={"Z": "extreme"})
    with pytest.raises(RobustnessSpecError) as caught:
        spec.check({"A"})
    assert {p.field for p in caught.value.problems} == {"samples", "weight_spread", "risk_levels.Z"}


def test_robustness_is_reproducible_and_core_indices_match_the_samples(make_scenario):
    spec = UncertaintySpec(samples=6, seed=3)
    once = robustness(make_scenario(), spec, workers=1)
    twice = robustness(make_scenario(), spec, workers=2)
    assert once == twice
    solved = [s for s in once["samples"] if s["impact"] is not None]
    assert once["samples_with_plan"] == len(solved) > 0
    for project in once["projects"]:
        count = sum(project["id"] in s["selected"] for s in solved)
        assert project["selected_in_samples"] == count
        assert project["core_index"] == pytest.approx(count / len(solved))
        assert project["class"] == classify(project["core_index"])
        assert project["id"] in once["classes"][project["class"]]
    assert "A" in once["classes"]["core"]  # mandatory in every sample
    # an unaffordable sample still gets the recommended plan's impact (money not binding)
    assert all(s["recommended_impact"] is not None for s in once["samples"])
    unaffordable = [not s["recommended_affordable"] for s in once["samples"]]
    assert once["recommended"]["unaffordable_share"] == pytest.approx(sum(unaffordable) / 6)
    capex = [s["recommended_capex"] for s in once["samples"]]
    assert once["recommended"]["capex"]["worst"] == pytest.approx(max(capex))
    assert once["recommended"]["capex"]["expected"] == pytest.approx(sum(capex) / len(capex))


def test_classes():
    assert [classify(1.0), classify(0.0), classify(0.5)] == ["core", "exterior", "borderline"]


def test_an_unaffordable_recommended_plan_is_counted_and_still_scored(knapsack):
    # the nominal plan P1 + P2 + P4 spends 90 of 100: an overrun of 11 % or more breaks it
    report = robustness(
        knapsack,
        UncertaintySpec(samples=5, seed=4, impact_spread=0.0, default_risk="low"),
        workers=1,
    )
    assert report["nominal"]["selected"] == [
        {"id": "P1", "start_year": 2027},
        {"id": "P2", "start_year": 2027},
        {"id": "P4", "start_year": 2027},
    ]
    rows = report["samples"]
    for row in rows:
        m = row["cost_multipliers"]
        overrun = 40 * m["P1"] + 30 * m["P2"] + 20 * m["P4"] > 100
        assert row["recommended_affordable"] is (not overrun)
        assert row["recommended_impact"] == pytest.approx(21.0)  # values not perturbed
    unaffordable = sum(not r["recommended_affordable"] for r in rows)
    assert 0 < unaffordable < 5
    assert report["recommended"]["unaffordable_share"] == pytest.approx(unaffordable / 5)


def test_risk_level_order_explicit_then_tag_then_candidate_record_then_default():
    spec = UncertaintySpec(samples=1, risk_levels={"A": "low"}, default_risk="medium")
    record = {"procurement": {"risk_cost_overrun": "high"}}
    assert risk_level({"id": "A", "tags": ["risk-high"], **record}, spec) == "low"
    assert risk_level({"id": "B", "tags": ["risk-low"], **record}, spec) == "low"
    assert risk_level({"id": "C", "tags": [], **record}, spec) == "high"
    assert risk_level({"id": "D", "procurement": {"risk_cost_overrun": ""}}, spec) == "medium"
    assert risk_level({"id": "E"}, spec) == "medium"


def test_progress_total_is_fixed_up_front_and_never_goes_backwards(knapsack):
    # Some samples cannot fund the plan (see above), so the money-not-binding
    # re-evaluations run for some samples only: the total must still stay 1 + 3N.
    seen: list[tuple[int, int]] = []
    spec = UncertaintySpec(samples=5, seed=4, impact_spread=0.0, default_risk="low")
    robustness(knapsack, spec, workers=1, progress=lambda d, t, _: seen.append((d, t)))
    assert {total for _, total in seen} == {planned_solves(5)} == {16}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 16


def test_default_sample_count_fits_the_time_budget():
    for budget, limit, workers in ((600.0, 10.0, 2), (600.0, 10.0, 1), (300.0, 7.0, 8)):
        n = samples_for_budget(budget, limit, workers)
        assert worst_case_seconds(n, limit, workers) <= budget
        assert worst_case_seconds(n + 1, limit, workers) > budget
    assert samples_for_budget(5.0, 10.0, 2) == 1
