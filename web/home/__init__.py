"""Landing page, the list of one's cities, and each city's dashboard."""

from web.home.views import api, bp, city_bp

__all__ = ["api", "bp", "city_bp"]
