"""What a user hands the ICT checker: a tender description (YAML or JSON) or any
OCDS document (release, record or package), read into tender descriptions.

It sits above both readers (:mod:`rules.tender` for descriptions,
:mod:`rules.ocds_import` for OCDS), so that neither imports the other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from rules.errors import TenderInputError
from rules.ocds_import import tenders_from_ocds
from rules.rule_pack import parse_yaml
from rules.tender import TenderDescription, tender_from_mapping


def _parse_document(text: str, name: str) -> Any:
    """JSON if it parses as JSON, else YAML (dates kept as strings)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise TenderInputError(
                f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from exc
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise TenderInputError(f"{name}: not valid YAML or JSON: {exc}") from exc


def is_ocds(data: Any) -> bool:
    """Whether a parsed document looks like OCDS (release, record or package)."""
    return isinstance(data, dict) and (
        "releases" in data or "records" in data or ("ocid" in data and "tag" in data)
    )


def read_tenders(text: str, name: str = "input") -> list[TenderDescription]:
    """Read a tender description or an OCDS document (one tender per contracting process)."""
    data = _parse_document(text, name)
    if is_ocds(data):
        return tenders_from_ocds(data)
    return [tender_from_mapping(data, name)]


def read_tender_file(path: Path | str) -> list[TenderDescription]:
    """Read a tender description or OCDS file from disk."""
    path = Path(path)
    return read_tenders(path.read_text(encoding="utf-8"), path.name)
