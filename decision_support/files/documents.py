"""One loader for YAML and JSON documents: bounded, and located in every error.

Every reader of a YAML or JSON file (scenarios, rule packs, financing files, tender
descriptions, OCDS) goes through :func:`load_yaml`, :func:`load_json` or
:func:`load_document`. They

- refuse a document larger than ``max_upload_bytes`` before parsing it;
- refuse YAML whose nesting exceeds ``max_depth`` or whose node count with every
  alias expanded exceeds ``max_yaml_nodes`` (billion laughs), checked on the event
  stream before any object is built, so neither costs memory;
- refuse JSON nested deeper than ``max_depth`` (and never hit ``RecursionError``);
- refuse ``NaN``/``Infinity`` (JSON constants, YAML ``.nan``/``.inf``, and numbers
  too large for a float) and integers longer than Python's integer-string limit;
- raise :class:`DocumentError`, one line naming the source, line and column.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml

from decision_support.errors import InputError, Problem
from decision_support.files.limits import FileLimits, current_limits

Format = Literal["yaml", "json", "auto"]

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(InputError):
    """A YAML or JSON document that cannot be read: not well-formed, or over a limit.

    ``line`` and ``column`` are 1-based positions in the file (``None`` when the
    problem is the file as a whole, such as its size); ``reason`` is the message
    without its location, for callers that wrap it in their own error type.
    """

    def __init__(
        self, source: str, reason: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.reason = _one_line(reason)
        self.line = line
        self.column = column
        super().__init__(Problem(f"{source}: {self.located_reason}"))

    @property
    def located_reason(self) -> str:
        """``line L, column C: reason`` (or just the reason if it has no position)."""
        if self.line is None:
            return self.reason
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- YAML


class _BoundedConstructorMixin:
    """Integers and floats that Python cannot represent become located errors."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            value: int = yaml.SafeLoader.construct_yaml_int(self, node)  # type: ignore[arg-type]
        except ValueError as exc:  # Python's integer-string limit (4 300 digits by default)
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"integer with {len(node.value)} characters is longer than the "
                f"{sys.get_int_max_str_digits()} digits accepted",
                node.start_mark,
            ) from exc
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = yaml.SafeLoader.construct_yaml_float(self, node)  # type: ignore[arg-type]
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a finite number", node.start_mark
            )
        return value


class _Loader(_BoundedConstructorMixin, _BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with bounded numbers; dates become ``datetime.date``."""


class _TextDatesLoader(_BoundedConstructorMixin, _BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with bounded numbers that keeps dates as the strings written."""


for _cls in (_Loader, _TextDatesLoader):
    _cls.add_constructor("tag:yaml.org,2002:int", _BoundedConstructorMixin.construct_yaml_int)
    _cls.add_constructor("tag:yaml.org,2002:float", _BoundedConstructorMixin.construct_yaml_float)
_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _check_yaml_shape(text: str, source: str, limits: FileLimits) -> None:
    """Walk the event stream once: nesting depth and alias-expanded node count.

    The size of every anchored node is recorded when it closes, so an alias adds
    its anchor's full size in O(1): a billion-laughs document is refused after a
    few hundred events, without building anything.
    """
    loader = _BaseLoader(text)
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] per open collection
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > limits.max_depth:
                    _raise_at(source, f"nested deeper than {limits.max_depth} levels", event)
                stack.append([event.anchor, 0])
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, count = stack.pop()
                size = count + 1
                if anchor is not None:
                    sizes[anchor] = size
                stack[-1][1] += size
                total += 1
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                stack[-1][1] += 1
                total += 1
            elif isinstance(event, yaml.AliasEvent):
                anchor = str(event.anchor)
                if anchor not in sizes:
                    open_anchors = {frame[0] for frame in stack}
                    reason = "refers to itself" if anchor in open_anchors else "is not defined"
                    _raise_at(source, f"alias *{anchor} {reason}", event)
                stack[-1][1] += sizes[anchor]
                total += sizes[anchor]
            if total > limits.max_yaml_nodes:
                _raise_at(
                    source,
                    f"more than {limits.max_yaml_nodes} values once aliases are expanded",
                    event,
                )
    finally:
        loader.dispose()


def _raise_at(source: str, reason: str, event: yaml.Event) -> None:
    mark = event.start_mark
    if mark is None:
        raise DocumentError(source, reason)
    raise DocumentError(source, reason, mark.line + 1, mark.column + 1)


def _yaml_error(source: str, exc: yaml.YAMLError, text: str) -> DocumentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "not valid YAML"
        if exc.context and exc.problem:
            context_mark = exc.context_mark
            started = f" that starts at line {context_mark.line + 1}" if context_mark else ""
            reason = f"{exc.problem} ({exc.context}{started})"
        if mark is None:
            return DocumentError(source, f"not valid YAML: {reason}")
        return DocumentError(source, f"not valid YAML: {reason}", mark.line + 1, mark.column + 1)
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = _position(text, exc.position)
        return DocumentError(
            source, f"not valid YAML: character #x{exc.character:04x} is not allowed", line, column
        )
    return DocumentError(source, f"not valid YAML: {exc}")


def load_yaml(
    content: str | bytes,
    *,
    source: str = "input",
    limits: FileLimits | None = None,
    dates_as_text: bool = False,
) -> Any:
    """Parse one YAML document safely within ``limits`` (``None``: current limits).

    ``dates_as_text`` keeps ``2024-01-31`` as the string written (for documents a
    JSON Schema checks); otherwise it becomes a ``datetime.date``.
    """
    limits = limits or current_limits()
    text = _text(content, source, limits)
    try:
        _check_yaml_shape(text, source, limits)
        loader = _TextDatesLoader if dates_as_text else _Loader
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(source, exc, text) from None


# --------------------------------------------------------------------------- JSON


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[^\s\[\]{},:"]+')


class _BadNumberError(ValueError):
    def __init__(self, literal: str, reason: str) -> None:
        super().__init__(reason)
        self.literal = literal
        self.reason = reason


def _reject_constant(literal: str) -> Any:
    raise _BadNumberError(
        literal, f"'{literal}' is not a finite number (JSON has no NaN or Infinity)"
    )


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _BadNumberError(literal, f"'{literal}' is too large for a number")
    return value


def _bounded_int(literal: str) -> int:
    try:
        return int(literal)
    except ValueError as exc:
        raise _BadNumberError(
            literal,
            f"integer with {len(literal)} digits is longer than the "
            f"{sys.get_int_max_str_digits()} digits accepted",
        ) from exc


def _first_token(text: str, wanted: Callable[[str, int], bool]) -> tuple[int, int] | None:
    """Position (line, column) of the first token for which ``wanted(token, depth)``,
    where ``depth`` counts the brackets open before it (strings are skipped)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
        if wanted(token, depth):
            return _position(text, match.start())
        if token in "]}":
            depth -= 1
    return None


def _too_deep(source: str, text: str, limit: int) -> DocumentError:
    where = _first_token(text, lambda token, depth: token in "[{" and depth > limit)
    line, column = where or (None, None)
    return DocumentError(source, f"nested deeper than {limit} levels", line, column)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def load_json(
    content: str | bytes, *, source: str = "input", limits: FileLimits | None = None
) -> Any:
    """Parse one JSON document within ``limits``; NaN, Infinity and overlong
    integers are errors, not values."""
    limits = limits or current_limits()
    text = _text(content, source, limits)
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except _BadNumberError as exc:
        literal = exc.literal
        where = _first_token(text, lambda token, _depth: token == literal)
        line, column = where or (None, None)
        raise DocumentError(source, exc.reason, line, column) from None
    except RecursionError:
        raise _too_deep(source, text, limits.max_depth) from None
    if _depth_exceeds(value, limits.max_depth):
        raise _too_deep(source, text, limits.max_depth)
    return value


# --------------------------------------------------------------------------- both


def load_document(
    content: str | bytes,
    *,
    source: str = "input",
    format: Format = "auto",
    limits: FileLimits | None = None,
    dates_as_text: bool = False,
) -> Any:
    """Parse a YAML or JSON document. ``auto`` picks by the source's suffix
    (``.json``), else JSON when the text starts with ``{`` or ``[``, else YAML."""
    if format == "auto":
        format = _guess_format(content, source)
    if format == "json":
        return load_json(content, source=source, limits=limits)
    return load_yaml(content, source=source, limits=limits, dates_as_text=dates_as_text)


def read_document_file(
    path: Path | str,
    *,
    format: Format = "auto",
    limits: FileLimits | None = None,
    dates_as_text: bool = False,
) -> Any:
    """Read and parse a YAML/JSON file from disk; its size is checked before reading."""
    path = Path(path)
    limits = limits or current_limits()
    content = read_bounded_bytes(path, limits)
    return load_document(
        content, source=path.name, format=format, limits=limits, dates_as_text=dates_as_text
    )


def read_bounded_bytes(path: Path, limits: FileLimits | None = None) -> bytes:
    """The bytes of a file, refused (``DocumentError``) when over ``max_upload_bytes``
    or unreadable."""
    limits = limits or current_limits()
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_upload_bytes + 1)
    except OSError as exc:
        raise DocumentError(path.name, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limits.max_upload_bytes:
        raise DocumentError(path.name, size_reason(limits.max_upload_bytes))
    return data


def size_reason(limit: int) -> str:
    """The message for a file over ``limit`` bytes."""
    return f"file is larger than the limit of {format_bytes(limit)}"


def format_bytes(size: int) -> str:
    """``20 MiB``, ``512 KiB`` or ``300 bytes``."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            amount = size / factor
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{size} bytes"


def _guess_format(content: str | bytes, source: str) -> Literal["yaml", "json"]:
    suffix = Path(source).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    head = (
        content[:64].lstrip()
        if isinstance(content, str)
        else content[:64].lstrip().decode("utf-8", "ignore").lstrip("\ufeff")
    )
    return "json" if head.startswith(("{", "[")) else "yaml"


def _text(content: str | bytes, source: str, limits: FileLimits) -> str:
    """Size-checked, decoded text (UTF-8, a byte-order mark is dropped)."""
    size = len(content)
    if not isinstance(content, bytes) and size * 4 > limits.max_upload_bytes:
        size = len(content.encode("utf-8", "surrogatepass"))
    if size > limits.max_upload_bytes:
        raise DocumentError(source, size_reason(limits.max_upload_bytes))
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DocumentError(source, "not UTF-8 text", line, column) from None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
