"""Procurement rules: declarative rule packs per jurisdiction and the pure engines
that read them (procedure and timeline assessment, valuation and anti-splitting,
the ICT tender checker, OCDS import and export).

Pure package: no Flask, no SQLAlchemy, no ``models`` or ``web`` imports.
"""
