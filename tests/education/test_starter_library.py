"""The 18 starter articles of docs/clinical/ARTICLES.md: each loads with `load_articles`, reads at grade 8 or below,
and is suggested by at least one intake in the tests (the samples of tests/intake/sample_intakes.py, triaged by the
real rules and run through the pure recommender)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from education.models import Article
from education.starter import STARTER_DIR, read_starter_library
from intake.rules.recommendations import ARTICLE_SLUGS
from tests.intake.sample_intakes import SAMPLES, reading_list

pytestmark = pytest.mark.django_db

STARTER_ARTICLES = 18


@pytest.fixture
def loaded() -> dict[str, Article]:
    out = io.StringIO()
    call_command("load_articles", stdout=out)
    assert f"{STARTER_ARTICLES} created" in out.getvalue()
    return {article.slug: article for article in Article.objects.all()}


def test_there_is_one_starter_file_for_each_of_the_18_articles() -> None:
    files = sorted(path.name for path in STARTER_DIR.glob("*.md"))
    assert [name[:2] for name in files] == [f"{number:02d}" for number in range(1, STARTER_ARTICLES + 1)]
    # The file numbers are the article numbers of docs/clinical/ARTICLES.md, and the recommender knows the same slugs.
    assert tuple(article.slug for article in read_starter_library()) == ARTICLE_SLUGS


def test_every_starter_article_loads_at_reading_grade_8_or_below(loaded: dict[str, Article]) -> None:
    assert set(loaded) == set(ARTICLE_SLUGS)
    for slug, article in loaded.items():
        assert article.reading_grade <= Decimal(8), (slug, article.reading_grade)
        assert 400 <= article.word_count <= 900, (slug, article.word_count)
        assert article.source_list, slug


def test_the_sample_intakes_together_suggest_every_starter_article() -> None:
    # After staff have called, so "Other signs that need a prompt review" (held back until then) counts too.
    suggested = {name: reading_list(sample.answers) for name, sample in SAMPLES.items()}
    for name, sample in SAMPLES.items():
        assert set(sample.suggests) <= set(suggested[name]), name
    covered = {slug for slugs in suggested.values() for slug in slugs}
    assert covered == set(ARTICLE_SLUGS)
