"""What counts as published, and what saving an article computes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from education.models import Article
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_published_means_published_status_and_a_publish_time_that_has_come():
    now = timezone.now()
    live = ArticleFactory.create(published_at=now - datetime.timedelta(minutes=1))
    ArticleFactory.create(status=Article.Status.DRAFT, published_at=now - datetime.timedelta(days=1))
    ArticleFactory.create(published_at=now + datetime.timedelta(hours=1))
    assert list(Article.objects.published()) == [live]


def test_a_scheduled_article_goes_live_on_its_own_at_its_publish_time(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    article = ArticleFactory.create(published_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC))
    assert article.is_scheduled
    assert not Article.objects.published().exists()
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0, 1, tzinfo=datetime.UTC), tick=False)
    assert list(Article.objects.published()) == [article]


def test_publishing_without_a_time_publishes_now():
    article = ArticleFactory.create(published_at=None)
    assert article.published_at is not None
    assert article.is_live


def test_saving_renders_the_body_and_measures_grade_and_word_count():
    article = ArticleFactory.create(body="## Rest a bit\n\nWalk each day. Use heat.\n")
    assert "<h2>Rest a bit</h2>" in article.body_html
    assert article.word_count == 8
    assert article.reading_grade == 0  # one-syllable words in short sentences: the formula's floor
    article.body = "One two three."
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.word_count == 3
    assert "One two three." in article.body_html
    article.body = "Degenerative lumbar spondylolisthesis frequently necessitates multidisciplinary management."
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.reading_grade > 12  # measured again on each save


def test_sources_are_one_reference_per_line_ignoring_blank_lines():
    article = ArticleFactory.create(sources="Smith 2020.\n\n  Jones 2021.  \n")
    assert article.source_list == ["Smith 2020.", "Jones 2021."]


def test_the_search_vector_is_stored_on_save_on_postgresql():
    article = ArticleFactory.create(title="Shoes for runners", body="Cushioned shoes help.")
    article.refresh_from_db()
    if connection.vendor == "postgresql":
        assert "shoe" in str(article.search_vector)
        assert Article.objects.filter(search_vector="shoes").get() == article
    else:
        assert article.search_vector is None


def test_the_search_vector_has_a_gin_index_on_postgresql(on_postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'education_article'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("USING gin (search_vector)" in definition for definition in definitions), definitions


def test_saving_stores_lf_line_endings_and_no_blank_lines_around_the_text():
    article = ArticleFactory.create(body="\r\nOne.\r\n\r\nTwo.\r\n", summary="A\r\nB", sources="First.\r\nSecond.\r\n")
    article.refresh_from_db()
    assert (article.body, article.summary, article.sources) == ("One.\n\nTwo.", "A\nB", "First.\nSecond.")


def test_the_english_hash_follows_the_words_a_translator_translates():
    article = ArticleFactory.create(body="One.")
    before = article.english_sha256
    article.sources = "Another source."
    article.save()
    assert article.english_sha256 == before
    article.body = "One.\r\n"
    article.save()
    assert article.english_sha256 == before
    article.body = "Two."
    article.save()
    assert article.english_sha256 != before
