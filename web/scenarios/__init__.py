"""Saved funding scenarios and what-ifs (finance officers, city leaders)."""

from web.scenarios.views import api, bp

__all__ = ["api", "bp"]
