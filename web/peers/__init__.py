"""Peer-city pages: the city beside cities that published U4SSC results (city leaders)."""

from web.peers.views import api, bp

__all__ = ["api", "bp"]
