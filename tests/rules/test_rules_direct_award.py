"""Awards without competition examined against the pack's declared grounds
(Dir. 2014/24/EU Art. 32 in the EU packs): the stated ground, its scope and its
conditions' facts give pass, fail or needs information, always with the article."""

from __future__ import annotations

import pytest

from rules.checker import check_tender
from rules.direct_award import StatedRationale, examine_direct_award, stated_grounds
from rules.ocds_import import tenders_from_ocds
from rules.tender import tender_from_mapping


def _all_facts(pack, ground_id: str, value: bool = True) -> dict[str, bool]:
    ground = next(g for g in pack.direct_award_grounds if g.id == ground_id)
    return {c.fact: value for c in ground.conditions}


def _category(ground) -> str:
    return ground.categories[0] if ground.categories else "services"


def test_eu_packs_list_the_art_32_grounds(eu2026, eu2024) -> None:
    refs = [g.citation.ref for g in eu2026.direct_award_grounds]
    for paragraph in ("32(2)(a)", "32(2)(b)(i)", "32(2)(b)(ii)", "32(2)(b)(iii)", "32(2)(c)"):
        assert any(paragraph in ref for ref in refs), paragraph
    for paragraph in ("32(3)(a)", "32(3)(b)", "32(3)(c)", "32(3)(d)", "32(4)", "32(5)"):
        assert any(paragraph in ref for ref in refs), paragraph
    assert eu2024.direct_award_grounds == eu2026.direct_award_grounds  # inherited


def test_every_ground_passes_only_with_all_its_facts(eu2026) -> None:
    for ground in eu2026.direct_award_grounds:
        base = {"ground_id": ground.id, "category": _category(ground), "authority": "sub-central"}
        answer = examine_direct_award(
            eu2026, StatedRationale(**base, facts=_all_facts(eu2026, ground.id))
        )
        assert answer.status == "pass", ground.id
        assert ground.citation.ref in answer.message
        first, *rest = ground.conditions
        denied = {**_all_facts(eu2026, ground.id), first.fact: False}
        answer = examine_direct_award(eu2026, StatedRationale(**base, facts=denied))
        assert answer.status == "fail" and first.question in answer.message, ground.id
        partial = {c.fact: True for c in rest}
        answer = examine_direct_award(eu2026, StatedRationale(**base, facts=partial))
        assert answer.status == "unknown" and answer.missing_facts == (first.fact,), ground.id


@pytest.mark.parametrize(
    ("text", "ground"),
    [
        ("Art. 32(2)(c) extreme urgency after the flood", "extreme-urgency"),
        ("Only one supplier for technical reasons (Art. 32 (2) (b) (ii))", "technical-reasons"),
        ("Art. 32(2)(b) exclusive rights of the licensor", "exclusive-rights"),
        ("Article 32(3)(b): additional deliveries of the same meters", "additional-deliveries"),
        ("Extreme urgency: the bridge collapsed", "extreme-urgency"),
    ],
)
def test_the_stated_ground_is_found_by_its_article_or_the_laws_name(eu2026, text, ground):
    assert [g.id for g in stated_grounds(eu2026, StatedRationale(text=text))] == [ground]


def test_a_classification_code_states_the_ground(eu2026) -> None:
    stated = StatedRationale(
        classifications=(("TED_PT_AWARD_CONTRACT_WITHOUT_CALL", "D_EXTREME_URGENCY"),)
    )
    assert [g.id for g in stated_grounds(eu2026, stated)] == ["extreme-urgency"]


def test_unclear_missing_or_misplaced_grounds(eu2026) -> None:
    ambiguous = examine_direct_award(eu2026, StatedRationale(text="see Art. 32(2)(b)"))
    assert ambiguous.status == "unknown" and "state which" in ambiguous.message
    vague = examine_direct_award(eu2026, StatedRationale(text="we trust this supplier"))
    assert vague.status == "unknown" and "Art. 32(2)(c)" in vague.message
    assert examine_direct_award(eu2026, StatedRationale()).status == "fail"
    unknown = examine_direct_award(eu2026, StatedRationale(ground_id="friendship"))
    assert unknown.status == "fail" and "not a ground of eu-2026" in unknown.message
    services = StatedRationale(
        ground_id="additional-deliveries",
        category="services",
        facts=_all_facts(eu2026, "additional-deliveries"),
    )
    answer = examine_direct_award(eu2026, services)
    assert answer.status == "fail"
    assert "Art. 32(3)(b) applies only to contract categories supplies" in answer.message
    utility = StatedRationale(
        ground_id="extreme-urgency",
        category="services",
        authority="utility",
        facts=_all_facts(eu2026, "extreme-urgency"),
    )
    assert examine_direct_award(eu2026, utility).status == "fail"


def test_a_pack_without_grounds_never_passes_a_justification(uk2026) -> None:
    answer = examine_direct_award(uk2026, StatedRationale(text="extreme urgency, Sch. 5 para 13"))
    assert answer.status == "unknown" and "lists no grounds" in answer.message
    assert examine_direct_award(uk2026, StatedRationale()).status == "fail"


def _direct_tender(**extra):
    return tender_from_mapping(
        {
            "title": "Emergency network repair",
            "category": "services",
            "authority": "sub-central",
            "value": 300_000,
            "procurement_method": "limited",
            **extra,
        }
    )


def test_checker_answers_with_the_article(eu2026) -> None:
    facts = _all_facts(eu2026, "extreme-urgency")
    stated = {"method_rationale": "Art. 32(2)(c): storm damage to the fibre ring"}
    ok = check_tender(_direct_tender(**stated, direct_award_facts=facts), eu2026)
    finding = next(f for f in ok.findings if f.criterion == "PROC-DIRECT")
    assert finding.status == "pass" and "Dir. 2014/24/EU Art. 32(2)(c)" in finding.message
    blamed = {**facts, "not_attributable_to_authority": False}
    bad = check_tender(_direct_tender(**stated, direct_award_facts=blamed), eu2026)
    finding = next(f for f in bad.findings if f.criterion == "PROC-DIRECT")
    assert finding.status == "fail" and "not attributable" in finding.message
    asked = check_tender(_direct_tender(direct_award_ground="exclusive-rights"), eu2026)
    finding = next(f for f in asked.findings if f.criterion == "PROC-DIRECT")
    assert (
        finding.status == "needs_information" and "[no_reasonable_alternative]" in finding.message
    )


def test_ocds_rationale_classifications_are_read(eu2026) -> None:
    release = {
        "ocid": "ocds-xxxxxx-1",
        "id": "1",
        "date": "2026-03-02T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {
            "id": "t",
            "title": "Licence renewal of the traffic control software",
            "mainProcurementCategory": "services",
            "procurementMethod": "limited",
            "procurementMethodRationale": "The licensor holds the copyright",
            "procurementMethodRationaleClassifications": [
                {"scheme": "TED_PT_AWARD_CONTRACT_WITHOUT_CALL", "id": "D_PROTECT_RIGHTS"}
            ],
            "value": {"amount": 250000, "currency": "EUR"},
        },
    }
    [tender] = tenders_from_ocds(release)
    assert tender.rationale_classifications == (
        ("TED_PT_AWARD_CONTRACT_WITHOUT_CALL", "D_PROTECT_RIGHTS"),
    )
    finding = next(f for f in check_tender(tender, eu2026).findings if f.criterion == "PROC-DIRECT")
    assert finding.status == "needs_information"
    assert "Art. 32(2)(b)(iii)" in finding.message and "[only_one_operator]" in finding.message
