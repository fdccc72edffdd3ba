"""Cell and sheet conventions shared by the KPI workbooks we write."""

from __future__ import annotations

import re

from openpyxl.styles import Font, PatternFill

# Colours of the four U4SSC bands (red, orange, yellow, green) and of "no score".
BAND_COLOURS = {"0-33": "F4A6A6", "33-66": "F9CB9C", "66-95": "FFE599", "95+": "B6D7A8"}
NO_SCORE_COLOUR = "D9D9D9"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FORMULA_START = ("=", "+", "-", "@")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value: object) -> object:
    """Neutralise formula injection: text starting with = + - @ gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def sheet_title(name: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters."""
    return _BAD_SHEET_CHARS.sub(" ", name)[:31]


def band_fill(band: str | None) -> PatternFill:
    """Solid fill in the colour of a U4SSC band (grey when there is no score)."""
    return PatternFill("solid", fgColor=BAND_COLOURS.get(band or "", NO_SCORE_COLOUR))
