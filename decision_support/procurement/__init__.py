"""CLI front end of the procurement rules (the engine lives in the pure ``rules`` package)."""
