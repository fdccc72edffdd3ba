"""Gap → project matching on a hand-checked example."""

import pytest

from decision_support.projects.instantiate import instantiate
from decision_support.projects.library import load_library
from decision_support.projects.matching import (
    MEANINGFUL_SHARE,
    MIN_LIFETIME_COST,
    PriorityGap,
    match_gaps,
)
from decision_support.projects.model import (
    CandidateImpact,
    CandidateProject,
    CityProfile,
    ProjectProcurement,
    Risk,
)


def make_project(pid, impacts, *, capex=0.0, opex=0.0, savings=0.0, lifetime=10.0, low_cost=False):
    return CandidateProject(
        id=pid,
        name=pid.replace("-", " "),
        capex_by_year=(capex,),
        opex_per_year=opex,
        savings_per_year=savings,
        duration_years=1,
        lifetime_years=lifetime,
        impacts=tuple(
            CandidateImpact(
                kpi=k, change=c, confidence="medium", source="https://example.org", data_point=dp
            )
            for k, dp, c in impacts
        ),
        procurement=ProjectProcurement("services"),
        risk=Risk("low", "low"),
        low_cost=low_cost,
    )


WATER_LOSS = PriorityGap("EC: I: WS: 3C", value=28, target=15, gap=13, direction="lower_is_better")
RESILIENCE = PriorityGap("SC: SH: SA: 3A", value=0, target=1, gap=1, direction="yes_is_better")
PATENTS = PriorityGap("EC: P: IN: 2C", value=10, target=40, gap=30, direction="higher_is_better")
NO2 = PriorityGap(
    "EN: EN: AQ: 1C", value=24, target=20, gap=4, direction="lower_is_better", data_point="NO2"
)


@pytest.fixture
def candidates():
    loss = "EC: I: WS: 3C"
    return [
        # share 6.5/13 = 0.5, cost 1 M → score 0.5
        make_project("nrw-contract", [(loss, None, -6.5)], capex=1_000_000),
        # low-cost, share 0.1 (meaningful), cost 50k + 10k × 5 = 100k → score 1.0
        make_project(
            "leak-detection",
            [(loss, None, -1.3)],
            capex=50_000,
            opex=10_000,
            lifetime=5,
            low_cost=True,
        ),
        # low-cost but share 0.05 < 10 %: ranked by score 0.05 / 0.01 = 5.0 among the rest
        make_project("water-audit", [(loss, None, -0.65)], capex=10_000, lifetime=1, low_cost=True),
        # moves the KPI the wrong way: not listed
        make_project("wrong-way", [(loss, None, 1.0)], capex=1_000),
        # self-financing: 100k − 50k × 10 < 0 → floored cost 1 000 → score 0.2 / 0.001 = 200
        make_project("pressure", [(loss, None, -2.6)], capex=100_000, savings=50_000),
        make_project("plan", [("SC: SH: SA: 3A", None, 1)], capex=20_000, low_cost=True),
        make_project(
            "lez", [("EN: EN: AQ: 1C", "NO2", -1.0), ("EN: EN: AQ: 1C", "PM2.5", -1.0)], capex=2e6
        ),
        make_project("sensors", [("EN: EN: AQ: 1C", "PM2.5", -3.0)], capex=1e4),
    ]


def test_ranking_puts_meaningful_low_cost_first_then_score(candidates):
    result = match_gaps([WATER_LOSS], candidates)
    (match,) = result.matches
    assert [o.project_id for o in match.options] == [
        "leak-detection",
        "pressure",
        "water-audit",
        "nrw-contract",
    ]
    by_id = {o.project_id: o for o in match.options}
    assert by_id["leak-detection"].share_closed == pytest.approx(0.1)
    assert by_id["leak-detection"].score == pytest.approx(1.0)
    assert by_id["leak-detection"].meaningful_low_cost
    assert by_id["water-audit"].share_closed == pytest.approx(0.05)
    assert by_id["water-audit"].share_closed < MEANINGFUL_SHARE
    assert not by_id["water-audit"].meaningful_low_cost
    assert by_id["water-audit"].score == pytest.approx(5.0)
    assert by_id["nrw-contract"].score == pytest.approx(0.5)
    assert by_id["pressure"].lifetime_cost == pytest.approx(-400_000)
    assert by_id["pressure"].score == pytest.approx(0.2 / (MIN_LIFETIME_COST / 1e6))
    assert result.uncovered == ()


def test_yes_no_gaps_data_points_and_uncovered_gaps(candidates):
    result = match_gaps([RESILIENCE, NO2, PATENTS], candidates)
    resilience, no2, patents = result.matches
    assert [(o.project_id, o.share_closed) for o in resilience.options] == [("plan", 1.0)]
    assert [(o.project_id, o.share_closed) for o in no2.options] == [("lez", 0.25)]
    assert patents.options == ()
    assert result.uncovered == (PATENTS,)


def test_share_is_capped_at_the_whole_gap():
    big = make_project("big", [("EC: I: WS: 3C", None, -50.0)], capex=1e6)
    (match,) = match_gaps([WATER_LOSS], [big]).matches
    assert match.options[0].share_closed == 1.0


def test_templates_are_matched_for_the_city_unless_already_a_candidate():
    library = load_library()
    city = CityProfile(
        "Testville",
        200_000,
        90_000,
        sizes={
            "water_connections": 60_000,
            "water_network_km": 900,
            "annual_water_supplied_m3": 2e7,
        },
    )
    nrw = instantiate(library.get("nrw-performance-contract"), city, project_id="my-nrw")
    result = match_gaps([WATER_LOSS], [nrw], templates=library, city=city)
    options = result.matches[0].options
    kinds = {o.project_id: o.kind for o in options}
    assert kinds["my-nrw"] == "candidate"
    assert "nrw-performance-contract" not in kinds  # already a candidate
    assert kinds["active-leak-detection"] == "template"
    assert kinds["pressure-management"] == "template"
    # low-cost options that close ≥ 10 % come first
    firsts = [o for o in options if o.meaningful_low_cost]
    assert list(options[: len(firsts)]) == firsts
