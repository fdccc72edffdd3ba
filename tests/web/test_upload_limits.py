"""One upload limit for the whole app: a file over it is refused with the message
next to the file field (forms) or as JSON (API), and nothing is saved."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from decision_support.files.limits import current_limits
from models.audit import AuditEntry
from models.financing import FinancingMechanism
from models.kpis import KpiValue
from models.procurement import TenderCheck
from web.config import FORM_OVERHEAD_BYTES

KPIS = "/cities/demo-city/kpis"
LIMIT = 4096


@pytest.fixture
def small_limits(app, monkeypatch) -> Iterator[None]:
    """File limit of 4 KiB for readers and for the request size."""
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(LIMIT))
    current_limits.cache_clear()
    app.config["MAX_CONTENT_LENGTH"] = LIMIT + FORM_OVERHEAD_BYTES
    yield
    monkeypatch.delenv("MAX_UPLOAD_BYTES")
    current_limits.cache_clear()


@pytest.fixture
def leader(client, auth):
    auth.login_as("city_leader")
    return client


def counts(db) -> tuple[int, int]:
    return (
        db.scalar(select(func.count(KpiValue.id))),
        db.scalar(select(func.count(AuditEntry.id))),
    )


def csv_of(size: int) -> bytes:
    row = b"EC: ICT: ICT: 2C,44,2026\n"
    return b"code,value,year\n" + row * (size // len(row) + 1)


def test_default_request_limit_is_the_file_limit_plus_form_room(app) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == (
        current_limits().max_upload_bytes + FORM_OVERHEAD_BYTES
    )


def test_file_just_over_the_limit_is_refused_by_its_reader(leader, db, small_limits) -> None:
    before = counts(db)
    data = {"file": (io.BytesIO(csv_of(LIMIT + 10)), "v.csv")}
    response = leader.post(KPIS + "/import", data=data)
    assert response.status_code == 422
    assert "larger than the limit of 4 KiB" in response.get_data(as_text=True)
    assert counts(db) == before


def test_body_over_the_request_limit_shows_413_next_to_the_field(leader, db, small_limits) -> None:
    before = counts(db)
    data = {"file": (io.BytesIO(csv_of(LIMIT + FORM_OVERHEAD_BYTES + 10)), "v.csv")}
    response = leader.post(
        KPIS + "/import", data=data, headers={"Referer": f"http://localhost{KPIS}/import"}
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'id="file-err"' in html
    error_list = html.split('id="file-err"', 1)[1].split("</ul>", 1)[0]
    assert "larger than the upload limit of 4 KiB; nothing was saved" in error_list
    assert counts(db) == before


@pytest.fixture
def echo_api(app):
    """An API route that reads a JSON body (the product's API has no upload yet)."""
    from flask import jsonify, request

    app.add_url_rule(
        "/api/test-echo", "test_echo", lambda: jsonify(request.get_json()), methods=["POST"]
    )


def test_api_body_over_the_limit_is_a_json_413(echo_api, leader, small_limits) -> None:
    response = leader.post(
        "/api/test-echo",
        data=b"{" + b" " * (LIMIT + FORM_OVERHEAD_BYTES) + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"]["status"] == 413
    assert "upload limit of 4 KiB" in body["error"]["message"]
    assert body["error"]["problems"][0]["field"] == "file"


def test_hostile_ocds_upload_is_a_message_next_to_the_field(client, auth, db) -> None:
    auth.login_as("procurement_officer")
    deep = b"[" * 3000 + b"]" * 3000
    response = client.post(
        "/cities/demo-city/procurement/check",
        data={
            "u-file": (io.BytesIO(deep[: LIMIT // 2] + deep[-LIMIT // 2 :]), "deep.json"),
            "u-authority": "central",
            "u-submit": "Check the file",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error_list = html.split('id="u-file-err"', 1)[1].split("</ul>", 1)[0]
    assert "deep.json: line 1, column 65: nested deeper than 64 levels" in error_list
    assert db.scalars(select(TenderCheck)).first() is None


@pytest.mark.parametrize(
    ("user", "path", "field", "name"),
    [
        ("city_leader", f"{KPIS}/import", "file", "values.xlsx"),
        ("city_leader", f"{KPIS}/targets/import", "import-file", "targets.xlsx"),
        ("finance_officer", "/cities/demo-city/finance/mechanisms/import", "file", "settings.xlsx"),
    ],
)
def test_million_row_workbook_is_refused_in_the_form(client, auth, db, user, path, field, name):
    """The issue-15 upload, crafted small: it declares 1 000 000 rows in 5 KB."""
    workbook = Workbook()
    workbook.active.append(["code", "value", "year"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = _declaring(buffer.getvalue(), "A1:T1000000")
    assert len(data) < 10_000
    auth.login_as(user)
    before = (*counts(db), db.scalar(select(func.count(FinancingMechanism.id))))
    response = client.post(path, data={field: (io.BytesIO(data), name)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    limit = f"{current_limits().max_rows:,}"
    assert f"declares 999,999 data rows; the limit is {limit}" in html
    assert (*counts(db), db.scalar(select(func.count(FinancingMechanism.id)))) == before


def _declaring(data: bytes, ref: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content
                )
            target.writestr(info.filename, content)
    return out.getvalue()
