"""Procurement rule packs (declarative YAML with citations) and the pure engine
that reads them."""
