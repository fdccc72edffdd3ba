"""The ``decision-support`` command group and its entry point.

Every command takes ``--json`` and then prints exactly one JSON document on
stdout; logs and solver output go to stderr. A user error (bad file, unknown
code, bad option) exits with code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any

import click

from decision_support.errors import DecisionSupportError

USER_ERROR_EXIT = 2


COMMANDS = {
    "kpis": "cli.kpis:kpis",
    "peers": "cli.peers:peers",
    "procurement": "cli.procurement:procurement",
    "projects": "cli.projects:projects",
    "finance": "cli.finance:finance",
    "optimise": "cli.portfolio:optimise_command",
    "scenarios": "cli.scenarios:scenarios",
    "db": "cli.database:db",
    "users": "cli.database:users",
    "seed": "cli.database:seed",
    "jobs": "cli.jobs:jobs",
    "serve": "cli.serve:serve",
}
"""Command name → ``module:attribute`` of its click command, imported when it runs."""


class LazyGroup(click.Group):
    """A command group that imports a command's module only when that command is used.

    The command groups pull in heavy libraries (pandas, openpyxl, SQLAlchemy, Alembic,
    OCDS tooling); importing all of them for every invocation cost about 2 s of start-up
    before ``optimise`` could even read its file. ``--help`` still lists every command.
    """

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(name="decision-support", cls=LazyGroup, lazy=COMMANDS)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """Smart-city investment decision support (U4SSC KPIs → portfolio)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: run the CLI and map errors to exit codes."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.exceptions.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return USER_ERROR_EXIT
    except click.exceptions.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return USER_ERROR_EXIT
    except DecisionSupportError as exc:
        click.echo(f"error: {exc}", err=True)
        return USER_ERROR_EXIT
    except OSError as exc:  # unreadable or missing file given on the command line
        click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        return USER_ERROR_EXIT
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
