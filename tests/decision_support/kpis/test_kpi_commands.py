import json
from pathlib import Path

from openpyxl import load_workbook

from cli.main import main

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city"


def test_score_json_contract(tmp_path, capsys, sample_city_values):
    path = tmp_path / "stavanger.csv"
    path.write_bytes(sample_city_values("Stavanger"))
    assert main(["kpis", "score", "--values", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == ""
    for key in (
        "kpis",
        "categories",
        "sub_dimensions",
        "dimensions",
        "not_reported",
        "no_benchmark",
    ):
        assert key in data
    for item in data["kpis"]:
        assert {
            "code",
            "data_point",
            "value",
            "target",
            "achievement_pct",
            "points",
            "band",
        } <= set(item)
        assert item["band"] in ("0-33", "33-66", "66-95", "95+")
        assert ": " in item["code"]
    for level in ("categories", "sub_dimensions", "dimensions"):
        for group in data[level]:
            assert {"name", "score_pct", "band", "scored"} <= set(group)
    economy = next(d for d in data["dimensions"] if d["name"] == "Economy")
    assert (economy["score_pct"], economy["band"], economy["scored"]) == (75.0, "66-95", 2)
    assert "EC: I: B: 2A" in data["not_reported"]
    assert "EC: ICT: PS: 2A" in data["no_benchmark"]


def test_score_with_city_targets(capsys):
    args = ["kpis", "score", "--values", str(DEMO / "kpi_values.csv"), "--json"]
    assert main([*args, "--targets", str(DEMO / "kpi_targets.csv")]) == 0
    data = json.loads(capsys.readouterr().out)
    loss = next(k for k in data["kpis"] if k["code"] == "EC: I: WS: 3C")
    assert (loss["value"], loss["target"], loss["band"]) == (28.0, 15.0, "33-66")
    assert main([*args, "--year", "2023"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k["year"] for k in data["kpis"]} == {2023}


def test_score_text_output(capsys):
    assert main(["kpis", "score", "--values", str(DEMO / "kpi_values.csv")]) == 0
    out = capsys.readouterr().out
    assert "Economy" in out and "priority gaps" in out


def test_bad_values_file_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("code,value\nEC: X: Y: 1C,3\nEC: ICT: ICT: 2C,200\n", encoding="utf-8")
    assert main(["kpis", "score", "--values", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert lines == [
        "error: row 2, column 1: unknown U4SSC KPI code 'EC: X: Y: 1C' (and 1 more problem)"
    ]


def test_missing_file_is_exit_2(capsys, tmp_path):
    assert main(["kpis", "score", "--values", str(tmp_path / "none.csv")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_unknown_city_is_exit_2(capsys):
    args = ["kpis", "score", "--values", str(DEMO / "kpi_values.csv"), "--city", "Nowhere"]
    assert main(args) == 2
    assert "no values for city 'Nowhere'" in capsys.readouterr().err


def test_template_command_writes_an_importable_workbook(tmp_path, capsys):
    out = tmp_path / "template.xlsx"
    assert main(["kpis", "template", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == str(out)
    assert load_workbook(out).sheetnames[0] == "Instructions"
    assert main(["kpis", "score", "--values", str(out), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["not_reported"]) == 91
