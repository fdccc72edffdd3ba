"""Financing mechanisms, the fiscal profile and funding mixes (finance officers)."""

from web.finance.views import api, bp

__all__ = ["api", "bp"]
