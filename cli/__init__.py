"""The ``decision-support`` command: the command-line shell, beside the web shell.

Like ``web/``, it is an outer layer: it may import every package (the pure core, the
rule engine, the scenario tools, the database layer and the web server) and nothing
imports it. One module per command group; :mod:`cli.main` assembles them.
"""
