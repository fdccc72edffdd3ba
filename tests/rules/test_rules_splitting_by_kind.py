"""The anti-splitting check per kind of award: concessions are added up among
themselves under the concessions pack, framework call-offs are left out."""

from __future__ import annotations

from rules.rule_pack import load_pack, route_pack
from rules.valuation import check_splitting, check_splitting_by_kind


def test_concessions_and_call_offs_are_not_added_to_public_contracts(eu2026, make_contract):
    contracts = [
        make_contract(id="A", estimated_value=120_000.0, cpv="72212000"),
        make_contract(id="B", estimated_value=120_000.0, cpv="72310000", concession=True),
        make_contract(id="C", estimated_value=120_000.0, cpv="72500000", call_off=True),
    ]
    concessions = load_pack("eu-concessions-2026")
    assert len(check_splitting(contracts, eu2026)) == 1  # all three as one kind
    assert check_splitting_by_kind(contracts, eu2026, concessions) == []


def test_concessions_are_grouped_under_the_concession_threshold(eu2026, make_contract):
    contracts = [
        make_contract(id="K1", estimated_value=3_000_000.0, cpv="60100000", concession=True),
        make_contract(id="K2", estimated_value=3_000_000.0, cpv="60200000", concession=True),
    ]
    concessions = route_pack(eu2026, "concession", contracts[0].notice_date)
    assert concessions.id == "eu-concessions-2026"
    # each is above the services threshold, so the public-contracts check is silent
    assert check_splitting(contracts, eu2026) == []
    [warning] = check_splitting_by_kind(contracts, eu2026, concessions)
    assert warning.contract_ids == ("K1", "K2")
    assert warning.threshold == concessions.threshold_for("services", "sub-central").value
    assert warning.threshold > 5_000_000
