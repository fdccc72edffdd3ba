"""Portfolio optimisation runs and results (city leaders, finance officers)."""

from web.portfolio.views import api, bp

__all__ = ["api", "bp"]
