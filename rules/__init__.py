"""Procurement rule packs (declarative YAML with citations) and the pure engine
that reads them: procedure and timeline assessment, valuation and anti-splitting,
the ICT tender checker, OCDS import and export.

Pure package: no Flask, no SQLAlchemy, no ``models`` or ``web`` imports.
"""
