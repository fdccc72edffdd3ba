"""What-if files resolve onto their base; the shipped library is valid."""

from __future__ import annotations

import pytest
import yaml

from scenarios.files import ScenarioFileError, library_whatifs, resolve_file


def test_whatif_resolves_relative_to_its_file(tmp_path, make_scenario):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(make_scenario()))
    (tmp_path / "cut.yaml").write_text(
        "name: Cut\nbase: base.yaml\noverrides:\n  budget: {change_percent: -50}\n"
    )
    resolved = resolve_file(tmp_path / "cut.yaml")
    assert resolved.name == "Cut"
    assert resolved.scenario["name"] == "Tiny town: Cut"
    assert resolved.scenario["budget"]["by_year"][2027] == 50.0


def test_whatif_without_base_needs_one(tmp_path):
    (tmp_path / "cut.yaml").write_text("name: Cut\noverrides: {}\n")
    with pytest.raises(ScenarioFileError, match="--base"):
        resolve_file(tmp_path / "cut.yaml")


def test_bad_yaml_reports_the_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\nbudget: [1, 2\n")
    with pytest.raises(ScenarioFileError) as caught:
        resolve_file(tmp_path / "bad.yaml")
    assert caught.value.problems[0].row is not None


def test_library_whatifs_apply_to_a_scenario(make_scenario):
    library = library_whatifs()
    assert set(library) == {
        "budget-cut-20",
        "rate-shock-+2pt",
        "grant-refused",
        "environment-first",
        "low-cost-only",
    }
    from scenarios.files import apply_whatif

    base = make_scenario()
    assert apply_whatif(base, library["budget-cut-20"])["budget"]["by_year"][2028] == 80.0
    assert [m["id"] for m in apply_whatif(base, library["grant-refused"])["mechanisms"]] == ["loan"]
    assert apply_whatif(base, library["low-cost-only"])["constraints"]["excluded"] == ["B"]
