"""The starter library and `manage.py load_articles`: complete, readable, and never overwriting an editor's work."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from clinic_portal.management.commands.load_demo import DEMO_STEPS
from education.models import Article, Topic
from education.starter import STARTER_DIR

pytestmark = pytest.mark.django_db

# The starter library: articles 1-10 of docs/clinical/ARTICLES.md and article 15 (cancer history), one file each.
STARTER_COUNT = 11


def load(directory=STARTER_DIR) -> str:
    out = io.StringIO()
    call_command("load_articles", directory=directory, stdout=out)
    return out.getvalue()


@pytest.fixture
def library(tmp_path):
    """A copy of the starter files that a test may change, as a new release of the portal would."""
    target = tmp_path / "articles"
    shutil.copytree(STARTER_DIR, target)
    return target


def test_every_starter_article_is_published_readable_sourced_and_reviewed(starter_library):
    articles = list(Article.objects.published())
    assert len(articles) == STARTER_COUNT
    for article in articles:
        assert article.reading_grade <= Decimal(8), article.slug
        assert 400 <= article.word_count <= 900, (article.slug, article.word_count)
        assert len(article.source_list) >= 1, article.slug
        assert article.reviewed_on is not None, article.slug
        assert article.next_review_due is not None, article.slug
        assert article.next_review_due > article.reviewed_on, article.slug
        assert article.reviewed_by, article.slug
        assert article.topics.exists(), article.slug
        assert article.body_html.count('<blockquote class="help-now">') == 1, article.slug


def test_starter_articles_link_to_related_articles_and_warn_when_to_get_help_now(starter_library):
    article = Article.objects.get(slug="back-pain-after-a-run")
    assert set(article.related.values_list("slug", flat=True)) == {
        "sciatica-explained-for-runners",
        "cross-training-while-your-back-settles",
        "cauda-equina-warning-signs",
    }
    assert '<blockquote class="help-now">' in article.body_html
    assert set(Topic.objects.values_list("name", flat=True)) == {
        "Running",
        "Sciatica",
        "Red flags",
        "Self-care",
        "Exercise",
    }


def test_loading_twice_changes_nothing():
    assert f"{STARTER_COUNT} created" in load()
    before = list(Article.objects.values_list("slug", "updated_at").order_by("slug"))
    assert f"{STARTER_COUNT} unchanged" in load()
    assert list(Article.objects.values_list("slug", "updated_at").order_by("slug")) == before


def test_the_cancer_history_article_loads_and_is_linked_from_the_prompt_review_article(starter_library):
    article = Article.objects.get(slug="cancer-history-and-back-pain")
    assert article.title == "If you have had cancer and now have back pain"
    assert article.is_live
    assert "NICE guideline NG234" in article.sources
    prompt_review = Article.objects.get(slug="signs-that-need-a-prompt-review")
    assert "cancer-history-and-back-pain" in set(prompt_review.related.values_list("slug", flat=True))
    assert 'href="/articles/cancer-history-and-back-pain/"' in prompt_review.body_html


def test_an_article_an_editor_changed_is_never_overwritten(library):
    load(library)
    article = Article.objects.get(slug="do-i-need-a-scan")
    article.title = "Do I need an MRI?"
    article.save()
    file = library / "09-do-i-need-a-scan.md"
    file.write_text(file.read_text().replace("Most back pain", "Most low back pain"))
    output = load(library)
    assert "do-i-need-a-scan: kept (changed by an editor)" in output
    assert Article.objects.get(slug="do-i-need-a-scan").title == "Do I need an MRI?"


def test_an_unpublished_or_deleted_starter_article_stays_that_way(library):
    load(library)
    Article.objects.filter(slug="do-i-need-a-scan").delete()
    draft = Article.objects.get(slug="building-mileage-safely")
    draft.status = Article.Status.DRAFT
    draft.save()
    output = load(library)
    assert "do-i-need-a-scan: kept deleted" in output
    assert not Article.objects.filter(slug="do-i-need-a-scan").exists()
    assert Article.objects.get(slug="building-mileage-safely").status == Article.Status.DRAFT


def test_a_new_release_of_an_untouched_starter_article_is_applied(library):
    load(library)
    file = library / "09-do-i-need-a-scan.md"
    file.write_text(file.read_text().replace("Do I need a scan?", "Do I need a scan for back pain?", 1))
    output = load(library)
    assert "do-i-need-a-scan: updated" in output
    assert Article.objects.get(slug="do-i-need-a-scan").title == "Do I need a scan for back pain?"
    assert "do-i-need-a-scan: unchanged" in load(library)


def test_an_article_an_editor_wrote_at_the_same_address_is_left_alone(library):
    Article.objects.create(slug="do-i-need-a-scan", title="Ours", summary="Ours.", body="Ours.")
    assert "do-i-need-a-scan: kept (an article with this address was not made by the loader)" in load(library)
    assert Article.objects.get(slug="do-i-need-a-scan").title == "Ours"


def test_a_broken_file_stops_the_load_and_saves_nothing(library):
    (library / "99-broken.md").write_text('+++\ntitle = "No slug"\n+++\nBody.\n')
    with pytest.raises(CommandError, match=r"Nothing was loaded\. 99-broken\.md: missing slug"):
        load(library)
    assert not Article.objects.exists()


def test_make_run_loads_the_articles_after_the_staff():
    assert DEMO_STEPS.index("load_articles") > DEMO_STEPS.index("load_demo_staff")


def test_the_load_is_recorded_as_a_revision_an_editor_can_restore():
    from reversion.models import Version

    load()
    article = Article.objects.get(slug="back-pain-after-a-run")
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 1
    assert "starter library" in versions.get().revision.get_comment()
