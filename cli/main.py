"""The ``decision-support`` command group and its entry point.

Every command takes ``--json`` and then prints exactly one JSON document on
stdout; logs and solver output go to stderr. A user error (bad file, unknown
code, bad option) exits with code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import click

from cli.database import db, seed, users
from cli.finance import finance
from cli.jobs import jobs
from cli.kpis import kpis
from cli.peers import peers
from cli.portfolio import optimise_command
from cli.procurement import procurement
from cli.projects import projects
from cli.scenarios import scenarios
from cli.serve import serve
from decision_support.errors import DecisionSupportError

USER_ERROR_EXIT = 2


@click.group(name="decision-support")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """Smart-city investment decision support (U4SSC KPIs → portfolio)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


for command in (
    kpis,
    peers,
    procurement,
    projects,
    finance,
    optimise_command,
    scenarios,
    db,
    users,
    seed,
    jobs,
    serve,
):
    cli.add_command(command)


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
