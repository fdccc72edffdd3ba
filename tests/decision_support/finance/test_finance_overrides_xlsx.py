"""XLSX round trip of a city's mechanism settings, and located errors."""

from __future__ import annotations

import io

import openpyxl
import pytest

from decision_support.finance.mechanisms import (
    MechanismError,
    MechanismSetting,
    apply_city_settings,
    load_mechanisms,
)
from decision_support.finance.overrides_xlsx import (
    COLUMNS,
    SHEET,
    read_overrides_xlsx,
    write_overrides_xlsx,
)


def column(name):
    return COLUMNS.index(name) + 1


def edit(data, changes):
    """Apply {(row, column name): value} to the workbook bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[SHEET]
    for (row, name), value in changes.items():
        sheet.cell(row=row, column=column(name) if isinstance(name, str) else name, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(mechanism_id):
    ids = [m.id for m in load_mechanisms()]
    return ids.index(mechanism_id) + 2


def test_untouched_workbook_means_no_overrides():
    catalogue = load_mechanisms()
    settings = read_overrides_xlsx(write_overrides_xlsx(catalogue), catalogue)
    assert len(settings) == len(catalogue)
    assert all(s.enabled and not s.overrides for s in settings)


def test_edits_become_overrides_and_apply():
    catalogue = load_mechanisms()
    data = edit(
        write_overrides_xlsx(catalogue),
        {
            (row_of("go_bond"), "interest_rate"): 0.031,
            (row_of("go_bond"), "tenor_years"): 30,
            (row_of("eib_loan"), "max_deal"): 80_000_000,
            (row_of("civic_bond"), "max_deal"): "none",
            (row_of("civic_bond"), "eligible_tags"): "green, social, innovation",
            (row_of("lease_purchase"), "enabled"): "no",
        },
    )
    settings = {s.mechanism_id: s for s in read_overrides_xlsx(data, catalogue)}
    assert settings["go_bond"].overrides == {"interest_rate": 0.031, "tenor_years": 30}
    assert settings["civic_bond"].overrides == {
        "max_deal": None,
        "eligible_tags": ["green", "innovation", "social"],
    }
    assert not settings["lease_purchase"].enabled
    applied = apply_city_settings(catalogue, list(settings.values()))
    assert applied.get("go_bond").tenor_years == 30
    assert applied.get("eib_loan").max_deal == 80_000_000
    assert applied.get("civic_bond").max_deal is None


def test_writer_reflects_effective_values_and_neutralises_formulas():
    catalogue = apply_city_settings(
        load_mechanisms(), [MechanismSetting("go_bond", overrides={"interest_rate": 0.029})]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(write_overrides_xlsx(catalogue)))[SHEET]
    assert sheet.cell(row=row_of("go_bond"), column=column("interest_rate")).value == 0.029
    assert sheet.cell(row=row_of("eib_loan"), column=column("enabled")).value == "no"
    assert [c.value for c in sheet[1]] == list(COLUMNS)


def test_every_bad_cell_is_located_and_nothing_is_applied():
    catalogue = load_mechanisms()
    data = edit(
        write_overrides_xlsx(catalogue),
        {
            (row_of("go_bond"), "interest_rate"): "cheap",
            (row_of("go_bond"), "tenor_years"): 12.5,
            (row_of("eib_loan"), "enabled"): "maybe",
            (row_of("civic_bond"), "id"): "unknown_bond",
        },
    )
    with pytest.raises(MechanismError) as caught:
        read_overrides_xlsx(data, catalogue)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert located == {
        (row_of("go_bond"), column("interest_rate")),
        (row_of("go_bond"), column("tenor_years")),
        (row_of("eib_loan"), column("enabled")),
        (row_of("civic_bond"), column("id")),
    }


def test_domain_rule_problems_are_located():
    catalogue = load_mechanisms()
    data = edit(
        write_overrides_xlsx(catalogue),
        {
            (row_of("go_bond"), "grace_years"): 40,
            (row_of("eib_loan"), "max_share"): 1.5,
            (row_of("civic_bond"), "eligible_tags"): "green, shiny",
        },
    )
    with pytest.raises(MechanismError) as caught:
        read_overrides_xlsx(data, catalogue)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert (row_of("go_bond"), column("grace_years")) in located
    assert (row_of("eib_loan"), column("max_share")) in located
    assert (row_of("civic_bond"), column("eligible_tags")) in located


def test_header_problems():
    catalogue = load_mechanisms()
    data = edit(write_overrides_xlsx(catalogue), {(1, 3): "switch", (1, 25): "colour"})
    with pytest.raises(MechanismError) as caught:
        read_overrides_xlsx(data, catalogue)
    messages = [str(p) for p in caught.value.problems]
    assert any("unknown column 'colour'" in m for m in messages)
    assert any("missing required column 'enabled'" in m for m in messages)


def test_not_a_workbook():
    with pytest.raises(MechanismError, match="xlsx"):
        read_overrides_xlsx(b"plain text", load_mechanisms())
