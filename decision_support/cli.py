"""The ``decision-support`` command.

Every command takes ``--json`` and then prints exactly one JSON document on
stdout; logs and solver output go to stderr. A user error (bad file, unknown
code, bad option) exits with code 2 and one line on stderr, never a traceback.

Command groups from the outer layers (database, users, web server) are found
through the ``decision_support.commands`` entry-point group, so that this pure
package never imports them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

import click

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


def _register_feature_commands() -> None:
    """Attach the core's own command groups."""
    from decision_support.finance.commands import finance
    from decision_support.kpis.commands import kpis
    from decision_support.peers.commands import peers
    from decision_support.portfolio.commands import optimise_command
    from decision_support.procurement.commands import procurement
    from decision_support.projects.commands import projects
    from scenarios.commands import scenarios

    cli.add_command(kpis)
    cli.add_command(peers)
    cli.add_command(procurement)
    cli.add_command(projects)
    cli.add_command(finance)
    cli.add_command(optimise_command)
    cli.add_command(scenarios)


def _register_plugin_commands() -> None:
    """Attach command groups that the outer layers declare as entry points."""
    for entry in entry_points(group="decision_support.commands"):
        if entry.name in cli.commands:
            continue
        try:
            command = entry.load()
        except ImportError as exc:  # layer not installed in this environment
            logging.getLogger(__name__).debug("skipping command %s: %s", entry.name, exc)
            continue
        cli.add_command(command, entry.name)


_register_feature_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: run the CLI and map errors to exit codes."""
    _register_plugin_commands()
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
