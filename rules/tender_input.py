"""What a user hands the ICT checker: a tender description (YAML or JSON) or any
OCDS document (release, record or package), read into tender descriptions.

It sits above both readers (:mod:`rules.tender` for descriptions,
:mod:`rules.ocds_import` for OCDS), so that neither imports the other. Parsing goes
through the bounded loader of :mod:`decision_support.files.documents`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from decision_support.errors import Problem
from decision_support.files.documents import DocumentError, load_document, read_bounded_bytes
from rules.errors import TenderInputError
from rules.ocds_import import tenders_from_ocds
from rules.tender import TenderDescription, tender_from_mapping


def parse_tender_input(text: str | bytes, name: str = "input") -> Any:
    """JSON if it starts like JSON, else YAML (dates kept as strings)."""
    head = text[:64] if isinstance(text, str) else text[:64].decode("utf-8", "ignore")
    kind: Literal["json", "yaml"] = (
        "json" if head.lstrip().lstrip("\ufeff").startswith(("{", "[")) else "yaml"
    )
    try:
        return load_document(text, source=name, format=kind, dates_as_text=True)
    except DocumentError as exc:
        raise TenderInputError(exc.problems) from None


def is_ocds(data: Any) -> bool:
    """Whether a parsed document looks like OCDS (release, record or package)."""
    return isinstance(data, dict) and (
        "releases" in data or "records" in data or ("ocid" in data and "tag" in data)
    )


def tenders_from_input(data: Any, name: str = "input") -> list[TenderDescription]:
    """The tenders of a parsed description or OCDS document (one per contracting process)."""
    if is_ocds(data):
        try:
            return tenders_from_ocds(data)
        except TenderInputError as exc:
            raise TenderInputError(
                [Problem(f"{name}: {p.message}", p.row, p.column, p.field) for p in exc.problems]
            ) from None
    return [tender_from_mapping(data, name)]


def read_tenders(text: str | bytes, name: str = "input") -> list[TenderDescription]:
    """Read a tender description or an OCDS document (one tender per contracting process)."""
    return tenders_from_input(parse_tender_input(text, name), name)


def read_tender_input_file(path: Path | str) -> Any:
    """The parsed document of a tender description or OCDS file (size-checked first)."""
    path = Path(path)
    return parse_tender_input(read_bounded_bytes(path), path.name)


def read_tender_file(path: Path | str) -> list[TenderDescription]:
    """Read a tender description or OCDS file from disk (size-checked first)."""
    return tenders_from_input(read_tender_input_file(path), Path(path).name)
