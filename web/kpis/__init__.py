"""KPI baseline and U4SSC benchmarking pages (city leaders)."""

from web.kpis.views import api, bp

__all__ = ["api", "bp"]
