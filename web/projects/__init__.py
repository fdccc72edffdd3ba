"""Candidate projects and the project library (city leaders)."""

from web.projects.views import api, bp

__all__ = ["api", "bp"]
