"""How current each shipped reference-data file is: ``valid_from``, optional
``valid_to`` and ``checked_on`` (the day its figures were last checked), read from
``editions.yaml`` next to this module. Rule packs carry the same dates themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class DataEdition:
    """Validity and last-checked dates of one data file (path from the repository root)."""

    path: str
    title: str
    valid_from: date
    checked_on: date
    valid_to: date | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form with ISO dates."""
        return {
            "path": self.path,
            "title": self.title,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "checked_on": self.checked_on.isoformat(),
            "note": self.note,
        }


def _date(raw: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValueError(f"editions.yaml {where}: not a date: {raw!r}") from exc


@cache
def data_editions() -> dict[str, DataEdition]:
    """Every listed data file by path; raises ``ValueError`` on a malformed entry."""
    text = resources.files("decision_support.data").joinpath("editions.yaml").read_text("utf-8")
    editions = {}
    for path, raw in yaml.safe_load(text)["files"].items():
        edition = DataEdition(
            path=path,
            title=str(raw["title"]),
            valid_from=_date(raw["valid_from"], f"{path}.valid_from"),
            checked_on=_date(raw["checked_on"], f"{path}.checked_on"),
            valid_to=_date(raw["valid_to"], f"{path}.valid_to") if raw.get("valid_to") else None,
            note=" ".join(str(raw.get("note", "")).split()),
        )
        if edition.valid_to is not None and edition.valid_to < edition.valid_from:
            raise ValueError(f"editions.yaml {path}: valid_to is before valid_from")
        editions[path] = edition
    return editions


def data_edition(path: str) -> DataEdition:
    """The edition of one data file (``KeyError`` if it is not listed)."""
    return data_editions()[path]
