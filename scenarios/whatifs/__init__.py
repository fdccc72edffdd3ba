"""The shipped library of standard what-ifs (YAML files)."""
