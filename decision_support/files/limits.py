"""Limits on every file the product reads, as settings with documented defaults.

The figures and the reasons for them are in ``docs/file-limits.md``. Each limit can
be changed with the environment variable of the same name (an integer); the web
app reads the same settings (``MAX_UPLOAD_BYTES`` becomes Flask's
``MAX_CONTENT_LENGTH``), so the CLI and the web reject the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from functools import cache

MIB = 1024 * 1024


@dataclass(frozen=True)
class FileLimits:
    """Bounds checked before and while a file is read.

    ``max_upload_bytes``: size of one file (upload or file on disk) as stored.
    ``max_xlsx_uncompressed_bytes``: sum of the declared sizes of an XLSX archive's
    members once decompressed (zip bombs). ``max_rows``/``max_columns``/``max_cells``:
    data rows, columns and their product in one table (CSV or worksheet).
    ``max_depth``: nesting of a YAML/JSON document. ``max_yaml_nodes``: nodes of a
    YAML document with every alias expanded (billion laughs).
    """

    max_upload_bytes: int = 20 * MIB
    max_xlsx_uncompressed_bytes: int = 200 * MIB
    max_rows: int = 100_000
    max_columns: int = 100
    max_cells: int = 2_000_000
    max_depth: int = 64
    max_yaml_nodes: int = 500_000

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> FileLimits:
        """The defaults, with any positive integer set in the environment
        (``MAX_UPLOAD_BYTES``, ``MAX_ROWS``, …) taking precedence."""
        env = os.environ if environ is None else environ
        overrides: dict[str, int] = {}
        for item in fields(cls):
            raw = env.get(item.name.upper())
            if raw is None or not raw.strip():
                continue
            try:
                value = int(raw)
            except ValueError as exc:
                raise ValueError(f"{item.name.upper()} must be an integer, not {raw!r}") from exc
            if value <= 0:
                raise ValueError(f"{item.name.upper()} must be positive, not {value}")
            overrides[item.name] = value
        return replace(cls(), **overrides)


@cache
def current_limits() -> FileLimits:
    """The limits of this process (defaults plus environment), read once."""
    return FileLimits.from_environment()
