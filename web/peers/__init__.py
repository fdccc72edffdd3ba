"""Peer-city pages: the city beside cities that published U4SSC results (city leaders)."""

from __future__ import annotations

from web.access import city_api_blueprint, city_blueprint

bp = city_blueprint("peers", __name__, "peers")
api = city_api_blueprint("peers_api", __name__, "peers")

from web.peers import views  # noqa: E402, F401
