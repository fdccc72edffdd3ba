"""Pack editions and currency: validity and checked dates, the default pack for a date,
routing concessions, the World Bank editions, the Uniform Guidance pack for US cities,
standstill exemptions and the anti-splitting heuristic label."""

from __future__ import annotations

from datetime import date

import pytest

from rules.assessment import assess
from rules.rule_pack import (
    available_packs,
    load_pack,
    pack_citations,
    route_pack,
    select_pack,
)
from rules.valuation import check_splitting

TODAY = date(2026, 12, 3)  # the date these packs were last checked


def _families() -> set[tuple[str, str]]:
    packs = available_packs()
    return {(p.family, p.contract_kind) for p in packs} | {
        (p.jurisdiction, p.contract_kind) for p in packs
    }


def test_every_shipped_pack_says_when_its_figures_were_checked() -> None:
    for pack in available_packs():
        assert pack.checked_on is not None, pack.id
        assert pack.checked_on >= pack.valid_from or pack.valid_to is not None, pack.id
        assert pack.dates()["checked_on"] == pack.checked_on.isoformat()


@pytest.mark.parametrize("day", [TODAY, date.today()])
def test_no_expired_pack_is_the_default_for_the_day(day: date) -> None:
    for name, kind in _families():
        chosen = select_pack(name, day, contract_kind=kind)
        assert chosen.valid_to is None or chosen.valid_to >= day, (name, kind, chosen.id)


def test_an_expired_pack_would_be_caught(tmp_path) -> None:
    (tmp_path / "zz-2020.yaml").write_text(
        "schema_version: 1\nid: zz-2020\nextends: eu-2026\njurisdiction: ZZ\n"
        'valid_from: "2020-01-01"\nvalid_to: "2021-12-31"\n',
        encoding="utf-8",
    )
    chosen = select_pack("zz", TODAY, search_dirs=[tmp_path])
    assert chosen.valid_to is not None and chosen.valid_to < TODAY  # what the test above forbids


def test_every_figure_has_a_citation_or_an_estimate_basis() -> None:
    for pack in available_packs():
        for citation in pack_citations(pack):
            assert citation.ref.strip() and citation.url.startswith("http"), pack.id
        for proc in pack.procedures:
            for step in proc.steps:
                assert (step.min_days is not None and step.citation is not None) or (
                    step.typical_days is not None and step.estimate is not None
                ), (pack.id, proc.id, step.id)
        for review in pack.prior_review:
            assert review.citation.ref, (pack.id, review.id)


def test_world_bank_editions_are_separate_packs_picked_by_date() -> None:
    old = load_pack("world-bank", on=date(2020, 6, 1))
    new = load_pack("world-bank", on=TODAY)
    assert (old.id, new.id) == ("world-bank-2016", "world-bank-2025")
    assert old.valid_to == date(2025, 8, 31) and new.valid_from == date(2025, 9, 1)
    assert "Seventh" in new.edition
    assert new.standstill is not None
    assert (new.standstill.days, new.standstill.day_kind) == (10, "working")
    international = new.procedure("rfb-open-international").steps[0]
    assert (international.min_days, international.day_kind) == (30, "working")
    assert international.citation is not None and international.citation.unverified


def test_world_bank_prior_review_depends_on_the_risk_rating(make_contract) -> None:
    pack = load_pack("world-bank-2025")
    works = assess(make_contract(category="works", estimated_value=12_000_000.0), pack)
    [warning] = [w for w in works.warnings if "Prior review" in w]
    assert "high" in warning and "substantial" not in warning and "unverified" in warning
    small = assess(make_contract(category="supplies", estimated_value=500_000.0), pack)
    assert not [w for w in small.warnings if "Prior review" in w]


@pytest.mark.parametrize(
    ("value", "regime", "procedure"),
    [
        (10_000.0, "micro-purchase", "micro-purchase"),
        (15_000.0, "micro-purchase", "micro-purchase"),
        (100_000.0, "below-threshold", "small-purchase"),
        (350_000.0, "below-threshold", "small-purchase"),
        (350_001.0, "standard", "sealed-bids"),
    ],
)
def test_us_cities_follow_the_uniform_guidance(make_contract, value, regime, procedure) -> None:
    pack = load_pack("us", on=TODAY)
    assert pack.id == "us-uniform-guidance"
    result = assess(make_contract(estimated_value=value), pack)
    assert (result.regime, result.recommended.id) == (regime, procedure)
    assert result.standstill_days == 0  # 2 CFR 200 has no standstill


def test_the_far_pack_says_it_is_for_federal_agencies() -> None:
    far = load_pack("us-federal")
    assert "federal agencies" in far.title.lower()
    assert far.audience == "federal-agencies"
    refs = [c.ref for c in pack_citations(far)]
    assert any(ref.startswith("RFO FAR") for ref in refs)
    # a reference still in the pre-overhaul numbering says so
    assert all("RFO" in ref or "pre-overhaul" in ref or "2.101" in ref for ref in refs)


def test_a_concession_is_routed_to_the_concessions_directive(make_contract) -> None:
    contract = make_contract(estimated_value=8_000_000.0, concession=True)
    pack = route_pack(load_pack("eu", on=contract.notice_date), "concession", contract.notice_date)
    assert pack.id == "eu-concessions-2026"
    assert load_pack("eu", on=TODAY, contract_kind="concession").id == pack.id
    result = assess(contract, pack)
    assert result.threshold.value == 5_404_000
    assert result.min_days["tender_submission"] == 25  # 30 days, minus 5 for e-submission
    assert not [w for w in result.warnings if "no concession pack" in w]
    below = assess(make_contract(estimated_value=5_000_000.0, concession=True), pack)
    assert below.regime == "below-threshold"


def test_a_concession_without_a_concession_pack_is_flagged(make_contract) -> None:
    contract = make_contract(concession=True)
    pack = route_pack(load_pack("uk-2026"), "concession", contract.notice_date)
    assert pack.id == "uk-2026"
    result = assess(contract, pack)
    assert any("no concession pack" in w for w in result.warnings)


def test_utilities_remedies_cite_directive_92_13(make_contract, eu2026) -> None:
    utility = assess(make_contract(authority="utility", estimated_value=500_000.0), eu2026)
    public = assess(make_contract(estimated_value=500_000.0), eu2026)
    assert utility.standstill_citation is not None and public.standstill_citation is not None
    assert "92/13/EEC" in utility.standstill_citation.ref
    assert "89/665/EEC" in public.standstill_citation.ref
    assert any("92/13/EEC" in c.ref for c in utility.citations)


@pytest.mark.parametrize("pack_id", ["eu-2026", "uk-2026"])
def test_a_framework_call_off_skips_the_standstill(make_contract, pack_id) -> None:
    pack = load_pack(pack_id)
    normal = assess(make_contract(estimated_value=500_000.0), pack)
    call_off = assess(make_contract(estimated_value=500_000.0, call_off=True), pack)
    assert normal.standstill_days > 0
    assert call_off.standstill_days == 0
    assert call_off.earliest_signature == call_off.award_decision
    assert any("framework" in w.lower() for w in call_off.warnings)


def test_anti_splitting_is_labelled_as_the_tools_heuristic(make_contract, eu2026) -> None:
    contracts = [
        make_contract(id=f"c{i}", estimated_value=90_000.0, cpv="72000000-5") for i in range(3)
    ]
    [warning] = check_splitting(contracts, eu2026)
    assert "heuristic" in warning.message
    assert warning.heuristic.startswith("Tool heuristic")
    assert warning.citation is not None and "Art. 5(3)" in warning.citation.ref
    assert "prohibition" in warning.citation.ref
    assert warning.as_dict()["heuristic"] == warning.heuristic


@pytest.mark.parametrize(
    ("day", "pack_id", "threshold"),
    [
        (date(2025, 6, 2), "eu-concessions-2024", 5_538_000),
        (date(2026, 6, 1), "eu-concessions-2026", 5_404_000),
    ],
)
def test_the_concession_pack_follows_the_date(make_contract, day, pack_id, threshold) -> None:
    contract = make_contract(estimated_value=5_450_000.0, concession=True, notice_date=day)
    pack = route_pack(load_pack("eu", on=day), "concession", day)
    assert pack.id == pack_id
    result = assess(contract, pack)
    assert result.threshold.value == threshold
    assert result.above_threshold is (threshold < 5_450_000)
