"""The CLI contract: --json prints one JSON document; user errors exit 2 with one line."""

import json

import pytest

from cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kpi_show_json_accepts_both_spellings(capsys):
    code, out, err = run(capsys, "kpis", "show", "EC:ICT:ICT:2C", "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["code"] == "EC: ICT: ICT: 2C"
    code, out, _ = run(capsys, "kpis", "show", "EC: ICT: ICT: 2C", "--json")
    assert json.loads(out)["code_compact"] == "EC:ICT:ICT:2C"


@pytest.mark.parametrize(
    "argv",
    [
        ["kpis", "show", "EC: NOPE: X: 1C", "--json"],
        ["kpis", "nosuchcommand"],
        ["kpis", "show", "EC:ICT:ICT:1C", "--bad-option"],
        ["nosuchgroup"],
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ")
    assert "Traceback" not in err


def test_db_upgrade_and_seed_from_empty_are_idempotent(capsys, monkeypatch, empty_database_url):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    code, out, _ = run(capsys, "db", "upgrade", "--json")
    assert code == 0 and json.loads(out)["revision"] == "head"
    code, out, _ = run(capsys, "seed", "demo", "--json")
    first = json.loads(out)
    assert code == 0 and first["kpis_changed"] == 91 and first["created"]["users"] == 4
    code, out, _ = run(capsys, "seed", "demo", "--json")
    second = json.loads(out)
    assert second["kpis_changed"] == 0 and set(second["created"].values()) == {0}


def test_users_create_adds_a_member_and_rejects_duplicates(capsys, monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    argv = [
        "users",
        "create",
        "--email",
        "new@demo-city.example",
        "--name",
        "New Person",
        "--password",
        "a-long-password",
        "--city",
        "demo-city",
        "--role",
        "finance_officer",
        "--json",
    ]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert json.loads(out) == {
        "id": json.loads(out)["id"],
        "email": "new@demo-city.example",
        "city": "demo-city",
        "role": "finance_officer",
    }
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "already exists" in err and len(err.strip().splitlines()) == 1


def test_users_create_rejects_a_short_password_and_unknown_city(capsys, monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, _, err = run(
        capsys, "users", "create", "--email", "a@b.example", "--name", "A", "--password", "short"
    )
    assert code == 2 and "at least 10 characters" in err
    code, _, err = run(
        capsys,
        "users",
        "create",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--password",
        "long-enough-pass",
        "--city",
        "atlantis",
        "--role",
        "admin",
    )
    assert code == 2 and "no city with slug 'atlantis'" in err
