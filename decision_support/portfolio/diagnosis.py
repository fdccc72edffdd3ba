"""Infeasibility diagnosis: solve an elastic model and say what must give, in plain words.

The elastic model adds a penalised slack to every constraint that can make a
scenario infeasible (budgets, debt-service ratio, mandatory projects, the
minimum number of low-cost projects, tenders per year, dimension shares). Money
slacks are cheap, dropping a mandatory project is expensive, so the answer
prefers "raise the budget by …" and says which mandatory projects could be
deferred or dropped instead.
"""

from __future__ import annotations

from decision_support.portfolio.build import build_model
from decision_support.portfolio.data import ModelData
from decision_support.portfolio.result import Diagnosis, Relaxation
from decision_support.portfolio.solve import SolverSettings, solve_model

_EPS = 1e-6


def _money(amount: float, currency: str) -> str:
    if abs(amount) >= 1e6:
        return f"{amount / 1e6:,.2f} M {currency}"
    if abs(amount) >= 1e3:
        return f"{amount / 1e3:,.1f} k {currency}"
    return f"{amount:,.0f} {currency}"


def _mandatory_reason(data: ModelData, pid: str) -> str:
    project = data.projects[pid]
    if not data.starts[pid]:
        window = (
            f"{project.earliest_start or data.first_year}–{project.latest_start or data.last_year}"
        )
        lead = data.lead_days[pid]
        extra = f" (procurement takes {lead} days)" if lead else ""
        return (
            f"cannot start in its window {window}{extra} and finish its "
            f"{project.duration_years}-year spending by {data.last_year}"
        )
    clashes = [o for o in project.excludes if o in data.mandatory]
    if clashes:
        return f"excludes the mandatory project(s) {', '.join(clashes)}"
    missing = [r for r in project.requires if r in data.excluded or not data.starts[r]]
    if missing:
        return f"requires {', '.join(missing)}, which cannot be selected"
    return "does not fit with the other constraints"


def _budget_message(data: ModelData, year: int, amount: float) -> str:
    currency = data.scenario.currency
    spending = sorted(pid for (pid, _s, t) in data.capex if t == year and pid in data.mandatory)
    movable = [pid for pid in dict.fromkeys(spending) if len(data.starts[pid]) > 1]
    text = f"raise the {year} budget by {_money(amount, currency)}"
    if data.scenario.budget.carry_over:
        text = f"raise the budget available by {year} (cumulative) by {_money(amount, currency)}"
    if movable:
        text += f", or defer {', '.join(movable)}"
    elif spending:
        text += f", or drop one of {', '.join(dict.fromkeys(spending))}"
    return text


def diagnose(data: ModelData, settings: SolverSettings) -> Diagnosis:
    """Explain why no plan satisfies every constraint of ``data``."""
    model = build_model(data, formulation="plain", elastic=True)
    outcome = solve_model(model, settings)
    if not outcome.has_solution:
        return Diagnosis(
            summary="No plan exists and the elastic model could not be solved in time.",
            relaxations=(),
        )
    currency = data.scenario.currency
    relaxations = []
    for (family, key), var in sorted(model.v.slack.items(), key=lambda item: str(item[0])):
        amount = var.varValue or 0.0
        if amount <= _EPS * max(1.0, abs(amount)) or amount < 1e-4:
            continue
        if family == "budget":
            year = int(str(key))
            relaxations.append(
                Relaxation(
                    family, f"budget_{year}", amount, _budget_message(data, year, amount), year
                )
            )
        elif family == "debt_service_ratio":
            year = int(str(key))
            limit = (data.dsr_limit or 0.0) * data.revenue[year]
            message = (
                f"debt service in {year} must rise {_money(amount, currency)} above the limit of "
                f"{_money(limit, currency)} ({(data.dsr_limit or 0):.1%} of revenue): raise the "
                f"ratio limit or the revenue, or finance less by debt"
            )
            relaxations.append(
                Relaxation(family, f"debt_service_ratio_{year}", amount, message, year)
            )
        elif family == "mandatory":
            pid = str(key)
            message = f"mandatory project {pid} {_mandatory_reason(data, pid)}: make it optional"
            relaxations.append(
                Relaxation(family, f"mandatory_{pid}", amount, message, project_id=pid)
            )
        elif family == "min_low_cost":
            message = (
                f"only {data.scenario.constraints.min_low_cost_projects - round(amount)} low-cost "
                f"projects fit: lower the minimum by {round(amount)}"
            )
            relaxations.append(Relaxation(family, "min_low_cost", amount, message))
        elif family == "tenders":
            year = int(str(key))
            message = f"{round(amount)} more tender(s) must be launched in {year} than allowed"
            relaxations.append(Relaxation(family, f"tenders_{year}", amount, message, year))
        else:
            message = f"the minimum impact share for {key} cannot be met"
            relaxations.append(Relaxation(family, f"dimension_share_{key}", amount, message))
    if not relaxations:
        summary = "The constraints conflict, but no single relaxation was identified."
    else:
        summary = (
            "No portfolio satisfies every constraint. "
            + "; ".join(r.message for r in relaxations)
            + "."
        )
    return Diagnosis(summary=summary, relaxations=tuple(relaxations))
