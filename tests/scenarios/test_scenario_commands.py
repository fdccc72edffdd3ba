"""``decision-support scenarios …`` through ``main``: JSON on stdout, exit 2 on user errors."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from cli.main import main


@pytest.fixture
def files(tmp_path: Path, knapsack) -> dict[str, Path]:
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(knapsack))
    cut = tmp_path / "cut.yaml"
    cut.write_text("name: Cut half\nbase: base.yaml\noverrides:\n  budget: {change_percent: -50}\n")
    generic = tmp_path / "generic.yaml"
    generic.write_text("name: Generic\noverrides:\n  budget: {change_percent: 20}\n")
    return {"base": base, "cut": cut, "generic": generic}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["scenarios", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_prints_one_json_document_and_saves_runs(capsys, files, tmp_path):
    code, out, _ = run(
        capsys,
        "run",
        str(files["base"]),
        str(files["cut"]),
        "--workers",
        "1",
        "--save",
        str(tmp_path / "saved"),
        "--json",
    )
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [r["result"]["objective"]["value"] for r in runs] == [21.0, 11.0]
    assert runs[1]["input"]["scenario"]["budget"]["by_year"] == {"2027": 50.0}
    assert len(list((tmp_path / "saved").glob("*.json"))) == 2


def test_compare_files_and_saved_runs_and_write_the_workbook(capsys, files, tmp_path):
    run(
        capsys,
        "run",
        str(files["base"]),
        "--workers",
        "1",
        "--save",
        str(tmp_path / "saved"),
        "--json",
    )
    saved = next((tmp_path / "saved").glob("*.json"))
    xlsx = tmp_path / "comparison.xlsx"
    code, out, _ = run(
        capsys,
        "compare",
        str(saved),
        str(files["cut"]),
        "--workers",
        "1",
        "--xlsx",
        str(xlsx),
        "--json",
    )
    assert code == 0
    comparison = json.loads(out)
    assert comparison["changes"]["Cut half"]["removed"] == ["P1"]
    assert comparison["changes"]["Cut half"]["added"] == []
    assert load_workbook(BytesIO(xlsx.read_bytes())).sheetnames[0] == "Summary"


def test_frontier_and_robustness_commands(capsys, files):
    code, out, _ = run(
        capsys, "frontier", str(files["base"]), "--budgets", "0.5:0.9:3", "--workers", "1", "--json"
    )
    assert code == 0
    assert [p["impact"] for p in json.loads(out)["points"]] == [11.0, 18.0, 21.0]
    code, out, _ = run(
        capsys,
        "robustness",
        str(files["base"]),
        "--samples",
        "3",
        "--seed",
        "7",
        "--workers",
        "1",
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["samples_requested"] == 3 and "samples" not in report


def test_generic_whatif_applies_to_base_option(capsys, files):
    code, out, _ = run(
        capsys,
        "run",
        str(files["generic"]),
        "--base",
        str(files["base"]),
        "--workers",
        "1",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["runs"][0]["result"]["objective"]["value"] == 27.0  # budget 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "{generic}"], "--base"),
        (["frontier", "{base}", "--budgets", "1:0.5:3"], "FROM < TO"),
        (["frontier", "{base}"], "exactly one"),
        (["robustness", "{base}", "--samples", "2", "--risk", "P9=high"], "unknown project"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, files, args, message):
    code, out, err = run(capsys, *[a.format(**files) for a in args])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_broken_saved_run_is_a_user_error(capsys, files, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "scenario_run", "name": "x"}')
    code, out, err = run(capsys, "compare", str(broken), str(files["base"]), "--workers", "1")
    assert code == 2 and out == "" and "saved run" in err


def test_analysis_commands_state_their_budget_first(capsys, files):
    code, out, err = run(
        capsys,
        "frontier",
        str(files["base"]),
        "--budgets",
        "0.5:0.9:3",
        "--workers",
        "1",
        "--time-limit",
        "4",
        "--json",
    )
    assert code == 0
    assert "time budget: at most 25 s (5 solves at most, 4 s each)" in err
    assert json.loads(out)["time_budget"]["total_seconds"] == 25


def test_a_saved_run_with_a_key_missing_in_its_result_names_the_field(capsys, files, tmp_path):
    code, out, _ = run(capsys, "run", str(files["base"]), "--workers", "1", "--json")
    assert code == 0
    saved = json.loads(out)["runs"][0]
    del saved["result"]["selected"][0]["start_year"]
    broken = tmp_path / "missing-key.json"
    broken.write_text(json.dumps(saved))
    code, out, err = run(capsys, "compare", str(broken), str(files["base"]), "--workers", "1")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "selected[0].start_year" in err
