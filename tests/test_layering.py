"""The import graph of the product, read from the sources (STYLE.md rules 1 and 2).

Floors, from the bottom:

1. **ground**: ``decision_support.errors``, ``decision_support.files`` (document
   loading, schema problems, workbooks), ``decision_support.data`` (shipped files);
2. **domains**: ``decision_support.kpis``, ``.projects``, ``.finance``, ``.portfolio``
   and ``rules``;
3. **composition**: ``scenarios`` (builds and analyses scenarios from the domains);
4. **database**: ``models`` (ORM, services, migrations, the job engine);
5. **shells**: ``web`` (Flask) and ``cli`` (the ``decision-support`` command).

A module imports its own floor or lower ones, never a higher one; the shells import
everything and nothing imports them. No module imports another package's private
module (``_name``), and no two files import each other, directly or round a circle.
The pure floors (1–3) import no web framework, ORM or migration library.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("decision_support", "rules", "scenarios", "models", "web", "cli")
PURE = ("decision_support", "rules", "scenarios")
FORBIDDEN_IN_PURE = {
    "flask",
    "flask_wtf",
    "wtforms",
    "werkzeug",
    "sqlalchemy",
    "alembic",
    "huey",
    "models",
    "web",
    "cli",
}
GROUND = ("decision_support.errors", "decision_support.files", "decision_support.data")
FLOORS = {"ground": 1, "domain": 2, "scenarios": 3, "models": 4, "web": 5, "cli": 5}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


SOURCES = _sources()


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside functions, except the
    ``if TYPE_CHECKING:`` ones (they never run)."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Dotted names a statement imports: for ``from package import submodule`` the
    submodule itself, for ``from module import name`` the module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or not node.module:
        return []
    names = [f"{node.module}.{alias.name}" for alias in node.names]
    modules = [name for name in names if name in SOURCES]
    return modules if len(modules) == len(names) else [node.module, *modules]


def _resolve(name: str) -> str | None:
    """The project module a dotted name lives in (None for other libraries)."""
    while name and name not in SOURCES:
        name = name.rpartition(".")[0]
    return name or None


def _edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in SOURCES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {_resolve(name) for node in _import_nodes(tree) for name in _imported(node)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def _floor(module: str) -> int:
    if module == "decision_support" or module.startswith(GROUND):
        return FLOORS["ground"]
    top = module.split(".", maxsplit=1)[0]
    return FLOORS["domain"] if top in ("decision_support", "rules") else FLOORS[top]


def _third_party_roots(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_do_not_import_web_orm_or_shells(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name, line in _third_party_roots(path)
        if name in FORBIDDEN_IN_PURE
    ]
    assert offenders == []


def test_only_the_web_package_imports_flask() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        if package != "web"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name, line in _third_party_roots(path)
        if name in {"flask", "flask_wtf", "wtforms"}
    ]
    assert offenders == []


def test_no_module_imports_a_higher_floor() -> None:
    offenders = [
        f"{module} -> {target}"
        for module, targets in _edges().items()
        for target in sorted(targets)
        if _floor(target) > _floor(module) or (target.startswith("cli") and _floor(module) < 5)
    ]
    assert offenders == []


def test_the_shells_do_not_import_each_other_except_serve() -> None:
    offenders = [
        f"{module} -> {target}"
        for module, targets in _edges().items()
        for target in sorted(targets)
        if (module.startswith("web") and target.startswith("cli"))
        or (module.startswith("cli") and target.startswith("web") and module != "cli.serve")
    ]
    assert offenders == []


def test_no_module_imports_a_private_module_of_another_package() -> None:
    offenders = []
    for module, targets in _edges().items():
        for target in targets:
            private = any(part.startswith("_") for part in target.split(".")[1:])
            if private and target.rpartition(".")[0] != module.rpartition(".")[0]:
                offenders.append(f"{module} -> {target}")
    assert offenders == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_between_files() -> None:
    assert _cycles(_edges()) == []


def test_the_cycle_check_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_importing_scenarios_loads_no_outer_layer() -> None:
    """At run time too: importing every scenarios module pulls in no outer layer."""
    modules = sorted(name for name in SOURCES if name.startswith("scenarios."))
    forbidden = sorted(FORBIDDEN_IN_PURE)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
