"""World Bank market approach: without country figures the assessment says the choice
rests on the country's threshold table; a country's pack extending world-bank-2025
adds its thresholds (validated by the schema) and the engine then picks the approach.
Prior review names the risk ratings the pack ships no figure for."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.assessment import assess
from rules.errors import RulePackError
from rules.rule_pack import load_pack, pack_citations

COUNTRY_PACK = """\
schema_version: 1
id: world-bank-2025-xx
extends: world-bank-2025
title: "World Bank Regulations (2025) with a test country's thresholds"
jurisdiction: World Bank
currency: USD
vat: excluded
valid_from: "2025-09-01"
market_approach:
  country: "Testland"
  citation:
    ref: "Test country's Procurement Plan, thresholds table"
    url: "https://example.org/procurement-plan"
  international_from:
    - id: XX-WORKS
      categories: [works]
      min_value: {works}
      citation:
        ref: "Test country's Procurement Plan, works"
        url: "https://example.org/procurement-plan#works"
"""


def _country_pack(tmp_path: Path, works: str = "15000000", extra: str = "") -> Path:
    folder = tmp_path / "packs"
    folder.mkdir(exist_ok=True)
    (folder / "world-bank-2025-xx.yaml").write_text(
        COUNTRY_PACK.format(works=works) + extra, encoding="utf-8"
    )
    return folder


def test_without_country_figures_the_choice_is_said_to_rest_on_the_country_table(
    make_contract,
):
    result = assess(
        make_contract(category="works", estimated_value=20_000_000.0), load_pack("world-bank-2025")
    )
    [note] = [w for w in result.warnings if "market approach" in w]
    assert "depends on the thresholds the lender sets for the country" in note
    assert "no figure for works is shipped in world-bank-2025" in note
    assert "unverified" in note
    assert result.recommended.id == "rfb-open-international"


def test_a_country_pack_sets_the_international_threshold(tmp_path, make_contract):
    pack = load_pack("world-bank-2025-xx", search_dirs=[_country_pack(tmp_path)])
    assert pack.market_approach is not None and pack.market_approach.country == "Testland"
    assert pack.standstill == load_pack("world-bank-2025").standstill  # inherited
    above = assess(make_contract(category="works", estimated_value=15_000_000.0), pack)
    assert above.recommended.id == "rfb-open-international"
    assert any(w.startswith("Open international market approach") for w in above.warnings)
    below = assess(make_contract(category="works", estimated_value=14_999_999.0), pack)
    assert below.recommended.id == "rfb-open-national"
    assert any("Testland's threshold" in w and "15,000,000 USD" in w for w in below.warnings)
    goods = assess(make_contract(category="supplies", estimated_value=100_000.0), pack)
    assert any("no figure for supplies is shipped" in w for w in goods.warnings)
    refs = {c.ref for c in pack_citations(pack)}
    assert "Test country's Procurement Plan, works" in refs


@pytest.mark.parametrize(
    ("works", "extra", "expected"),
    [
        ("-1", "", "min_value"),
        (
            "1000",
            "    - id: XX-WORKS-2\n      categories: [works]\n      min_value: 5\n"
            "      citation: {ref: x, url: 'https://example.org'}\n",
            "already has a market-approach threshold",
        ),
    ],
)
def test_bad_country_thresholds_are_refused(tmp_path, works, extra, expected):
    folder = _country_pack(tmp_path, works, extra)
    with pytest.raises(RulePackError, match=expected):
        load_pack("world-bank-2025-xx", search_dirs=[folder])


def test_a_country_threshold_without_a_citation_is_refused(tmp_path):
    folder = _country_pack(tmp_path)
    path = folder / "world-bank-2025-xx.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.split('      citation:\n        ref: "Test country\'s Procurement Plan, works"')[0],
        encoding="utf-8",
    )
    with pytest.raises(RulePackError, match="citation"):
        load_pack("world-bank-2025-xx", search_dirs=[folder])


def test_prior_review_names_the_ratings_without_a_figure(make_contract):
    result = assess(
        make_contract(category="works", estimated_value=12_000_000.0), load_pack("world-bank-2025")
    )
    assert any("rating is: high" in w for w in result.warnings)
    assert any(
        "No prior-review threshold for the moderate, low risk ratings" in w for w in result.warnings
    )
