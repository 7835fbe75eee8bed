"""Benchmark the family record page and search over HTTP, against a bare Django view.

    .venv/bin/python benchmarks/run.py --people 100000
    .venv/bin/python benchmarks/run.py --people 1000000

Creates the PostgreSQL database if it is missing and seeds it with `beststart seed --people N`
unless it already holds that county (so reruns are cheap), starts the real server
(`beststart serve`, waitress) on a free loopback port, signs in as the demo health visitor,
collects real family ids, surnames and dates of birth from the pages that user sees, then sends
a bounded number of requests at each endpoint, first from one client (latency) and then from
several at once (throughput). Prints a table and writes benchmarks/results/<N>.json, from which
benchmarks/report.py renders the tables in docs/performance.md.

Everything stays on 127.0.0.1; every phase is bounded by a request count and a time limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/beststart_bench_{people}"
USERNAME = "health.visitor"
PASSWORD = "best-start-demo"  # noqa: S105 - the synthetic demo accounts' published password
HOST = "127.0.0.1"
# Above this many cores' worth of CPU used by other processes during a phase, its figures
# are flagged as disturbed (the machine has two cores).
BUSY_CORES = 0.25


# ---------------------------------------------------------------------------------------------
# The database: create, check, seed


def _connect_admin(url: str) -> psycopg.Connection[Any]:
    """A connection to the server's maintenance database, to create the benchmark one."""
    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> bool:
    """Create the database if it is missing. True if it was created."""
    name = database_name(url)
    with _connect_admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def read_marker(url: str) -> dict[str, Any] | None:
    """The note run.py leaves on the database (COMMENT ON DATABASE) after seeding it."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        marker = json.loads(row[0])
    except ValueError:
        return None
    return marker if isinstance(marker, dict) else None


def write_marker(url: str, marker: dict[str, Any]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(database_name(url)), sql.Literal(json.dumps(marker))
            )
        )


def family_count(url: str) -> int | None:
    with psycopg.connect(url) as conn:
        table = conn.execute("SELECT to_regclass('public.families_family')").fetchone()
        if not table or table[0] is None:
            return None
        row = conn.execute("SELECT count(*) FROM families_family").fetchone()
        return int(row[0]) if row else 0


def expected_families(people: int) -> int:
    from beststart.demo.management.commands.seed import families_for

    return families_for(None, people)


def ensure_seeded(url: str, people: int, env: dict[str, str], *, reseed: bool) -> dict[str, Any]:
    """Seed the county unless the database already holds it; returns the seed marker."""
    created = ensure_database(url)
    want = expected_families(people)
    marker = None if created else read_marker(url)
    have = None if created else family_count(url)
    if not reseed and have == want:
        if marker and marker.get("people") == people:
            print(f"Database {database_name(url)} already holds {have:,} families; not seeding.")
            return marker
        # Seeded by hand (or by an older run): keep it, and say the seed time is unknown.
        marker = {"people": people, "families": want, "seed_seconds": None, "seeded_at": None}
        write_marker(url, marker)
        print(f"Database {database_name(url)} holds {have:,} families (seed time not recorded).")
        return marker
    print(f"Seeding {database_name(url)} with about {people:,} people ({want:,} families)...")
    write_marker(url, {"people": None})
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "beststart"), "seed", "--people", str(people)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    vacuum = vacuum_analyze(url)
    marker = {
        "people": people,
        "families": want,
        "seed_seconds": round(seconds, 1),
        "vacuum_analyze_seconds": round(vacuum, 1),
        "seeded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    write_marker(url, marker)
    print(
        f"Seeded in {seconds:,.0f} s ({want / seconds:,.0f} families/s); "
        f"VACUUM ANALYZE {vacuum:,.0f} s."
    )
    return marker


def vacuum_analyze(url: str) -> float:
    """Planner statistics and the visibility map, as a live database would have them; without
    this the first runs after a seed measure plans made on no statistics at all."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(url: str, *, debug: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BESTSTART_DATABASE_URL=url,
        BESTSTART_ENV="development",
        BESTSTART_DEBUG="true" if debug else "false",
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join(
            part for part in (str(BENCH_DIR), os.environ.get("PYTHONPATH", "")) if part
        ),
    )
    return env


class Server:
    """`beststart serve` in a subprocess, stopped on exit."""

    def __init__(self, env: dict[str, str], port: int, threads: int) -> None:
        self.port = port
        self.database = database_name(env["BESTSTART_DATABASE_URL"])
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="beststart-bench-server-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "beststart"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--threads",
                str(threads),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"server not ready after {timeout:.0f} s; see {self.log.name}")

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time of the server process so far (Linux /proc)."""
        if not Path(f"/proc/{self.process.pid}/stat").exists():
            return None
        return _proc_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _proc_cpu_seconds(pid: int | str, *, reaped_children: bool = False) -> float:
    """User plus system CPU time of a process (Linux /proc), and optionally of its children
    that have exited and been waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


_BACKEND = re.compile(r"^postgres: [^:]+: \S+ (\S+) (?:\S+\(\d+\)|\[local\])")


def postgres_cpu_seconds(database: str) -> float:
    """CPU time of PostgreSQL on this machine: the backends serving `database`, the shared
    processes (writer, checkpointer, autovacuum) and the postmaster's reaped children, which
    keeps the time of backends that closed during a phase (Django reconnects every
    BESTSTART_DB_CONN_MAX_AGE seconds). Backends of other databases count as other work."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("postgres"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        backend = _BACKEND.match(command)
        if backend and backend.group(1) != database:
            continue
        total += _proc_cpu_seconds(entry.name, reaped_children=True)
    return total


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy, all cores (Linux /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuSnapshot:
    machine: float
    server: float
    client: float
    postgres: float

    @classmethod
    def take(cls, server: Server) -> CpuSnapshot:
        return cls(
            machine=machine_busy_seconds(),
            server=server.cpu_seconds() or 0.0,
            client=time.process_time(),
            postgres=postgres_cpu_seconds(server.database),
        )


def wait_for_quiet(max_wait: float, sample: float = 3.0) -> float:
    """Wait (at most `max_wait` seconds) until other processes leave the machine nearly idle,
    so that a shared machine's other work does not land in the figures. Returns the cores
    that were busy in the last sample."""
    deadline = time.monotonic() + max_wait
    while True:
        before = machine_busy_seconds()
        time.sleep(sample)
        busy = (machine_busy_seconds() - before) / sample
        if busy <= BUSY_CORES or time.monotonic() >= deadline:
            return busy


# ---------------------------------------------------------------------------------------------
# A tiny HTTP client with cookies, one keep-alive connection


class Browser:
    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Host": f"{HOST}:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """(status, body, Location header); reconnects once if the server closed the socket."""
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=self._headers(headers))
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, data.decode("utf-8", "replace"), response.getheader("Location", "")

    def get(self, path: str) -> tuple[int, str]:
        status, body, _ = self.request("GET", path)
        return status, body

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """A form post with the CSRF token a browser would send (the cookie's secret)."""
        data = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        status, body, _ = self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return status, body

    def send(self, target: Target) -> tuple[int, str]:
        return self.post(target.path, target.form) if target.form else self.get(target.path)

    def close(self) -> None:
        self.conn.close()


def sign_in(port: int) -> dict[str, str]:
    """Sign in as the demo health visitor the way a browser does; returns the cookies."""
    browser = Browser(port)
    status, page = browser.get("/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        raise RuntimeError(f"sign-in page: status {status}, no CSRF token")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": USERNAME, "password": PASSWORD}
    )
    status, _, location = browser.request(
        "POST",
        "/sign-in/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    browser.close()
    if status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"sign-in failed: status {status}, redirect {location!r}")
    return browser.cookies


# ---------------------------------------------------------------------------------------------
# Real queries from the pages the user sees

_ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.S)
_FAMILY_LINK = re.compile(r'href="/families/(\d+)/">([^<]+)</a>')
_BORN = re.compile(r"([^,<>]+), born (\d{1,2} [A-Z][a-z]{2} \d{4})")
_FOUND = re.compile(r"(\d+) (?:person|people) found")


@dataclass
class Workload:
    family_ids: list[int] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)
    births: list[tuple[str, dt.date]] = field(default_factory=list)  # (full name, date)
    caseload_pages: int = 0
    caseload_size: int = 0


def collect_workload(port: int, cookies: dict[str, str], families: int) -> Workload:
    """Family ids, surnames and children's dates of birth from the caseload pages."""
    browser = Browser(port, cookies)
    work = Workload()
    page = 1
    while len(work.family_ids) < families:
        status, body = browser.get(f"/caseload/?page={page}")
        if status != 200:
            raise RuntimeError(f"caseload page {page}: status {status}")
        size = re.search(r"named practitioner for ([\d,]+) famil", body)
        if size:
            work.caseload_size = int(size.group(1).replace(",", ""))
        rows = _ROW.findall(body)
        found = 0
        for row in rows:
            link = _FAMILY_LINK.search(row)
            if not link:
                continue
            found += 1
            work.family_ids.append(int(link.group(1)))
            work.surnames.append(html.unescape(link.group(2)).removesuffix(" family"))
            for name, born in _BORN.findall(row):
                day = dt.datetime.strptime(born, "%d %b %Y").date()
                work.births.append((html.unescape(name.strip()), day))
        work.caseload_pages = page
        if not found or f"page={page + 1}" not in body:
            break
        page += 1
    browser.close()
    if not work.family_ids:
        raise RuntimeError("the caseload is empty: nothing to benchmark")
    return work


def with_typo(name: str, rng: random.Random) -> str | None:
    """The name with two adjacent letters swapped, after the first two (a common slip)."""
    letters = name.replace("'", "").replace("-", "")
    if len(letters) < 5 or not letters.isalpha():
        return None
    spots = [i for i in range(2, len(letters) - 1) if letters[i].lower() != letters[i + 1].lower()]
    if not spots:
        return None
    i = rng.choice(spots)
    return letters[:i] + letters[i + 1] + letters[i] + letters[i + 2 :]


@dataclass
class Target:
    """One request of an endpoint: a path (and a form, to post it), text that must be on the
    page, and text we hope a search puts in its results (their quality, not an error)."""

    path: str
    must: str
    hope: str = ""
    form: dict[str, str] | None = None


@dataclass
class Endpoint:
    key: str
    label: str
    targets: list[Target]
    signed_in: bool = True


SEARCH_DONE = "found</h2>"  # the results heading: "3 people found"


def _search(query: str, hope: str) -> Target:
    """Searches are posted (names and NHS numbers never sit in a URL)."""
    return Target("/search/", SEARCH_DONE, hope=hope, form={"q": query})


def endpoints(work: Workload, seed: int) -> list[Endpoint]:
    rng = random.Random(seed)
    typos = []
    for surname in work.surnames:
        typo = with_typo(surname, rng)
        if typo:
            typos.append(_search(typo, hope=surname))
    return [
        Endpoint(
            "bare_anonymous",
            "bare Django view, anonymous",
            [Target("/bench/bare", "ok")],
            signed_in=False,
        ),
        Endpoint("bare_signed_in", "bare Django view, signed in", [Target("/bench/bare", "ok")]),
        Endpoint(
            "record",
            "family record /families/<id>/",
            [Target(f"/families/{fid}/", f"Family record {fid}") for fid in work.family_ids],
        ),
        Endpoint(
            "caseload",
            "caseload /caseload/",
            [Target("/caseload/", "My caseload")],
        ),
        Endpoint(
            "reviews_due_team",
            "Reviews due /reviews/, the team's",
            [Target("/reviews/?scope=team", "Reviews due")],
        ),
        Endpoint(
            "reviews_due_mine",
            "Reviews due /reviews/, my families",
            [Target("/reviews/?scope=mine", "Reviews due")],
        ),
        Endpoint(
            "search_surname",
            "search by surname",
            [_search(surname, hope=surname) for surname in work.surnames],
        ),
        Endpoint(
            "search_dob",
            "search by date of birth",
            [_search(day.strftime("%d/%m/%Y"), hope=name) for name, day in work.births],
        ),
        Endpoint("search_typo", "search, surname with a typo", typos),
    ]


# ---------------------------------------------------------------------------------------------
# Load


@dataclass
class Phase:
    endpoint: str
    label: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    statuses: dict[str, int]
    server_cpu_ms_per_request: float | None
    postgres_cpu_ms_per_request: float | None
    client_cpu_ms_per_request: float | None
    other_cpu_cores: float | None  # busy cores not explained by server, client and PostgreSQL
    searches_with_hits: float | None = None
    searches_finding_expected: float | None = None
    mean_hits: float | None = None


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def drive(
    endpoint: Endpoint,
    *,
    port: int,
    cookies: dict[str, str],
    concurrency: int,
    total: int,
    max_seconds: float,
    warmup: int,
    server: Server,
) -> Phase:
    """Send up to `total` requests (cycling through the targets) from `concurrency` clients,
    each on its own keep-alive connection, stopping early after `max_seconds`."""
    jar = cookies if endpoint.signed_in else {}
    targets = endpoint.targets
    counter: Iterator[int] = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0
    hits: list[int] = []
    hoped = 0
    hoped_found = 0
    stop_at = 0.0

    def client() -> None:
        nonlocal errors, hoped, hoped_found
        browser = Browser(port, jar)
        try:
            while True:
                with lock:
                    index = next(counter)
                if index >= total or time.perf_counter() > stop_at:
                    return
                target = targets[index % len(targets)]
                started = time.perf_counter()
                try:
                    status, body = browser.send(target)
                except (http.client.HTTPException, OSError):
                    status, body = 0, ""
                elapsed = time.perf_counter() - started
                ok = status == 200 and target.must in body
                found = _FOUND.search(body) if ok else None
                with lock:
                    latencies.append(elapsed)
                    statuses[str(status)] += 1
                    if not ok:
                        errors += 1
                    if found:
                        hits.append(int(found.group(1)))
                    if ok and target.hope:
                        hoped += 1
                        results = html.unescape(body.partition("<tbody")[2])
                        hoped_found += target.hope in results
        finally:
            browser.close()

    # Warm up: templates compiled, connections open, pages in PostgreSQL's cache. Uncounted,
    # and started at an offset so the measured requests still begin at the first target.
    warm = Browser(port, jar)
    for index in range(warmup):
        warm.send(targets[(len(targets) - 1 - index) % len(targets)])
    warm.close()

    before = CpuSnapshot.take(server)
    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    began = time.perf_counter()
    stop_at = began + max_seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():  # a timed join, so that Ctrl+C and SIGTERM get through
            thread.join(0.5)
    seconds = time.perf_counter() - began
    after = CpuSnapshot.take(server)
    ordered = sorted(ms * 1000 for ms in latencies)
    done = len(ordered)

    def per_request(used: float) -> float | None:
        return round(used * 1000 / done, 2) if done else None

    cpu = per_request(after.server - before.server)
    other = (after.machine - before.machine) - sum(
        getattr(after, name) - getattr(before, name) for name in ("server", "client", "postgres")
    )
    is_search = endpoint.key.startswith("search")
    return Phase(
        endpoint=endpoint.key,
        label=endpoint.label,
        concurrency=concurrency,
        requests=done,
        errors=errors,
        seconds=round(seconds, 3),
        throughput=round(done / seconds, 1) if seconds else 0.0,
        p50_ms=round(percentile(ordered, 50), 2),
        p95_ms=round(percentile(ordered, 95), 2),
        p99_ms=round(percentile(ordered, 99), 2),
        mean_ms=round(sum(ordered) / done, 2) if done else math.nan,
        max_ms=round(ordered[-1], 2) if done else math.nan,
        statuses=dict(statuses),
        server_cpu_ms_per_request=cpu,
        postgres_cpu_ms_per_request=per_request(after.postgres - before.postgres),
        client_cpu_ms_per_request=per_request(after.client - before.client),
        other_cpu_cores=round(max(0.0, other) / seconds, 2) if seconds else None,
        searches_with_hits=(
            round(sum(1 for n in hits if n) / len(hits), 3) if is_search and hits else None
        ),
        searches_finding_expected=(round(hoped_found / hoped, 3) if is_search and hoped else None),
        mean_hits=round(sum(hits) / len(hits), 1) if is_search and hits else None,
    )


# ---------------------------------------------------------------------------------------------
# In-process: queries per page, the audit, facts about the database


def setup_django(url: str, *, debug: bool) -> None:
    for name, value in server_env(url, debug=debug).items():
        if name != "PYTHONPATH":
            os.environ[name] = value
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()


def queries_per_page(eps: list[Endpoint]) -> dict[str, dict[str, Any]]:
    """One request per endpoint through Django's test client, counting the SQL it runs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from beststart.accounts.models import User

    user = User.objects.get(username=USERNAME)
    counts: dict[str, dict[str, Any]] = {}
    for endpoint in eps:
        client = Client()
        if endpoint.signed_in:
            client.force_login(user)
        target = endpoint.targets[0]
        with CaptureQueriesContext(connection) as ctx:
            if target.form:
                response = client.post(target.path, target.form)
            else:
                response = client.get(target.path)
        timed = [(float(q["time"]), q["sql"]) for q in ctx.captured_queries]
        slowest = max(timed, default=(0.0, ""))
        counts[endpoint.key] = {
            "path": target.path,
            "form": target.form,
            "status": response.status_code,
            "queries": len(timed),
            "db_ms": round(sum(t for t, _ in timed) * 1000, 1),
            "slowest_ms": round(slowest[0] * 1000, 1),
            "slowest_sql": slowest[1][:600],
            "sql": [f"{t * 1000:.1f} ms  {text[:160]}" for t, text in timed],
        }
    connection.close()
    return counts


def audit_rows() -> int:
    from django.db import connection

    from beststart.audit.models import AuditEvent

    count = AuditEvent.objects.count()
    connection.close()
    return count


def database_facts() -> dict[str, Any]:
    from django.db import connection

    from beststart.families.models import Family, Involvement, Person

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_connections"):
            cursor.execute("SELECT current_setting(%s)", [name])
            settings[name] = cursor.fetchone()[0]
    facts = {
        "postgresql": version,
        "database_size": size,
        "settings": settings,
        "people": Person.objects.count(),
        "families": Family.objects.count(),
        "involvements": Involvement.objects.count(),
    }
    connection.close()
    return facts


def machine() -> dict[str, Any]:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return ""

    mem_kb = first("/proc/meminfo", "MemTotal").split(" ")[0]
    import django

    git = shutil.which("git")
    commit = ""
    if git:
        result = subprocess.run(
            [git, "-C", str(PROJECT_DIR), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        commit = result.stdout.strip()
        dirty = subprocess.run(
            [git, "-C", str(PROJECT_DIR), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if commit and dirty:
            commit += " with uncommitted changes"
    return {
        "cpus": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "commit": commit,
    }


# ---------------------------------------------------------------------------------------------
# Output


def print_table(phases: list[Phase], queries: dict[str, dict[str, Any]]) -> None:
    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}"

    head = (
        f"{'endpoint':<32} {'conc':>4} {'requests':>8} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'queries':>7} {'app cpu':>7} "
        f"{'db cpu':>7} {'other':>6}"
    )
    print(head)
    print("-" * len(head))
    for phase in phases:
        count = queries.get(phase.endpoint, {}).get("queries", "")
        print(
            f"{phase.label:<32} {phase.concurrency:>4} {phase.requests:>8} "
            f"{phase.throughput:>8.1f} {phase.p50_ms:>8.1f} {phase.p95_ms:>8.1f} "
            f"{phase.p99_ms:>8.1f} {phase.errors:>6} {count!s:>7} "
            f"{cell(phase.server_cpu_ms_per_request):>7} "
            f"{cell(phase.postgres_cpu_ms_per_request):>7} {cell(phase.other_cpu_cores):>6}"
        )
    print(
        "app cpu, db cpu: CPU ms per request in the server process and in PostgreSQL; "
        "other: cores busy with other processes during the phase."
    )


def write_results(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=2) + "\n")
    temporary.replace(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="county size (default 100,000)")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (default " + DEFAULT_URL.format(people="<N>") + ")"
    )
    parser.add_argument("--port", type=int, help="server port (default: a free one)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument(
        "--concurrency",
        default="1,8",
        help="comma-separated client counts, one phase each (default 1,8)",
    )
    parser.add_argument(
        "--requests", type=int, default=1000, help="requests per endpoint and phase (default 1000)"
    )
    parser.add_argument(
        "--bare-requests", type=int, default=3000, help="requests per phase for the bare view"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="time limit per phase (default 60)"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=300.0,
        help="before each phase, wait up to this many seconds for the machine to be idle "
        "(default 300; 0 to skip)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure a phase again if other processes disturbed it (default 2)",
    )
    parser.add_argument("--warmup", type=int, default=20, help="uncounted requests per phase")
    parser.add_argument("--families", type=int, default=200, help="family ids to collect")
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint keys to run (default all)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for the typos")
    parser.add_argument("--debug", action="store_true", help="serve with DEBUG on (default off)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if already seeded")
    parser.add_argument(
        "--output", type=Path, help="JSON results file (default benchmarks/results/<N>.json)"
    )
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args(argv)
    url = args.database_url or DEFAULT_URL.format(people=args.people)
    output = args.output or RESULTS_DIR / f"{args.people}.json"
    levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    env = server_env(url, debug=args.debug)
    setup_django(url, debug=args.debug)

    marker = ensure_seeded(url, args.people, env, reseed=args.reseed)
    facts = database_facts()
    audit_before = audit_rows()
    port = args.port or free_port()
    server = Server(env, port, args.threads)
    phases: list[Phase] = []
    try:
        server.wait_ready()
        cookies = sign_in(port)
        work = collect_workload(port, cookies, args.families)
        eps = endpoints(work, args.seed)
        if args.only:
            keep = set(args.only.split(","))
            eps = [endpoint for endpoint in eps if endpoint.key in keep]
        print(
            f"{facts['people']:,} people in {facts['families']:,} families; "
            f"{USERNAME} is named practitioner for {work.caseload_size:,}. "
            f"Collected {len(work.family_ids)} families, {len(work.births)} dates of birth."
        )
        print(f"Server: waitress, {args.threads} threads, port {port}, log {server.log.name}\n")
        for concurrency in levels:
            for endpoint in eps:
                for attempt in range(args.retries + 1):
                    if args.wait_quiet:
                        busy = wait_for_quiet(args.wait_quiet)
                        if busy > BUSY_CORES:
                            print(f"  (machine still busy: {busy:.2f} cores; measuring anyway)")
                    phase = drive(
                        endpoint,
                        port=port,
                        cookies=cookies,
                        concurrency=concurrency,
                        total=(
                            args.bare_requests if endpoint.key.startswith("bare") else args.requests
                        ),
                        max_seconds=args.max_seconds,
                        warmup=args.warmup,
                        server=server,
                    )
                    if (phase.other_cpu_cores or 0) <= BUSY_CORES or attempt == args.retries:
                        break
                    print(
                        f"  {phase.label} x{concurrency}: other processes used "
                        f"{phase.other_cpu_cores:.2f} cores; measuring again"
                    )
                phases.append(phase)
                print(
                    f"  {phase.label:<32} x{concurrency}: {phase.requests} requests, "
                    f"{phase.throughput:.1f}/s, p50 {phase.p50_ms:.1f} ms, "
                    f"p95 {phase.p95_ms:.1f} ms, errors {phase.errors}"
                    + (
                        f"  [other processes busy: {phase.other_cpu_cores:.2f} cores]"
                        if (phase.other_cpu_cores or 0) > BUSY_CORES
                        else ""
                    ),
                    flush=True,
                )
    finally:
        server.stop()
    queries = queries_per_page(eps)
    audit_after = audit_rows()
    print()
    print_table(phases, queries)
    print(
        f"\nAudit rows added by this run (including collection and query counting): "
        f"{audit_after - audit_before:,} (table now {audit_after:,})."
    )
    disturbed = [p for p in phases if (p.other_cpu_cores or 0) > BUSY_CORES]
    if disturbed:
        print(
            f"WARNING: other processes used more than {BUSY_CORES} cores during "
            f"{len(disturbed)} of {len(phases)} phases; rerun on a quiet machine for clean figures."
        )
    if marker.get("seed_seconds"):
        print(f"Seed time for this county: {marker['seed_seconds']:,.0f} s.")
    results = {
        "people_requested": args.people,
        "ran_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database_name(url),
        "seed": marker,
        "facts": facts,
        "machine": machine(),
        "settings": {
            "server": f"waitress via `beststart serve`, {args.threads} threads",
            "debug": args.debug,
            "concurrency": levels,
            "requests_per_phase": args.requests,
            "max_seconds_per_phase": args.max_seconds,
            "warmup": args.warmup,
            "wait_quiet_seconds": args.wait_quiet,
            "retries_when_disturbed": args.retries,
            "user": USERNAME,
        },
        "workload": {
            "caseload_size": work.caseload_size,
            "caseload_pages_read": work.caseload_pages,
            "families": len(work.family_ids),
            "surnames": len(set(work.surnames)),
            "dates_of_birth": len(work.births),
        },
        "phases": [asdict(phase) for phase in phases],
        "queries": queries,
        "audit_rows_added": audit_after - audit_before,
        "audit_rows_total": audit_after,
    }
    write_results(output, results)
    print(f"Results written to {output}")
    return 1 if any(phase.errors for phase in phases) else 0


if __name__ == "__main__":
    sys.exit(main())
