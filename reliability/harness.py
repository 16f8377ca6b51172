"""A private PostgreSQL and a gunicorn-served portal on loopback, for the fault, concurrency and load scripts.

The private server lives in a temporary directory on its own port, so stopping it never touches the machine's shared
PostgreSQL. initdb and pg_ctl refuse to run as root: when we are root they run as the `postgres` OS user.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


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
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "immediate") -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=False,
            capture_output=True,
        )

    def create_database(self, name: str = "portal") -> None:
        subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-qc",
                f"CREATE DATABASE {name}",
            ],
            check=True,
            capture_output=True,
        )

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
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


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=300
    )


def prepare_database(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "-v", "0")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 3, threads: int = 1) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "clinic_portal.wsgi",
            *("-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", str(threads)),
            *("--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + (process.stderr.read() if process.stderr else ""))
            with contextlib.suppress(OSError):
                if fetch(base + "/").status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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
        self, url: str, data: dict[str, object] | list[tuple[str, str]] | None = None, timeout: float = 30
    ) -> Answer:
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


def fetch(url: str, timeout: float = 30) -> Answer:
    return Browser().request(url, timeout=timeout)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Import this module from the reliability scripts.")
