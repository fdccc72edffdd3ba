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
