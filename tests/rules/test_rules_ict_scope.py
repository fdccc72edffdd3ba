"""The ICT scope gate: CPV codes cited by their CPV 2008 titles in the criteria pack."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rules.checker import ict_scope
from rules.criteria_pack import load_criteria_pack
from rules.tender import TenderDescription


def _tender(*cpv: str) -> TenderDescription:
    return TenderDescription(title="t", cpv=cpv)


@pytest.mark.parametrize(
    ("code", "ict", "named"),
    [
        ("30213100-6", True, "302: Computer equipment and supplies"),
        ("32412100-5", True, "32: Radio, television, communication"),
        ("48810000-9", True, "48: Software package and information systems"),
        ("72267000-4", True, "72: IT services"),
        ("64210000-1", True, "642: Telecommunications services"),
        ("50312000-5", True, "estimate: also covers the repair of office equipment"),
        ("51610000-1", True, "516: Installation services of computers"),
        ("30192000-1", False, "outside the ICT CPV codes 302, 32, 48, 72, 642"),
        ("45316100-6", False, "outside the ICT CPV codes"),
        ("70310000-7", False, "outside the ICT CPV codes"),
    ],
)
def test_cpv_codes_in_and_out_of_the_ict_scope(code, ict, named) -> None:
    in_scope, reason = ict_scope(_tender(code))
    assert in_scope is ict
    assert named in reason


def test_the_scope_list_is_cited_and_marked_where_it_is_a_judgement() -> None:
    pack = load_criteria_pack()
    assert pack.ict_source is not None and "213/2008" in pack.ict_source.ref
    assert pack.ict_source.unverified  # titles checked against a copy, not the Regulation
    assert {c.prefix for c in pack.ict_codes if c.estimate} == {"503", "516"}
    assert all(c.title for c in pack.ict_codes)


def test_a_criteria_pack_without_a_scope_uses_the_shipped_one() -> None:
    own = replace(load_criteria_pack(), ict_codes=(), ict_source=None)
    assert ict_scope(_tender("72000000-5"), criteria=own)[0] is True
    assert ict_scope(_tender("30192000-1"), criteria=own)[0] is False
