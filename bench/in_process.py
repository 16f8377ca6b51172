"""The patient's step pages in one process: what a request costs without gunicorn, a load generator or other work.

    .venv/bin/python -m bench.in_process [--requests 1000] [--rounds 3] [--only bare,GET,POST]
    .venv/bin/python -m bench.in_process --instructions [--only GET]

Runs on the large bench database (`bench/run_all.py --prepare-only` fills it) with the bench's settings, and calls
the WSGI application directly for the bare view, one patient's first step page (GET) and that page sent with its
ordinary answers (POST), as `make bench` loads them (bench/sessions.py makes the patient).

- By default it prints, for each round, the CPU per request of this process (user and system time) and of its
  PostgreSQL backend (Linux /proc). On a shared machine these move with other work, less than the throughput
  `make bench` measures.
- `--instructions` counts the instructions this process executes per request instead, under valgrind's cachegrind
  (Debian's valgrind; about 50 times slower): each case runs twice, with 10 and 110 requests after the same
  warm-up, and the difference is divided by 100. The count does not move with the machine's load, so a change to
  a page can be judged from one run before it and one after (issue 16, stop 49). PostgreSQL's side is not counted.
"""

# ruff: noqa: E402 - the environment is set before Django is imported

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run_all import LARGE, environment

os.environ.update(environment(LARGE.database))

import django

django.setup()

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection

CASES = ("bare", "GET", "POST")
WARM_UP = 30
# As bench/run_all.py: 32 letters and digits, the form of the CSRF cookie's secret.
CSRF_SECRET = "benchCsrfSecret0123456789abcdefg"  # noqa: S105 - a bench's own cookie


def requests() -> dict[str, Callable[[], int]]:
    """One callable per case, each making one request and returning its status code."""
    from bench.sessions import patient

    application = get_wsgi_application()
    mine = patient(0)
    cookie = f"{settings.SESSION_COOKIE_NAME}={mine['session']}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
    posted = [(str(name), str(value)) for name, value in mine["post"]]  # type: ignore[attr-defined]
    body = urlencode([*posted, ("csrfmiddlewaretoken", CSRF_SECRET)])
    step = str(mine["step"])

    def call(method: str, path: str, data: bytes = b"") -> int:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "HTTP_REFERER": "http://127.0.0.1/",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        statuses: list[str] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda data: None

        answer = application(environ, start_response)
        b"".join(answer)
        answer.close()
        return int(statuses[0].split()[0])

    return {
        "bare": lambda: call("GET", "/bench/bare/"),
        "GET": lambda: call("GET", step),
        "POST": lambda: call("POST", step, body.encode()),
    }


def backend_cpu() -> float:
    """CPU seconds this process's PostgreSQL backend has used so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def times(cases: list[str], count: int, rounds: int) -> None:
    made = requests()
    for case in cases:
        status = made[case]()
        expected = 302 if case == "POST" else 200
        if status != expected:
            raise SystemExit(f"{case}: {status}, not {expected}")
    for number in range(rounds):
        for case in cases:
            request = made[case]
            for _ in range(WARM_UP):
                request()
            before, backend = os.times(), backend_cpu()
            for _ in range(count):
                request()
            after, backend = os.times(), backend_cpu() - backend
            user, system = (after.user - before.user) / count, (after.system - before.system) / count
            print(
                f"round {number + 1}  {case:<5} user {user * 1000:.3f} ms  system {system * 1000:.3f} ms  "
                f"PostgreSQL {backend / count * 1000:.3f} ms  total {(user + system + backend / count) * 1000:.3f} ms",
                flush=True,
            )


def just_requests(case: str, count: int) -> None:
    """What `--instructions` runs under valgrind: the warm-up, then `count` requests, timing nothing."""
    request = requests()[case]
    for _ in range(WARM_UP + count):
        request()


def instructions(cases: list[str]) -> None:
    for case in cases:
        counts = []
        for count in (10, 110):
            done = subprocess.run(  # noqa: S603 - our own fixed command
                [
                    *("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"),
                    *(sys.executable, "-m", "bench.in_process", "--just", case, "--requests", str(count)),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
            if found is None:
                raise SystemExit(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
            counts.append(int(found.group(1).replace(",", "")))
        print(f"{case:<5} {(counts[1] - counts[0]) / 100 / 1000:,.0f} thousand instructions per request", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--just", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = [case for case in args.only.split(",") if case]
    unknown = set(cases) - set(CASES)
    if unknown:
        raise SystemExit(f"--only takes {', '.join(CASES)}; not {', '.join(sorted(unknown))}")
    if args.just:
        just_requests(args.just, args.requests)
    elif args.instructions:
        instructions(cases)
    else:
        times(cases, args.requests, args.rounds)


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
