"""Every file a test reads lives in the repository: a fresh clone has nothing beside it
(no team material folder next to the checkout).

Two guards: a static scan of the test sources for paths that climb out of the
repository, and the audit hook of ``tests/read_guard.py`` (installed by the root
conftest) that fails any read beside the repository while the suite runs.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from tests.read_guard import OUTSIDE_READS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def _climbing_literals(path: Path, root: Path) -> list[str]:
    """String literals naming a parent folder (``..``) or a ``shared/`` folder."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.replace("\\", "/").split("/")
            if ".." in parts or "shared" in parts[:-1] or parts == ["shared"]:
                hits.append((node.lineno, node.col_offset, node.value))
    return [f"{path.relative_to(root)}:{line} {value!r}" for line, _, value in sorted(hits)]


def test_no_test_source_names_a_path_outside_the_repository() -> None:
    offenders = [
        hit
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.resolve() != Path(__file__).resolve()
        for hit in _climbing_literals(path, ROOT)
    ]
    assert offenders == []


def test_the_static_scan_sees_climbing_paths(tmp_path: Path) -> None:
    folder = "sha" + "red"  # spelt apart so that this file names no such path itself
    climbing = f"../{folder}/data/x.csv"
    source = tmp_path / "sample.py"
    source.write_text(
        f'A = ROOT / ".." / "{folder}"\nB = "{climbing}"\nC = "/cities/demo-city/kpis"\n',
        encoding="utf-8",
    )
    assert _climbing_literals(source, tmp_path) == [
        "sample.py:1 '..'",
        f"sample.py:1 '{folder}'",
        f"sample.py:2 '{climbing}'",
    ]


def test_reading_beside_the_repository_fails_the_test() -> None:
    beside = ROOT.parent / "not-in-the-repository.txt"
    with pytest.raises(RuntimeError, match="outside the repository"):
        beside.open(encoding="utf-8")
    with pytest.raises(RuntimeError, match="outside the repository"):
        os.listdir(ROOT.parent)
    assert OUTSIDE_READS[-2:] == [str(beside), str(ROOT.parent)]
    del OUTSIDE_READS[-2:]  # provoked on purpose: must not fail the session


def test_every_test_data_folder_has_its_provenance() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    folders = {
        p.parent.relative_to(DATA).as_posix()
        for p in DATA.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    missing = sorted(f for f in folders if f"`{f}/`" not in readme)
    assert missing == []
