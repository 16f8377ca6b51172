"""A small HTTP load generator for the bench (there is no wrk here): threads on raw sockets, one request per connection.

gunicorn's sync workers close the connection after every response, so each request is a new connection, as with
wrk against the same server. Each thread sends a prebuilt request and reads the answer to the end; the status line
is checked and the time from connect to the last byte recorded. The client does as little work per request as it
can, so that on a small machine it takes little of the CPU the server needs; it takes some, and the same for every
page, which is why the bench reports each page as a ratio to the bare view measured the same way.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode


@dataclass(frozen=True)
class Request:
    """One prebuilt HTTP/1.1 request (path and query, optional form body and cookies) and the statuses it expects."""

    path: str
    body: dict[str, str] | list[tuple[str, str]] | None = None
    cookies: str = ""
    ok: tuple[int, ...] = (200,)
    referer: str = ""

    def encode(self, host: str) -> bytes:
        lines = [
            f"{'POST' if self.body is not None else 'GET'} {self.path} HTTP/1.1",
            f"Host: {host}",
            "User-Agent: portal-bench",
            "Accept: text/html",
            "Accept-Encoding: identity",
            # As the production TLS proxy says: the portal runs with its production settings (Secure cookies).
            "X-Forwarded-Proto: https",
            "Connection: close",
        ]
        if self.cookies:
            lines.append(f"Cookie: {self.cookies}")
        if self.referer:
            lines.append(f"Referer: {self.referer}")
        payload = b""
        if self.body is not None:
            payload = urlencode(self.body, doseq=True).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def send(host: str, port: int, raw: bytes, timeout: float = 120.0) -> Answer:
    """One request on a new connection, read to the end."""
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(raw)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    seconds = time.perf_counter() - started
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return Answer(status, headers, body, seconds)


def _unchunk(body: bytes) -> bytes:
    out, rest = [], body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


@dataclass
class Run:
    """What one load window measured."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def hammer(
    host: str, port: int, requests: Sequence[Request], *, seconds: float, connections: int, timeout: float = 120.0
) -> Run:
    """`connections` threads send requests back to back for `seconds`; thread i sends requests[i % len(requests)].

    A request under way when the time is up is waited for and counted: a page slower than the window still gets
    measured, and the rate is the completed requests over the time actually taken.
    """
    raws = [request.encode(f"{host}:{port}") for request in requests]
    stop_at = time.perf_counter() + seconds
    results: list[tuple[list[float], list[str]]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        raw = raws[index % len(raws)]
        expected = requests[index % len(requests)].ok
        latencies: list[float] = []
        errors: list[str] = []
        while True:
            try:
                answer = send(host, port, raw, timeout)
            except OSError as error:
                errors.append(f"{type(error).__name__}: {error}")
                time.sleep(0.05)
            else:
                if answer.status in expected:
                    latencies.append(answer.seconds)
                else:
                    errors.append(f"status {answer.status}")
            if time.perf_counter() >= stop_at:
                break
        with lock:
            results.append((latencies, errors))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run = Run(time.perf_counter() - started)
    for latencies, errors in results:
        run.latencies.extend(latencies)
        run.errors.extend(errors)
    return run


def one_client(host: str, port: int, request: Request, *, count: int, timeout: float = 120.0) -> Run:
    """`count` requests one after another on one client: the latency of a page on a quiet server."""
    raw = request.encode(f"{host}:{port}")
    started = time.perf_counter()
    run = Run(0.0)
    for _ in range(count):
        answer = send(host, port, raw, timeout)
        if answer.status in request.ok:
            run.latencies.append(answer.seconds)
        else:
            run.errors.append(f"status {answer.status}")
    run.seconds = time.perf_counter() - started
    return run


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU time the processes have used so far (Linux /proc); a process gone since counts 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / TICKS


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found
