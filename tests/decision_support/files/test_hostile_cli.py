"""The crashes of issue 18, through the CLI: each is exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_files import declaring, rewrite_member, workbook_bytes, zip_bomb

from cli.main import main


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def one_line_error(capsys, *argv: str) -> str:
    code, err = run(capsys, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and "Traceback" not in err
    return err.strip()


def release(date: str, tender: object) -> dict[str, object]:
    return {"ocid": "ocds-x-1", "id": date, "date": date, "tag": ["tender"], "tender": tender}


OCDS_CRASHES = {
    "releases_null": ({"releases": None}, "'releases' must be a list, not null"),
    "records_string": ({"records": "many"}, "'records' must be a list, not a string"),
    "record_releases_null": (
        {"records": [{"ocid": "ocds-x-1", "releases": None}]},
        "'releases' must be a list, not null",
    ),
    "inconsistent_type": (
        {
            "releases": [
                release("2026-01-01T00:00:00Z", {"id": "T", "value": "lots"}),
                release("2026-02-01T00:00:00Z", {"id": "T", "value": {"amount": 1}}),
            ]
        },
        "releases of ocds-x-1 cannot be merged",
    ),
    "unhashable_id": (
        {
            "releases": [
                release("2026-01-01T00:00:00Z", {"items": [{"id": {"a": 1}}]}),
                release("2026-02-01T00:00:00Z", {"items": [{"id": ["b"]}]}),
            ]
        },
        "releases of ocds-x-1 cannot be merged",
    ),
}


@pytest.mark.parametrize("name", sorted(OCDS_CRASHES))
def test_procurement_check_on_broken_ocds(capsys, tmp_path: Path, name: str) -> None:
    document, expected = OCDS_CRASHES[name]
    path = tmp_path / "ocds.json"
    path.write_text(json.dumps(document))
    err = one_line_error(capsys, "procurement", "check", str(path), "--pack", "eu-2026")
    assert "ocds.json" in err and expected in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 5000 + "]" * 5000, "ocds.json: line 1, column 65: nested deeper than 64 levels"),
        (
            '{"releases": [{"ocid": "x", "tender": {"value": {"amount": NaN}}}]}',
            "'NaN' is not a finite number",
        ),
    ],
)
def test_procurement_check_on_hostile_json(
    capsys, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "ocds.json"
    path.write_text(text)
    assert expected in one_line_error(
        capsys, "procurement", "check", str(path), "--pack", "eu-2026"
    )


def test_yaml_integer_of_5001_digits(capsys, tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text("title: x\nvalue: " + "9" * 5001 + "\n")
    err = one_line_error(capsys, "procurement", "check", str(path), "--pack", "eu-2026")
    assert "tender.yaml: line 2, column 8: not valid YAML: integer with 5001 characters" in err


def test_deep_yaml_is_one_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 5000 + "]" * 5000)
    err = one_line_error(capsys, "procurement", "check", str(path), "--pack", "eu-2026")
    assert "deep.yaml: line 1" in err


def test_finance_mix_on_bad_yaml(capsys, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("project: {name: x\nmix: [1, 2\n")
    err = one_line_error(capsys, "finance", "mix", str(path))
    assert err.startswith("error: bad.yaml: line ") and "not valid YAML" in err


def test_kpis_score_with_an_infinite_cell(capsys, tmp_path: Path) -> None:
    data = rewrite_member(
        workbook_bytes([["code", "value", "year"], ["EC: ICT: ICT: 2C", 12.5, 2024]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<v>12.5</v>", b"<v>1E309</v>"),
    )
    path = tmp_path / "values.xlsx"
    path.write_bytes(data)
    err = one_line_error(capsys, "kpis", "score", "--values", str(path))
    assert err == "error: row 2, column 2: sheet 'Sheet': 'inf' is not a finite number"


def test_kpis_score_with_a_declared_million_rows(capsys, tmp_path: Path) -> None:
    path = tmp_path / "values.xlsx"
    path.write_bytes(declaring(workbook_bytes([["code", "value", "year"]]), "A1:T1000000"))
    err = one_line_error(capsys, "kpis", "score", "--values", str(path))
    assert "values.xlsx: worksheet 1 declares 999,999 data rows; the limit is 100,000" in err


def test_kpis_score_with_a_zip_bomb(capsys, tmp_path: Path, monkeypatch) -> None:
    from decision_support.files.limits import current_limits

    monkeypatch.setenv("MAX_XLSX_UNCOMPRESSED_BYTES", str(1024 * 1024))
    current_limits.cache_clear()
    try:
        path = tmp_path / "values.xlsx"
        path.write_bytes(zip_bomb(3 * 1024 * 1024))
        err = one_line_error(capsys, "kpis", "score", "--values", str(path))
    finally:
        monkeypatch.delenv("MAX_XLSX_UNCOMPRESSED_BYTES")
        current_limits.cache_clear()
    assert "the workbook unpacks to 3.0 MiB; the limit is 1 MiB" in err
