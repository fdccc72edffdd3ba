"""Numbers as people read them: shared filters, the city's locale, bounded inputs."""

from __future__ import annotations

import pytest
from flask import g

from web.templating import (
    format_money,
    format_number,
    format_percent_points,
    format_share,
    locale_for_country,
)


def test_locale_follows_the_citys_country():
    assert locale_for_country("Germany") == "de_DE"
    assert locale_for_country("CH") == "de_CH"
    assert locale_for_country("Fictional country (demo data)", "en") == "en"


def test_filters_write_numbers_without_exponents_in_the_citys_locale(app):
    with app.test_request_context():
        assert format_number(8.265e7) == "82,650,000"
        assert format_number(3.14159) == "3.14"
        assert format_number(None) == "NR"
        assert format_money(450_000, "EUR") == "€450,000"
        assert format_money(82_650_000, "EUR") == "€82.65M"
        assert format_share(0.765) == "76.5%"
        assert format_percent_points(93) == "93%"

        class City:
            country = "Germany"

        g.city = City()
        assert format_number(8.265e7) == "82.650.000"
        assert format_money(450_000, "EUR") == "450.000\xa0€"


def test_comparison_and_fiscal_pages_show_no_exponent_or_trailing_zero(client, auth):
    auth.login_as("finance_officer")
    page = client.get("/cities/demo-city/finance/fiscal-profile").get_data(as_text=True)
    assert "450000000.0" not in page and 'value="450000000"' in page


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (
            "/cities/demo-city/procurement/",
            {"value": "1e30", "category": "works", "authority": "sub_central"},
            "value",
        ),
        ("/cities/demo-city/portfolio/", {"source": "city", "budget_per_year": "1e30"}, None),
    ],
)
def test_absurd_amounts_are_refused_next_to_the_field(client, auth, url, data, field):
    auth.login_as("admin")
    if field:  # the procedure assessment is a GET form
        response = client.get(url, query_string=data)
    else:
        response = client.post(url, data=data)
        assert response.status_code == 422
    assert "must be between 0 and 10,000,000,000,000" in response.get_data(as_text=True)
