"""Benchmark: what one request of each main page costs inside one process, on the
app itself (Flask's test client, no server, no other load): SQL statements, time in
the database driver, wall time and CPU time, as a repeat view (cached) and as the
first view after a write to each data domain (what the write invalidates).

Setup as in ``bench_load.py``: a throwaway database (SQLite, or with
``--database-url`` a new PostgreSQL database beside the named one), migrated and
seeded with the demo city, plus one finished portfolio run.

``--profile PAGE`` prints the cProfile table (top 30 by ``--profile-sort``) of
``--repeat`` views of one page, e.g. ``--profile "kpi value post"``.

Run: ``PYTHONPATH=. python bench/bench_page_costs.py [--database-url URL] [--json]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_load import CITY, prepare, throwaway_database
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from models.cities import City
from models.financing import FinancingMechanism
from models.projects import Project
from models.services.demo import DEMO_USERS
from models.session import make_engine, make_session_factory, transaction
from models.users import Role
from web import create_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRITE_CODE = "EC:ICT:ICT:1C"


class Meter:
    """Statements and driver time on the app's engine."""

    def __init__(self, app: Flask) -> None:
        self.statements = 0
        self.sql_seconds = 0.0
        self._started = 0.0
        engine = app.extensions["db_engine"]
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args: object) -> None:
        self.statements += 1
        self._started = time.perf_counter()

    def _after(self, *_args: object) -> None:
        self.sql_seconds += time.perf_counter() - self._started

    def measure(self, request: Callable[[], int]) -> dict[str, float]:
        self.statements, self.sql_seconds = 0, 0.0
        wall, cpu = time.perf_counter(), time.thread_time()
        status = request()
        if status >= 400:
            raise SystemExit(f"status {status}")
        return {
            "statements": self.statements,
            "sql_ms": self.sql_seconds * 1000,
            "wall_ms": (time.perf_counter() - wall) * 1000,
            "cpu_ms": (time.thread_time() - cpu) * 1000,
        }


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in rows), 1) for k in rows[0]}


class Writes:
    """Writes to one domain each, as another process would make them (own session)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.factory = make_session_factory(self.engine)
        self.count = 0

    def kpi_value(self) -> None:
        from decision_support.kpis.values import check_value
        from models.services.kpi_values import save_kpi_value

        self.count += 1
        with transaction(self.factory) as session:
            city = session.scalars(select(City).where(City.slug == CITY)).one()
            value = check_value(WRITE_CODE, f"{10 + self.count / 1000:g}", year="2026")
            save_kpi_value(session, city, None, value)

    def project(self) -> None:
        self.count += 1
        with transaction(self.factory) as session:
            project = session.scalars(select(Project).order_by(Project.code)).first()
            assert project is not None
            project.description = f"benchmark edit {self.count}"

    def finance(self) -> None:
        with transaction(self.factory) as session:
            mechanism = session.scalars(select(FinancingMechanism)).first()
            assert mechanism is not None
            mechanism.enabled = not mechanism.enabled


def login(client: FlaskClient) -> None:
    leader = next(u for u in DEMO_USERS if u.role is Role.CITY_LEADER)
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True))
    assert token is not None
    response = client.post(
        "/auth/login",
        data={"csrf_token": token.group(1), "email": leader.email, "password": leader.password},
    )
    if response.status_code != 302:
        raise SystemExit(f"login: {response.status_code}")


def getter(client: FlaskClient, path: str) -> Callable[[], int]:
    """A request for ``path``: its status."""
    return lambda: client.get(path).status_code


def value_post(client: FlaskClient, counter: list[int]) -> Callable[[], int]:
    """A request posting a new value of the benchmark's KPI (token fetched beforehand)."""
    path = f"/cities/{CITY}/kpis/values/new"
    token = CSRF.search(client.get(path).get_data(as_text=True))
    assert token is not None

    def post() -> int:
        counter[0] += 1
        form = {
            "csrf_token": token.group(1),
            "code": WRITE_CODE,
            "year": "2026",
            "value": f"{50 + counter[0] / 1000:g}",
            "quality": "accurate measurement",
            "verified": "no",
        }
        return client.post(path, data=form).status_code

    return post


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    parser.add_argument("--repeat", type=int, default=15, help="views per measurement")
    parser.add_argument("--run-time-limit", type=float, default=20.0)
    parser.add_argument("--profile", metavar="PAGE", help="print a cProfile table of PAGE")
    parser.add_argument("--profile-state", default="repeat view", help="e.g. 'after a KPI write'")
    parser.add_argument("--profile-sort", default="cumulative", help="or tottime")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    report: dict[str, Any] = {}
    with throwaway_database(args.database_url) as url:
        report["database"] = make_url(url).get_backend_name()
        run_id = prepare(url, args.run_time_limit)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        meter = Meter(app)
        client = app.test_client()
        login(client)
        pages = {
            "dashboard": f"/cities/{CITY}/",
            "kpi snapshot": f"/cities/{CITY}/kpis/",
            "projects list": f"/cities/{CITY}/projects/",
            "portfolio result": f"/cities/{CITY}/portfolio/runs/{run_id}",
        }
        pages["kpi value form"] = f"/cities/{CITY}/kpis/values/new"
        requests = {name: getter(client, path) for name, path in pages.items()}
        requests["kpi value post"] = value_post(client, [0])
        writes = Writes(url)

        states: dict[str, Callable[[], None] | None] = {
            "repeat view": None,
            "after a KPI write": writes.kpi_value,
            "after a project write": writes.project,
            "after a finance write": writes.finance,
        }
        if args.profile:
            request, write = requests[args.profile], states[args.profile_state]
            request()
            profiler = cProfile.Profile()
            for _ in range(args.repeat):
                if write is not None:
                    write()
                profiler.enable()
                request()
                profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.profile_sort).print_stats(30)
            print(out.getvalue())
            writes.engine.dispose()
            app.extensions["db_engine"].dispose()
            return 0

        table: dict[str, dict[str, dict[str, float]]] = {}
        for name, request in requests.items():
            table[name] = {}
            request()  # warm
            for state, write in states.items():
                if name == "kpi value post" and state != "repeat view":
                    continue
                rows = []
                for _ in range(args.repeat):
                    if write is not None:
                        write()
                    rows.append(meter.measure(request))
                table[name][state] = _median(rows)
        report["pages"] = table
        writes.engine.dispose()
        app.extensions["db_engine"].dispose()

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"database: {report['database']}; medians of {args.repeat} requests, one client")
    print(f"{'page':18} {'state':22} {'stmts':>5} {'sql ms':>7} {'wall ms':>8} {'cpu ms':>7}")
    for name, states_ in report["pages"].items():
        for state, row in states_.items():
            print(
                f"{name:18} {state:22} {row['statements']:5.0f} {row['sql_ms']:7.1f}"
                f" {row['wall_ms']:8.1f} {row['cpu_ms']:7.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
