"""Candidate projects: the sourced project library, city instantiation, gap → project
matching, candidate-list files (YAML, Excel) and conversion to portfolio entries."""
