"""web.uploads: every upload form reads its file the same way (kind, size limit), puts
each problem where the page shows it, and saves nothing when the file is refused;
the same reading under /api/ answers 422 JSON."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import render_template_string, request
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from wtforms import SelectField, StringField

from decision_support.errors import InputError, Problem
from decision_support.files.limits import current_limits
from models.audit import AuditEntry
from models.registry import Base
from models.scenarios import Scenario
from models.services.audit import record_change
from web.config import FORM_OVERHEAD_BYTES
from web.database import db_session
from web.uploads import (
    DOCUMENT,
    SPREADSHEET,
    WORKBOOK,
    UploadField,
    import_upload,
    read_upload,
    show_problems,
    upload_name,
)

CITY = "/cities/demo-city"
# Above every file the product ships and reads itself (the largest, an OCDS schema, is 88 KB);
# a request over the limit stays below the 500 KB past which the test client spools to disk.
LIMIT = 128 * 1024


@dataclass(frozen=True)
class UploadPage:
    """One upload form of the product: who may post it, where, and its fields."""

    user: str
    page: str  # where the form is shown
    action: str  # where it posts
    field: str  # the file field's name (with the form's prefix)
    filename: str  # a name of the right kind
    extra: tuple[tuple[str, str], ...] = ()

    def data(self, content: bytes, filename: str | None = None) -> dict[str, object]:
        return {self.field: (io.BytesIO(content), filename or self.filename), **dict(self.extra)}

    def errors_of(self, html: str, field: str | None = None) -> str:
        """The error list printed next to ``field`` (default: the file field)."""
        marker = f'id="{field or self.field}-err"'
        assert marker in html, f"no error next to {field or self.field}"
        return html.split(marker, 1)[1].split("</ul>", 1)[0]


PAGES = [
    UploadPage("city_leader", f"{CITY}/kpis/import", f"{CITY}/kpis/import", "file", "v.csv"),
    UploadPage(
        "city_leader", f"{CITY}/kpis/targets", f"{CITY}/kpis/targets/import", "import-file", "t.csv"
    ),
    UploadPage(
        "city_leader", f"{CITY}/projects/import", f"{CITY}/projects/import", "file", "p.xlsx"
    ),
    UploadPage(
        "finance_officer",
        f"{CITY}/finance/",
        f"{CITY}/finance/mechanisms/import",
        "file",
        "m.xlsx",
    ),
    UploadPage(
        "procurement_officer",
        f"{CITY}/procurement/check",
        f"{CITY}/procurement/check",
        "u-file",
        "tender.json",
        (("u-authority", "central"), ("u-submit", "Check the file")),
    ),
    UploadPage(
        "finance_officer",
        f"{CITY}/scenarios/",
        f"{CITY}/scenarios/import",
        "import-file",
        "s.yaml",
        (("import-name", ""),),
    ),
]
IDS = [p.action.split("/cities/demo-city/")[1] for p in PAGES]


def row_counts(db) -> dict[str, int]:
    """Rows of every table: equal before and after means nothing was saved."""
    db.expire_all()
    return {
        table.name: db.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def small_limits(app, monkeypatch) -> Iterator[None]:
    """File limit of 128 KiB for readers, the upload helper and the request size."""
    monkeypatch.setenv("MAX_UPLOAD_BYTES", str(LIMIT))
    current_limits.cache_clear()
    app.config["MAX_CONTENT_LENGTH"] = LIMIT + FORM_OVERHEAD_BYTES
    yield
    monkeypatch.delenv("MAX_UPLOAD_BYTES")
    current_limits.cache_clear()


# --------------------------------------------------------------------------- each form


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_file_over_the_limit_is_refused_next_to_its_field(client, auth, db, small_limits, page):
    auth.login_as(page.user)
    before = row_counts(db)
    response = client.post(page.action, data=page.data(b"x" * (LIMIT + 1)))
    assert response.status_code == 422
    errors = page.errors_of(response.get_data(as_text=True))
    assert f"{page.filename}: file is larger than the limit of 128 KiB" in errors
    assert row_counts(db) == before


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_request_over_the_limit_is_a_413_next_to_the_field(client, auth, db, small_limits, page):
    auth.login_as(page.user)
    before = row_counts(db)
    response = client.post(
        page.action,
        data=page.data(b"x" * (LIMIT + FORM_OVERHEAD_BYTES + 10)),
        headers={"Referer": f"http://localhost{page.page}"},
    )
    assert response.status_code == 413
    errors = page.errors_of(response.get_data(as_text=True))
    assert "larger than the upload limit of 128 KiB; nothing was saved" in errors
    assert row_counts(db) == before


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_file_of_the_wrong_kind_is_refused_next_to_its_field(client, auth, db, page):
    auth.login_as(page.user)
    before = row_counts(db)
    response = client.post(page.action, data=page.data(b"code,value\n", "notes.txt"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“notes.txt” is not" in page.errors_of(html)
    assert row_counts(db) == before


def test_file_chooser_offers_the_kinds_the_field_takes(client, auth):
    auth.login_as("procurement_officer")
    html = client.get(f"{CITY}/procurement/check").get_data(as_text=True)
    assert 'accept=".yaml,.yml,.json"' in html


def test_problems_located_in_the_file_are_a_table_and_counted_at_the_field(client, auth, db):
    auth.login_as("city_leader")
    before = row_counts(db)
    page = PAGES[0]
    csv = b"code,value,year\nEC: ICT: ICT: 2C,44,2026\nNO SUCH KPI,1,2026\n"
    response = client.post(page.action, data=page.data(csv))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "1 problem in the file, listed with its row and column." in page.errors_of(html)
    table = html.split("problem found; nothing was saved", 1)[1].split("</table>", 1)[0]
    assert "<td>3</td>" in table and "NO SUCH KPI" in table
    assert row_counts(db) == before


def test_a_problem_naming_another_field_of_the_form_is_shown_there(client, auth, db):
    auth.login_as("finance_officer")
    page = PAGES[-1]
    taken = db.scalar(select(Scenario.name).order_by(Scenario.id))
    before = row_counts(db)
    document = b"""name: Tiny
start_year: 2027
horizon_years: 1
budget: {by_year: {2027: 100}}
objective: {mode: value}
projects:
  - {id: P1, capex_profile: [40], value: 10}
"""
    data = {**page.data(document), "import-name": taken}
    response = client.post(page.action, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"already has a scenario named &#39;{taken}&#39;" in page.errors_of(html, "import-name")
    assert row_counts(db) == before


# --------------------------------------------------------------------------- the helper itself


class _Form(FlaskForm):
    file = UploadField("File", SPREADSHEET)
    authority = SelectField("Authority", choices=["central"], validate_choice=False)
    name = StringField("Name")


_PAGE = """{% from "macros.html" import field, problems_list %}{{ problems_list(problems) }}
{{ field(form.file) }}{{ field(form.authority) }}{{ field(form.name) }}"""


@pytest.fixture
def failing_import(app):
    """A page whose import writes an audit entry, then finds a problem in the file."""

    def view():
        form = _Form()
        if form.validate_on_submit():

            def importer(upload):
                record_change(
                    db_session(), actor=None, action="test.import", entity="file", entity_id=1
                )
                db_session().flush()
                raise InputError(Problem(f"{upload.filename}: bad value", row=3, column="value"))

            outcome = import_upload(form, form.file, importer)
            assert outcome.result is None
            return render_template_string(_PAGE, form=form, problems=outcome.problems), 422
        return render_template_string(_PAGE, form=form, problems=[]), 200

    app.add_url_rule("/test-import", "test_import", view, methods=["GET", "POST"])


def test_a_refused_import_leaves_the_database_as_it_was(failing_import, client, auth, db):
    auth.login_as("city_leader")
    before = db.scalar(select(func.count(AuditEntry.id)))
    response = client.post("/test-import", data={"file": (io.BytesIO(b"a,b\n"), "v.csv")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "v.csv: bad value" in html.split("</table>", 1)[0]
    assert "1 problem in the file" in html.split('id="file-err"', 1)[1]
    assert db.scalar(select(func.count(AuditEntry.id))) == before


def test_problems_go_to_the_named_field_only_when_the_view_allows(app):
    error = InputError(
        [
            Problem("unknown authority", field="authority"),
            Problem("too long", field="name"),
            Problem("not UTF-8 text", field="file"),
            Problem("nested too deep"),
        ]
    )
    with app.test_request_context(method="POST"):
        form = _Form(formdata=None)
        assert show_problems(form, form.file, error, ("name",)) == []
        assert form.name.errors == ["too long"]
        assert not form.authority.errors
        assert form.file.errors == [
            "field 'authority': unknown authority",
            "not UTF-8 text",
            "nested too deep",
        ]


def test_kinds_and_names():
    assert SPREADSHEET.refusal("Values.XLSX") is None
    assert WORKBOOK.refusal("values.csv") == (
        "“values.csv” is not an Excel workbook: upload a file ending in .xlsx."
    )
    assert DOCUMENT.refusal("ocds.json") is None and DOCUMENT.refusal("ocds") is not None
    assert upload_name(FileStorage(filename="C:\\Users\\ana\\Kraków.csv")) == "Kraków.csv"
    assert upload_name(FileStorage(filename="home/ana/v\x00.csv")) == "v.csv"


# --------------------------------------------------------------------------- under /api/


@pytest.fixture
def upload_api(app):
    """An API endpoint that reads a spreadsheet upload (the product has none yet)."""

    def view():
        upload = read_upload(request.files.get("file"), SPREADSHEET)
        return {"filename": upload.filename, "bytes": len(upload.content)}

    app.add_url_rule("/api/test-upload", "test_upload", view, methods=["POST"])


def test_api_reads_the_upload_once_within_the_limit(upload_api, client, auth, small_limits):
    auth.login_as("city_leader")
    ok = client.post("/api/test-upload", data={"file": (io.BytesIO(b"x" * LIMIT), "v.csv")})
    assert ok.status_code == 200 and ok.get_json() == {"filename": "v.csv", "bytes": LIMIT}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"file": (io.BytesIO(b"x" * (LIMIT + 1)), "v.csv")},
            "v.csv: file is larger than the limit of 128 KiB",
        ),
        ({"file": (io.BytesIO(b"x"), "v.pdf")}, "“v.pdf” is not a CSV or XLSX file"),
        ({}, "no file was sent"),
    ],
    ids=["too-large", "wrong-kind", "missing"],
)
def test_api_refusals_are_422_json(upload_api, client, auth, small_limits, data, message):
    auth.login_as("city_leader")
    response = client.post("/api/test-upload", data=data)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422 and message in error["message"]
    assert error["problems"][0]["field"] == "file"


def test_api_request_over_the_limit_is_a_413_json(upload_api, client, auth, small_limits):
    auth.login_as("city_leader")
    body = b"x" * (LIMIT + FORM_OVERHEAD_BYTES + 10)
    response = client.post("/api/test-upload", data={"file": (io.BytesIO(body), "v.csv")})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert "upload limit of 128 KiB" in error["message"]
    assert error["problems"][0]["field"] == "file"
