"""A private PostgreSQL and a gunicorn-served portal on loopback, for the fault, concurrency and load scripts.

The private server lives in a temporary directory on its own port, so stopping or freezing it (SIGSTOP to its own
processes, found from its own postmaster.pid) never touches the machine's shared PostgreSQL. initdb and pg_ctl refuse
to run as root: when we are root they run as the `postgres` OS user.

Django's management commands and gunicorn run under the interpreter that runs the script (`sys.executable`), so the
scripts work from any virtualenv, not only `./.venv`.

Timing alone never fails a script: when the machine is too slow for a step (a set-up command or a request overran its
generous bound, a deadline was missed), the script says so on a `TOO SLOW:` line and exits with `EXIT_TOO_SLOW` (75,
EX_TEMPFAIL), which the test suite reports as a skip. Exit status 1 always means a behaviour was wrong.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable
GUNICORN = [PYTHON, "-m", "gunicorn"]
EXIT_TOO_SLOW = 75  # EX_TEMPFAIL: the machine was too slow to tell; no verdict on the portal
# Generous bounds: they only guard against a wedged machine, they never measure the portal.
SETUP_TIMEOUT = float(os.environ.get("RELIABILITY_SETUP_TIMEOUT", "300"))
# A stopped private server's data directory whose `portal` database is migrated (with the cache table): when set, each
# private PostgreSQL starts as a copy of it (about 0.1 s) instead of initdb, CREATE DATABASE and migrate (about 5 s).
# The test suite makes one per run (tests/reliability/conftest.py, `postgres_template`); by hand, leave it unset.
TEMPLATE = os.environ.get("RELIABILITY_PG_TEMPLATE", "")
GUNICORN_START_TIMEOUT = float(os.environ.get("RELIABILITY_GUNICORN_START_TIMEOUT", "120"))
REQUEST_TIMEOUT = float(os.environ.get("RELIABILITY_REQUEST_TIMEOUT", "60"))


class TooSlow(Exception):
    """A step did not finish within its (generous) bound: the machine is too busy to tell, not a portal failure."""


# What to stop if the script is told to stop (SIGTERM) in the middle: gunicorn, then the private PostgreSQL.
_CLEAN_UPS: list[Callable[[], None]] = []


def run_main(main: Callable[[], int]) -> int:
    """Run a script's `main`: SIGTERM still cleans up, and `TooSlow` becomes `EXIT_TOO_SLOW` with a clear line.

    The test suite sends SIGTERM when a script overruns its bound: gunicorn is stopped and the private PostgreSQL
    removed at once (threads waiting on the portal would hold up an orderly unwinding), then the script exits.
    """

    def stop(signum: int, _frame: object) -> None:
        for clean_up in reversed(_CLEAN_UPS):
            with contextlib.suppress(Exception):
                clean_up()
        sys.stdout.flush()  # the figures so far, for whoever stopped us
        print(f"stopped by signal {signum}", file=sys.stderr, flush=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        return main()
    except TooSlow as error:
        print(f"TOO SLOW: {error}", flush=True)
        return EXIT_TOO_SLOW


def _run(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a set-up command; its output on failure, TooSlow past SETUP_TIMEOUT. Returns its stdout."""
    try:
        done = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise TooSlow(f"`{' '.join(args[-4:])}` did not finish within {SETUP_TIMEOUT:.0f} s") from error
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PrivatePostgres:
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-pg-")))

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "log"

    def url(self, database: str = "portal") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        if TEMPLATE:
            # Copied as the server's own user: the copy keeps the owner and 0700 mode PostgreSQL insists on.
            _run(_as_postgres(["cp", "-a", TEMPLATE, str(self.data)]))
            return
        _run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        wait = str(int(SETUP_TIMEOUT))
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", wait]
        _run(_as_postgres([*pg_ctl, "start"]))

    def stop(self, mode: str = "immediate") -> None:
        with contextlib.suppress(RuntimeError, TooSlow):
            _run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]))

    def processes(self) -> list[int]:
        """This private server's postmaster, then its children (backends and helpers); [] when it is not running.

        Found from its own `postmaster.pid`, and only if that process's command line names this data directory, so
        nothing here can reach the machine's shared PostgreSQL or a process that reused an old pid.
        """
        if self.port == 5432 or not self.directory.name.startswith("portal-pg-"):
            raise RuntimeError(f"refusing to signal a server that may not be ours: {self.directory}:{self.port}")
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
            command_line = Path(f"/proc/{postmaster}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            return []
        if str(self.data).encode() not in command_line:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == postmaster:
                children.append(int(entry.name))
        return [postmaster, *children]

    def freeze(self) -> int:
        """SIGSTOP this server's processes, the postmaster first (it forks no backend after). Returns how many.

        A frozen server keeps its sockets: the kernel still accepts connections and acknowledges data, but nothing
        answers, as with a server process stuck on a hung disk.
        """
        stopped: set[int] = set()
        for _ in range(3):  # a backend forked while we listed: list again
            for pid in self.processes():
                if pid not in stopped:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGSTOP)
                    stopped.add(pid)
        if not stopped:
            raise RuntimeError("the private PostgreSQL is not running, nothing to freeze")
        return len(stopped)

    def thaw(self) -> None:
        """SIGCONT this server's processes, the postmaster last. Harmless when none is stopped."""
        for pid in reversed(self.processes()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def accepts_connections(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def create_database(self, name: str = "portal") -> None:
        if TEMPLATE and name == "portal":
            return  # copied with the template, migrated
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        _run([*psql, "-qc", f"CREATE DATABASE {name}"])

    def cleanup(self) -> None:
        with contextlib.suppress(Exception):
            self.thaw()  # a stopped (SIGSTOP) postmaster would not act on pg_ctl's stop
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    # On stderr, for whoever has to clean up after a script killed outright (tests/reliability/conftest.py).
    print(f"private PostgreSQL data in {server.directory}", file=sys.stderr, flush=True)
    _CLEAN_UPS.append(server.cleanup)
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        _CLEAN_UPS.remove(server.cleanup)
        server.cleanup()


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST")) and k not in {"DATABASE_URL"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": env.get("SECRET_KEY") or "reliability-scripts-only-secret-key-0123456789-abcdefghijklmnop",
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLE": "0",
            "ALERT_EMAILS": "on-call@clinic.example",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py <args>` under this interpreter; its stdout. Its output on failure, TooSlow past SETUP_TIMEOUT."""
    return _run([PYTHON, "manage.py", *args], env=env, cwd=ROOT)


MIGRATE_AND_CREATE_CACHE_TABLE = (
    "from django.core.management import call_command; "
    "call_command('migrate', interactive=False, verbosity=0); call_command('createcachetable')"
)


def prepare_database(env: dict[str, str], *, migrated: bool = False) -> None:
    """The database of `env` migrated, with the cache table (unless `migrated`: a copy of a migrated one), and the
    static files collected."""
    if not (migrated or (TEMPLATE and env["DATABASE_URL"].endswith("/portal"))):  # a template's `portal` is migrated
        # Both in one Django start-up (a second or more each on a busy machine), as `manage.py migrate` then
        # `manage.py createcachetable` would do them.
        manage(env, "shell", "-c", MIGRATE_AND_CREATE_CACHE_TABLE)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v", "0")


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int = 3, threads: int = 1, worker_class: str | None = None
) -> Iterator[str]:
    """The portal under gunicorn on a free loopback port; its base URL.

    gunicorn's own choice of worker class unless `worker_class` is given: sync, or gthread when `threads` > 1.
    """
    port = free_port()
    # gunicorn's own log goes to a file, not a pipe nobody reads while it runs (a full pipe would block its workers).
    log = tempfile.TemporaryFile(mode="w+", prefix="portal-gunicorn-")  # noqa: SIM115 - closed in finally below
    process = subprocess.Popen(
        [
            *GUNICORN,
            "clinic_portal.wsgi",
            *("-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads)),
            *(("--worker-class", worker_class) if worker_class else ()),
            # The worker timeout stays above the client's REQUEST_TIMEOUT: a slow request is reported as too slow by
            # the client, not cut off by gunicorn and miscounted as an error.
            *("--timeout", str(int(REQUEST_TIMEOUT) + 60), "--graceful-timeout", "5", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def kill() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    _CLEAN_UPS.append(kill)

    def gunicorn_log() -> str:
        log.seek(0)
        return log.read()[-4000:]

    try:
        deadline = time.monotonic() + GUNICORN_START_TIMEOUT
        wrong: list[Answer] = []
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + gunicorn_log())
            with contextlib.suppress(OSError, TooSlow):
                home = fetch(base + "/")
                if home.status == 200:
                    break
                wrong.append(home)
            if len(wrong) >= 3:  # it answers, wrongly: a broken portal, not a slow machine
                raise RuntimeError(
                    f"the home page answered {wrong[-1].status}:\n{wrong[-1].body[:2000]}\n{gunicorn_log()}"
                )
            if time.monotonic() > deadline:
                raise TooSlow(f"gunicorn did not answer within {GUNICORN_START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield base
    finally:
        _CLEAN_UPS.remove(kill)
        kill()
        log.close()


@dataclass
class Answer:
    status: int
    seconds: float
    headers: dict[str, str]
    body: str
    url: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class _TlsProxyCookies(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over our loopback http: the portal believes a TLS proxy is in front (see Browser)."""

    def return_ok_secure(self, cookie, request):  # type: ignore[no-untyped-def]
        return True


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (so a 302 is seen as a 302).

    It talks plain http on loopback but says `X-Forwarded-Proto: https`, as the production TLS proxy does, so the
    portal runs with its production settings (Secure cookies, HTTPS-only CSRF checks) unchanged.
    """

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar(policy=_TlsProxyCookies())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def csrf_token(self) -> str:
        return next((c.value or "" for c in self.cookies if c.name == "csrftoken"), "")

    def request(
        self, url: str, data: dict[str, object] | list[tuple[str, str]] | None = None, timeout: float = REQUEST_TIMEOUT
    ) -> Answer:
        """One request; TooSlow when no answer came within `timeout` (a busy machine, not an answer to judge)."""
        body = None
        headers = {"User-Agent": "portal-reliability", "X-Forwarded-Proto": "https"}
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Referer"] = url.replace("http://", "https://", 1)
        if not url.startswith("http://127.0.0.1:"):
            raise ValueError("the reliability scripts only talk to the portal on loopback")
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - loopback http only
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                payload = response.read().decode("utf-8", "replace")
                return Answer(response.status, time.monotonic() - started, dict(response.headers), payload, url)
        except urllib.error.HTTPError as error:
            payload = error.read().decode("utf-8", "replace")
            return Answer(error.code, time.monotonic() - started, dict(error.headers), payload, url)
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise TooSlow(f"{url} gave no answer within {timeout:.0f} s") from error
            raise
        except TimeoutError as error:
            raise TooSlow(f"{url} gave no answer within {timeout:.0f} s") from error


def fetch(url: str, timeout: float = REQUEST_TIMEOUT) -> Answer:
    return Browser().request(url, timeout=timeout)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Import this module from the reliability scripts.")
