"""Small files that claim, or unpack to, far more than they hold on disk."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook


def workbook_bytes(rows: list[list[object]]) -> bytes:
    """An ordinary one-sheet workbook written by openpyxl."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_member(data: bytes, member: str, change: object) -> bytes:
    """A copy of the archive with ``member`` replaced by ``change(old_bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content)  # type: ignore[operator]
            target.writestr(info.filename, content)
    return out.getvalue()


def declaring(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet declaring ``<dimension ref=ref>``."""
    return rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml),
    )


def many_rows(rows: int, columns: int, *, dimension: str | None) -> bytes:
    """A sheet of ``rows`` × ``columns`` numbers written without cell references
    (allowed by the format), so it compresses to almost nothing."""
    head = workbook_bytes([["code", "value"]])
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dim
        + b"<sheetData>"
        + row * rows
        + b"</sheetData></worksheet>"
    )
    return rewrite_member(head, "xl/worksheets/sheet1.xml", lambda _old: sheet)


def zip_bomb(inflated_bytes: int) -> bytes:
    """A workbook with an extra member of ``inflated_bytes`` zeros (about 1/1000 on disk)."""
    head = workbook_bytes([["code", "value"]])
    out = io.BytesIO(head)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * inflated_bytes)
    return out.getvalue()
