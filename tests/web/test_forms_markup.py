"""Form markup every page shares: accessible attributes only when they mean something."""

from __future__ import annotations

import pytest

FORM_PAGES = [
    "/cities/demo-city/portfolio/",
    "/cities/demo-city/projects/new",
    "/cities/demo-city/finance/fiscal-profile",
    "/cities/demo-city/finance/mix",
    "/cities/demo-city/kpis/values/new",
    "/cities/demo-city/kpis/import",
    "/cities/demo-city/kpis/targets",
    "/cities/demo-city/procurement/check",
    "/cities/demo-city/scenarios/",
    "/cities/demo-city/admin/",
]


@pytest.mark.parametrize("url", FORM_PAGES)
def test_no_control_renders_an_attribute_with_the_value_none(client, auth, url):
    auth.login_as("admin")
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert '="None"' not in page


def test_a_field_with_an_error_points_at_its_message(client, auth):
    auth.login_as("city_leader")
    page = client.post("/cities/demo-city/portfolio/", data={"time_limit": "0"}).get_data(
        as_text=True
    )
    assert 'aria-invalid="true"' in page and 'aria-describedby="time_limit-err"' in page
    assert 'id="time_limit-err"' in page


def test_narrow_screens_fold_the_menu_and_scroll_tables_inside_themselves(client, auth):
    auth.login_as("city_leader")
    page = client.get("/cities/demo-city/kpis/targets").get_data(as_text=True)
    assert 'class="button nav-toggle" aria-expanded="true" aria-controls="city-menu"' in page
    assert '<ul id="city-menu">' in page
    css = client.get("/static/css/app.css")
    text = css.get_data(as_text=True)
    css.close()
    narrow = text[text.index("@media (max-width: 640px)") :]
    narrow = narrow[: narrow.index("\n}\n")]
    assert "main table { display: block; overflow-x: auto;" in narrow
    assert ".city-nav.collapsed ul { display: none; }" in narrow
    assert "minmax(min(100%, 26rem), 1fr)" in text  # two-column pages fit a 390 px screen
