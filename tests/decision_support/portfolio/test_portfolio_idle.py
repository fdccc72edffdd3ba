"""Projects that add nothing leave the recommended plan; those something needs stay."""

from __future__ import annotations

from decision_support.portfolio import api, optimise
from decision_support.portfolio.data import prepare_model_data
from decision_support.portfolio.idle import drop_idle_projects
from decision_support.portfolio.plan import Plan, evaluate_plan


def _project(pid: str, cost: float, value: float, **extra: object) -> dict:
    return {"id": pid, "capex_profile": [cost], "value": value, **extra}


def test_a_project_without_value_is_dropped(make_scenario):
    data = prepare_model_data(make_scenario([_project("A", 50, 5), _project("Z", 30, 0)]))
    plan = drop_idle_projects(data, Plan(starts={"A": 2027, "Z": 2028}))
    assert plan.starts == {"A": 2027}


def test_the_costliest_idle_project_goes_first_and_each_removal_is_judged_anew(make_scenario):
    # a minimum of two low-cost projects: A and one of the idle Y and Z must stay
    data = prepare_model_data(
        make_scenario(
            [
                _project("A", 50, 5, low_cost=True),
                _project("Y", 20, 0, low_cost=True),
                _project("Z", 30, 0, low_cost=True),
            ],
            constraints={"min_low_cost_projects": 2},
        )
    )
    plan = drop_idle_projects(data, Plan(starts={"A": 2027, "Y": 2027, "Z": 2027}))
    assert plan.starts == {"A": 2027, "Y": 2027}


def test_a_prerequisite_and_a_mandatory_project_stay(make_scenario):
    data = prepare_model_data(
        make_scenario(
            [
                _project("A", 50, 5, requires=["Q"]),
                _project("Q", 10, 0),
                _project("M", 10, 0),
            ],
            constraints={"mandatory": ["M"]},
        )
    )
    plan = Plan(starts={"A": 2027, "Q": 2027, "M": 2028})
    assert drop_idle_projects(data, plan).starts == plan.starts


def test_a_project_whose_grant_lowers_the_financing_cost_stays(make_scenario):
    data = prepare_model_data(
        make_scenario(
            [_project("A", 50, 5), _project("G", 40, 0)],
            mechanisms=[{"id": "eu", "type": "grant", "max_share": 0.5}],
        )
    )
    plan = Plan(starts={"A": 2027, "G": 2027}, funding={("G", "eu", 2027): 20.0})
    without = Plan(starts={"A": 2027})
    assert evaluate_plan(data, without).financing_cost > evaluate_plan(data, plan).financing_cost
    assert drop_idle_projects(data, plan).starts == plan.starts


def test_optimise_drops_an_idle_project_the_solver_returned(make_scenario, fast, monkeypatch):
    # the solver may return either of two plans of equal worth; simulate it returning the
    # one with the free project Z, which fits in the budget A leaves
    scenario = make_scenario([_project("A", 80, 5), _project("Z", 5, 0)])
    solver_plan = api.extract_plan

    def with_z(model):
        plan = solver_plan(model)
        return Plan(starts={**plan.starts, "Z": 2028}, funding=plan.funding)

    monkeypatch.setattr(api, "extract_plan", with_z)
    result = optimise(scenario, fast)
    assert result.selected_ids == ["A"]
    assert result.verification.passed
