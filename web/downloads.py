"""File downloads: one way for every page to send a workbook, JSON, YAML or CSV file.

The file name decides the MIME type (``.xlsx``, ``.json``, ``.yaml``/``.yml``,
``.csv``), so a page only says what it sends and under which name. Every download is
an attachment, named for every browser: an ASCII ``filename`` (accents folded,
anything else replaced by ``-``) and, when that is not the name itself, the exact
name as ``filename*`` (RFC 6266 with RFC 5987 UTF-8 encoding), so a city or scenario
called "Łódź" downloads as ``łódź-….xlsx`` where the browser can, and ``odz-….xlsx``
elsewhere. Downloads hold a city's own data, so no shared cache keeps them
(``Cache-Control: private, no-store``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_TYPES = {
    ".xlsx": XLSX,
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".csv": "text/csv; charset=utf-8",
}
# RFC 5987 attr-char: what may stand unencoded in ``filename*``.
_ATTR_CHARS = "!#$&+-.^_`|~"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
_DASHES = re.compile(r"--+")
# Never part of a file name, whatever the script: folder separators and control characters.
_NOT_IN_NAMES = re.compile(r"[/\\\x00-\x1f\x7f]+")


def exact_filename(filename: str) -> str:
    """``filename`` as given, but with folder separators and control characters (a
    contract code such as ``ZP/2026/7``) written as ``-``, so it stays one name."""
    return _NOT_IN_NAMES.sub("-", filename)


def ascii_filename(filename: str) -> str:
    """``filename`` in plain ASCII letters, digits, ``.``, ``_`` and ``-``: accents
    folded (``ó`` → ``o``), everything else (spaces, quotes, slashes, other
    scripts) a single ``-``; the extension is kept even when nothing else is."""
    name = exact_filename(filename)
    suffix = PurePosixPath(name).suffix
    stem = name[: -len(suffix)] if suffix else name
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _DASHES.sub("-", _UNSAFE_ASCII.sub("-", folded)).strip("-.") or "download"
    return stem + _UNSAFE_ASCII.sub("", suffix)


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"`` with the ASCII name, plus ``filename*=UTF-8''…``
    carrying the exact name when it differs (RFC 6266 §4.3)."""
    exact = exact_filename(filename)
    simple = ascii_filename(exact)
    header = f'attachment; filename="{simple}"'
    if simple != exact:
        header += f"; filename*=UTF-8''{quote(exact, safe=_ATTR_CHARS)}"
    return header


def download(body: bytes | str, filename: str) -> Response:
    """A response that saves ``body`` (text is sent as UTF-8) as ``filename``, with the
    MIME type of its extension. An extension not in :data:`MIME_TYPES` is a
    programming error (``ValueError``)."""
    suffix = PurePosixPath(filename).suffix.lower()
    try:
        mimetype = MIME_TYPES[suffix]
    except KeyError:
        raise ValueError(f"no MIME type for a download named {filename!r}") from None
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def json_download(document: Any, filename: str) -> Response:
    """``document`` as an indented UTF-8 JSON file (non-ASCII text kept as it is)."""
    return download(json.dumps(document, ensure_ascii=False, indent=2), filename)
