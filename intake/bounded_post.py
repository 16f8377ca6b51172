"""A few named fields read from a posted form Django refuses to read: its body over DATA_UPLOAD_MAX_MEMORY_SIZE
(RequestDataTooBig) or its fields over DATA_UPLOAD_MAX_NUMBER_FIELDS (TooManyFieldsSent).

intake.refused_posts needs the red-flag answers of such a page (docs/clinical/TRIAGE.md: a red-flag answer is acted
on whatever else on the page is wrong), its CSRF token and its form tag, and nothing else. Reading them must not undo
what the limits are for, so memory stays bounded whatever is sent: the body is read as a stream in chunks, only the
named fields are kept (the last value of each, as `QueryDict.get` reads it), each value cut to `VALUE_LIMIT`
characters, and a body past ten times either limit is not read further (None: the plain 400 it gets without this).

Only `application/x-www-form-urlencoded`, what a question page's form sends (no `enctype` on it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict

FORM_TYPE = "application/x-www-form-urlencoded"
VALUE_LIMIT = 200  # characters: an answer that raises a flag is a short code; a CSRF token is 64, the form tag under
CHUNK_BYTES = 64 * 1024
# A body this many times DATA_UPLOAD_MAX_MEMORY_SIZE, or with this many times DATA_UPLOAD_MAX_NUMBER_FIELDS fields, is
# not read for its red-flag answers: a patient's page, even with long answers, is far smaller, and past these the time
# spent reading it would be the cost the limits are there to avoid.
HARD_LIMIT_FACTOR = 10


def size_error(request: HttpRequest) -> RequestDataTooBig | TooManyFieldsSent | None:
    """The error Django refuses to read the posted form with for its size or its number of fields, or None. Any
    other error is left to the code after, which meets it again as before (a form that fails to parse keeps no half
    result)."""
    if request.method != "POST" or request.content_type != FORM_TYPE:
        return None
    try:
        request.POST  # noqa: B018 - read for the error it raises, cached when there is none
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        return error
    except Exception:  # not ours to answer: CsrfViewMiddleware or the view meets it again
        return None
    return None


def read_named_fields(request: HttpRequest, names: Collection[str]) -> QueryDict | None:
    """The fields `names` of a form refused for its size (`size_error`), read as the module docstring says; None when
    the body is past the hard limits, or was read only in part (nothing reliable to act on)."""
    chunks = _body_chunks(request)
    if chunks is None:
        return None
    return parse_named_fields(chunks, names, byte_limit=_hard_limit(), field_limit=_hard_field_limit())


def _hard_limit() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return None if limit is None else HARD_LIMIT_FACTOR * limit


def _hard_field_limit() -> int | None:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return None if limit is None else HARD_LIMIT_FACTOR * limit


def _body_chunks(request: HttpRequest) -> Iterable[bytes] | None:
    body = getattr(request, "_body", None)
    if isinstance(body, bytes):
        # Too many fields: the body was read whole, within the size limit. One past it is only its start (an ASGI body
        # longer than its Content-Length said), the rest gone: its last field could read as what was not sent.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return (body,) if limit is None or len(body) <= limit else None
    hard_limit = _hard_limit()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if (hard_limit is not None and length > hard_limit) or getattr(request, "_read_started", False):
        return None
    stream = getattr(request, "_stream", None)
    if stream is not None and getattr(stream, "seekable", lambda: False)():
        stream.seek(0)  # ASGI: Django measured the spooled body by seeking to its end
    return _chunks(request)


def _chunks(request: HttpRequest) -> Iterator[bytes]:
    while chunk := request.read(CHUNK_BYTES):
        yield chunk


def parse_named_fields(
    chunks: Iterable[bytes], names: Collection[str], *, byte_limit: int | None, field_limit: int | None
) -> QueryDict | None:
    """The fields `names` of the urlencoded body `chunks` (as Django's QueryDict reads it: `&` between fields,
    `+` and `%xx` decoded as UTF-8), the last value of each cut to VALUE_LIMIT characters; None past `byte_limit`
    bytes or `field_limit` fields (counted before they are split, so the loop below stays short). Holds at most one
    field's first bytes between chunks."""
    wanted = frozenset(names)
    longest = max((len(name) for name in wanted), default=0)
    field_cap = 3 * (longest + VALUE_LIMIT) + 1  # the longest kept field, every character percent-encoded
    found: dict[str, str] = {}
    pending, cut, total, fields = b"", False, 0, 1
    for chunk in chunks:
        total += len(chunk)
        fields += chunk.count(b"&")
        if (byte_limit is not None and total > byte_limit) or (field_limit is not None and fields > field_limit):
            return None
        pieces = chunk.split(b"&")
        for piece in pieces[:-1]:
            _keep(found, wanted, pending if cut else pending + piece[: field_cap - len(pending)])
            pending, cut = b"", False
        if not cut:
            pending += pieces[-1][: field_cap - len(pending)]
            cut = len(pending) >= field_cap
    _keep(found, wanted, pending)
    post = QueryDict(mutable=True)
    for name, value in found.items():
        post[name] = value
    post._mutable = False
    return post


def _keep(found: dict[str, str], wanted: frozenset[str], field: bytes) -> None:
    raw_name, _, raw_value = field.partition(b"=")
    if not raw_name:
        return
    name = _decoded(raw_name)
    if name in wanted:
        found[name] = _decoded(raw_value)[:VALUE_LIMIT]


def _decoded(raw: bytes) -> str:
    if b"%" not in raw and b"+" not in raw:
        return raw.decode("utf-8", "replace")
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
