"""The pure packages never import the web or ORM layers (STYLE.md rule 2)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"flask", "flask_wtf", "wtforms", "sqlalchemy", "alembic", "models", "web", "werkzeug"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


@pytest.mark.parametrize("package", ["decision_support", "rules", "scenarios"])
def test_pure_packages_do_not_import_web_or_orm(package):
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name, line in _imports(path)
        if name in FORBIDDEN
    ]
    assert offenders == []


def test_only_the_web_package_imports_flask():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in ("decision_support", "rules", "scenarios", "models")
        for path in sorted((ROOT / package).rglob("*.py"))
        for name, line in _imports(path)
        if name in {"flask", "flask_wtf", "wtforms"}
    ]
    assert offenders == []
