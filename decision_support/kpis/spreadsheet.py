"""Cell and sheet conventions shared by the KPI workbooks we write."""

from __future__ import annotations

from openpyxl.styles import PatternFill

from decision_support.files.workbooks import HEADER_FILL, HEADER_FONT, safe_cell, sheet_title

__all__ = ["BAND_COLOURS", "HEADER_FILL", "HEADER_FONT", "band_fill", "safe_cell", "sheet_title"]

# Colours of the four U4SSC bands (red, orange, yellow, green) and of "no score".
BAND_COLOURS = {"0-33": "F4A6A6", "33-66": "F9CB9C", "66-95": "FFE599", "95+": "B6D7A8"}
NO_SCORE_COLOUR = "D9D9D9"


def band_fill(band: str | None) -> PatternFill:
    """Solid fill in the colour of a U4SSC band (grey when there is no score)."""
    return PatternFill("solid", fgColor=BAND_COLOURS.get(band or "", NO_SCORE_COLOUR))
