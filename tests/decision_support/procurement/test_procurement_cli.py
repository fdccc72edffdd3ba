"""CLI contract of ``decision-support procurement``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main

ASSESS = [
    "procurement",
    "assess",
    "--pack",
    "eu-2026",
    "--category",
    "services",
    "--authority",
    "sub-central",
    "--date",
    "2026-03-02",
]


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_json_contract(capsys) -> None:
    code, out, err = _run(capsys, [*ASSESS, "--value", "250000", "--json"])
    assert code == 0, err
    data = json.loads(out)
    assert data["above_threshold"] is True
    assert data["threshold"] == 216000
    assert data["currency"] == "EUR"
    assert data["recommended_procedure"] == "open"
    assert {p["id"] for p in data["procedures"]} >= {"open", "restricted"}
    assert all({"id", "allowed", "condition"} <= set(p) for p in data["procedures"])
    assert data["min_days"]["tender_submission"] == 30
    assert data["standstill_days"] == 10
    assert data["timeline"][0]["date"] == "2026-03-02"
    assert data["timeline"][-1]["event"] == "contract-award-notice"
    assert all({"ref", "url"} <= set(c) for c in data["citations"])


@pytest.mark.parametrize(
    ("flags", "days"),
    [
        (["--no-electronic"], 35),
        (["--pin"], 15),
        (["--urgent"], 15),
        ([], 30),
        (["--documents-later"], 35),
    ],
)
def test_assess_reductions(capsys, flags: list[str], days: int) -> None:
    code, out, _ = _run(capsys, [*ASSESS, "--value", "250000", *flags, "--json"])
    assert code == 0
    assert json.loads(out)["min_days"]["tender_submission"] == days


def test_assess_below_threshold_and_jurisdiction_pack(capsys) -> None:
    code, out, _ = _run(
        capsys,
        [
            "procurement",
            "assess",
            "--pack",
            "eu",
            "--value",
            "215999",
            "--category",
            "services",
            "--authority",
            "sub-central",
            "--date",
            "2026-05-01",
            "--json",
        ],
    )
    data = json.loads(out)
    assert code == 0 and data["pack"] == "eu-2026" and data["above_threshold"] is False
    code, out, _ = _run(
        capsys,
        [
            "procurement",
            "assess",
            "--pack",
            "eu",
            "--value",
            "216000",
            "--category",
            "services",
            "--authority",
            "sub-central",
            "--date",
            "2025-05-01",
            "--json",
        ],
    )
    data = json.loads(out)
    assert data["pack"] == "eu-2024" and data["above_threshold"] is False  # 221,000 then


def test_assess_text_output(capsys) -> None:
    code, out, _ = _run(capsys, [*ASSESS, "--value", "250000"])
    assert code == 0 and "Recommended: open" in out


@pytest.mark.parametrize(
    "argv",
    [
        [*ASSESS, "--value", "-1", "--json"],
        [
            "procurement",
            "assess",
            "--pack",
            "atlantis",
            "--value",
            "1",
            "--category",
            "works",
            "--authority",
            "central",
            "--json",
        ],
        [*ASSESS, "--value", "abc", "--json"],
        [
            "procurement",
            "assess",
            "--pack",
            "eu-2026",
            "--value",
            "1",
            "--category",
            "goods",
            "--authority",
            "central",
        ],
        [*ASSESS[:-2], "--date", "2026-13-01", "--value", "1"],
    ],
)
def test_assess_user_errors_exit_2_with_one_line(capsys, argv: list[str]) -> None:
    code, out, err = _run(capsys, argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1


def test_check_json_contract_on_a_description(tmp_path: Path, capsys) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(
        "title: CCTV upgrade\ncategory: supplies\nauthority: sub-central\nvalue: 400000\n"
        "procedure: open\nnotice_date: '2026-03-02'\ntender_deadline: '2026-03-20'\n"
        "specification_text: Cameras shall be Hikvision DS-2CD series.\n",
        encoding="utf-8",
    )
    xlsx = tmp_path / "report.xlsx"
    code, out, err = _run(
        capsys,
        ["procurement", "check", str(path), "--pack", "eu-2026", "--json", "--xlsx", str(xlsx)],
    )
    assert code == 0, err
    data = json.loads(out)
    findings = {f["criterion"]: f for f in data["findings"]}
    assert all(
        {"criterion", "status", "severity", "citation", "message"} <= set(f)
        for f in data["findings"]
    )
    assert findings["ICT-STD-01"]["status"] == "fail"
    assert findings["PROC-TIME"]["status"] == "fail"
    assert data["summary"]["by_status"]["fail"] >= 2
    assert data["assessment"]["recommended_procedure"] == "open"
    assert xlsx.read_bytes()[:2] == b"PK"


REPO = Path(__file__).resolve().parents[3]
TEST_DATA = REPO / "tests" / "data"


def test_check_ocds_with_spec_file(tmp_path: Path, capsys) -> None:
    record = (
        TEST_DATA
        / "ocds/real/uk-contracts-finder-ocds-b5fd17-2c3698c7-adc8-11e6-9901-0019b9f3037b.json"
    )
    spec = tmp_path / "spec.txt"
    spec.write_text("Hosting on Microsoft Azure.", encoding="utf-8")
    code, out, err = _run(
        capsys, ["procurement", "check", str(record), "--pack", "uk", "--spec", str(spec), "--json"]
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["pack"] == "uk-2026"  # the 2014 tender predates every UK pack: oldest used
    findings = {f["criterion"]: f for f in data["findings"]}
    assert findings["ICT-STD-01"]["status"] == "fail"
    assert "Azure" in findings["ICT-STD-01"]["message"]
    assert data["tender"]["currency"] == "GBP"


def test_check_user_errors(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "x"', encoding="utf-8")
    for argv in (
        ["procurement", "check", str(bad), "--pack", "eu-2026", "--json"],
        ["procurement", "check", str(tmp_path / "missing.json"), "--pack", "eu-2026"],
    ):
        code, out, err = _run(capsys, argv)
        assert code == 2 and out == "" and err.count("\n") == 1


def test_export_ocds_and_packs(capsys) -> None:
    code, out, _ = _run(
        capsys,
        [
            "procurement",
            "export-ocds",
            "--pack",
            "eu-2026",
            "--value",
            "300000",
            "--category",
            "services",
            "--authority",
            "sub-central",
            "--date",
            "2026-03-02",
            "--ocid-prefix",
            "ocds-abc123",
            "--id",
            "X1",
        ],
    )
    assert code == 0
    assert json.loads(out)["releases"][0]["ocid"] == "ocds-abc123-X1"
    code, out, _ = _run(capsys, ["procurement", "packs", "--json"])
    assert {p["id"] for p in json.loads(out)} >= {"eu-2026", "uk-2026", "world-bank-2025"}


def test_assess_text_labels_unverified_figures_and_the_market_approach(capsys) -> None:
    argv = ["procurement", "assess", "--value", "3000000", "--category", "works"]
    argv += ["--authority", "sub-central", "--date", "2026-03-02"]
    code, out, err = _run(capsys, [*argv, "--pack", "world-bank-2025"])
    assert code == 0, err
    assert "Minimum days: tender_submission 30 (unverified)" in out
    assert "Standstill: 10 working days (unverified)" in out
    assert "the choice depends on the thresholds the lender sets for the country" in out
    code, out, err = _run(capsys, [*argv, "--pack", "eu-2026"])
    assert code == 0, err
    assert "(unverified)" not in out.split("Procedures:")[0]


def test_splitting_command(tmp_path: Path, capsys) -> None:
    path = tmp_path / "planned.yaml"
    path.write_text(
        "contracts:\n"
        "  - {id: A, category: services, authority: sub-central, value: 120000,"
        " cpv: '72212000', notice_date: '2026-02-01'}\n"
        "  - {id: B, category: services, authority: sub-central, value: 110000,"
        " cpv: '72500000', notice_date: '2026-10-01'}\n",
        encoding="utf-8",
    )
    code, out, _ = _run(
        capsys, ["procurement", "splitting", str(path), "--pack", "eu-2026", "--json"]
    )
    assert code == 0
    [warning] = json.loads(out)["warnings"]
    assert warning["contracts"] == ["A", "B"] and warning["total_value"] == 230000
    path.write_text(
        "contracts:\n  - {id: A, category: goods, authority: x, value: -1}\n", encoding="utf-8"
    )
    code, out, err = _run(capsys, ["procurement", "splitting", str(path), "--pack", "eu-2026"])
    assert code == 2 and err.count("\n") == 1 and "contracts[0]" in err


def test_splitting_command_keeps_concessions_and_call_offs_apart(tmp_path: Path, capsys) -> None:
    path = tmp_path / "planned.yaml"
    rows = [
        ("A", "120000", "72212000", "contract"),
        ("B", "110000", "72500000", "call-off"),
        ("K1", "3000000", "60100000", "concession"),
        ("K2", "3000000", "60200000", "concession"),
    ]
    path.write_text(
        "contracts:\n"
        + "".join(
            f"  - {{id: {i}, category: services, authority: sub-central, value: {v},"
            f" cpv: '{c}', notice_date: '2026-03-02', kind: {k}}}\n"
            for i, v, c, k in rows
        ),
        encoding="utf-8",
    )
    code, out, _ = _run(
        capsys, ["procurement", "splitting", str(path), "--pack", "eu-2026", "--json"]
    )
    assert code == 0
    [warning] = json.loads(out)["warnings"]
    assert warning["contracts"] == ["K1", "K2"] and warning["threshold"] > 5_000_000
    path.write_text(
        "contracts:\n  - {id: A, category: services, authority: sub-central, value: 1,"
        " kind: lease}\n",
        encoding="utf-8",
    )
    code, out, err = _run(capsys, ["procurement", "splitting", str(path), "--pack", "eu-2026"])
    assert code == 2 and err.count("\n") == 1 and "kind" in err


def test_check_package_with_two_processes(tmp_path: Path, capsys) -> None:
    examples = TEST_DATA / "ocds/examples"
    tender = json.loads((examples / "ocds-213czf-000-00001-02-tender.json").read_text())
    other = json.loads(json.dumps(tender["releases"][0]))
    other["ocid"] = "ocds-213czf-000-00002"
    other["id"] = "ocds-213czf-000-00002-01-tender"
    tender["releases"].append(other)
    path = tmp_path / "package.json"
    path.write_text(json.dumps(tender), encoding="utf-8")
    code, out, err = _run(
        capsys, ["procurement", "check", str(path), "--pack", "uk-2026", "--json"]
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"]["tenders"] == 2
    assert len(data["reports"]) == 2
    assert len(data["findings"]) == 2 * len(data["reports"][0]["findings"])
    assert {f["ocid"] for f in data["findings"]} == {
        "ocds-213czf-000-00001",
        "ocds-213czf-000-00002",
    }
    assert data["summary"]["total"] == len(data["findings"])


def test_assess_with_a_chosen_procedure(capsys) -> None:
    code, out, _ = _run(
        capsys, [*ASSESS, "--value", "250000", "--procedure", "restricted", "--json"]
    )
    data = json.loads(out)
    assert code == 0 and data["recommended_procedure"] == "restricted"
    assert data["min_days"] == {"participation_requests": 30, "tender_submission": 25}
    code, out, err = _run(capsys, [*ASSESS, "--value", "250000", "--procedure", "nope"])
    assert code == 2 and "not a procedure" in err and err.count("\n") == 1


def test_packs_lists_validity_checked_dates_and_unverified_counts(capsys) -> None:
    code, out, err = _run(capsys, ["procurement", "packs", "--json"])
    assert code == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    wb = rows["world-bank-2025"]
    dates = (wb["valid_from"], wb["valid_to"], wb["checked_on"])
    assert dates == ("2025-09-01", None, "2026-12-03")
    assert wb["unverified_citations"] > 0
    assert rows["world-bank-2016"]["valid_to"] == "2025-08-31"
    assert rows["eu-concessions-2026"]["contract_kind"] == "concession"
    code, out, err = _run(capsys, ["procurement", "packs"])
    assert code == 0, err
    assert "checked 2026-12-03" in out and "unverified" in out


def test_assess_routes_a_concession_and_shows_the_pack_dates(capsys) -> None:
    argv = ["procurement", "assess", "--pack", "eu", "--value", "8000000", "--category"]
    argv += ["services", "--authority", "sub-central", "--date", "2026-05-04"]
    code, out, err = _run(capsys, [*argv, "--concession", "--json"])
    assert code == 0, err
    payload = json.loads(out)
    assert payload["pack"] == "eu-concessions-2026"
    assert (payload["pack_valid_to"], payload["pack_checked_on"]) == ("2027-12-31", "2026-12-03")
    code, out, err = _run(capsys, argv)
    assert code == 0, err
    assert out.startswith("Pack: eu-2026") and "figures checked 2026-12-03" in out
    assert "Unverified source:" in out


def test_packs_data_lists_the_reference_data_files(capsys) -> None:
    code, out, err = _run(capsys, ["procurement", "packs", "--data", "--json"])
    assert code == 0, err
    rows = {row["path"]: row for row in json.loads(out)}
    assert rows["rules/criteria/ict-criteria.yaml"]["checked_on"] == "2026-12-03"
    assert rows["decision_support/data/project_library/currency.yaml"]["valid_to"] == "2025-12-31"
    code, out, err = _run(capsys, ["procurement", "packs", "--data"])
    assert code == 0, err
    assert "decision_support/data/financing_mechanisms.yaml" in out
