"""The rules package stays pure: no web or database imports."""

from __future__ import annotations

import ast
from pathlib import Path

import rules

FORBIDDEN = {"flask", "wtforms", "flask_wtf", "sqlalchemy", "alembic", "models", "web"}


def test_rules_imports_no_web_or_database_layer() -> None:
    root = Path(rules.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
