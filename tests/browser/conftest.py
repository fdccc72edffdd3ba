"""Browser tests: the app served on a free loopback port, driven by Debian's Chromium.

Playwright for Python drives ``/usr/bin/chromium`` (``CHROMIUM`` overrides the path);
Playwright's own browser downloads are never used. Each test gets a fresh seeded
database, its own server (background jobs really run, as in
production: a job-engine consumer solves what the pages queue) and a browser with a
fresh user-data directory. When a test fails, the
page it was on is saved as a screenshot under ``BROWSER_ARTIFACTS`` (default
``.pytest_cache/browser-failures``) and the path is printed in the report.

Every test here carries the ``browser`` marker: ``pytest -m browser`` runs them alone,
``pytest -m "not browser"`` skips them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.serving import BaseWSGIServer, make_server

from models.jobs.queue import huey
from models.services.demo import DEMO_USERS

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / ".pytest_cache" / "browser-failures"))
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PASSWORDS = {u.role.value: (u.email, u.password) for u in DEMO_USERS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item, so the page fixture knows about failures."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.when == "call" and report.failed and server is not None:
        report.sections.append(("Background jobs when the test failed", job_state(server.app)))


class LiveServer:
    """The app served by werkzeug in a thread on 127.0.0.1 and a free port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live_server(database_url: str, tmp_path: Path, job_worker: Any) -> Iterator[LiveServer]:
    """The app on a fresh seeded database, served on a free loopback port, with a real
    job-engine consumer (``job_worker``) solving the runs and analyses it queues."""
    from web import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-test-secret",
            "TESTING": False,
            "PENDING_UPLOADS_DIR": str(tmp_path / "pending-uploads"),
        }
    )
    server = LiveServer(app)
    yield server
    server.stop()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser_context(
    playwright_driver: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A Chromium context on a fresh user-data directory (downloads accepted)."""
    profile = tmp_path / "chromium-profile"
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page; on failure its last state is saved as a screenshot."""
    tab = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        path = ARTIFACTS / f"{name}.png"
        try:
            tab.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # the page may be gone; say so, keep the test's own error
            note = f"could not save a screenshot: {exc}"
        else:
            note = f"last page saved as {path} ({tab.url})"
        request.node.add_report_section("teardown", "screenshot", note)


def job_state(app: Flask) -> str:
    """What a failed journey needs to say about its background work: every job row
    of the test's database and the stack of every thread of this process (the
    job-engine consumer's workers solve in threads here)."""
    lines: list[str] = []
    queries = {
        "portfolio_runs": "SELECT id, status, progress, attempts, created_at, heartbeat_at, "
        "finished_at, error FROM portfolio_runs ORDER BY id",
        "scenario_jobs": "SELECT id, kind, status, done, total, heartbeat_at, finished_at, "
        "error FROM scenario_jobs ORDER BY id",
    }
    try:
        with app.extensions["db_engine"].connect() as connection:
            for table, query in queries.items():
                lines.append(f"{table}:")
                lines.extend(f"  {tuple(row)}" for row in connection.execute(text(query)))
    except Exception as exc:  # the report must not hide the test's own failure
        lines.append(f"could not read the job tables: {exc}")
    lines.append(f"tasks waiting in the queue: {huey.pending_count()}")
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        lines.append(f"thread {names.get(ident, ident)}:")
        lines.extend("  " + line.rstrip() for line in traceback.format_stack(frame)[-12:])
    return "\n".join(lines)


@pytest.fixture
def login(page: Any, live_server: LiveServer) -> Any:
    """``login(role)`` logs the page in as the demo user holding ``role``."""

    def log_in(role: str) -> None:
        email, password = PASSWORDS[role]
        page.goto(f"{live_server.url}/auth/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile("log in", re.I)).click()
        page.wait_for_load_state()
        assert "/auth/login" not in page.url, page.inner_text("main")

    return log_in
