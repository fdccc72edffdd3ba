"""Who may do what in a city. Every member may look; changing things depends on
the member's role. Views ask ``may(role, action)`` and answer 403 when it is False."""

from __future__ import annotations

import enum

from models.users import Role


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT_KPIS = "edit_kpis"
    EDIT_PROJECTS = "edit_projects"
    EDIT_FINANCE = "edit_finance"  # budgets, fiscal profile, mechanisms
    EDIT_PROCUREMENT = "edit_procurement"
    RUN_PORTFOLIO = "run_portfolio"
    MANAGE_SCENARIOS = "manage_scenarios"
    ADMINISTER = "administer"  # members, audit log


_GRANTS: dict[Role, frozenset[Action]] = {
    Role.CITY_LEADER: frozenset(
        {
            Action.VIEW,
            Action.EDIT_KPIS,
            Action.EDIT_PROJECTS,
            Action.RUN_PORTFOLIO,
            Action.MANAGE_SCENARIOS,
        }
    ),
    Role.PROCUREMENT_OFFICER: frozenset({Action.VIEW, Action.EDIT_PROCUREMENT}),
    Role.FINANCE_OFFICER: frozenset(
        {Action.VIEW, Action.EDIT_FINANCE, Action.RUN_PORTFOLIO, Action.MANAGE_SCENARIOS}
    ),
    Role.ADMIN: frozenset(Action),
}


def may(role: Role, action: Action) -> bool:
    """True when a member with ``role`` may take ``action``."""
    return action in _GRANTS[role]


def actions_for(role: Role) -> frozenset[Action]:
    return _GRANTS[role]
