"""Scenario files (the demo city, what-ifs) and the runner / comparison code."""
