"""The one YAML/JSON loader: located one-line errors, and limits on hostile input."""

from __future__ import annotations

import datetime
import time

import pytest

from decision_support.errors import InputError
from decision_support.files.documents import (
    DocumentError,
    load_document,
    load_json,
    load_yaml,
    read_document_file,
)
from decision_support.files.limits import FileLimits
from decision_support.files.schema import document_path, schema_problems


def laughs(levels: int) -> str:
    """The billion-laughs document: each level lists the previous one ten times."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def error_of(call, *args, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and message.strip()
    return caught.value


def test_well_formed_documents() -> None:
    assert load_yaml("a: 1\nb: [x, 2024-01-31]\n") == {
        "a": 1,
        "b": ["x", datetime.date(2024, 1, 31)],
    }
    assert load_yaml("d: 2024-01-31", dates_as_text=True) == {"d": "2024-01-31"}
    assert load_json(b'\xef\xbb\xbf{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert load_document('{"a": 1}', source="x.yaml") == {"a": 1}
    assert load_document("a: 1", source="upload") == {"a": 1}


def test_billion_laughs_is_refused_before_expansion() -> None:
    started = time.perf_counter()
    error = error_of(load_yaml, laughs(9), source="lol.yaml")
    assert time.perf_counter() - started < 5  # a generous bound; the real figure is in bench/
    assert "values once aliases are expanded" in error.reason
    assert (error.line, error.column) == (6, 25)
    assert str(error).startswith("lol.yaml: line 6, column 25: more than 500000 values")


def test_a_few_aliases_are_fine() -> None:
    assert len(load_yaml(laughs(3))["l2"]) == 10


def test_self_referencing_and_undefined_aliases() -> None:
    assert "refers to itself" in error_of(load_yaml, "a: &a [1, *a]").reason
    assert "*b is not defined" in error_of(load_yaml, "a: *b").reason


@pytest.mark.parametrize(
    "text", ["a: " + "[" * 70 + "]" * 70, "a:\n" + "".join(" " * i + "- \n" for i in range(1, 80))]
)
def test_deep_yaml_is_one_located_line(text: str) -> None:
    error = error_of(load_yaml, text, source="deep.yaml")
    assert error.line is not None
    assert "nested deeper than 64 levels" in error.reason


def test_deeper_than_the_c_parser_allows_is_one_line_too() -> None:
    error = error_of(load_yaml, "[" * 5000 + "]" * 5000, source="deep.yaml")
    assert error.line == 1


def test_deep_json_never_recurses() -> None:
    error = error_of(load_json, "[" * 100_000 + "]" * 100_000, source="deep.json")
    assert str(error) == "deep.json: line 1, column 65: nested deeper than 64 levels"
    error = error_of(load_json, '{"a": "[[[[", "b":\n' + "[" * 70 + "]" * 70 + "}")
    assert (error.line, error.column) == (2, 64)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_are_not_numbers(literal: str) -> None:
    error = error_of(load_json, '{"a": 1,\n "b": ' + literal + "}", source="x.json")
    assert (error.line, error.column) == (2, 7)
    assert "is not a finite number" in error.reason


def test_json_overflowing_float_and_long_integer() -> None:
    assert "too large" in error_of(load_json, "[1e400]").reason
    error = error_of(load_json, '{"n": ' + "9" * 5001 + "}")
    assert "integer with 5001 digits" in error.reason and error.column == 7


@pytest.mark.parametrize("text", ["n: .nan", "n: -.inf", "n: 1.0e+400"])
def test_yaml_non_finite_numbers(text: str) -> None:
    assert "is not a finite number" in error_of(load_yaml, text).reason


def test_yaml_long_integer() -> None:
    error = error_of(load_yaml, "a: 1\nn: " + "9" * 5001)
    assert (error.line, error.column) == (2, 4)
    assert "5001 characters is longer than the 4300 digits accepted" in error.reason


def test_syntax_errors_are_one_line_with_position() -> None:
    error = error_of(load_yaml, "a: [1, 2\nb: 3", source="s.yaml")
    assert str(error).startswith("s.yaml: line 2, column 2: not valid YAML: ")
    assert "while parsing a flow sequence that starts at line 1" in str(error)
    error = error_of(load_json, '{"a": [1,}', source="s.json")
    assert str(error) == "s.json: line 1, column 10: not valid JSON: Expecting value"
    assert "not UTF-8" in error_of(load_json, b'{"a": "\xff"}').reason
    assert "character #x0000" in error_of(load_yaml, "a: \x00").reason


def test_unsafe_tags_are_refused() -> None:
    error = error_of(load_yaml, "a: !!python/object/apply:os.system ['true']")
    assert "could not determine a constructor" in error.reason


def test_size_limit_before_parsing(tmp_path) -> None:
    limits = FileLimits(max_upload_bytes=100)
    assert (
        "larger than the limit of 100 bytes"
        in error_of(load_yaml, "a: " + "x" * 200, limits=limits).reason
    )
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200)
    error = error_of(read_document_file, path, limits=limits)
    assert str(error) == "big.yaml: file is larger than the limit of 100 bytes"
    assert isinstance(error, InputError)


def test_one_path_notation() -> None:
    assert (
        document_path(["procedures", 2, "steps", 0, "min_days"])
        == "procedures[2].steps[0].min_days"
    )
    assert document_path([]) == "(top level)"
    schema = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"type": "integer"}}},
        "additionalProperties": False,
    }
    problems = schema_problems({"items": [1, "x", 3], "colour": "red"}, schema)
    assert [(p.field, p.message) for p in problems] == [
        ("(top level)", "Additional properties are not allowed ('colour' was unexpected)"),
        ("items[1]", "'x' is not of type 'integer'"),
    ]
