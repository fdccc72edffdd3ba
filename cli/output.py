"""What every command shares: the ``--json`` option and how results are printed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document on stdout and nothing else."
)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit(payload: Any, as_json: bool, render_text: Callable[[Any], str] | None = None) -> None:
    """Print a command's result: one JSON document with ``--json``, else readable text."""
    if as_json:
        click.echo(json.dumps(payload, default=_json_default, ensure_ascii=False, indent=2))
    elif render_text is not None:
        click.echo(render_text(payload))
    else:
        click.echo(json.dumps(payload, default=_json_default, ensure_ascii=False, indent=2))
