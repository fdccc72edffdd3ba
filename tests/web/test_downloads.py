"""web.downloads: every download is an attachment with the MIME type of its extension,
a name every browser can save (ASCII, plus the exact UTF-8 name), and no caching."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.scenarios import Scenario
from web.downloads import XLSX, ascii_filename, content_disposition, download, json_download

CITY = "/cities/demo-city"
QUERY = "value=300000&category=services&authority=sub-central&date=2026-03-02&electronic=y"


def test_plain_names_are_sent_as_they_are():
    assert (
        content_disposition("demo-city-kpis.xlsx") == 'attachment; filename="demo-city-kpis.xlsx"'
    )


def test_non_ascii_names_get_an_ascii_fallback_and_the_exact_utf8_name():
    header = content_disposition("Łódź plan 2030.yaml")
    assert header == (
        'attachment; filename="odz-plan-2030.yaml"; '
        "filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20plan%202030.yaml"
    )
    header.encode("latin-1")  # what an HTTP server must be able to send
    assert ascii_filename("São-Paulo-kpis.xlsx") == "Sao-Paulo-kpis.xlsx"
    assert ascii_filename("東京.xlsx") == "download.xlsx"


def test_names_cannot_break_out_of_the_header_or_into_folders():
    header = content_disposition('ZP/2026\\7 "final";\r\nSet-Cookie: x.json')
    assert "\r" not in header and "\n" not in header and "/" not in header.split("''")[0]
    assert header.startswith('attachment; filename="ZP-2026-7-final-Set-Cookie-x.json"; ')
    assert header.endswith("ZP-2026-7%20%22final%22%3B-Set-Cookie%3A%20x.json")


def test_mime_type_follows_the_extension_and_text_is_utf8(app):
    with app.test_request_context():
        csv = download("kpi,ville\nEC,Genève\n", "values.csv")
        assert csv.content_type == "text/csv; charset=utf-8"
        assert csv.data == "kpi,ville\nEC,Genève\n".encode()
        assert download(b"PK", "a.xlsx").mimetype == XLSX
        assert download("a: 1\n", "a.yml").mimetype == "application/yaml"
        document = json_download({"city": "Łódź"}, "a.json")
        assert document.mimetype == "application/json"
        assert json.loads(document.data) == {"city": "Łódź"} and "Łódź".encode() in document.data
        assert document.headers["Cache-Control"] == "private, no-store"
        with pytest.raises(ValueError, match="no MIME type"):
            download(b"", "report.pdf")


@pytest.mark.parametrize(
    ("user", "url", "mimetype", "filename"),
    [
        ("city_leader", f"{CITY}/kpis/export.xlsx", XLSX, "demo-city-kpis.xlsx"),
        ("city_leader", f"{CITY}/kpis/template.xlsx", XLSX, "u4ssc-kpi-template.xlsx"),
        (
            "city_leader",
            f"{CITY}/kpis/template-filled.xlsx",
            XLSX,
            "demo-city-kpi-template.xlsx",
        ),
        ("city_leader", f"{CITY}/projects/export.xlsx", XLSX, "demo-city-candidates.xlsx"),
        (
            "finance_officer",
            f"{CITY}/finance/mechanisms.xlsx",
            XLSX,
            "demo-city-financing-mechanisms.xlsx",
        ),
        (
            "procurement_officer",
            f"{CITY}/procurement/?{QUERY}&export=xlsx",
            XLSX,
            "procurement-assessment.xlsx",
        ),
        (
            "procurement_officer",
            f"{CITY}/procurement/?{QUERY}&export=ocds",
            "application/json",
            "planned-tender-ocds.json",
        ),
    ],
)
def test_every_download_is_a_private_attachment(client, auth, user, url, mimetype, filename):
    auth.login_as(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_scenario_named_in_polish_downloads_under_its_name(client, auth, db):
    scenario = db.scalars(select(Scenario).order_by(Scenario.id)).first()
    scenario.name = "Łódź 2030"
    db.commit()
    auth.login_as("finance_officer")
    response = client.get(f"{CITY}/scenarios/{scenario.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")
    assert header == (
        "attachment; filename=\"odz-2030.yaml\"; filename*=UTF-8''%C5%82%C3%B3d%C5%BA-2030.yaml"
    )
    assert "name: Łódź 2030" in response.get_data(as_text=True)
