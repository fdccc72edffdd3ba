"""Reading a list of planned contracts (YAML or JSON) for the anti-splitting check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from decision_support.errors import Problem
from decision_support.files.documents import read_bounded_bytes
from decision_support.files.schema import schema_problems
from rules.contract import PlannedContract
from rules.errors import PlannedContractError
from rules.rule_pack import load_schema, parse_yaml


def planned_contracts_from_data(data: Any) -> list[PlannedContract]:
    """Validate a ``{contracts: [...]}`` document and build the planned contracts."""
    problems = schema_problems(data, load_schema("planned-contracts.schema.json"))
    if not problems:
        seen: dict[str, int] = {}
        for index, item in enumerate(data["contracts"]):
            if item["id"] in seen:
                problems.append(
                    Problem(f"duplicate id {item['id']!r}", field=f"contracts[{index}].id")
                )
            seen[item["id"]] = index
    if problems:
        raise PlannedContractError(problems)
    contracts = []
    for index, item in enumerate(data["contracts"]):
        try:
            notice = date.fromisoformat(item["notice_date"]) if "notice_date" in item else None
        except ValueError as exc:
            raise PlannedContractError(
                Problem("not a date", field=f"contracts[{index}].notice_date")
            ) from exc
        contracts.append(
            PlannedContract(
                id=item["id"],
                title=item.get("title", ""),
                buyer=item.get("buyer", ""),
                category=item["category"],
                authority=item["authority"],
                estimated_value=float(item["value"]),
                options_value=float(item.get("options", 0)),
                renewals_value=float(item.get("renewals", 0)),
                cpv=item.get("cpv"),
                notice_date=notice,
                concession=item.get("kind") == "concession",
                call_off=item.get("kind") == "call-off",
            )
        )
    return contracts


def read_planned_contracts(path: Path | str) -> list[PlannedContract]:
    """Read planned contracts from a YAML or JSON file."""
    path = Path(path)
    return planned_contracts_from_data(parse_yaml(read_bounded_bytes(path), path.name))
