"""A frozen database server must not hang a request: cut a connection waiting on it, refuse new ones at once.

Why this exists: a PostgreSQL server process that is frozen rather than stopped (SIGSTOP, stuck on a hung disk) on a
host whose kernel still runs keeps accepting connections and acknowledging TCP data. Nothing on a connection then ends
a query waiting on it: `statement_timeout` is enforced by the server, which is not running; TCP keepalives and
`tcp_user_timeout` are answered by its kernel, which is. Measured with PostgreSQL 15 and psycopg 3: a `SELECT 1` on
such a connection waits until the server is resumed, and gunicorn kills the worker first. `connect_timeout` does
bound a new connection, but every request, and every retry inside one, would wait for it in full.

The check: PostgreSQL's 8-byte SSLRequest on a fresh connection to the server, which a running postmaster answers at
once with one byte ('S' or 'N'), before any authentication, logging nothing (bar `log_connections`' line). No byte
within `PROBE_TIMEOUT_SECONDS`: the server is not answering.

- Cutting: one daemon thread per process looks at the process's open PostgreSQL connections every `POLL_SECONDS`. A
  connection with a command in progress that has received nothing for `SILENCE_SECONDS` has its server checked; if it
  does not answer, the connection's socket is shut down. libpq reports "server closed the connection unexpectedly",
  psycopg raises OperationalError, Django drops the connection (a failed health check, a failed rollback, or
  `errors_occurred` at the end of the request) and the page answers 503 with the patient's answers kept
  (clinic_portal.errors). A slow query on a running server is never cut: its server answers the check, and
  `statement_timeout` bounds the query instead.
- Refusing: once a server was found not answering (a cut, or a connect timeout), a new connection to it is tried
  only after the check passes; until then it fails at once with OperationalError. So a frozen server costs a request
  about a second (a kept connection: silence, then the check), or half a second (a new one: the check), not
  `DB_CONNECT_TIMEOUT` per attempt; only the first attempt in a process to find it frozen waits that out.

Linux's TCP_INFO tells how long a TCP connection has been silent; elsewhere (a Unix-domain socket) the time since the
command was first seen in progress is used, which may check a running server more often but never cuts it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
# Nothing from the server for this long while a command is in progress: check the server.
SILENCE_SECONDS = 0.5
# A running postmaster answers the check in a few milliseconds.
PROBE_TIMEOUT_SECONDS = 0.5
# A check's answer is trusted this long. An answer: a long legitimate query is not checked ten times a second. No
# answer: the reconnection Django tries right after a cut fails at once, yet a server back is used within 0.1 s.
ANSWER_VALID_SECONDS = 0.5
NO_ANSWER_VALID_SECONDS = 0.1

SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL's SSLRequest packet
# struct tcp_info (linux/tcp.h): tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, in ms, from byte 44.
_TCP_INFO_LENGTH = 104
_TCP_INFO_LAST_DATA = struct.Struct("=III")
_TCP_INFO_LAST_DATA_OFFSET = 44

# Where a server is checked: (AF_UNIX, socket path) or (AF_INET, (host, port)), host being a name or an address.
Server = tuple[int, Any]


@dataclass
class _Watched:
    connection: weakref.ref[Any]  # psycopg.Connection
    server: Server
    local: Any  # getsockname(): with the peer, tells this connection's socket from a later one on the same fd
    peer: Any
    in_progress_since: float | None = None


_lock = threading.Lock()
_watched: list[_Watched] = []
_checked: dict[Server, tuple[float, bool]] = {}  # server -> (when, answered)
_not_answering: set[Server] = set()
_thread: threading.Thread | None = None


def server_of(conn_params: Mapping[str, Any]) -> Server | None:
    """Where to check the server Django is about to connect to; None when that is not one plain address."""
    host = str(conn_params.get("host") or "")
    port = int(conn_params.get("port") or 5432)
    if not host or "," in host:
        return None
    if host.startswith("/"):
        return (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}")
    return (socket.AF_INET, (host, port))


def refuse_if_not_answering(server: Server | None) -> None:
    """Before connecting: OperationalError at once if this server was found not answering and still does not."""
    if server is None or server not in _not_answering:
        return
    if answers(server):
        _not_answering.discard(server)
        return
    import psycopg

    raise psycopg.OperationalError(f"the database server at {_describe(server)} is not answering")


def not_answering(server: Server | None) -> None:
    """A connect timeout or a cut: refuse new connections to this server until it answers the check."""
    if server is not None:
        _not_answering.add(server)
        _checked[server] = (time.monotonic(), False)


def answering(server: Server | None) -> None:
    if server is not None:
        _not_answering.discard(server)


def answers(server: Server) -> bool:
    """Does the server answer an SSLRequest within PROBE_TIMEOUT_SECONDS? A recent answer is reused."""
    now = time.monotonic()
    when, answered = _checked.get(server, (0.0, False))
    if now - when < (ANSWER_VALID_SECONDS if answered else NO_ANSWER_VALID_SECONDS):
        return answered
    family, address = server
    answered = False
    try:
        if family == getattr(socket, "AF_UNIX", None):
            probe = socket.socket(family, socket.SOCK_STREAM)
            probe.settimeout(PROBE_TIMEOUT_SECONDS)
            probe.connect(address)
        else:
            probe = socket.create_connection(address, timeout=PROBE_TIMEOUT_SECONDS)
        with probe:
            probe.settimeout(max(0.01, PROBE_TIMEOUT_SECONDS - (time.monotonic() - now)))
            probe.sendall(SSL_REQUEST)
            answered = bool(probe.recv(1))
    except OSError:
        answered = False
    _checked[server] = (time.monotonic(), answered)
    return answered


def watch(connection: Any, server: Server | None) -> None:
    """Watch a new psycopg connection until it closes (or is garbage-collected)."""
    try:
        with _socket_of(connection) as sock:
            local, peer = sock.getsockname(), sock.getpeername()
            family = sock.family
    except (OSError, ValueError, AttributeError) as error:  # already closed, or not a socket we can read
        logger.warning("Not watching a database connection for a frozen server: %s", type(error).__name__)
        return
    if server is None:  # checked at the address it is connected to
        server = (family, peer) if family == getattr(socket, "AF_UNIX", None) else (family, peer[:2])
    with _lock:
        _watched.append(_Watched(weakref.ref(connection), server, local, peer))
    _ensure_thread()


def watched_count() -> int:
    with _lock:
        return len(_watched)


@contextlib.contextmanager
def _socket_of(connection: Any) -> Iterator[socket.socket]:
    """A socket object on a duplicate of the connection's descriptor; closing it leaves the connection's own open."""
    sock = socket.socket(fileno=os.dup(connection.pgconn.socket))
    try:
        yield sock
    finally:
        sock.close()


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_run, name="db-frozen-server-watchdog", daemon=True)
        _thread.start()


def _forget_after_fork() -> None:
    """A forked child (gunicorn --preload) has no watchdog thread and none of its parent's connections in use."""
    global _thread, _lock
    _lock = threading.Lock()
    _thread = None
    _watched.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _run() -> None:
    while True:
        time.sleep(POLL_SECONDS)
        try:
            check_once()
        except Exception:  # the watchdog must outlive anything odd one connection does
            logger.exception("Database watchdog check failed")


def check_once() -> int:
    """One look at every watched connection; cuts those waiting on a server that does not answer. Returns how many."""
    import psycopg

    active = psycopg.pq.TransactionStatus.ACTIVE
    now = time.monotonic()
    silent: list[tuple[_Watched, Any, float]] = []
    with _lock:
        watched = list(_watched)
    for item in watched:
        connection = item.connection()
        if connection is None or connection.closed:
            with _lock, contextlib.suppress(ValueError):
                _watched.remove(item)
            continue
        # PQtransactionStatus only reads libpq's state; psycopg's C implementation holds the GIL around it and
        # around PQfinish, so a connection closed meanwhile by its thread reads as UNKNOWN, never as freed memory.
        if connection.pgconn.transaction_status != active:
            item.in_progress_since = None
            continue
        if item.in_progress_since is None:
            item.in_progress_since = now
        seconds = _silent_seconds(item, connection, now)
        if seconds >= SILENCE_SECONDS:
            silent.append((item, connection, seconds))
    cut = 0
    for server in {item.server for item, _connection, _seconds in silent}:
        if answers(server):
            continue
        not_answering(server)
        for item, connection, seconds in silent:
            if item.server == server and _cut(item, connection, seconds):
                cut += 1
    return cut


def _silent_seconds(item: _Watched, connection: Any, now: float) -> float:
    """How long the server has sent nothing while a command is in progress."""
    since_seen = now - (item.in_progress_since if item.in_progress_since is not None else now)
    if not isinstance(item.peer, tuple) or not hasattr(socket, "TCP_INFO"):
        return since_seen
    try:
        with _socket_of(connection) as sock:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_LENGTH)
        last_sent_ms, _last_ack_sent_ms, last_received_ms = _TCP_INFO_LAST_DATA.unpack_from(
            info, _TCP_INFO_LAST_DATA_OFFSET
        )
    except (OSError, ValueError, struct.error):
        return since_seen
    # Since the later of: our last request, the server's last byte.
    return float(min(last_sent_ms, last_received_ms)) / 1000


def _cut(item: _Watched, connection: Any, seconds: float) -> bool:
    """Shut down the connection's socket, if it is still the one we watched and still waiting."""
    import psycopg

    try:
        if connection.closed or connection.pgconn.transaction_status != psycopg.pq.TransactionStatus.ACTIVE:
            return False
        with _socket_of(connection) as sock:
            if sock.getsockname() != item.local or sock.getpeername() != item.peer:
                return False  # that descriptor now belongs to another socket
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError, psycopg.Error):
        return False
    logger.error(
        "Database server at %s sent nothing for %.1f s and did not answer a check: cut the waiting connection",
        _describe(item.server),
        seconds,
    )
    return True


def _describe(server: Server) -> str:
    _family, address = server
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)
