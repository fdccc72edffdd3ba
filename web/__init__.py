"""The Flask web app: ``create_app`` wires configuration, the database, CSRF
protection, error pages and one blueprint per area of the product."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from web.config import Config, config_class

csrf = CSRFProtect()


def create_app(config: Mapping[str, Any] | type[Config] | None = None) -> Flask:
    """Create the app. ``config`` is a mapping or a config class overriding the
    environment-derived defaults (tests pass their database URL here)."""
    app = Flask(__name__, instance_relative_config=True)
    base = config if isinstance(config, type) else config_class()
    app.config.from_mapping(base.from_environment(app.instance_path))
    if isinstance(config, Mapping):
        app.config.from_mapping(config)

    from web import assets, database, errors, templating

    database.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    assets.init_app(app)

    from web import (
        admin,
        auth,
        finance,
        home,
        kpis,
        peers,
        portfolio,
        procurement,
        projects,
        scenarios,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(home.city_bp)
    app.register_blueprint(home.api)
    for feature in (kpis, peers, projects, finance, procurement, portfolio, scenarios, admin):
        app.register_blueprint(feature.bp)
        app.register_blueprint(feature.api)
    return app
