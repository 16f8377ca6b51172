"""education/page_changes.py writes `page_changed_at` on the articles whose pages show what changed: saving an article
must not take the row locks of the articles that list it ("Read next") inside its own transaction, where two saves
(or a workflow holding one article `FOR UPDATE` while another is saved) wait on each other.

Needs real row locks, so it runs on PostgreSQL, like tests/intake/test_races.py.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import transaction

from education.models import Article
from tests.education.factories import ArticleFactory
from tests.races import Side, someone_waits_on_a_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="needs PostgreSQL row locks"),
]


def test_two_articles_listing_each_other_saved_at_once_are_both_saved():
    """An editor saves one article while a reviewer's approval holds the other (`select_for_update`, then its save):
    with each save updating the other's row in its transaction, PostgreSQL found a deadlock and one of them failed."""
    first = ArticleFactory.create(slug="first")
    second = ArticleFactory.create(slug="second")
    first.related.add(second)
    second.related.add(first)
    holding, release = threading.Event(), threading.Event()

    def approve_second() -> None:
        with transaction.atomic():
            locked = Article.objects.select_for_update().get(pk=second.pk)
            holding.set()
            release.wait(10)
            locked.title = "Second, approved"
            locked.save()

    def save_first() -> None:
        with transaction.atomic():
            article = Article.objects.get(pk=first.pk)
            article.title = "First, edited"
            article.save()

    approving = Side("approve", approve_second)
    approving.start()
    assert holding.wait(10)
    editing = Side("edit", save_first)
    editing.start()
    end = time.monotonic() + 2
    while not someone_waits_on_a_lock() and editing.is_alive() and time.monotonic() < end:
        time.sleep(0.02)
    release.set()
    approving.join(15)
    editing.join(15)

    assert approving.error is None, approving.error
    assert editing.error is None, editing.error
    titles = dict(Article.objects.values_list("slug", "title"))
    assert titles == {"first": "First, edited", "second": "Second, approved"}
