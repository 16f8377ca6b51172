"""A real SMTP server on 127.0.0.1 for the tests, small enough to read: it accepts every recipient except those in
`refusing`, which it turns away with "451 try again later", as a busy mailbox does. Django's SMTP backend talks to
it over a socket, so a test sees what smtplib really does with a refusal (aiosmtpd is not a dependency).
"""

from __future__ import annotations

import socketserver
import threading
from typing import Any


class LocalSMTPServer(socketserver.ThreadingTCPServer):
    """`with LocalSMTPServer() as server:` serves on `server.port` until the block ends; `server.delivered` holds the
    recipients of each message it accepted."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.port: int = self.server_address[1]
        self.refusing: set[str] = set()
        self.delivered: list[list[str]] = []

    def received_by(self, address: str) -> int:
        return sum(address in recipients for recipients in self.delivered)

    def __enter__(self) -> LocalSMTPServer:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.shutdown()
        self.server_close()


class _Session(socketserver.StreamRequestHandler):
    server: LocalSMTPServer

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            command = line.upper()
            if command.startswith(("MAIL FROM:", "RSET")):
                recipients = []
                self.reply("250 ok")
            elif command.startswith("RCPT TO:"):
                address = line.split(":", 1)[1].strip().strip("<>")
                if address in self.server.refusing:
                    self.reply(f"451 4.3.0 <{address}> mailbox busy, try again later")
                else:
                    recipients.append(address)
                    self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                for data_line in iter(self.rfile.readline, b""):
                    if data_line.rstrip(b"\r\n") == b".":
                        break
                self.server.delivered.append(recipients)
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, NOOP
                self.reply("250 ok")
