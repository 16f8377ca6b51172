"""The public-page cache (education/cache.py): kept pages for anonymous readers, never stale, never personal."""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.contrib.messages import INFO
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from education import cache
from education.models import Article
from tests.education.factories import ArticleFactory, TopicFactory
from tests.education.test_query_counts import ARTICLE_PAGE
from tests.education.test_sitemap import sitemap_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory.create(
        title="Sciatica basics", slug="sciatica-basics", body="The old advice.", topics=[TopicFactory.create()]
    )


def served_from_cache(client, path, django_assert_num_queries) -> str:
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_article_page_is_served_without_a_query(client, article, django_assert_num_queries):
    first = client.get("/articles/sciatica-basics/").content.decode()
    again = served_from_cache(client, "/articles/sciatica-basics/", django_assert_num_queries)
    assert "The old advice." in again
    # The same page, but for the CSRF token of the language switcher (each reader's own).
    without_tokens = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert without_tokens.sub("", again) == without_tokens.sub("", first)


def test_a_published_change_shows_at_once(client, article, django_assert_num_queries):
    client.get("/articles/sciatica-basics/")
    article.body = "The new advice."
    article.save()
    html = client.get("/articles/sciatica-basics/").content.decode()
    assert "The new advice." in html
    assert "The old advice." not in html


def test_a_change_of_topics_or_related_articles_shows_at_once(client, article):
    assert "Running now" not in client.get("/articles/sciatica-basics/").content.decode()
    article.topics.add(TopicFactory.create(name="Running now", slug="running-now"))
    assert "Running now" in client.get("/articles/sciatica-basics/").content.decode()
    article.related.add(ArticleFactory.create(title="Read this next"))
    assert "Read this next" in client.get("/articles/sciatica-basics/").content.decode()


def test_unpublishing_gives_404_at_once_everywhere(client, article):
    assert client.get("/articles/sciatica-basics/").status_code == 200
    assert "Sciatica basics" in client.get("/articles/").content.decode()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get("/articles/sciatica-basics/").status_code == 404
    assert "Sciatica basics" not in client.get("/articles/").content.decode()
    assert "sciatica-basics" not in sitemap_text(client)


def test_a_deleted_article_is_gone_at_once(client, article):
    client.get("/articles/sciatica-basics/")
    article.delete()
    assert client.get("/articles/sciatica-basics/").status_code == 404


def test_a_scheduled_article_goes_live_at_its_time_without_a_save(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ArticleFactory.create(title="Coming soon", published_at=timezone.now() + datetime.timedelta(hours=1))
    assert "Coming soon" not in client.get("/articles/").content.decode()
    assert client.get("/articles/").status_code == 200  # kept, until the publish time at the latest
    time_machine.shift(datetime.timedelta(hours=1, seconds=1))
    assert "Coming soon" in client.get("/articles/").content.decode()


def test_an_article_whose_review_falls_due_says_so_from_midnight_not_when_its_kept_page_expires(client, time_machine):
    """A kept page said "Next review due <yesterday>" after midnight, until it expired (PUBLIC_PAGE_CACHE_SECONDS,
    five minutes by default, or as long as a clinic sets): the day ending changes what an article page says."""
    late = datetime.datetime.combine(datetime.date(2027, 3, 1), datetime.time(23, 58), timezone.get_current_timezone())
    time_machine.move_to(late, tick=False)
    ArticleFactory.create(slug="due-today", next_review_due=datetime.date(2027, 3, 1))
    assert "Next review due" in client.get("/articles/due-today/").content.decode()  # kept
    time_machine.shift(datetime.timedelta(minutes=3))  # 00:01 on March 2
    page = client.get("/articles/due-today/").content.decode()
    assert "Due for review since" in page
    assert "Next review due" not in page


def test_signed_in_staff_are_never_served_a_kept_page_nor_leave_theirs(client, article, editor):
    anonymous = Client()
    anonymous.get("/articles/sciatica-basics/")  # kept
    client.force_login(editor)
    staff_page = client.get("/articles/sciatica-basics/")
    assert "Sign out" in staff_page.content.decode()
    assert "private" in staff_page["Cache-Control"]
    again = anonymous.get("/articles/sciatica-basics/").content.decode()
    assert "Editor Tester" not in again
    assert "Sign out" not in again
    assert "Staff sign-in" in again


def test_a_page_with_a_message_waiting_is_neither_served_from_nor_kept_in_the_cache(client, article):
    Client().get("/")  # the anonymous home page is kept
    # A message waiting for this visitor (as after being signed out for inactivity), in the messages cookie.
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(INFO, "You were signed out after 30 minutes without activity.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    response = client.get("/")
    assert "You were signed out" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "You were signed out" not in Client().get("/").content.decode()
    assert "You were signed out" not in client.get("/").content.decode()  # shown once


def test_a_kept_page_is_the_same_for_every_reader_and_its_switcher_works_for_each(
    article, settings, django_assert_num_queries
):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    kept = first.get("/articles/sciatica-basics/")
    again = served_from_cache(second, "/articles/sciatica-basics/", django_assert_num_queries)
    assert again == kept.content.decode()
    assert "csrfmiddlewaretoken" not in again
    assert not kept.cookies
    # The second reader switches language from the kept page, with nothing but what the page gave them.
    answer = second.post("/i18n/setlang/", {"language": "es", "next": "/"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 302
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_readers_of_another_language_get_their_own_kept_page(client, article):
    english = client.get("/articles/sciatica-basics/").content.decode()
    spanish_reader = Client(HTTP_ACCEPT_LANGUAGE="es")
    spanish = spanish_reader.get("/articles/sciatica-basics/").content.decode()
    assert '<html lang="en' in english
    assert '<html lang="es' in spanish


def test_a_changed_clinic_number_shows_at_once(client, settings, article):
    settings.CLINIC_PHONE = "(555) 010-0100"
    assert "(555) 010-0100" in client.get("/").content.decode()
    settings.CLINIC_PHONE = "(555) 999-1234"
    assert "(555) 999-1234" in client.get("/").content.decode()


def test_with_the_cache_off_every_request_renders(client, settings, article, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/articles/sciatica-basics/")
    with django_assert_num_queries(ARTICLE_PAGE):  # the article page's query (two on SQLite), every time
        client.get("/articles/sciatica-basics/")


def test_without_a_writable_generation_file_pages_are_served_but_not_kept(
    client, settings, article, tmp_path, django_assert_num_queries
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.PUBLIC_PAGE_CACHE_STAMP = str(blocker / "generation")
    cache._stamp_unwritable_until = 0.0
    assert client.get("/articles/sciatica-basics/").status_code == 200
    # Rendered again (the article with its related articles, the topic list): nothing kept, the file not tried again.
    with django_assert_num_queries(ARTICLE_PAGE + 1):
        assert "The old advice." in client.get("/articles/sciatica-basics/").content.decode()


def test_a_shared_backend_keeps_the_generation_itself(client, settings, article, tmp_path, django_assert_num_queries):
    settings.CACHES = {
        **settings.CACHES,
        "public_pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }
    try:
        client.get("/articles/sciatica-basics/")
        assert caches["public_pages"].get(cache.GENERATION_KEY)
        served_from_cache(client, "/articles/sciatica-basics/", django_assert_num_queries)
        article.body = "The new advice."
        article.save()
        assert "The new advice." in client.get("/articles/sciatica-basics/").content.decode()
    finally:
        caches["public_pages"].clear()


def test_workers_that_first_served_different_languages_share_their_kept_pages(
    client, settings, article, tmp_path, django_assert_num_queries
):
    """With a shared backend every worker must make the same keys. The clinic-settings part of a key hashed the help
    box in the language of the worker's first request, so a worker that started on a Spanish page and one that started
    on an English page kept every page twice."""
    settings.CACHES = {
        **settings.CACHES,
        "public_pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }
    try:
        Client(HTTP_ACCEPT_LANGUAGE="es").get("/articles/sciatica-basics/")  # the first worker's first page
        client.get("/articles/")  # kept by the first worker
        cache._forget_fingerprint()  # a second worker, whose first page is English
        served_from_cache(client, "/articles/", django_assert_num_queries)
    finally:
        caches["public_pages"].clear()


def test_the_generation_changes_again_when_the_change_is_committed(article, django_capture_on_commit_callbacks):
    before = cache.current_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article.save()
    assert callbacks  # a page rendered from the old rows before the commit is kept under a token nobody asks for
    after = cache.current_generation()
    assert before is not None
    assert after is not None
    assert before.token != after.token


def test_a_change_another_worker_made_shows_even_when_the_generation_file_looks_unchanged(client, article):
    """Workers see each other's changes through the generation file. Linux stamps a file's time from a clock that
    moves every few milliseconds, reuses a freed inode at once, and every token has the same length: a new file could
    look exactly like the one a worker had read (same inode, time and size), and that worker kept serving the old
    pages. What another worker's change looks like at worst: the rows changed, a new token in a file that the
    file system cannot tell from the old one."""
    client.get("/articles/sciatica-basics/")  # kept under the current generation
    Article.objects.filter(pk=article.pk).update(body_html="<p>The new advice.</p>")  # the other worker's save
    path = cache._stamp_path()
    before = path.stat()
    old = cache.Generation.decode(path.read_text())
    assert old is not None
    new = cache.Generation("f" * len(old.token), old.live_until).encode()
    with path.open("r+") as stamp:  # the other worker's new token
        stamp.write(new)
        stamp.truncate()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)

    html = client.get("/articles/sciatica-basics/").content.decode()
    assert "The new advice." in html
    assert "The old advice." not in html


def test_a_generation_file_that_is_not_text_is_replaced_and_pages_still_served(client, article, settings, tmp_path):
    """A stamp that is not UTF-8 (a PUBLIC_PAGE_CACHE_STAMP pointed at some other file) raised UnicodeDecodeError,
    which only OSError was caught for: every public page failed with a server error."""
    stamp = tmp_path / "generation"
    stamp.write_bytes(b"\xff\xfe not a token")
    settings.PUBLIC_PAGE_CACHE_STAMP = str(stamp)
    assert "The old advice." in client.get("/articles/sciatica-basics/").content.decode()
    assert cache.Generation.decode(stamp.read_text()) is not None  # a new token, written in its place


def test_a_spanish_topic_name_saved_on_its_own_shows_at_once():
    """Only saves of articles, topics, translations and images changed the generation: a topic's Spanish name added
    by `load_articles` (or the shell) was never seen, the kept topic list having no end (the stop-30 audit)."""
    from education.models import TopicTranslation

    topic = TopicFactory.create(name="Running", slug="running")
    ArticleFactory.create(title="Easing back in", slug="easing-back-in", topics=[topic])
    reader = Client()
    reader.cookies["django_language"] = "es"
    assert "Correr" not in reader.get("/topics/running/").content.decode()
    TopicTranslation.objects.create(topic=topic, language="es", name="Correr")
    for path in ("/", "/articles/", "/topics/running/", "/articles/easing-back-in/"):
        assert "Correr" in reader.get(path).content.decode(), path


def test_a_change_rolled_back_does_not_hold_back_a_scheduled_article_past_its_time(
    client, editor, time_machine, monkeypatch
):
    """Each change made a new generation at once, inside its transaction, valid until the next go-live time as that
    transaction saw it. A change that was then rolled back (here an editor's later go-live time, whose reviewers'
    e-mail could not be queued) left that generation in place: valid until a time nobody had saved, so at the real
    go-live time the topic list and its counts, worked out once per generation, still had the article offline (its
    topic's page "not found") until midnight, for every reader after one had read a page before the real time."""
    from education import tasks, workflow

    ten = datetime.datetime.combine(datetime.date(2027, 3, 1), datetime.time(10, 0), timezone.get_current_timezone())
    time_machine.move_to(ten, tick=False)
    topic = TopicFactory.create(name="Walking", slug="walking")
    soon = ArticleFactory.create(
        title="Coming soon", slug="coming-soon", topics=[topic], published_at=ten + datetime.timedelta(hours=1)
    )
    assert client.get("/topics/walking/").status_code == 404  # nothing to read in it yet
    later = workflow.live_content(soon)

    def unqueued(article_id: int) -> None:
        raise RuntimeError("the task queue is unreachable")

    monkeypatch.setattr(tasks, "queue_waiting_email", unqueued)
    with pytest.raises(RuntimeError):
        workflow.save_working_copy(soon, later, user=editor, go_live_at=ten + datetime.timedelta(hours=5), submit=True)
    monkeypatch.undo()
    assert Article.objects.get(pk=soon.pk).published_at == ten + datetime.timedelta(hours=1)  # nothing was saved
    time_machine.shift(datetime.timedelta(minutes=30))
    assert client.get("/topics/walking/").status_code == 404  # a reader before its time

    time_machine.shift(datetime.timedelta(minutes=30, seconds=1))
    page = client.get("/topics/walking/")
    assert page.status_code == 200
    assert "Coming soon" in page.content.decode()


def test_what_a_migration_changes_shows_once_migrate_has_run(client, article):
    """Migrations change rows without the models' signals (a historical model has none: 0011 made "ciatica" find
    "ciática" by updating every Spanish search vector), and a deploy's new templates change every page. Nothing
    changed the generation: with a shared backend (Redis) the pages kept before the deploy were served as they were
    until they expired (PUBLIC_PAGE_CACHE_SECONDS, as long as a clinic sets it), and a process still running kept
    the topic list and reading order it had worked out for the generation."""
    from django.core.management import call_command

    assert "The old advice." in client.get("/articles/sciatica-basics/").content.decode()  # kept
    Article.objects.filter(pk=article.pk).update(body_html="<p>The migrated advice.</p>")  # a data migration's write
    call_command("migrate", verbosity=0)
    html = client.get("/articles/sciatica-basics/").content.decode()
    assert "The migrated advice." in html
    assert "The old advice." not in html
