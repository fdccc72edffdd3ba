"""The OCDS record's own schema and data-quality problems, found by lib-cove-ocds.

A document as publishers ship it (a bare record or release, or a package) is first
put in a release package with ocdskit (``package_releases``: a record's full
releases, else its compiled release); data
without a ``version`` is OCDS 1.0 (the standard's rule) and is upgraded to 1.1 with
ocdskit's ``upgrade_10_11``, since only the 1.1.5 schema ships with the product.
Then :func:`rules.ocds_schema.libcove_problems` reviews it, offline.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ocdskit.combine import package_releases
from ocdskit.upgrade import upgrade_10_11

from decision_support.errors import Problem
from rules.ocds_schema import libcove_problems

UPGRADE_NOTE = "published as OCDS 1.0 (no version): reviewed after ocdskit's 1.0 → 1.1 upgrade"


def _latest_date(document: Mapping[str, Any]) -> str:
    candidates = [document.get("date")]
    compiled = document.get("compiledRelease")
    if isinstance(compiled, Mapping):
        candidates.append(compiled.get("date"))
    for release in document.get("releases") or []:
        if isinstance(release, Mapping):
            candidates.append(release.get("date"))
    dated = sorted(str(d) for d in candidates if isinstance(d, str) and d)
    return dated[-1] if dated else ""


def _releases_of(record: Mapping[str, Any]) -> list[Any]:
    """A record's full releases, else its compiled release (a record package would
    need the versioned-release schema fetched over the network by lib-cove)."""
    embedded = [r for r in record.get("releases") or [] if isinstance(r, Mapping) and "tag" in r]
    if embedded:
        return embedded
    compiled = record.get("compiledRelease")
    return [compiled] if isinstance(compiled, Mapping) else []


def as_package(data: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The document as a release or record package (OCDS 1.1), and whether it was
    upgraded from 1.0.

    A bare record or release is wrapped by ocdskit; its package's ``uri`` is a local
    ``urn:`` and its ``publishedDate`` the record's latest date (so that packaging
    adds no problem of its own), and a record-level ``publisher`` moves to the package.
    """
    document = copy.deepcopy(dict(data))
    is_record = "releases" in document and any(
        key in document for key in ("ocid", "compiledRelease", "versionedRelease")
    )
    if "records" in document or ("releases" in document and not is_record):
        package = document
    elif is_record or "ocid" in document:
        publisher = document.pop("publisher", None)
        ocid = document.get("ocid") or (document.get("compiledRelease") or {}).get("ocid", "")
        package = package_releases(
            _releases_of(document) if is_record else [document],
            uri=f"urn:ocds-review:{ocid or 'record'}",
            publisher=publisher if isinstance(publisher, dict) else None,
            published_date=_latest_date(document),
            version="1.0",
        )
    else:
        return document, False
    upgraded = package.get("version", "1.0") == "1.0"
    if upgraded:
        package = dict(upgrade_10_11(package, reorder=False))
    return package, upgraded


def review_document(data: Mapping[str, Any]) -> list[Problem]:
    """lib-cove-ocds's findings for an OCDS document (with a note when upgraded)."""
    package, upgraded = as_package(data)
    problems = libcove_problems(package)
    return [Problem(UPGRADE_NOTE, field="version"), *problems] if upgraded else problems
