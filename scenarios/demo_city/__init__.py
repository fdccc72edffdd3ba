"""The demo city: base scenario and what-ifs referring to it (YAML files)."""
