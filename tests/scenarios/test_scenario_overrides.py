"""What-if overrides are applied exactly, and bad overrides name their field."""

from __future__ import annotations

import pytest

from scenarios.overrides import OverrideError, apply_overrides


def test_budget_percent_applies_to_every_year_and_base_is_untouched(make_scenario):
    base = make_scenario()
    edited = apply_overrides(base, {"budget": {"change_percent": -20}})
    assert edited["budget"]["by_year"] == {2027: 80.0, 2028: 80.0, 2029: 80.0}
    assert base["budget"]["by_year"][2027] == 100.0


def test_budget_absolute_year_then_percent_then_per_year_percent(make_scenario):
    edited = apply_overrides(
        make_scenario(),
        {
            "budget": {
                "by_year": {"2028": 150},
                "change_percent": 10,
                "change_percent_by_year": {2029: -50},
                "carry_over": True,
            }
        },
    )
    assert edited["budget"]["by_year"] == pytest.approx({2027: 110.0, 2028: 165.0, 2029: 55.0})
    assert edited["budget"]["carry_over"] is True


def test_rate_shift_touches_interest_bearing_mechanisms_only(make_scenario):
    edited = apply_overrides(make_scenario(), {"rates": {"shift_points": 2, "discount_rate": 0.05}})
    rates = {m["id"]: m.get("rate") for m in edited["mechanisms"]}
    assert rates == {"loan": pytest.approx(0.06), "erdf": None}
    assert edited["discount_rate"] == 0.05


def test_rate_by_mechanism_and_capacity_changes(make_scenario):
    edited = apply_overrides(
        make_scenario(),
        {
            "rates": {"by_mechanism": {"loan": 0.01}},
            "mechanisms": {"loan": {"capacity_change_percent": -50, "max_share": 0.3}},
        },
    )
    loan = edited["mechanisms"][0]
    assert (loan["rate"], loan["capacity_total"], loan["max_share"]) == (0.01, 50.0, 0.3)


def test_unavailable_mechanisms_are_removed_by_id_or_type(make_scenario):
    by_id = apply_overrides(make_scenario(), {"mechanisms": {"loan": {"available": False}}})
    assert [m["id"] for m in by_id["mechanisms"]] == ["erdf"]
    by_type = apply_overrides(make_scenario(), {"mechanism_types": {"grant": {"available": False}}})
    assert [m["id"] for m in by_type["mechanisms"]] == ["loan"]


def test_grant_probability_kpi_weights_targets_and_dimension_weights(make_scenario):
    edited = apply_overrides(
        make_scenario(),
        {
            "grant_award_probability": 0.25,
            "kpis": {"weights": {"EN:E:E:4A": 3}, "targets": {"EC: I: WS: 3C": 12}},
            "objective": {"dimension_weights": {"Environment": 2}, "mode": "u4ssc_points"},
        },
    )
    assert edited["mechanisms"][1]["award_probability"] == 0.25
    assert edited["kpis"][0]["weight"] == 3.0
    assert edited["kpis"][1]["target"] == 12.0
    assert edited["objective"] == {
        "mode": "u4ssc_points",
        "dimension_weights": {"Environment": 2.0},
    }


def test_constraints_add_remove_replace_and_low_cost_only(make_scenario):
    edited = apply_overrides(
        make_scenario(),
        {
            "constraints": {
                "mandatory": {"add": ["C"], "remove": ["A"]},
                "min_low_cost_projects": 1,
                "max_tenders_per_year": 2,
                "max_debt_service_ratio": 0.15,
            }
        },
    )
    assert edited["constraints"]["mandatory"] == ["C"]
    assert edited["constraints"]["max_tenders_per_year"] == 2
    assert edited["fiscal"]["max_debt_service_ratio"] == 0.15
    low_cost = apply_overrides(make_scenario(), {"constraints": {"only_low_cost": True}})
    assert low_cost["constraints"]["excluded"] == ["B"]


def test_horizon_extension_carries_last_year_forward(make_scenario):
    edited = apply_overrides(make_scenario(), {"horizon_years": 5})
    assert edited["horizon_years"] == 5
    assert edited["budget"]["by_year"][2031] == 100.0
    assert edited["fiscal"]["revenue_by_year"][2030] == 1000.0


def test_every_problem_is_reported_with_its_field(make_scenario):
    with pytest.raises(OverrideError) as caught:
        apply_overrides(
            make_scenario(),
            {
                "rates": {"by_mechanism": {"bond": 0.05}},
                "mechanisms": {"nope": {"available": False}},
                "kpis": {"weights": {"SC: H: H: 1C": 2}},
                "constraints": {"excluded": {"add": ["A", "Z"]}},
            },
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "overrides.rates.by_mechanism.bond",
        "overrides.mechanisms.nope",
        "overrides.kpis.weights.SC: H: H: 1C",
        "overrides.constraints.excluded",
        "overrides.constraints",
    ]


def test_schema_errors_name_the_field(make_scenario):
    with pytest.raises(OverrideError) as caught:
        apply_overrides(make_scenario(), {"budget": {"change_percent": "a lot"}, "colour": "red"})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"overrides", "overrides.budget.change_percent"}
