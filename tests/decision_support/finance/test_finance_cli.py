"""``decision-support finance …`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main


def test_loan_json_annuity(capsys):
    code = main(
        ["finance", "loan", "--principal", "1000000", "--rate", "0.05", "--years", "10", "--json"]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["payment"] == pytest.approx(129_504.57, abs=0.005)
    assert payload["total_interest"] == pytest.approx(295_045.75, abs=0.01)
    assert len(payload["schedule"]) == 10
    assert set(payload["schedule"][0]) == {"year", "interest", "principal", "payment", "balance"}
    assert payload["schedule"][-1]["balance"] == 0.0


def test_loan_json_linear_with_grace(capsys):
    code = main(
        [
            "finance",
            "loan",
            "--principal",
            "1000000",
            "--rate",
            "0.05",
            "--years",
            "10",
            "--grace",
            "2",
            "--style",
            "linear",
            "--json",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["payment"] == pytest.approx(175_000.0)
    assert payload["schedule"][0]["payment"] == pytest.approx(50_000.0)
    assert payload["total_interest"] == pytest.approx(325_000.0)


def test_loan_text_output(capsys):
    assert main(["finance", "loan", "--principal", "1200", "--rate", "0", "--years", "12"]) == 0
    out = capsys.readouterr().out
    assert "payment (first after grace): 100.00" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--principal", "-5", "--rate", "0.05", "--years", "10"],
        ["--principal", "5", "--rate", "-0.05", "--years", "10"],
        ["--principal", "5", "--rate", "0.05", "--years", "10", "--grace", "10"],
        ["--principal", "5", "--rate", "0.05", "--years", "0"],
        ["--principal", "5", "--rate", "0.05", "--years", "10", "--style", "balloon"],
        ["--principal", "five", "--rate", "0.05", "--years", "10"],
    ],
)
def test_loan_user_errors_exit_2_with_one_line(capsys, args):
    assert main(["finance", "loan", *args, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_mechanisms_json_lists_catalogue_with_sources(capsys):
    assert main(["finance", "mechanisms", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["currency"] == "EUR"
    ids = [m["id"] for m in payload["mechanisms"]]
    assert len(ids) >= 15 and "go_bond" in ids
    go = next(m for m in payload["mechanisms"] if m["id"] == "go_bond")
    assert go["sources"]["issuance_cost"]["status"] == "sourced"


def test_mechanisms_text(capsys):
    assert main(["finance", "mechanisms"]) == 0
    assert "energy_performance_contract" in capsys.readouterr().out


DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city"


def test_mix_on_the_demo_city(capsys):
    code = main(
        [
            "finance",
            "mix",
            str(DEMO / "funding_mix_led.yaml"),
            "--mechanisms",
            str(DEMO / "mechanisms.yaml"),
            "--fiscal",
            str(DEMO / "fiscal_profile.yaml"),
            "--json",
        ]
    )
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is True
    assert payload["base_year"] == 2026
    first = payload["years"][0]
    # 2027 spends 60 %: own budget 900,000 + grant pre-financed 2,100,000
    assert first["year"] == 2027 and first["net_cost"] == pytest.approx(3_000_000)


def test_mix_reports_broken_rules(tmp_path, capsys):
    path = tmp_path / "mix.yaml"
    path.write_text(
        "project: {name: Hall, capex_by_year: {2027: 1000000}, lifetime_years: 30}\n"
        "mix: {green_bond: 1000000}\n",
        "utf-8",
    )
    assert main(["finance", "mix", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    messages = [v["message"] for v in payload["violations"]]
    assert any("only funds projects tagged green, social" in m for m in messages)
    assert any("at least 5,000,000" in m for m in messages)


def test_mix_bad_document_exits_2(tmp_path, capsys):
    path = tmp_path / "mix.yaml"
    path.write_text(
        "project: {capex_by_year: {2027: lots}, lifetime_years: 1.5}\nmix: 3\n", "utf-8"
    )
    assert main(["finance", "mix", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "(and 2 more problems)" in captured.err
