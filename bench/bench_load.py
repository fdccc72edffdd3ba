"""Benchmark: the web app under load, served as in production (``decision-support
serve``: Gunicorn, gthread workers), on loopback only (127.0.0.1).

Setup: a throwaway database (a SQLite file in a temporary folder, or with
``--database-url postgresql+psycopg://…`` a new database created beside the named
one and dropped afterwards), migrated and seeded with the demo city, plus one
finished portfolio run; then the server on a free port.

Two phases, each bounded in time and in requests:

1. Throughput: ``--users`` closed-loop clients (no pause) on the four main read
   pages (dashboard, KPI snapshot, projects list, a portfolio result). Goal:
   ≥ 100 pages per second.
2. Paced: ``--users`` logged-in users who each wait ``--think`` seconds between
   clicks on those pages and a write path (every ``--write-every``-th click of
   a city leader or administrator: open the KPI value form, post a new value).
   Goal: p95 < 200 ms per page, zero 5xx.

Afterwards the database is checked: every acknowledged write (redirect after the
post) is there exactly once (one audit entry each, the last value of each KPI is
the last one acknowledged), no write that was refused is there, and the KPI
assessment served by the app shows the last values (cache invalidation).

Run: ``PYTHONPATH=. python bench/bench_load.py [--database-url URL] [--json]``.
Exit status 1 when a 5xx, a lost or duplicated write, or a stale page was seen;
the speed goals are reported, not enforced (the machine may be shared).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from decision_support.kpis.catalogue import load_catalogue
from models import migrate
from models.audit import AuditEntry
from models.cities import City
from models.kpis import Kpi, KpiValue
from models.services.demo import DEMO_USERS, seed_demo
from models.services.portfolio import SOURCE_DEMO, RunSettings, create_run, solve_run
from models.services.reference_data import load_kpi_catalogue
from models.session import make_engine, make_session_factory, transaction
from models.users import Role

HOST = "127.0.0.1"
CITY = "demo-city"
WRITE_YEAR = 2026
READ_GOAL_PER_SECOND = 100.0
P95_GOAL_SECONDS = 0.200
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ------------------------------------------------------------------ database and server


@contextmanager
def throwaway_database(url: str | None) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database created on the
    server of ``url`` (never ``url``'s own database) and dropped afterwards."""
    if url is None or url.startswith("sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"bench_load_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, run_time_limit: float) -> int:
    """Migrate, seed the demo city and solve one portfolio run; the run's id."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        load_kpi_catalogue(session)
        seed_demo(session)
    with transaction(factory) as session:
        city = session.scalars(select(City).where(City.slug == CITY)).one()
        run = create_run(
            session,
            city,
            None,
            RunSettings(source=SOURCE_DEMO, time_limit=run_time_limit, gap=0.01),
        )
        solve_run(session, run)
        if not (run.results or {}).get("selected"):
            raise SystemExit(f"the setup run did not produce a portfolio ({run.status})")
        run_id = run.id
    engine.dispose()
    return run_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(url: str, port: int, workers: int | None, threads: int) -> Iterator[int]:
    """``decision-support serve`` in production configuration, until the block ends;
    yields the server's process group (its master's pid)."""
    command = [
        sys.executable,
        "-m",
        "cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--job-workers",
        "0",  # the benchmark's portfolio run is solved beforehand
    ]
    if workers:
        command += ["--workers", str(workers)]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(16),
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        yield from _until_stopped(process, log, port)


def _until_stopped(process: subprocess.Popen[bytes], log: Any, port: int) -> Iterator[int]:
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise SystemExit("the server stopped:\n" + log.read().decode(errors="replace"))
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                try:
                    conn.request("GET", "/auth/login")
                    if conn.getresponse().status == 200:
                        break
                finally:
                    conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer within 60 s")
            time.sleep(0.2)
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server's own process group
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# ------------------------------------------------------------------ clients


@dataclass
class Sample:
    page: str
    seconds: float
    status: int


class Browser:
    """One logged-in user: a keep-alive connection and the session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookie = ""

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        file: tuple[str, str, bytes] | None = None,
    ) -> tuple[int, str, str]:
        """One request; ``file`` is (field, file name, content) for a multipart upload."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body: bytes | str | None = None
        if file is not None:
            boundary = secrets.token_hex(16)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                f"{v}\r\n".encode()
                for k, v in (form or {}).items()
            ]
            field_name, filename, content = file
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read().decode(errors="replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # an idle keep-alive connection the server closed: open a new one
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2 or method != "GET":
                    raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", data

    def login(self, email: str, password: str) -> None:
        status, _, page = self.request("GET", "/auth/login")
        token = CSRF.search(page)
        if status != 200 or token is None:
            raise SystemExit(f"login page: {status}")
        status, _, _ = self.request(
            "POST",
            "/auth/login",
            {"csrf_token": token.group(1), "email": email, "password": password},
        )
        if status != 302:
            raise SystemExit(f"login as {email}: {status}")


@dataclass
class Writes:
    """Values posted by writers: acknowledged (302) and refused ones, per KPI."""

    acknowledged: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)


def write_value(browser: Browser, code: str, value: float, samples: list[Sample]) -> bool:
    """Open the value form and post ``value`` for ``code``; True when acknowledged."""
    path = f"/cities/{CITY}/kpis/values/new"
    started = time.perf_counter()
    status, _, page = browser.request("GET", path)
    samples.append(Sample("kpi value form", time.perf_counter() - started, status))
    token = CSRF.search(page)
    if token is None:
        return False
    form = {
        "csrf_token": token.group(1),
        "code": code,
        "year": str(WRITE_YEAR),
        "value": f"{value:g}",
        "quality": "accurate measurement",
        "verified": "no",
    }
    started = time.perf_counter()
    status, _, _ = browser.request("POST", path, form)
    samples.append(Sample("kpi value post", time.perf_counter() - started, status))
    return status == 302


def values_file(rows: int) -> bytes:
    """A valid values file of about ``rows`` rows for years before the demo data's
    (so the snapshot's latest values stay those the writers post)."""
    kpis = [k for k in load_catalogue() if not k.data_points and k.value_kind != "yes_no"]
    lines = ["code,year,value,quality"]
    for n in range(rows):
        kpi = kpis[n % len(kpis)]
        lines.append(
            f"{kpi.code_compact},{1900 + n // len(kpis) % 100},50,estimate based on assumptions"
        )
    return ("\n".join(lines) + "\n").encode()


def slow_imports(port: int, content: bytes, seconds: float) -> list[Sample]:
    """An administrator uploading a large values file again and again for ``seconds``
    (the slow request the other users must not wait for)."""
    admin = next(u for u in DEMO_USERS if u.role is Role.ADMIN)
    browser = Browser(port)
    browser.login(admin.email, admin.password)
    path = f"/cities/{CITY}/kpis/import"
    samples = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status, _, page = browser.request("GET", path)
        token = CSRF.search(page)
        if token is None:
            samples.append(Sample("large import", 0.0, status))
            break
        started = time.perf_counter()
        status, _, _ = browser.request(
            "POST", path, {"csrf_token": token.group(1)}, ("file", "values.csv", content)
        )
        samples.append(Sample("large import", time.perf_counter() - started, status))
    return samples


def run_users(
    port: int,
    pages: dict[str, str],
    *,
    users: int,
    seconds: float,
    think: float,
    max_requests: int,
    write_every: int,
    writer_codes: list[str],
    writes: Writes,
) -> tuple[list[Sample], float]:
    """``users`` threads clicking until ``seconds`` pass or ``max_requests`` are made;
    the samples and the phase's wall time."""
    accounts = [(u.email, u.password, u.role) for u in DEMO_USERS]
    may_write = {Role.CITY_LEADER, Role.ADMIN}
    browsers: list[tuple[Browser, str | None]] = []
    codes = iter(writer_codes)
    for n in range(users):
        email, password, role = accounts[n % len(accounts)]
        browser = Browser(port)
        browser.login(email, password)
        code = next(codes, None) if write_every and role in may_write else None
        browsers.append((browser, code))
    results: list[list[Sample]] = [[] for _ in browsers]
    budget = threading.Semaphore(max_requests)
    start = threading.Barrier(len(browsers) + 1)
    names = list(pages)

    def user(index: int) -> None:
        browser, code = browsers[index]
        samples = results[index]
        rng = random.Random(index)
        clicks = 0
        start.wait()
        deadline = time.perf_counter() + seconds
        if think:  # users arrive spread over one pause, not all in the same instant
            time.sleep(think * rng.uniform(0.0, 1.0))
        while time.perf_counter() < deadline and budget.acquire(blocking=False):
            clicks += 1
            if code is not None and clicks % write_every == 0:
                with writes.lock:  # each writer has its KPI; values never repeat
                    value = 1 + (len(writes.acknowledged[code]) + len(writes.refused[code])) / 1000
                done = write_value(browser, code, value, samples)
                with writes.lock:
                    (writes.acknowledged if done else writes.refused)[code].append(value)
            else:
                name = names[rng.randrange(len(names))]
                started = time.perf_counter()
                status, _, _ = browser.request("GET", pages[name])
                samples.append(Sample(name, time.perf_counter() - started, status))
            if think:
                time.sleep(think * rng.uniform(0.5, 1.5))  # 1 s on average

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    wall = time.perf_counter() - began
    return [s for samples in results for s in samples], wall


# ------------------------------------------------------------------ checks and report


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def per_page(samples: list[Sample]) -> dict[str, dict[str, Any]]:
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample)
    table = {}
    for page, rows in sorted(by_page.items()):
        times = [r.seconds for r in rows]
        table[page] = {
            "requests": len(rows),
            "p50_ms": round(percentile(times, 0.50) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1),
            "5xx": sum(1 for r in rows if r.status >= 500),
            "other_errors": sum(1 for r in rows if 400 <= r.status < 500),
        }
    return table


def check_writes(url: str, writes: Writes, port: int) -> list[str]:
    """Problems with the writes: lost, duplicated, refused-but-stored, or stale pages."""
    problems = []
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        city = session.scalars(select(City).where(City.slug == CITY)).one()
        catalogue = load_catalogue()
        for compact, values in sorted(writes.acknowledged.items()):
            code = catalogue.get(compact).code
            kpi = session.scalars(select(Kpi).where(Kpi.code == code)).one()
            rows = list(
                session.scalars(
                    select(KpiValue).where(
                        KpiValue.city_id == city.id,
                        KpiValue.kpi_id == kpi.id,
                        KpiValue.year == WRITE_YEAR,
                    )
                )
            )
            audited = [
                float(str(entry.details["value"]))
                for entry in session.scalars(
                    select(AuditEntry).where(
                        AuditEntry.city_id == city.id,
                        AuditEntry.entity == "kpi_value",
                        AuditEntry.action.in_(("add", "correct")),
                    )
                )
                if entry.details.get("code") == code and entry.details.get("year") == WRITE_YEAR
            ]
            if len(rows) != 1 or rows[0].value != values[-1]:
                problems.append(f"{code}: stored {[r.value for r in rows]}, last sent {values[-1]}")
            if sorted(audited) != sorted(values):
                problems.append(
                    f"{code}: {len(values)} writes acknowledged, {len(audited)} audited"
                    f" (lost {sorted(set(values) - set(audited))},"
                    f" extra {sorted(set(audited) - set(values))})"
                )
            if set(audited) & set(writes.refused.get(compact, [])):
                problems.append(f"{code}: a refused write was stored")
    engine.dispose()
    # Every process must show the last values: ask a few times on new connections.
    leader = next(u for u in DEMO_USERS if u.role is Role.CITY_LEADER)
    for _ in range(8):
        browser = Browser(port)
        browser.login(leader.email, leader.password)
        status, _, body = browser.request("GET", f"/api/cities/{CITY}/kpis/assessment")
        if status != 200:
            problems.append(f"assessment API: {status}")
            continue
        shown = {(k["code"], k["year"]): k["value"] for k in json.loads(body)["kpis"] if k["year"]}
        for compact, values in writes.acknowledged.items():
            code = load_catalogue().get(compact).code
            if (code, WRITE_YEAR) in shown and shown[(code, WRITE_YEAR)] != values[-1]:
                problems.append(
                    f"stale assessment: {code} shows {shown[(code, WRITE_YEAR)]}, "
                    f"last written {values[-1]}"
                )
    return problems


def writer_codes(count: int) -> list[str]:
    """Numeric KPIs without data points (one per writer, so writers never collide)."""
    kpis = [k for k in load_catalogue() if not k.data_points and k.value_kind != "yes_no"]
    return [k.code_compact for k in kpis[:count]]


def group_cpu_seconds(group: int) -> float | None:
    """CPU time (user + system) of the processes in process group ``group`` (Linux)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def database_sessions(url: str) -> int | None:
    """Connections opened to the benchmark's database so far, this one included
    (PostgreSQL's statistics, which backends report within a second or so); None on
    SQLite, where opening a connection opens a file."""
    if not url.startswith("postgresql"):
        return None
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            count = conn.execute(
                text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            ).scalar()
    finally:
        engine.dispose()
    return None if count is None else int(count)


class PhaseMeter:
    """CPU used by the server's processes and by this client, and database
    connections the server opened, since creation."""

    def __init__(self, group: int, url: str) -> None:
        self.group = group
        self.url = url
        self.server = group_cpu_seconds(group)
        self.client = time.process_time()
        self.sessions = database_sessions(url)

    def per_request(self, requests: int) -> dict[str, float | None]:
        now = group_cpu_seconds(self.group)
        server = None if now is None or self.server is None else now - self.server
        client = time.process_time() - self.client
        sessions = database_sessions(self.url)
        return {
            "server_cpu_ms_per_request": (
                None if server is None else round(server * 1000 / max(requests, 1), 1)
            ),
            "client_cpu_ms_per_request": round(client * 1000 / max(requests, 1), 1),
            # minus the measuring connection of the phase's start
            "database_connections_opened": (
                None if sessions is None or self.sessions is None else sessions - self.sessions - 1
            ),
        }


def setup_facts(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """What a reader needs to repeat the run: the command, the code, the machine,
    the database server and the server's configuration."""
    from cli.serve import default_workers

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                version = str(conn.execute(text("SHOW server_version")).scalar())
            else:
                version = str(conn.execute(text("SELECT sqlite_version()")).scalar())
    finally:
        engine.dispose()
    workers = args.workers or default_workers()
    return {
        "command": " ".join(
            [
                "PYTHONPATH=.",
                "python",
                "bench/bench_load.py",
                *[shlex.quote(a) for a in sys.argv[1:]],
            ]
        ),
        "commit": commit,
        "python": sys.version.split()[0],
        "cores": os.cpu_count(),
        "database_server": f"{make_url(url).get_backend_name()} {version}",
        "server": (
            f"decision-support serve: Gunicorn gthread, {workers} processes x {args.threads}"
            f" threads, database pool {os.environ.get('DATABASE_POOL_SIZE') or args.threads}"
            " connections per process"
        ),
        "load": (
            f"{args.users} users; throughput {args.throughput_seconds:g} s without pause; paced"
            f" {args.paced_seconds:g} s, {args.think:g} s (0.5-1.5x) between clicks, a write every"
            f" {args.write_every} clicks of leaders and administrators; slow-request"
            f" {args.slow_seconds:g} s with a {args.slow_import_rows}-row import; at most"
            f" {args.max_requests} requests per phase"
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to create a database on")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between clicks")
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per phase")
    parser.add_argument("--write-every", type=int, default=5, help="writers' clicks per write")
    parser.add_argument(
        "--slow-seconds", type=float, default=15.0, help="phase 3 with a large import (0: off)"
    )
    parser.add_argument("--slow-import-rows", type=int, default=5000)
    parser.add_argument("--workers", type=int, help="server processes (serve's default)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--run-time-limit", type=float, default=20.0)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    report: dict[str, Any] = {"load_average_before": load_average()}
    with throwaway_database(args.database_url) as url:
        report["database"] = make_url(url).get_backend_name()
        run_id = prepare(url, args.run_time_limit)
        report["setup"] = setup_facts(args, url)
        pages = {
            "dashboard": f"/cities/{CITY}/",
            "kpi snapshot": f"/cities/{CITY}/kpis/",
            "projects list": f"/cities/{CITY}/projects/",
            "portfolio result": f"/cities/{CITY}/portfolio/runs/{run_id}",
        }
        port = free_port()
        with server(url, port, args.workers, args.threads) as group:
            common = {"users": args.users, "max_requests": args.max_requests}
            meter = PhaseMeter(group, url)
            samples, wall = run_users(
                port,
                pages,
                seconds=args.throughput_seconds,
                think=0.0,
                write_every=0,
                writer_codes=[],
                writes=Writes(),
                **common,
            )
            report["throughput"] = {
                "seconds": round(wall, 1),
                "load_average_after": load_average(),
                "requests": len(samples),
                "pages_per_second": round(len(samples) / wall, 1),
                "goal_met": len(samples) / wall >= READ_GOAL_PER_SECOND,
                **meter.per_request(len(samples)),
                "pages": per_page(samples),
            }
            writes = Writes()
            meter = PhaseMeter(group, url)
            samples, wall = run_users(
                port,
                pages,
                seconds=args.paced_seconds,
                think=args.think,
                write_every=args.write_every,
                writer_codes=writer_codes(args.users),
                writes=writes,
                **common,
            )
            table = per_page(samples)
            report["paced"] = {
                "seconds": round(wall, 1),
                "load_average_after": load_average(),
                "requests": len(samples),
                "think_seconds": args.think,
                "writes_acknowledged": sum(len(v) for v in writes.acknowledged.values()),
                "writes_refused": sum(len(v) for v in writes.refused.values()),
                "goal_met": all(row["p95_ms"] < P95_GOAL_SECONDS * 1000 for row in table.values()),
                **meter.per_request(len(samples)),
                "pages": table,
            }
            if args.slow_seconds > 0:
                content = values_file(args.slow_import_rows)
                imported: list[Sample] = []
                importer = threading.Thread(
                    target=lambda: imported.extend(slow_imports(port, content, args.slow_seconds)),
                    daemon=True,
                )
                meter = PhaseMeter(group, url)
                importer.start()
                samples, wall = run_users(
                    port,
                    pages,
                    seconds=args.slow_seconds,
                    think=args.think,
                    write_every=args.write_every,
                    writer_codes=writer_codes(args.users),
                    writes=writes,
                    **common,
                )
                importer.join(timeout=args.slow_seconds + 300)
                table = per_page(samples + imported)
                report["slow_request"] = {
                    "seconds": round(wall, 1),
                    "load_average_after": load_average(),
                    "requests": len(samples) + len(imported),
                    "import_rows": args.slow_import_rows,
                    "import_kib": len(content) // 1024,
                    "goal_met": all(
                        row["p95_ms"] < P95_GOAL_SECONDS * 1000
                        for page, row in table.items()
                        if page != "large import"
                    ),
                    **meter.per_request(len(samples) + len(imported)),
                    "pages": table,
                }
            report["write_problems"] = check_writes(url, writes, port)
    report["load_average_after"] = load_average()
    phases = [p for p in ("throughput", "paced", "slow_request") if p in report]
    server_errors = sum(row["5xx"] for p in phases for row in report[p]["pages"].values())
    report["5xx"] = server_errors
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 1 if server_errors or report["write_problems"] else 0


def print_report(report: dict[str, Any]) -> None:
    for name, value in report["setup"].items():
        print(f"{name}: {value}")
    print(f"database: {report['database']}, load average before: {report['load_average_before']}")
    for phase in ("throughput", "paced", "slow_request"):
        if phase not in report:
            continue
        data = report[phase]
        if phase == "throughput":
            extra = f"{data['pages_per_second']} pages/s (goal ≥ {READ_GOAL_PER_SECOND:.0f})"
        elif phase == "paced":
            extra = (
                f"think {data['think_seconds']} s, writes {data['writes_acknowledged']} "
                f"acknowledged / {data['writes_refused']} refused (goal p95 < 200 ms)"
            )
        else:
            extra = (
                f"paced users while an administrator imports {data['import_rows']} rows "
                f"({data['import_kib']} KiB) again and again (goal: others' p95 < 200 ms)"
            )
        print(f"== {phase}: {data['requests']} requests in {data['seconds']} s, {extra}")
        print(f"   load average at the end of the phase: {data['load_average_after']}")
        connections = data["database_connections_opened"]
        print(
            f"   CPU per request: server {data['server_cpu_ms_per_request']} ms,"
            f" load generator {data['client_cpu_ms_per_request']} ms"
            + ("" if connections is None else f"; database connections opened: {connections}")
        )
        print(
            f"   {'page':18} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'5xx':>4}"
        )
        for page, row in data["pages"].items():
            print(
                f"   {page:18} {row['requests']:8d} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}"
                f" {row['max_ms']:8.1f} {row['5xx']:4d}"
            )
        print(f"   goal met: {'yes' if data['goal_met'] else 'NO'}")
    problems = report["write_problems"]
    print(f"writes checked in the database: {'no problem' if not problems else ''}")
    for problem in problems:
        print(f"   PROBLEM: {problem}")
    print(f"5xx: {report['5xx']}; load average after: {report['load_average_after']}")


if __name__ == "__main__":
    sys.exit(main())
