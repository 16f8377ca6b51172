"""Invitation link tokens: made once, stored only as a hash, and sealed when they must travel through the task queue.

Why seal: the invitation e-mail is sent by a background task, and django-tasks-db stores a task's arguments in the
database. A raw token there would undo "only a hash is stored". The token is XOR-ed with a one-time pad derived from
SECRET_KEY and a fresh random nonce (HMAC-SHA512), so the task table holds nothing that opens a link without the
server's secret.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.utils.crypto import salted_hmac

TOKEN_BYTES = 32  # 256 bits: not guessable, 43 URL-safe characters
_SEAL_SALT = "intake.tokens.seal"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest we store and look links up by (a slow hash is not needed for 256 random bits)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def demo_token(label: str) -> str:
    """A stable token for a demo invitation, derived from SECRET_KEY so it differs per installation."""
    digest = salted_hmac("intake.tokens.demo", label, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _pad(nonce: str, length: int) -> bytes:
    pad = salted_hmac(_SEAL_SALT, nonce, algorithm="sha512").digest()
    if length > len(pad):
        raise ValueError("token too long to seal")
    return pad[:length]


def seal(token: str) -> str:
    data = token.encode()
    nonce = secrets.token_hex(16)
    sealed = bytes(a ^ b for a, b in zip(data, _pad(nonce, len(data)), strict=True))
    return f"{nonce}.{base64.urlsafe_b64encode(sealed).decode()}"


def unseal(sealed: str) -> str:
    nonce, _, body = sealed.partition(".")
    data = base64.urlsafe_b64decode(body.encode())
    return bytes(a ^ b for a, b in zip(data, _pad(nonce, len(data)), strict=True)).decode()
