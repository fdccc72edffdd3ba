"""Procedures, timelines and ICT tender checks (procurement officers)."""

from web.procurement.views import api, bp

__all__ = ["api", "bp"]
