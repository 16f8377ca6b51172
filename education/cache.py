"""The public library's page cache: whole pages for anonymous readers, and the data every page shares.

What is kept (issue 16): the rendered public pages (home, lists, topics, articles, search, the sitemap) as the view
returned them, in the `public_pages` cache (settings: `PUBLIC_PAGE_CACHE_*`; process memory by default, any Django
cache backend by setting, such as Redis or the database). Only pages that are the same for every reader are kept or
served: GET, nobody signed in, no message waiting, a 200 marked `public` by the view (a staff preview of a draft is
not), no cookie set, no CSRF token rendered (public pages carry none: the language switcher is guarded by where a
request comes from, clinic_portal.language_choice). A page is kept per language, scheme, host and full path (query
string included), and per clinic settings (its numbers and name). An address that names a language (`?lang=es`) and
so stores it in the reader's language cookie is neither served nor kept (`may_share`); once the cookie says it, the
same address is a page like any other, kept under its own key.

Never stale: every key carries the library's *generation*, a random token that changes whenever something a public
page shows changes: an article, topic, translation or image saved or deleted, or an article's topics or related
articles changed (signals, connected in EducationConfig.ready), right away and again when the transaction commits (a
page rendered from the old rows in between is kept under a token nobody asks for). A scheduled article goes live at
its publish time with no save: the generation records the next publish time after its making and is replaced when
that time comes. The day ending changes pages too (an article's review date passes: "Next review due" becomes "Due
for review since"), so the generation is replaced at local midnight as well. Writes that bypass the models (bulk SQL,
`QuerySet.update()`) must call `library_changed()`; `migrate` does so once it has run (a migration's writes, a
deploy's templates).

Where the generation lives: with a shared backend, in that backend, so every server sees a change at once. With a
backend private to each process (local memory, the default), in a small file beside the portal
(`PUBLIC_PAGE_CACHE_STAMP`): gunicorn's workers are separate processes, and a token in one worker's memory would not
reach the others. Reading it costs one small read per request; when the file cannot be written, nothing is cached.

`memo(name, compute)` keeps derived data (the topic list with its counts) per generation in each process, so the
pages that show it do not count articles on every request.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation

from clinic_portal.languages import cookie_to_set

logger = logging.getLogger(__name__)

CACHE_ALIAS = "public_pages"
GENERATION_KEY = "public-pages:generation"
# Response headers a kept page keeps (what the view set; the middleware adds the rest on every answer).
KEPT_HEADERS = ("Content-Type", "Cache-Control", "X-Robots-Tag", "Content-Language", "Vary")

P = ParamSpec("P")
T = TypeVar("T")


def seconds() -> int:
    """How long a page is kept at most (PUBLIC_PAGE_CACHE_SECONDS; 0 turns the page cache off)."""
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 0))


def _backend() -> BaseCache:
    return caches[CACHE_ALIAS]


def _process_local(backend: BaseCache) -> bool:
    return isinstance(backend, (LocMemCache, DummyCache))


# --- The generation ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    token: str
    # Until when its pages hold (epoch seconds): the next local midnight, or the time the next scheduled article goes
    # live when that comes first. None in a stamp written before midnight counted: replaced when read.
    live_until: float | None

    def expired(self, now: float) -> bool:
        return self.live_until is None or now >= self.live_until

    def encode(self) -> str:
        return f"{self.token} {self.live_until or ''}"

    @classmethod
    def decode(cls, text: str) -> Generation | None:
        token, _, until = text.strip().partition(" ")
        if not token:
            return None
        try:
            return cls(token, float(until) if until else None)
        except ValueError:
            return None


def _next_go_live() -> float | None:
    from education.models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else None


def _next_midnight() -> float:
    """The start of tomorrow, local time: an article page compares its review dates with today
    (education.article_page), so a page kept from yesterday may say a review is due on a day that has passed."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time.min, timezone.get_current_timezone()).timestamp()


def _good_until() -> float:
    go_live = _next_go_live()
    midnight = _next_midnight()
    return midnight if go_live is None else min(go_live, midnight)


def _stamp_path() -> Path:
    return _stamp_path_for(getattr(settings, "PUBLIC_PAGE_CACHE_STAMP", ""), str(settings.BASE_DIR))


@lru_cache(maxsize=8)
def _stamp_path_for(configured: str, base_dir: str) -> Path:  # worked out once: it is read on every public page
    if configured:
        return Path(configured)
    portal = hashlib.sha256(base_dir.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"clinic-portal-{portal}-public-pages"


# More than a stamp ever holds (`Generation.encode`: a token and a time), so one read takes it whole.
STAMP_MAX_BYTES = 256


def _read_stamp(path: Path) -> Generation | None:
    # Read whole every time (a few dozen bytes): a new file can carry the old one's inode, time and size (a freed
    # inode is reused at once, file times move in steps of milliseconds, tokens have one length), so those cannot
    # tell whether another worker wrote a new token. One plain read, not Path.read_text(): its buffered text file
    # cost four times as much, on every public page (issue 16).
    try:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            text = os.read(descriptor, STAMP_MAX_BYTES).decode()
        finally:
            os.close(descriptor)
        return _decoded(text)
    except (OSError, UnicodeDecodeError):  # not there, or not a stamp: made anew (current_generation)
        return None


@lru_cache(maxsize=4)
def _decoded(text: str) -> Generation | None:
    return Generation.decode(text)


def _write_stamp(path: Path, generation: Generation) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".stamp-")
        with os.fdopen(handle, "w") as stamp:
            stamp.write(generation.encode())
        os.replace(temporary, path)  # atomic: a reader sees the old token or the new one, never half of it
    except OSError:
        logger.exception("The public-page cache's generation file cannot be written; pages are not cached")
        return False
    return True


def library_changed(*, no_later_than: float | None = None) -> Generation | None:
    """Something a public page shows has changed: every kept page and memo is out of date from now on.

    Returns the new generation, or None when it could not be stored (then nothing is cached until it can be).
    `no_later_than`: the new generation holds until then at the latest (`changed_on_commit`).
    """
    until = _good_until()
    generation = Generation(secrets.token_hex(8), until if no_later_than is None else min(until, no_later_than))
    backend = _backend()
    if not _process_local(backend):
        backend.set(GENERATION_KEY, generation.encode(), timeout=None)
        return generation
    path = _stamp_path()
    if _write_stamp(path, generation):
        return generation
    # Never leave an old token in place: without a generation nothing is kept or served.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
    return None


# After a failed write, how long pages go uncached before the stamp is tried again (not on every request).
RETRY_STAMP_SECONDS = 60
_stamp_unwritable_until = 0.0


def current_generation() -> Generation | None:
    """The library's generation now (made, or replaced once a scheduled article has gone live); None: cache nothing."""
    global _stamp_unwritable_until
    backend = _backend()
    now = time.time()
    if not _process_local(backend):
        stored = backend.get(GENERATION_KEY)
        found = Generation.decode(stored) if isinstance(stored, str) else None
        return found if found is not None and not found.expired(now) else library_changed()
    found = _read_stamp(_stamp_path())
    if found is not None and not found.expired(now):
        return found
    if now < _stamp_unwritable_until:
        return None
    made = library_changed()
    if made is None:
        _stamp_unwritable_until = now + RETRY_STAMP_SECONDS
    return made


def _stored_generation() -> Generation | None:
    """The generation as stored now, expired or not (none is made)."""
    backend = _backend()
    if not _process_local(backend):
        stored = backend.get(GENERATION_KEY)
        return Generation.decode(stored) if isinstance(stored, str) else None
    return _read_stamp(_stamp_path())


def changed_on_commit() -> None:
    """A write is under way: change the generation now and again once it is committed (see the module docstring).

    The change made now reads the next go-live time from rows the transaction may yet roll back: it holds no longer
    than the generation it replaces. A later go-live time saved and rolled back (an editor's, whose reviewers' e-mail
    could not be queued) made a generation that outlived the real time: the topic counts worked out under it kept the
    article offline until midnight."""
    before = _stored_generation()
    library_changed(no_later_than=before.live_until if before is not None else None)
    transaction.on_commit(library_changed, robust=True)


def _on_save_or_delete(**_kwargs: Any) -> None:
    changed_on_commit()


def _on_relations_changed(*, action: str, **_kwargs: Any) -> None:
    if action.startswith("post_"):
        changed_on_commit()


def _on_migrated(**_kwargs: Any) -> None:
    try:
        with transaction.atomic():
            library_changed()
    except DatabaseError:  # no library to read a go-live time from (`migrate education zero`): pages fail anyway
        logger.warning("The public-page cache's generation was not changed after migrate")


def connect_signals() -> None:
    """Called by EducationConfig.ready: every change to what public pages show changes the generation."""
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    from education import models

    # TopicTranslation too: a Spanish topic name saved on its own (load_articles, the shell) stayed unseen for good.
    for model in (
        models.Article,
        models.Topic,
        models.ArticleTranslation,
        models.TopicTranslation,
        models.ArticleImage,
    ):
        post_save.connect(_on_save_or_delete, sender=model, dispatch_uid=f"public-pages-save-{model.__name__}")
        post_delete.connect(_on_save_or_delete, sender=model, dispatch_uid=f"public-pages-delete-{model.__name__}")
    for through in (models.Article.topics.through, models.Article.related.through):
        m2m_changed.connect(_on_relations_changed, sender=through, dispatch_uid=f"public-pages-{through.__name__}")
    # A migration writes through historical models, which send no signals, and comes with a deploy's new templates:
    # `migrate` (every deploy runs it) changes the generation once it is done, whatever it changed.
    post_migrate.connect(_on_migrated, sender=apps.get_app_config("education"), dispatch_uid="public-pages-migrate")


# --- Derived data, per generation, in this process -----------------------------------------------------------------

_memos: dict[str, tuple[str, Any]] = {}


def memo(name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per generation in this process (every time when there is no generation)."""
    generation = current_generation()
    if generation is None:
        return compute()
    kept = _memos.get(name)
    if kept is not None and kept[0] == generation.token:
        return kept[1]  # type: ignore[no-any-return]
    value = compute()
    _memos[name] = (generation.token, value)
    return value


# --- Pages ----------------------------------------------------------------------------------------------------------

_settings_fingerprint: str | None = None


def _fingerprint() -> str:
    """The clinic's settings that pages show (numbers, name, the help box): a change must not serve the old ones.

    The help box is hashed in every language, whatever the language of the request that asks first: with a shared
    backend every worker must make the same keys, or each page is kept once per language its workers started in.
    """
    global _settings_fingerprint
    if _settings_fingerprint is None:
        from education.models import placeholder_values

        shown = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                shown.append((language, sorted(placeholder_values().items())))
        _settings_fingerprint = hashlib.sha256(repr(shown).encode()).hexdigest()[:12]
    return _settings_fingerprint


def _forget_fingerprint(**_kwargs: Any) -> None:
    global _settings_fingerprint
    _settings_fingerprint = None


setting_changed.connect(_forget_fingerprint)


def may_share(request: HttpRequest) -> bool:
    """The page is the same for every reader: nobody signed in, no one-off message waiting, no language cookie to set
    (`?lang=` naming a language other than the reader's: clinic_portal.languages.language_in_address)."""
    if cookie_to_set(request):
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES:
        # No session to be signed in with, and no message waiting: Django's messages start in the messages cookie
        # (FallbackStorage reads the session only when that cookie says it overflowed). Nothing to look up.
        return True
    return not request.user.is_authenticated and len(messages.get_messages(request)) == 0


def _key(request: HttpRequest, generation: Generation) -> str:
    where = "|".join(
        (
            translation.get_language() or "",
            request.scheme or "",
            request.get_host(),
            request.get_full_path(),
        )
    )
    return f"page:{generation.token}:{_fingerprint()}:{hashlib.sha256(where.encode()).hexdigest()}"


def _rendered(response: HttpResponseBase) -> HttpResponseBase:
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.render()
    return response


def _keepable(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in response.get("Cache-Control", "")
        # A page that rendered a CSRF token (a form other than the language switcher) is this reader's alone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def shared_page(
    view: Callable[Concatenate[HttpRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Serve the page from the public-page cache when it is there and may be shared, else render and keep it."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        timeout = seconds()
        if not timeout or request.method not in ("GET", "HEAD") or not may_share(request):
            return _rendered(view(request, *args, **kwargs))
        generation = current_generation()
        if generation is None:
            return _rendered(view(request, *args, **kwargs))
        key = _key(request, generation)
        backend = _backend()
        kept = backend.get(key)
        if kept is not None:
            status, content, headers = kept
            return HttpResponse(content, status=status, headers=headers)
        response = _rendered(view(request, *args, **kwargs))
        if isinstance(response, HttpResponse) and _keepable(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            if generation.live_until is not None:
                timeout = max(1, min(timeout, int(generation.live_until - time.time())))
            backend.set(key, (response.status_code, response.content, headers), timeout=timeout)
        return response

    return wrapped


def clear() -> None:
    """Forget every kept page, memo and the generation (tests; in production, restarting the workers is enough)."""
    global _stamp_unwritable_until
    _stamp_unwritable_until = 0.0
    _backend().clear()
    _memos.clear()
    if _process_local(_backend()):
        _stamp_path().unlink(missing_ok=True)
    else:
        _backend().delete(GENERATION_KEY)
