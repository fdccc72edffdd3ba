"""The projects package is pure: no web or database imports."""

import ast
from pathlib import Path

import decision_support.projects as package

FORBIDDEN = {"flask", "flask_wtf", "wtforms", "sqlalchemy", "alembic", "models", "web"}


def test_projects_package_imports_no_outer_layer():
    for path in Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, (path.name, name)
