from web import create_app
from web.config import ProductionConfig


def test_factory_honours_the_given_config(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k"})
    assert app.testing
    assert app.config["SECRET_KEY"] == "k"
    assert app.config["SOLVER"] == "HiGHS"
    app.extensions["db_engine"].dispose()


def test_config_is_read_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SOLVER", "PULP_CBC_CMD")
    app = create_app()
    assert not app.testing
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SOLVER"] == "PULP_CBC_CMD"
    assert str(app.extensions["db_engine"].url).split("/")[-1] == database_url.split("/")[-1]
    app.extensions["db_engine"].dispose()


def test_a_config_class_can_be_passed(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["db_engine"].dispose()


def test_landing_page_explains_the_tool(client):
    page = client.get("/").get_data(as_text=True)
    assert "City leaders" in page and "Procurement officers" in page and "Finance teams" in page
    assert "cdn" not in page.lower()


def test_plotly_is_served_locally(client):
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert len(response.get_data()) > 1_000_000
    response.close()


def test_plotly_is_sent_compressed_and_cached_for_a_year(client):
    import gzip

    plain = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    packed = client.get("/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data) == plain.data
    assert "Accept-Encoding" in packed.headers["Vary"]
    cache = packed.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    again = client.get(
        "/vendor/plotly.min.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304 and not again.data


def test_chart_pages_load_plotly_deferred_and_draw_after_it(client, auth):
    from importlib.metadata import version

    auth.login_as("city_leader")
    page = client.get("/cities/demo-city/kpis/").get_data(as_text=True)
    assert f'<script defer src="/vendor/plotly.min.js?v={version("plotly")}"></script>' in page
    assert 'document.addEventListener("DOMContentLoaded", function () { setTimeout(draw, 0)' in page
    assert page.index("Plotly.newPlot") > page.index('addEventListener("DOMContentLoaded"')
