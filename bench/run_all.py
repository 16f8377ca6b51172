"""`make bench`: the portal under gunicorn on PostgreSQL, at 10 and 100,000 articles and 5,000 and 50,000 intakes.

    .venv/bin/python bench/run_all.py [--rounds 3] [--seconds 2] [--connections 10] [--workers 5] [--reuse]
        [--only article,steps,...] [--prepare-only]

What it does (bench/README.md says why):
1. Two databases on the local PostgreSQL (`BENCH_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432):
   `clinic_portal_bench_small` (10 articles, 5,000 intakes) and `clinic_portal_bench` (100,000 articles, 50,000
   intakes), each dropped, created, migrated and filled in bulk SQL (bench/fill.py). `--reuse` keeps databases
   filled by an earlier run with the same sizes (then only `migrate` runs).
2. For each, gunicorn (`--workers` sync workers) with bench/settings.py: the portal's settings and middleware plus a
   bare `HttpResponse("ok")` view at /bench/bare/ and a query counter, both servers up at once. The public-page
   cache is off, except in a third server on the large database that measures cached pages.
3. Each page is loaded by `--connections` clients for `--seconds`, right after the bare view on the same server,
   `--rounds` times, the two sizes in turn within each round (bench/load.py). The table gives the page's rate as a
   share of the bare view's (the median of the rounds), the same share from the CPU time the server's gunicorn
   workers and PostgreSQL backends used per request (steadier on a shared machine), its p50 and p99 under that
   load, the queries it sends, and
   for the search, the queue and the export the time on a quiet server (one client, one request at a time).
4. EXPLAIN ANALYZE of the search and queue queries on the large database (bench/explain.py).
Nothing here asserts: the "Done when" targets of issue 16 are printed as met or not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import Request, Run, children, cpu_seconds, hammer, one_client, send  # noqa: E402

PYTHON = sys.executable
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# Two benches on one PostgreSQL (two checkouts, two people) must not drop each other's databases: give each a prefix.
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "clinic_portal_bench")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Size:
    database: str
    articles: int
    intakes: int


SMALL = Size(f"{PREFIX}_small", 10, 5_000)
LARGE = Size(PREFIX, 100_000, 50_000)

# The groups of pages `--only` can choose (all by default).
GROUPS = ("home", "list", "topic", "article", "search", "queue", "steps", "export", "cached")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Databases and servers -----------------------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(  # noqa: S603 - our own fixed command
        ["psql", f"{SERVER}/{database}", "-qAtc", sql],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"psql failed: {sql}\n{done.stderr}")
    return done.stdout.strip()


def environment(database: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{SERVER}/{database}",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789-abcdefghijklmnopqrstuv",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # The rate limits run as in production (their counter's queries included) but never stop the load.
            "RATE_LIMIT_INTAKE": "100000000/10m",
            "RATE_LIMIT_INTAKE_PATIENT": "100000000/10m",
            "PUBLIC_PAGE_CACHE_SECONDS": "0",
            # Persistent connections as in production, kept for the whole run so that the CPU each server's
            # PostgreSQL backends use can be read from the same processes before and after a window.
            "DB_CONN_MAX_AGE": "600",
        }
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def prepare(size: Size, *, reuse: bool) -> None:
    env = environment(size.database, DB_STATEMENT_TIMEOUT_MS="0")  # the bulk inserts take longer than a page may
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{size.database}'") == "1"  # noqa: S608 - our name
    if reuse and exists:
        with contextlib.suppress(RuntimeError):
            if psql("SELECT articles || ' ' || intakes FROM bench_marker", size.database) == (
                f"{size.articles} {size.intakes}"
            ):
                run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
                log(f"{size.database}: reused ({size.articles:,} articles, {size.intakes:,} intakes)")
                return
    started = time.perf_counter()
    psql(f"DROP DATABASE IF EXISTS {size.database} WITH (FORCE)")
    psql(f"CREATE DATABASE {size.database}")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "createcachetable"], env)
    filled = run([PYTHON, "-m", "bench.fill", "--articles", str(size.articles), "--intakes", str(size.intakes)], env)
    psql(f"CREATE TABLE bench_marker AS SELECT {size.articles} AS articles, {size.intakes} AS intakes", size.database)
    log(f"{size.database}: {filled.strip()}; ready in {time.perf_counter() - started:.0f} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# Each server's port: its gunicorn master's process id and its database (for the CPU a page costs, `server_cpu`).
RUNNING: dict[int, tuple[int, str]] = {}
# Ports of the servers that gave an error answer (a 503, a 500) during the run: their gunicorn logs are kept.
FAILED: set[int] = set()


def server_cpu(port: int) -> float:
    """CPU seconds used so far by the server on `port`: its gunicorn workers and its database's backends."""
    master, database = RUNNING[port]
    backends = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")  # noqa: S608 - our name
    return cpu_seconds(children(master) + [int(pid) for pid in backends.split()])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[int]:
    port = free_port()
    logfile = tempfile.NamedTemporaryFile("w", prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            *(PYTHON, "-m", "gunicorn", "clinic_portal.wsgi", "-b", f"{HOST}:{port}", "-w", str(workers)),
            *("--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=logfile,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {logfile.name}")
            with contextlib.suppress(OSError):
                if send(HOST, port, Request("/bench/bare/").encode(f"{HOST}:{port}")).status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s; see {logfile.name}")
            time.sleep(0.2)
        RUNNING[port] = (process.pid, env["DATABASE_URL"].rsplit("/", 1)[-1])
        yield port
    except BaseException:
        log(f"gunicorn's log: {logfile.name}")
        raise
    else:
        if port in FAILED:
            log(f"gunicorn's log (some requests failed): {logfile.name}")
        else:
            Path(logfile.name).unlink(missing_ok=True)  # kept only when something went wrong
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        logfile.close()


# --- Measuring ------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    size: str
    ratio: float | None = None
    cpu_ratio: float | None = None  # the bare view's CPU per request over the page's
    p50: float | None = None
    p99: float | None = None
    queries: str = ""
    quiet_p50: float | None = None  # one client
    note: str = ""
    errors: list[str] = field(default_factory=list)


BARE = Request("/bench/bare/")


def queries_of(port: int, request: Request) -> str:
    answer = send(HOST, port, request.encode(f"{HOST}:{port}"))
    if answer.status not in request.ok:
        raise RuntimeError(f"{request.path} answered {answer.status}: {answer.body[:300]!r}")
    return answer.headers.get("x-bench-queries", "?")


@dataclass
class Target:
    """A page on one server: its row in the table, and the requests that load it."""

    port: int
    row: Row
    requests: list[Request]
    quiet: bool = False
    ratios: list[float] = field(default_factory=list)
    cpu_ratios: list[float] = field(default_factory=list)
    cpu_ms: list[tuple[float, float]] = field(default_factory=list)  # (bare view, page) CPU ms per request
    pooled: Run = field(default_factory=lambda: Run(0.0))


def measure(rows: list[Row], targets: list[Target], opts: argparse.Namespace) -> None:
    """The same page on each server, in rounds: bare view then page on the first server, then on the second...

    The sizes are measured side by side, so a change in the machine's load during the run (it is shared) moves them
    alike. Each target's ratio is the median of its rounds' page rate over the bare view's rate just before it.
    """
    for target in targets:
        hammer(HOST, target.port, target.requests, seconds=0.5, connections=opts.connections)  # every worker warm
        target.row.queries = queries_of(target.port, target.requests[0])
    for _ in range(opts.rounds):
        for target in targets:
            before = server_cpu(target.port)
            bare = hammer(HOST, target.port, [BARE], seconds=opts.seconds, connections=opts.connections)
            between = server_cpu(target.port)
            page = hammer(HOST, target.port, target.requests, seconds=opts.seconds, connections=opts.connections)
            after = server_cpu(target.port)
            target.ratios.append(page.rate / bare.rate if bare.rate else 0.0)
            if bare.completed and page.completed and after > between:
                bare_cpu, page_cpu = (between - before) / bare.completed, (after - between) / page.completed
                target.cpu_ratios.append(bare_cpu / page_cpu)
                target.cpu_ms.append((bare_cpu * 1000, page_cpu * 1000))
            target.pooled.latencies += page.latencies
            target.pooled.errors += page.errors + bare.errors
            if page.errors or bare.errors:
                FAILED.add(target.port)
    for target in targets:
        row = target.row
        row.ratio = statistics.median(target.ratios)
        row.cpu_ratio = statistics.median(target.cpu_ratios) if target.cpu_ratios else None
        row.p50, row.p99 = target.pooled.percentile(0.5) * 1000, target.pooled.percentile(0.99) * 1000
        row.errors = target.pooled.errors[:3]
        if target.quiet:
            row.quiet_p50 = one_client(HOST, target.port, target.requests[0], count=opts.quiet).percentile(0.5) * 1000
        rows.append(row)
        cpu = fmt(row.cpu_ratio, "{:.3f}") or "-"
        # The CPU each request cost the server (workers and database), bare view and page: medians of the rounds.
        spent = ""
        if target.cpu_ms:
            bare_ms = statistics.median(bare for bare, _ in target.cpu_ms)
            page_ms = statistics.median(page for _, page in target.cpu_ms)
            spent = f"  CPU/request bare {bare_ms:.2f} ms, page {page_ms:.2f} ms"
        log(
            f"  {row.page:<28} {row.size:<6} ratio {row.ratio:.3f}  cpu {cpu:<5}  p50 {row.p50:7.1f} ms"
            f"  q {row.queries}{spent}"
        )


def sessions(size: Size, connections: int) -> dict[str, Any]:
    return json.loads(run([PYTHON, "-m", "bench.sessions", "--patients", str(connections)], environment(size.database)))


@dataclass
class Server:
    size: Size
    label: str
    port: int
    info: dict[str, Any]

    @property
    def staff(self) -> Request:
        return Request("/staff/queue/", cookies=f"{self.info['session_cookie']}={self.info['clinician']}")

    def steps(self) -> tuple[list[Request], list[Request]]:
        """Each connection's patient: GET of their first page, and POST of its ordinary answers."""
        csrf = "benchCsrfSecret0123456789abcdefg"  # 32 letters and digits: a CSRF secret, as the cookie holds it
        gets, posts = [], []
        for patient in self.info["patients"]:
            cookies = f"{self.info['session_cookie']}={patient['session']}; {self.info['csrf_cookie']}={csrf}"
            gets.append(Request(patient["step"], cookies=cookies))
            body = [(name, value) for name, value in patient["post"]] + [("csrfmiddlewaretoken", csrf)]
            referer = f"https://{HOST}:{self.port}{patient['step']}"
            posts.append(Request(patient["step"], body=body, cookies=cookies, ok=(302,), referer=referer))
        return gets, posts


def uncached_pages(servers: list[Server], opts: argparse.Namespace, rows: list[Row]) -> None:
    only = opts.only
    for server in servers:
        bare = Row("bare view", server.label, ratio=1.0, cpu_ratio=1.0, queries=queries_of(server.port, BARE))
        bare.quiet_p50 = one_client(HOST, server.port, BARE, count=opts.quiet).percentile(0.5) * 1000
        rows.append(bare)
    public = [
        ("home", "home", lambda s: "/"),
        ("list", "article list", lambda s: "/articles/"),
        ("topic", "topic", lambda s: f"/topics/{s.info['topic']}/"),
        ("article", "article", lambda s: f"/articles/{s.info['article']}/"),
    ]
    for group, page, path in public:
        if group in only:
            measure(rows, [Target(s.port, Row(page, s.label), [Request(path(s))]) for s in servers], opts)
    for words in ("sciatica", "back pain") if "search" in only else ():
        search = Request(f"/search/?q={words.replace(' ', '+')}")
        measure(rows, [Target(s.port, Row(f"search “{words}”", s.label), [search], quiet=True) for s in servers], opts)
    if "queue" in only:
        queue = [
            Target(s.port, Row("staff queue (clinician)", f"{s.size.intakes // 1000}k"), [s.staff], quiet=True)
            for s in servers
        ]
        measure(rows, queue, opts)
    if "steps" in only:
        steps = {s.label: s.steps() for s in servers}
        measure(rows, [Target(s.port, Row("intake step GET", s.label), steps[s.label][0]) for s in servers], opts)
        measure(rows, [Target(s.port, Row("intake step POST", s.label), steps[s.label][1]) for s in servers], opts)
    if "export" not in only:
        return
    large = servers[-1]
    export = Request("/staff/queue/export.csv", cookies=large.staff.cookies)
    answer = send(HOST, large.port, export.encode(f"{HOST}:{large.port}"))
    lines = answer.body.count(b"\n") - 1
    note = f"{lines:,} rows, status {answer.status}"
    rows.append(Row("CSV export", f"{large.size.intakes // 1000}k", quiet_p50=answer.seconds * 1000, note=note))
    log(f"  CSV export: {answer.seconds:.2f} s, {lines:,} rows")


def cached_pages(server: Server, opts: argparse.Namespace, rows: list[Row]) -> None:
    for page, path in (("article (cached)", f"/articles/{server.info['article']}/"), ("home (cached)", "/")):
        send(HOST, server.port, Request(path).encode(f"{HOST}:{server.port}"))  # fill the cache
        measure(rows, [Target(server.port, Row(page, server.label), [Request(path)])], opts)


# --- Report ---------------------------------------------------------------------------------------------------------


def fmt(value: float | None, pattern: str) -> str:
    return "" if value is None else pattern.format(value)


def table(rows: list[Row]) -> str:
    lines = [
        "| page | size | ratio to bare | CPU ratio | p50 | p99 | queries | one client p50 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        note = f" ({row.note})" if row.note else ""
        errors = f" errors: {'; '.join(row.errors)}" if row.errors else ""
        lines.append(
            f"| {row.page}{note}{errors} | {row.size} | {fmt(row.ratio, '{:.2f}')} | {fmt(row.cpu_ratio, '{:.2f}')} "
            f"| {fmt(row.p50, '{:.0f} ms')} "
            f"| {fmt(row.p99, '{:.0f} ms')} | {row.queries} | {fmt(row.quiet_p50, '{:.1f} ms')} |"
        )
    return "\n".join(lines)


def targets(rows: list[Row]) -> list[tuple[str, bool]]:
    by = {(row.page, row.size): row for row in rows}

    def get(page: str, size: str) -> Row:
        return by.get((page, size)) or Row(page, size)

    found = []
    for size in ("10", "100k"):
        article = get("article", size).ratio or 0
        found.append((f"article page uncached >= 0.3 of bare at {size} articles ({article:.2f})", article >= 0.3))
    cached = get("article (cached)", "100k").ratio or 0
    found.append((f"article page cached >= 0.7 of bare ({cached:.2f})", cached >= 0.7))
    for page in ("home", "article list", "topic", "article", "search “sciatica”", "search “back pain”"):
        small, large = get(page, "10").ratio or 0, get(page, "100k").ratio or 0
        found.append((f"{page}: 100k within 2x of 10 ({large:.2f} vs {small:.2f})", large >= small / 2 > 0))
    for words in ("sciatica", "back pain"):
        quiet = get(f"search “{words}”", "100k").quiet_p50 or float("inf")
        found.append((f"search “{words}” p50 <= 50 ms at 100k, one client ({quiet:.1f} ms)", quiet <= 50))
    queue_small, queue_large = get("staff queue (clinician)", "5k"), get("staff queue (clinician)", "50k")
    large_p50, small_p50 = queue_large.quiet_p50 or float("inf"), queue_small.quiet_p50 or float("inf")
    found.append((f"queue p50 <= 30 ms at 50k, one client ({large_p50:.1f} ms)", large_p50 <= 30))
    found.append((f"queue 50k/5k <= 1.2 ({large_p50 / small_p50:.2f})", large_p50 / small_p50 <= 1.2))
    for size in ("10", "100k"):
        for page in ("intake step GET", "intake step POST"):
            ratio = get(page, size).ratio or 0
            found.append((f"{page} >= 0.3 of bare ({ratio:.2f}, {size} database)", ratio >= 0.3))
    export = get("CSV export", "50k").quiet_p50 or float("inf")
    found.append((f"CSV export of 50k under 5 s ({export / 1000:.2f} s)", export < 5000))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--quiet", type=int, default=40, help="requests of the one-client measurements")
    parser.add_argument("--reuse", action="store_true", help="keep databases an earlier run filled")
    parser.add_argument("--skip-explain", action="store_true")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"measure only these pages, comma-separated: {','.join(GROUPS)}"
    )
    parser.add_argument("--prepare-only", action="store_true", help="fill the databases and stop")
    opts = parser.parse_args()
    opts.only = {group.strip() for group in opts.only.split(",") if group.strip()}
    if opts.only - set(GROUPS):
        parser.error(f"--only: unknown page groups {sorted(opts.only - set(GROUPS))}; choose from {GROUPS}")
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        sys.exit("Run `make static` first (or `make bench`): the pages need the collected static files.")
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows: list[Row] = []
    sizes = ((SMALL, "10"), (LARGE, "100k"))
    for size, _label in sizes:
        prepare(size, reuse=opts.reuse)
    if opts.prepare_only:
        return 0
    infos = {size.database: sessions(size, opts.connections) for size, _label in sizes}
    log("measuring at both sizes side by side (the public-page cache off)")
    with contextlib.ExitStack() as stack:
        servers = [
            Server(
                size,
                label,
                stack.enter_context(gunicorn(environment(size.database), opts.workers)),
                infos[size.database],
            )
            for size, label in sizes
        ]
        uncached_pages(servers, opts, rows)
    if "cached" in opts.only:
        log("measuring cached pages (the public-page cache on)")
        with gunicorn(environment(LARGE.database, PUBLIC_PAGE_CACHE_SECONDS="300"), opts.workers) as port:
            cached_pages(Server(LARGE, "100k", port, infos[LARGE.database]), opts, rows)
    print(
        f"\n## make bench: {opts.workers} gunicorn sync workers, {opts.connections} connections, "
        f"{opts.rounds} rounds of {opts.seconds:g} s per page, each after the bare view; PostgreSQL "
        f"{psql('SHOW server_version')}; {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before the run and "
        f"{os.getloadavg()[0]:.1f} after it\n"
    )
    print(table(rows))
    print("\nissue 16 targets:")
    for text, met in targets(rows):
        print(f"- [{'x' if met else ' '}] {text}")
    if not opts.skip_explain and opts.only & {"search", "queue"}:
        print("\n## EXPLAIN ANALYZE at 100,000 articles and 50,000 intakes")
        print(run([PYTHON, "-m", "bench.explain"], environment(LARGE.database, DB_STATEMENT_TIMEOUT_MS="0")))
    log(f"bench took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
