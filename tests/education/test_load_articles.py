"""The starter library and `manage.py load_articles`: complete, readable, awaiting the clinic's clinical review, and
never overwriting an editor's work or a reviewer's approval."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from clinic_portal.management.commands.load_demo import DEMO_STEPS
from education import workflow
from education.models import Article, ArticleDraft, StarterImport, Topic
from education.starter import STARTER_DIR
from tests.education.conftest import starter_files

pytestmark = pytest.mark.django_db

# The starter library: articles 1-18 of docs/clinical/ARTICLES.md, one file each.
STARTER_COUNT = 18


def load(directory=STARTER_DIR) -> str:
    out = io.StringIO()
    call_command("load_articles", directory=directory, stdout=out)
    return out.getvalue()


# Article 9, which the tests below change, and article 10: each links to the other. Loading these two does for those
# tests what loading all 18 does, in a ninth of the time; the tests about every starter article load them all.
SCAN_AND_ITS_LINK = ("do-i-need-a-scan", "signs-that-need-a-prompt-review")


@pytest.fixture
def library(tmp_path):
    """A copy of the starter files of SCAN_AND_ITS_LINK that a test may change, as a new release of the portal would."""
    return starter_files(tmp_path / "articles", *SCAN_AND_ITS_LINK)


@pytest.mark.usefixtures("starter_library_for_class")
class TestTheLoadedStarterLibrary:
    """Tests that only read the starter library share one load of it (tests/education/conftest.py)."""

    def test_every_starter_article_is_published_readable_sourced_and_awaiting_clinical_review(self):
        articles = list(Article.objects.published())
        assert len(articles) == STARTER_COUNT == len(list(STARTER_DIR.glob("*.md")))
        for article in articles:
            assert article.reading_grade <= Decimal(8), article.slug
            assert 400 <= article.word_count <= 900, (article.slug, article.word_count)
            assert len(article.source_list) >= 1, article.slug
            assert article.topics.exists(), article.slug
            # Nobody of this clinic has approved it yet: no reviewer, and no "Medically reviewed by" for patients.
            assert not article.is_clinically_reviewed, article.slug
            assert article.reviewer is None, article.slug
            assert (article.reviewed_by, article.reviewed_on, article.next_review_due) == ("", None, None), article.slug
            # The shared box ([[get-help-now]]) or, in article 15, its own typed box: one red box in each.
            assert article.display_html.count('<blockquote class="help-now"') == 1, article.slug

    def test_starter_articles_link_to_related_articles_and_warn_when_to_get_help_now(self):
        article = Article.objects.get(slug="back-pain-after-a-run")
        assert set(article.related.values_list("slug", flat=True)) == {
            "sciatica-explained-for-runners",
            "cross-training-while-your-back-settles",
            "cauda-equina-warning-signs",
        }
        assert "\ue002get_help_now\ue003" in article.body_html  # the box, filled in when the page is shown
        assert set(Topic.objects.values_list("name", flat=True)) == {
            "Running",
            "Sciatica",
            "Red flags",
            "Self-care",
            "Exercise",
        }

    def test_the_cancer_history_article_loads_and_is_linked_from_the_prompt_review_article(self):
        article = Article.objects.get(slug="cancer-history-and-back-pain")
        assert article.title == "If you have had cancer and now have back pain"
        assert article.is_live
        assert "NICE guideline NG234" in article.sources
        prompt_review = Article.objects.get(slug="signs-that-need-a-prompt-review")
        assert "cancer-history-and-back-pain" in set(prompt_review.related.values_list("slug", flat=True))
        assert 'href="/articles/cancer-history-and-back-pain/"' in prompt_review.body_html


def test_loading_twice_changes_nothing():
    assert f"{STARTER_COUNT} created (awaiting clinical review)" in load()
    before = list(Article.objects.values_list("slug", "updated_at").order_by("slug"))
    assert f"{STARTER_COUNT} unchanged" in load()
    assert list(Article.objects.values_list("slug", "updated_at").order_by("slug")) == before


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
    starter_files(library, "building-mileage-safely", "is-running-bad-for-your-spine")  # 8 links to 4 and 9
    load(library)
    Article.objects.filter(slug="do-i-need-a-scan").delete()
    draft = Article.objects.get(slug="building-mileage-safely")
    draft.status = Article.Status.DRAFT
    draft.save()
    output = load(library)
    assert "do-i-need-a-scan: kept deleted" in output
    assert not Article.objects.filter(slug="do-i-need-a-scan").exists()
    assert Article.objects.get(slug="building-mileage-safely").status == Article.Status.DRAFT


def test_deleting_an_article_leaves_the_articles_that_linked_to_it_the_loaders(tmp_path):
    """The link went with the deleted article, and every starter article listing it read as "kept (changed by an
    editor)": later releases no longer reached them (the stop-34 README audit)."""
    linked_to = ("how-long-back-pain-lasts", "medicines-for-back-pain-and-sciatica", "inflammatory-back-pain")
    library = starter_files(tmp_path / "articles", "hurt-is-not-harm", *linked_to)  # the three that link to 18
    load(library)
    linking = sorted(Article.objects.filter(related__slug="hurt-is-not-harm").values_list("slug", flat=True))
    assert linking  # the starter library links to it
    Article.objects.filter(slug="hurt-is-not-harm").delete()
    output = load(library)
    for slug in linking:
        assert f"{slug}: unchanged" in output
    edited = Article.objects.get(slug=linking[0])
    edited.title = "Changed by an editor"
    edited.save()
    assert f"{linking[0]}: kept (changed by an editor)" in load(library)  # an editor's change still counts


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


def test_the_load_is_recorded_as_a_revision_an_editor_can_restore(tmp_path):
    from reversion.models import Version

    # Article 1 and the three it links to: its links are set in the load's one revision too.
    linked = ("sciatica-explained-for-runners", "cross-training-while-your-back-settles", "cauda-equina-warning-signs")
    load(starter_files(tmp_path / "articles", "back-pain-after-a-run", *linked))
    article = Article.objects.get(slug="back-pain-after-a-run")
    versions = Version.objects.get_for_object(article)
    assert versions.count() == 1
    assert "starter library" in versions.get().revision.get_comment()


def test_the_load_says_the_articles_await_clinical_review(library):
    assert f"{len(SCAN_AND_ITS_LINK)} article(s) await clinical review" in load(library)


def test_an_approved_starter_article_is_not_counted_as_edited_and_stays_unchanged(library, reviewer):
    load(library)
    article = Article.objects.get(slug="do-i-need-a-scan")
    workflow.approve(article, reviewer=reviewer)
    assert "do-i-need-a-scan: unchanged" in load(library)
    article.refresh_from_db()
    assert article.reviewed_by == "Riley Reviewer"


def test_a_new_release_of_an_approved_article_waits_for_clinical_review(library, reviewer):
    load(library)
    article = Article.objects.get(slug="do-i-need-a-scan")
    workflow.approve(article, reviewer=reviewer)
    file = library / "09-do-i-need-a-scan.md"
    file.write_text(file.read_text().replace("Do I need a scan?", "Do I need a scan for back pain?", 1))
    assert "do-i-need-a-scan: new version waiting for clinical review" in load(library)
    article.refresh_from_db()
    assert article.title == "Do I need a scan?"  # approved words stay until the new ones are approved
    draft = ArticleDraft.objects.get(article=article)
    assert draft.state == ArticleDraft.State.AWAITING_REVIEW
    assert draft.content["title"] == "Do I need a scan for back pain?"
    assert "do-i-need-a-scan: new version waiting for clinical review" in load(library)
    workflow.approve(article, reviewer=reviewer)
    article.refresh_from_db()
    assert article.title == "Do I need a scan for back pain?"
    assert "do-i-need-a-scan: unchanged" in load(library)


def test_a_starter_article_with_an_editors_working_copy_is_kept(library, editor):
    load(library)
    article = Article.objects.get(slug="do-i-need-a-scan")
    content = {**workflow.live_content(article), "title": "Scans: do you need one?"}
    workflow.save_working_copy(article, content, user=editor, go_live_at=None)
    file = library / "09-do-i-need-a-scan.md"
    file.write_text(file.read_text().replace("Most back pain", "Most low back pain"))
    assert "do-i-need-a-scan: kept (an editor has a working copy)" in load(library)
    assert StarterImport.objects.get(slug="do-i-need-a-scan").source_sha256 != ""
