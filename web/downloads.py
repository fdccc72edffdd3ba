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


def ascii_filename(filename: str) -> str:
    """``filename`` in plain ASCII letters, digits, ``.``, ``_`` and ``-``: accents
    folded (``ó`` → ``o``), everything else (spaces, quotes, slashes, other
    scripts) a single ``-``; the extension is kept even when nothing else is."""
    path = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(path).suffix
    stem = path[: len(path) - len(suffix)] if suffix else path
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_ASCII.sub("-", folded).strip("-.") or "download"
    return stem + _UNSAFE_ASCII.sub("", suffix)


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"`` with the ASCII name, plus ``filename*=UTF-8''…``
    carrying the exact name when it differs (RFC 6266 §4.3)."""
    exact = PurePosixPath(filename.replace("\\", "/")).name
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
