"""Rule packs: loading, schema errors with file and YAML path, selection by date, extension."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rules.errors import RulePackError, UnknownPackError
from rules.rule_pack import AUTHORITIES, CATEGORIES, available_packs, load_pack, select_pack

SHIPPED = {
    "eu-2024",
    "eu-2026",
    "eu-concessions-2024",
    "eu-concessions-2026",
    "uk-2026",
    "us-federal",
    "us-uniform-guidance",
    "world-bank-2016",
    "world-bank-2025",
}


def test_every_shipped_pack_loads_and_covers_every_category_and_authority() -> None:
    packs = {p.id: p for p in available_packs()}
    assert set(packs) == SHIPPED
    for pack in packs.values():
        for category in CATEGORIES:
            for authority in AUTHORITIES:
                assert pack.threshold_for(category, authority).citation.url.startswith("http")


def test_every_statutory_number_has_a_citation() -> None:
    for pack in available_packs():
        for proc in pack.procedures:
            for step in proc.steps:
                if step.min_days is not None:
                    assert step.citation is not None, (pack.id, proc.id, step.id)
                else:
                    assert step.estimate is not None, (pack.id, proc.id, step.id)
                for reduction in step.reductions:
                    assert reduction.citation.ref


def test_unverified_facts_are_labelled() -> None:
    pack = load_pack("eu-2026")
    unverified = [
        c
        for p in pack.procedures
        for s in p.steps
        for c in [s.citation, *(r.citation for r in s.reductions)]
        if c is not None and c.unverified
    ]
    assert unverified  # e.g. CPN initial tenders (Art. 29(1)) is marked unverified
    assert not pack.threshold_for("services", "sub-central").citation.unverified


def test_eu_2024_inherits_procedures_and_overrides_thresholds(eu2024, eu2026) -> None:
    assert eu2024.extends == "eu-2026"
    assert eu2024.threshold_for("services", "sub-central").value == 221_000
    assert eu2026.threshold_for("services", "sub-central").value == 216_000
    assert [p.id for p in eu2024.procedures] == [p.id for p in eu2026.procedures]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), "eu-2024"),
        (date(2025, 12, 31), "eu-2024"),
        (date(2026, 1, 1), "eu-2026"),
        (date(2027, 12, 31), "eu-2026"),
        (date(2028, 6, 1), "eu-2026"),  # newest pack that started before
        (date(2016, 6, 1), "eu-2024"),  # before every pack: the oldest
    ],
)
def test_date_picks_the_pack_within_a_jurisdiction(day: date, expected: str) -> None:
    assert select_pack("eu", day).id == expected
    assert load_pack("EU", on=day).id == expected


def test_unknown_pack_names_the_known_ones() -> None:
    with pytest.raises(UnknownPackError, match="known: eu-2024"):
        load_pack("atlantis")


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_error_gives_file_and_yaml_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad-pack.yaml",
        """schema_version: 1
id: bad-pack
extends: eu-2026
title: Bad
jurisdiction: EU
currency: EUR
vat: excluded
valid_from: "2026-01-01"
thresholds:
  - id: X
    categories: [works]
    authorities: [central]
    value: -5
    citation: {ref: "x", url: "https://example.org"}
""",
    )
    with pytest.raises(RulePackError) as info:
        load_pack(str(path))
    error = info.value
    assert error.source == str(path)
    fields = {p.field for p in error.problems}
    assert "thresholds[0].value" in fields
    assert str(path) in str(error)


def test_consistency_errors_are_all_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "gaps.yaml",
        """schema_version: 1
id: gaps
extends: eu-2026
title: Gaps
jurisdiction: Testland
currency: EUR
vat: included
valid_from: "2026-01-01"
valid_to: "2025-01-01"
thresholds:
  - id: ONLY-WORKS
    categories: [works]
    authorities: [central, sub-central, utility]
    value: 100
    citation: {ref: "x", url: "https://example.org"}
""",
    )
    with pytest.raises(RulePackError) as info:
        load_pack(str(path))
    messages = " | ".join(p.message for p in info.value.problems)
    assert "valid_to is before valid_from" in messages
    assert "vat_rate" in messages
    assert "no threshold for supplies / central" in messages


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", "id: [unclosed\n")
    with pytest.raises(RulePackError, match="line"):
        load_pack(str(path))


def test_a_city_adds_its_national_below_threshold_pack(tmp_path: Path, make_contract) -> None:
    _write(
        tmp_path,
        "eu-2026-testcity.yaml",
        """schema_version: 1
id: eu-2026-testcity
extends: eu-2026
title: EU 2026 with Testland below-threshold rules
jurisdiction: Testland
currency: EUR
vat: excluded
valid_from: "2026-01-01"
valid_to: "2027-12-31"
procedures:
  - id: open
    name: Open procedure
    ocds_method: open
    regimes: [standard]
    authorities: [central, sub-central, utility]
    condition: Always available
    citation: {ref: "Dir. 2014/24/EU Art. 27", url: "https://eur-lex.europa.eu/"}
    steps:
      - id: tender_submission
        min_days: 35
        citation: {ref: "Art. 27(1)", url: "https://eur-lex.europa.eu/"}
  - id: national-open
    name: Testland national open procedure
    ocds_method: open
    regimes: [below-threshold]
    authorities: [central, sub-central, utility]
    condition: Testland Procurement Code s.12
    citation: {ref: "Testland Procurement Code s.12", url: "https://example.org/code"}
    steps:
      - id: tender_submission
        min_days: 14
        citation: {ref: "Testland Procurement Code s.13", url: "https://example.org/code"}
recommendation:
  - {procedure: open, when: [], reason: default}
  - {procedure: national-open, when: [], reason: below threshold}
""",
    )
    from rules.assessment import assess

    pack = load_pack("testland", on=date(2026, 5, 1), search_dirs=[tmp_path])
    assert pack.id == "eu-2026-testcity"
    result = assess(make_contract(estimated_value=100_000), pack)
    assert not result.above_threshold
    assert result.recommended.id == "national-open"
    assert result.min_days == {"tender_submission": 14}


def test_missing_pack_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownPackError, match="does not exist"):
        available_packs([tmp_path / "nope"])
