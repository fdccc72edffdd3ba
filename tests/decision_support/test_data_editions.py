"""Every shipped data file says how current it is, and every figure in the reference
data carries a source or an unverified / estimate label."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import yaml

from decision_support.data.editions import data_edition, data_editions
from decision_support.finance.fiscal import debt_rule_presets
from rules.criteria_pack import load_criteria_pack

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "decision_support" / "data"
TODAY = date(2026, 12, 3)


def _shipped_data_files() -> set[str]:
    found = set()
    for pattern in ("*.yaml", "*.csv", "project_library/*.yaml", "project_library/*.csv"):
        for path in DATA.glob(pattern):
            if path.name != "editions.yaml":
                found.add(path.relative_to(REPO).as_posix())
    for path in (REPO / "rules" / "criteria").glob("*.yaml"):
        found.add(path.relative_to(REPO).as_posix())
    return found


def test_every_data_file_is_listed_with_its_dates() -> None:
    editions = data_editions()
    assert set(editions) == _shipped_data_files()
    for edition in editions.values():
        assert (REPO / edition.path).is_file(), edition.path
        assert edition.checked_on <= max(TODAY, date.today()), edition.path
        assert edition.valid_to is None or edition.valid_to >= edition.valid_from
        assert edition.as_dict()["checked_on"] == edition.checked_on.isoformat()


def test_files_revised_in_this_review_say_so() -> None:
    for path in (
        "decision_support/data/financing_mechanisms.yaml",
        "decision_support/data/debt_rule_presets.yaml",
        "decision_support/data/u4ssc_reference_targets.csv",
        "rules/criteria/ict-criteria.yaml",
    ):
        assert data_edition(path).checked_on == TODAY, path


def test_every_financing_figure_has_a_status_and_sourced_ones_a_url() -> None:
    catalogue = yaml.safe_load((DATA / "financing_mechanisms.yaml").read_text("utf-8"))
    for mechanism in catalogue["mechanisms"]:
        sources = mechanism["sources"]
        assert sources["default"]["status"] in {"sourced", "unverified", "estimate"}
        for name, provenance in sources.items():
            assert provenance["status"] in {"sourced", "unverified", "estimate"}, name
            if provenance["status"] == "sourced":
                assert provenance["url"].startswith("http"), (mechanism["id"], name)


@pytest.mark.parametrize("mechanism_id", ["cef_grant", "elena_grant", "investeu_loan", "rrf_grant"])
def test_eu_programmes_are_in_the_catalogue_with_a_legal_source(mechanism_id: str) -> None:
    catalogue = yaml.safe_load((DATA / "financing_mechanisms.yaml").read_text("utf-8"))
    [mechanism] = [m for m in catalogue["mechanisms"] if m["id"] == mechanism_id]
    assert mechanism["sources"]["default"]["url"].startswith("https://")


def test_ibrd_commitment_fee_is_recorded() -> None:
    catalogue = yaml.safe_load((DATA / "financing_mechanisms.yaml").read_text("utf-8"))
    [wb] = [m for m in catalogue["mechanisms"] if m["id"] == "world_bank_loan"]
    assert "commitment fee of 0.25 %" in wb["sources"]["issuance_cost"]["note"]


def test_every_debt_preset_has_a_source_and_a_status() -> None:
    presets = debt_rule_presets()
    for key in ("spain_trlrhl_53", "italy_tuel_204", "uk_prudential_code"):
        assert key in presets
    for key in ("germany_state_codes", "norway_kommuneloven"):
        assert key in presets
    for rules in presets.values():
        assert rules.status in {"sourced", "unverified", "estimate"}, rules.preset
        assert rules.url and rules.url.startswith("http"), rules.preset
        assert rules.url.rstrip("/") != "https://www.saskatchewan.ca", rules.preset
        assert rules.note, rules.preset
    assert presets["spain_trlrhl_53"].max_debt_stock_ratio == 0.75
    # presets without a national ratio must not pretend to have one
    for key in ("italy_tuel_204", "uk_prudential_code", "germany_state_codes"):
        rules = presets[key]
        assert rules.max_debt_service_ratio is None and rules.max_debt_stock_ratio is None


def test_every_reference_target_has_a_source_or_says_why_not() -> None:
    with (DATA / "u4ssc_reference_targets.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["target"]:
            assert row["source"].strip(), row["code"]
        else:
            assert row["note"].startswith("no benchmark"), row["code"]
    yes_no = [r for r in rows if r["target"] == "yes"]
    assert yes_no and all("tool's choice" in (r["source"] + r["note"]) for r in yes_no)
    assert not [r for r in rows if "2009/72/EC Annex I" in r["source"]]
    assert not [r for r in rows if r["source"].startswith("Council Directive 91/271/EEC")]


def test_every_ict_criterion_cites_a_source() -> None:
    for criterion in load_criteria_pack().criteria:
        assert criterion.sources, criterion.id
        for source in criterion.sources:
            assert source.ref and source.url.startswith("http"), criterion.id


def test_ict_criteria_carry_the_2026_dates() -> None:
    by_id = {c.id: c for c in load_criteria_pack().criteria}
    assert "2 Dec 2027" in by_id["ICT-AI-02"].condition
    assert "2 Aug 2028" in by_id["ICT-AI-02"].condition
    assert "26 Apr 2027" in by_id["ICT-ACC-US"].condition
    assert any("91 FR 20902" in s.ref and not s.unverified for s in by_id["ICT-ACC-US"].sources)


def test_the_ai_act_dates_cite_the_amending_regulation() -> None:
    by_id = {c.id: c for c in load_criteria_pack().criteria}
    sources = by_id["ICT-AI-02"].sources
    [amending] = [s for s in sources if "2026/1744" in s.ref]
    assert "Art. 113" in amending.ref and "eur-lex.europa.eu" in amending.url
    assert amending.unverified  # the Official Journal text was not read
    assert any("Council" in s.ref and "29 Jun 2026" in s.ref for s in sources)
