"""A project's funding mix → year-by-year cash flows for the city, and rule checks.

Inputs: a :class:`ProjectFinanceInput` (capex by year, opex, savings, revenue, lifetime,
financing tags), a funding mix ``x_m`` (amount per mechanism ``m``), the city's
mechanisms (catalogue with overrides) and optionally its :class:`FiscalProfile`.

Cash-flow model (``E_t`` capex in year ``t``, ``E = Σ E_t``, ``L`` last capex year,
operation from ``L + 1`` for ``lifetime`` years):

* every source pays the same share of each year's capex: ``x_{m,t} = x_m · E_t / E``;
* ``own_funds``: the city pays ``x_{m,t}`` in ``t``;
* ``contribution`` (grants, levies, results-based payments): the city pre-finances
  ``x_{m,t}`` in ``t`` and receives it in ``t + lag_m``;
* ``debt``: each draw ``x_{m,t}`` is borrowed at face ``x_{m,t}/(1 − c_m)`` and repaid
  from ``t + 1`` on the mechanism's schedule (:func:`loan_schedule`);
* ``deferred_payment`` (availability PPP, energy-performance contract, lease): the
  partner pays the capex; its outlay capitalised to the end of construction,
  ``K_m = Σ_t x_{m,t}(1 + r_m)^{L − t}``, grossed up by ``c_m``, is repaid by the city
  from ``L + 1`` on the mechanism's schedule;
* ``user_funded`` (concession): the concessionaire pays the capex and, for the
  mechanism's tenor from ``L + 1``, keeps the share ``s = x_m / E`` of the project's
  revenue and bears the same share of its opex.

Net cost to the city:
``N_t = own_t + pre-financed_t − received_t + DS_t + DP_t + opex_t − savings_t − revenue_t``
and ``NPV = Σ_t N_t / (1 + ρ)^{t − t_0}`` with ``t_0`` the profile's first year (else the
first capex year) and ``ρ`` the discount rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy_financial as npf

from decision_support.errors import InputError, Problem
from decision_support.finance.fiscal import FiscalProfile
from decision_support.finance.mechanisms import FINANCING_TAGS, Mechanism, MechanismCatalogue
from decision_support.finance.schedules import gross_up, loan_schedule, net_present_value


class FundingMixError(InputError):
    """The project or the funding mix cannot be evaluated at all."""


class CandidateLike(Protocol):
    """What :meth:`ProjectFinanceInput.from_candidate` reads (the projects package's
    ``CandidateProject`` has these attributes; capex is by year offset)."""

    @property
    def name(self) -> str: ...
    @property
    def capex_by_year(self) -> Sequence[float]: ...
    @property
    def opex_per_year(self) -> float: ...
    @property
    def savings_per_year(self) -> float: ...
    @property
    def lifetime_years(self) -> float: ...
    @property
    def tags(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class ProjectFinanceInput:
    """What the finance engine needs to know about one project.

    Built from a ``CandidateProject`` (projects package): capex per calendar year,
    recurring opex, savings (avoided city costs, e.g. energy) and revenue (charges the
    city collects) per operating year, asset lifetime, and financing tags from
    :data:`~decision_support.finance.mechanisms.FINANCING_TAGS`.
    """

    name: str
    capex_by_year: Mapping[int, float]
    opex_per_year: float = 0.0
    savings_per_year: float = 0.0
    revenue_per_year: float = 0.0
    lifetime_years: int = 20
    tags: frozenset[str] = frozenset()

    @classmethod
    def from_candidate(
        cls, candidate: CandidateLike, start_year: int, revenue_per_year: float = 0.0
    ) -> ProjectFinanceInput:
        """Place a candidate project (capex by year offset) in calendar years from
        ``start_year``; the lifetime is rounded to whole years and only financing tags
        are kept."""
        return cls(
            name=candidate.name,
            capex_by_year={
                start_year + offset: float(amount)
                for offset, amount in enumerate(candidate.capex_by_year)
            },
            opex_per_year=float(candidate.opex_per_year),
            savings_per_year=float(candidate.savings_per_year),
            revenue_per_year=revenue_per_year,
            lifetime_years=max(1, round(candidate.lifetime_years)),
            tags=frozenset(t for t in candidate.tags if t in FINANCING_TAGS),
        )

    @property
    def total_capex(self) -> float:
        return float(sum(self.capex_by_year.values()))

    @property
    def first_year(self) -> int:
        return min(self.capex_by_year)

    @property
    def last_capex_year(self) -> int:
        return max(self.capex_by_year)

    @property
    def operating_years(self) -> range:
        start = self.last_capex_year + 1
        return range(start, start + self.lifetime_years)


def parse_mix_document(document: Any) -> tuple[ProjectFinanceInput, dict[str, float]]:
    """Read a calculator document (YAML/JSON)::

        project: {name, capex_by_year: {2027: 600000}, opex_per_year, savings_per_year,
                  revenue_per_year, lifetime_years, tags: [green]}
        mix: {own_budget: 400000, go_bond: 600000}

    Raises :class:`FundingMixError` naming the field of every malformed value.
    """
    problems: list[Problem] = []
    if not isinstance(document, Mapping):
        raise FundingMixError(Problem("expected a mapping with 'project' and 'mix'"))
    raw = document.get("project")
    mix_raw = document.get("mix")
    if not isinstance(raw, Mapping):
        problems.append(Problem("expected a mapping", field="project"))
        raw = {}
    if not isinstance(mix_raw, Mapping):
        problems.append(Problem("expected a mapping of mechanism id to amount", field="mix"))
        mix_raw = {}
    unknown = set(raw) - {f for f in ProjectFinanceInput.__dataclass_fields__}
    problems.extend(Problem("unknown key", field=f"project.{k}") for k in sorted(unknown))

    def number(where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(f"'{value}' is not a number", field=where))
            return 0.0
        return float(value)

    capex_raw = raw.get("capex_by_year", {})
    capex: dict[int, float] = {}
    if not isinstance(capex_raw, Mapping):
        problems.append(Problem("expected year: amount pairs", field="project.capex_by_year"))
    else:
        for year, amount in capex_raw.items():
            try:
                capex[int(year)] = number(f"project.capex_by_year.{year}", amount)
            except (TypeError, ValueError):
                problems.append(Problem(f"'{year}' is not a year", field="project.capex_by_year"))
    tags = raw.get("tags", [])
    if not isinstance(tags, list):
        problems.append(Problem("expected a list", field="project.tags"))
        tags = []
    lifetime = raw.get("lifetime_years", 20)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int):
        problems.append(
            Problem(f"'{lifetime}' is not a whole number", field="project.lifetime_years")
        )
        lifetime = 1
    project = ProjectFinanceInput(
        name=str(raw.get("name", "project")),
        capex_by_year=capex,
        opex_per_year=number("project.opex_per_year", raw.get("opex_per_year", 0.0)),
        savings_per_year=number("project.savings_per_year", raw.get("savings_per_year", 0.0)),
        revenue_per_year=number("project.revenue_per_year", raw.get("revenue_per_year", 0.0)),
        lifetime_years=lifetime,
        tags=frozenset(str(t) for t in tags),
    )
    mix = {str(k): number(f"mix.{k}", v) for k, v in mix_raw.items()}
    if problems:
        raise FundingMixError(problems)
    return project, mix


def check_project(project: ProjectFinanceInput) -> None:
    """Raise :class:`FundingMixError` listing every problem with the project input."""
    problems = []
    if not project.capex_by_year:
        problems.append(Problem("enter capex for at least one year", field="capex_by_year"))
    elif any(v < 0 or not math.isfinite(v) for v in project.capex_by_year.values()):
        problems.append(Problem("capex must be zero or positive", field="capex_by_year"))
    elif project.total_capex <= 0:
        problems.append(Problem("total capex must be positive", field="capex_by_year"))
    for name in ("opex_per_year", "savings_per_year", "revenue_per_year"):
        value = getattr(project, name)
        if value < 0 or not math.isfinite(value):
            problems.append(
                Problem(f"{name.replace('_', ' ')} must be zero or positive", field=name)
            )
    if project.lifetime_years < 1:
        problems.append(Problem("lifetime must be at least 1 year", field="lifetime_years"))
    unknown = sorted(set(project.tags) - set(FINANCING_TAGS))
    if unknown:
        problems.append(
            Problem(
                f"unknown financing tags {', '.join(unknown)}; use {', '.join(FINANCING_TAGS)}",
                field="tags",
            )
        )
    if problems:
        raise FundingMixError(problems)


@dataclass(frozen=True)
class CashFlowYear:
    """The city's cash flows in one calendar year (outflows positive)."""

    year: int
    capex: float
    capex_by_source: dict[str, float]
    own_funds: float
    prefinanced: float
    contributions_received: float
    debt_service: float
    debt_interest: float
    deferred_payments: float
    opex: float
    savings: float
    revenue: float
    debt_outstanding: float
    net_cost: float

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FundingMixResult:
    """Cash flows, NPV and every broken rule of a project's funding mix."""

    project: ProjectFinanceInput
    mix: dict[str, float]
    years: tuple[CashFlowYear, ...]
    discount_rate: float
    base_year: int
    npv: float
    violations: tuple[Problem, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when the mix breaks no rule."""
        return not self.violations

    @property
    def total_net_cost(self) -> float:
        return float(sum(y.net_cost for y in self.years))

    def as_dict(self) -> dict[str, object]:
        return {
            "project": self.project.name,
            "mix": self.mix,
            "discount_rate": self.discount_rate,
            "base_year": self.base_year,
            "npv": self.npv,
            "total_net_cost": self.total_net_cost,
            "ok": self.ok,
            "violations": [p.as_dict() for p in self.violations],
            "notes": list(self.notes),
            "years": [y.as_dict() for y in self.years],
        }


@dataclass
class _Ledger:
    """Accumulates per-year amounts while sources are processed."""

    capex_by_source: dict[int, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    own: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    budget_own: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    prefinanced: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    received: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    debt_service: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    deferred: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    counted_service: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    counted_interest: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    counted_outstanding: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    interest: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    outstanding: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    service_by_mechanism: dict[str, dict[int, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    concession_share: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def _draws(project: ProjectFinanceInput, amount: float) -> dict[int, float]:
    total = project.total_capex
    return {year: amount * capex / total for year, capex in sorted(project.capex_by_year.items())}


def _book_schedule(
    ledger: _Ledger,
    mechanism: Mechanism,
    principal: float,
    draw_year: int,
    *,
    counted: bool,
    target: dict[int, float],
) -> None:
    schedule = loan_schedule(
        principal,
        mechanism.interest_rate,
        mechanism.tenor_years,
        mechanism.grace_years,
        mechanism.amortisation,
    )
    ledger.outstanding[draw_year] += principal
    if counted:
        ledger.counted_outstanding[draw_year] += principal
    for row in schedule.rows:
        year = draw_year + row.year
        target[year] += row.payment
        ledger.interest[year] += row.interest
        ledger.outstanding[year] += row.balance
        ledger.service_by_mechanism[mechanism.id][year] += row.payment
        if counted:
            ledger.counted_service[year] += row.payment
            ledger.counted_interest[year] += row.interest
            ledger.counted_outstanding[year] += row.balance


def _book_source(
    ledger: _Ledger,
    project: ProjectFinanceInput,
    mechanism: Mechanism,
    amount: float,
    count_leases_and_ppp: bool,
) -> None:
    draws = _draws(project, amount)
    for year, x in draws.items():
        ledger.capex_by_source[year][mechanism.id] = x
    if mechanism.kind == "own_funds":
        for year, x in draws.items():
            ledger.own[year] += x
            if mechanism.type == "own_budget_reserves":
                ledger.budget_own[year] += x
    elif mechanism.kind == "contribution":
        for year, x in draws.items():
            ledger.prefinanced[year] += x
            ledger.received[year + mechanism.reimbursement_lag_years] += x
    elif mechanism.kind == "debt":
        for year, x in draws.items():
            if x > 0:
                face = gross_up(x, mechanism.issuance_cost)
                _book_schedule(
                    ledger,
                    mechanism,
                    face,
                    year,
                    counted=mechanism.counts_as_city_debt,
                    target=ledger.debt_service,
                )
    elif mechanism.kind == "deferred_payment":
        end = project.last_capex_year
        capitalised = sum(
            float(npf.fv(mechanism.interest_rate, end - year, 0.0, -x)) for year, x in draws.items()
        )
        if capitalised > 0:
            counted = mechanism.counts_as_city_debt or count_leases_and_ppp
            face = gross_up(capitalised, mechanism.issuance_cost)
            _book_schedule(ledger, mechanism, face, end, counted=counted, target=ledger.deferred)
    else:  # user_funded: the concessionaire's share of revenue and opex
        share = amount / project.total_capex
        for year in range(
            project.last_capex_year + 1, project.last_capex_year + 1 + mechanism.tenor_years
        ):
            ledger.concession_share[year] += share


def evaluate_funding_mix(
    project: ProjectFinanceInput,
    mix: Mapping[str, float],
    mechanisms: MechanismCatalogue,
    fiscal: FiscalProfile | None = None,
    *,
    discount_rate: float | None = None,
    decision_year: int | None = None,
) -> FundingMixResult:
    """Cash flows, NPV and rule checks for ``project`` funded by ``mix``.

    ``discount_rate`` defaults to the profile's; ``decision_year`` (when money can first
    be applied for, for lead times) defaults to the profile's first year. Mechanisms that
    are unknown, disabled or given a negative amount are reported and left out of the
    cash flows; every other broken rule is reported without stopping the evaluation.
    """
    check_project(project)
    rate = discount_rate if discount_rate is not None else (fiscal.discount_rate if fiscal else 0.0)
    decision = (
        decision_year if decision_year is not None else (fiscal.first_year if fiscal else None)
    )
    count_leases = fiscal.debt_rules.count_leases_and_ppp if fiscal else False
    violations: list[Problem] = []
    notes: list[str] = []
    ledger = _Ledger()
    used: dict[str, tuple[Mechanism, float]] = {}
    for mechanism_id, amount in mix.items():
        mechanism = mechanisms.find(mechanism_id)
        if mechanism is None:
            violations.append(
                Problem(f"unknown financing mechanism '{mechanism_id}'", field=mechanism_id)
            )
        elif not mechanism.enabled:
            violations.append(
                Problem(f"{mechanism.name} is not enabled for this city", field=mechanism_id)
            )
        elif amount < 0 or not math.isfinite(amount):
            violations.append(
                Problem(f"{mechanism.name}: amount must be zero or positive", field=mechanism_id)
            )
        elif amount > 0:
            used[mechanism_id] = (mechanism, float(amount))
            _book_source(ledger, project, mechanism, float(amount), count_leases)
    total = project.total_capex
    funded = sum(a for _, a in used.values())
    if abs(funded - total) > max(1.0, 1e-6 * total):
        violations.append(
            Problem(
                f"the funding mix adds up to {funded:,.0f} but the project costs {total:,.0f} "
                f"({'short by' if funded < total else 'over by'} {abs(total - funded):,.0f})",
                field="mix",
            )
        )
    years = _cash_flow_years(project, ledger)
    base = fiscal.first_year if fiscal else project.first_year
    npv = _npv(rate, years, base)
    for mechanism, amount in used.values():
        violations.extend(
            _mechanism_problems(
                project, mechanism, amount, used=used, ledger=ledger, decision_year=decision
            )
        )
        notes.extend(_mechanism_notes(project, mechanism))
    if fiscal is not None:
        violations.extend(_fiscal_problems(fiscal, ledger))
    return FundingMixResult(
        project=project,
        mix={k: float(v) for k, v in mix.items()},
        years=tuple(years),
        discount_rate=rate,
        base_year=base,
        npv=float(npv),
        violations=tuple(violations),
        notes=tuple(notes),
    )


def _npv(rate: float, years: list[CashFlowYear], base: int) -> float:
    """``Σ_t N_t/(1+ρ)^(t − t_0)`` over consecutive years (gaps count as zero)."""
    if not years:
        return 0.0
    by_year = {y.year: y.net_cost for y in years}
    first, last = min(by_year), max(by_year)
    flows = [by_year.get(year, 0.0) for year in range(first, last + 1)]
    return net_present_value(rate, flows, start=first - base)


def _cash_flow_years(project: ProjectFinanceInput, ledger: _Ledger) -> list[CashFlowYear]:
    operating = set(project.operating_years)
    touched: Iterable[int] = (
        *project.capex_by_year,
        *operating,
        *ledger.received,
        *ledger.debt_service,
        *ledger.deferred,
    )
    touched = list(touched)
    rows = []
    for year in range(min(touched), max(touched) + 1):
        running = year in operating
        keep = 1.0 - ledger.concession_share.get(year, 0.0)
        opex = project.opex_per_year * keep if running else 0.0
        savings = project.savings_per_year if running else 0.0
        revenue = project.revenue_per_year * keep if running else 0.0
        own = ledger.own.get(year, 0.0)
        pre = ledger.prefinanced.get(year, 0.0)
        received = ledger.received.get(year, 0.0)
        service = ledger.debt_service.get(year, 0.0)
        deferred = ledger.deferred.get(year, 0.0)
        rows.append(
            CashFlowYear(
                year=year,
                capex=float(project.capex_by_year.get(year, 0.0)),
                capex_by_source=dict(ledger.capex_by_source.get(year, {})),
                own_funds=own,
                prefinanced=pre,
                contributions_received=received,
                debt_service=service,
                debt_interest=ledger.interest.get(year, 0.0),
                deferred_payments=deferred,
                opex=opex,
                savings=savings,
                revenue=revenue,
                debt_outstanding=ledger.outstanding.get(year, 0.0),
                net_cost=own + pre - received + service + deferred + opex - savings - revenue,
            )
        )
    return rows


def _available_year(mechanism: Mechanism, decision_year: int) -> int:
    return decision_year + mechanism.lead_time_months // 12


def _mechanism_problems(
    project: ProjectFinanceInput,
    m: Mechanism,
    amount: float,
    *,
    used: Mapping[str, tuple[Mechanism, float]],
    ledger: _Ledger,
    decision_year: int | None,
) -> list[Problem]:
    problems = []
    total = project.total_capex
    if not m.is_eligible(project.tags):
        problems.append(
            Problem(
                f"{m.name} only funds projects tagged {', '.join(sorted(m.eligible_tags))}; "
                f"this project is tagged {', '.join(sorted(project.tags)) or 'with nothing'}",
                field=m.id,
            )
        )
    if amount > m.max_share * total * (1 + 1e-9):
        problems.append(
            Problem(
                f"{m.name} may fund at most {m.max_share:.0%} of the project "
                f"({m.max_share * total:,.0f}); the mix uses {amount:,.0f} ({amount / total:.0%})",
                field=m.id,
            )
        )
    if amount < m.min_deal:
        problems.append(
            Problem(
                f"{m.name} needs a deal of at least {m.min_deal:,.0f}; the mix uses {amount:,.0f}",
                field=m.id,
            )
        )
    if m.max_deal is not None and amount > m.max_deal:
        problems.append(
            Problem(
                f"{m.name} allows at most {m.max_deal:,.0f} per deal; the mix uses {amount:,.0f}",
                field=m.id,
            )
        )
    if m.capacity_total is not None and amount > m.capacity_total:
        problems.append(
            Problem(
                f"{m.name} has {m.capacity_total:,.0f} available in total; "
                f"the mix uses {amount:,.0f}",
                field=m.id,
            )
        )
    if m.capacity_per_year is not None:
        for year, x in sorted(_draws(project, amount).items()):
            if x > m.capacity_per_year * (1 + 1e-9):
                problems.append(
                    Problem(
                        f"{m.name} provides at most {m.capacity_per_year:,.0f} a year; "
                        f"{year} draws {x:,.0f}",
                        field=m.id,
                    )
                )
    if m.cofinancing_share > 0:
        matching = sum(
            a
            for other, a in used.values()
            if other.kind in ("own_funds", "debt", "deferred_payment")
        )
        if matching < m.cofinancing_share * total * (1 - 1e-9):
            problems.append(
                Problem(
                    f"{m.name} requires the city to co-finance at least {m.cofinancing_share:.0%} "
                    f"({m.cofinancing_share * total:,.0f}) from its own or borrowed money; "
                    f"the mix has {matching:,.0f}",
                    field=m.id,
                )
            )
    if decision_year is not None:
        available = _available_year(m, decision_year)
        if project.first_year < available:
            problems.append(
                Problem(
                    f"{m.name} takes {m.lead_time_months} months to arrange: money from "
                    f"{available} at the earliest, but capex starts in {project.first_year}",
                    field=m.id,
                )
            )
    if m.min_dscr is not None:
        service = ledger.service_by_mechanism.get(m.id, {})
        available_cash = project.revenue_per_year + project.savings_per_year - project.opex_per_year
        for year in sorted(service):
            if year in project.operating_years and service[year] > 0:
                ratio = available_cash / service[year]
                if ratio < m.min_dscr:
                    problems.append(
                        Problem(
                            f"{m.name} needs debt-service coverage of {m.min_dscr:.2f}x; "
                            f"net operating revenue covers {ratio:.2f}x in {year}",
                            field=m.id,
                        )
                    )
                    break
    if m.type == "energy_performance_contract":
        service = ledger.service_by_mechanism.get(m.id, {})
        short = [y for y in sorted(service) if service[y] > project.savings_per_year + 1e-6]
        if short:
            problems.append(
                Problem(
                    f"{m.name}: payments ({service[short[0]]:,.0f} in {short[0]}) exceed "
                    "the project's "
                    f"savings ({project.savings_per_year:,.0f} a year) in {len(short)} year(s)",
                    field=m.id,
                )
            )
    return problems


def _mechanism_notes(project: ProjectFinanceInput, m: Mechanism) -> list[str]:
    notes = []
    if m.award_probability < 1:
        notes.append(
            f"{m.name} is competitive: about {m.award_probability:.0%} chance of award; "
            "the cash flows assume it is won."
        )
    if m.kind in ("debt", "deferred_payment") and m.tenor_years > project.lifetime_years:
        notes.append(
            f"{m.name} runs {m.tenor_years} years, longer than the asset's "
            f"{project.lifetime_years}-year life."
        )
    if m.kind == "contribution" and m.reimbursement_lag_years > 0:
        notes.append(
            f"{m.name} is paid {m.reimbursement_lag_years} year(s) after spending: "
            "the city bridges the cash."
        )
    return notes


def _fiscal_problems(fiscal: FiscalProfile, ledger: _Ledger) -> list[Problem]:
    """Debt and budget limits for every profile year (see :mod:`fiscal` for the maths)."""
    problems = []
    rules = fiscal.debt_rules
    for fy in fiscal.years:
        t = fy.year
        if rules.max_debt_service_ratio is not None:
            ratio = (fy.existing_debt_service + ledger.counted_service.get(t, 0.0)) / fy.revenue
            if ratio > rules.max_debt_service_ratio + 1e-12:
                problems.append(
                    Problem(
                        f"{t}: debt service would be {ratio:.1%} of revenue, above the limit of "
                        f"{rules.max_debt_service_ratio:.1%}",
                        field="debt_service_ratio",
                    )
                )
        if rules.max_debt_stock_ratio is not None:
            base = fy.revenue if rules.stock_base == "revenue" else (fy.assessed_value or 0.0)
            stock = fy.existing_debt_outstanding + ledger.counted_outstanding.get(t, 0.0)
            if base > 0 and stock / base > rules.max_debt_stock_ratio + 1e-12:
                problems.append(
                    Problem(
                        f"{t}: debt outstanding would be {stock / base:.1%} of "
                        f"{rules.stock_base.replace('_', ' ')}, above the limit of "
                        f"{rules.max_debt_stock_ratio:.1%}",
                        field="debt_stock_ratio",
                    )
                )
        if rules.max_interest_to_operating_savings is not None and fy.operating_savings is not None:
            interest = (fy.existing_interest or 0.0) + ledger.counted_interest.get(t, 0.0)
            limit = rules.max_interest_to_operating_savings * fy.operating_savings
            if interest > limit + 1e-6:
                problems.append(
                    Problem(
                        f"{t}: interest of {interest:,.0f} exceeds "
                        f"{rules.max_interest_to_operating_savings:.0%} of operating savings "
                        f"({limit:,.0f})",
                        field="interest_ratio",
                    )
                )
        own = ledger.budget_own.get(t, 0.0)
        if own > fy.capital_budget + 1e-6:
            problems.append(
                Problem(
                    f"{t}: {own:,.0f} from the own budget exceeds the capital budget "
                    f"of {fy.capital_budget:,.0f}",
                    field="capital_budget",
                )
            )
    return problems
