"""Strategies for the reader fuzz tests: arbitrary documents, and real documents
with one part changed (so the fuzzing reaches past the first schema check)."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import strategies as st

from decision_support.errors import DecisionSupportError

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "2024-01-31", "yes", "none", "1,5", "1e999", "-0", "NaN", "∞"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of ``document`` (the root is ``()``)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return document


def _delete(document: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return document
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return document


@st.composite
def mutated(draw: st.DrawFn, base: Any, changes: int = 3) -> Any:
    """``base`` with up to ``changes`` nodes replaced by arbitrary values, deleted,
    or wrapped in a list (the shapes real publishers get wrong)."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=changes))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "wrap", "null"]))
        if action == "delete" and path:
            document = _delete(document, path)
            continue
        node = document
        for part in path:
            node = node[part]
        if action == "wrap":
            replacement: Any = [copy.deepcopy(node)]
        elif action == "null":
            replacement = None
        else:
            replacement = draw(VALUES)
        document = _set(document, path, replacement)
    return document


def as_text(document: Any, kind: str) -> str:
    """The document written as JSON (NaN allowed, as careless writers do) or YAML."""
    if kind == "json":
        return json.dumps(document, allow_nan=True, default=str)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def documents_text(base: Any) -> st.SearchStrategy[str]:
    """YAML or JSON text of a mutated ``base``, an arbitrary document, or a hostile one."""
    hostile = st.sampled_from(
        [
            "[" * 3000 + "]" * 3000,
            "a: " + "[" * 500 + "]" * 500,
            "x: " + "9" * 5001,
            '{"x": ' + "9" * 5001 + "}",
            '{"x": NaN}',
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                for p, c in zip("abcdef", "bcdefg", strict=True)
            ),
            "a: *undefined",
            "a: !!python/object/apply:os.system ['true']",
            "key: [unclosed",
            "\x00\x01",
            "---\na: 1\n---\nb: 2\n",
            "",
        ]
    )
    structured = st.tuples(st.one_of(mutated(base), VALUES), st.sampled_from(["json", "yaml"])).map(
        lambda pair: as_text(*pair)
    )
    return st.one_of(structured, hostile, st.text(max_size=60))


def outcome(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a reader: a result, or a domain error whose message is one non-empty line.

    Any other exception propagates and fails the test.
    """
    try:
        return call(*args, **kwargs)
    except DecisionSupportError as exc:
        message = str(exc)
        assert message.strip(), f"empty message from {type(exc).__name__}"
        assert "\n" not in message, f"message of several lines: {message!r}"
        return exc
