"""Scenarios: what-if overrides, batch runs, comparison, frontiers and robustness.

Pure package (no Flask, no SQLAlchemy); it drives the portfolio optimiser of
``decision_support.portfolio`` through :mod:`scenarios.solving`.
"""
