"""``decision-support serve``: serve the web app with Waitress."""

from __future__ import annotations

import logging
import os

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
@click.option("--threads", type=int, default=8, show_default=True)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app (DATABASE_URL picks the database)."""
    from waitress import serve as waitress_serve

    from web import create_app

    app = create_app()
    logging.getLogger("waitress").setLevel(logging.INFO)
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads)
