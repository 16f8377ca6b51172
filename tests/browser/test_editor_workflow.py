"""The editorial workflow in a real browser (issue 15, "Done when"), at phone and desktop width:

- an editor changes a live article; visitors still see the old text; a clinical reviewer approves; visitors see the
  new text; the history shows one change, in the body only;
- an article whose image has no alt text cannot be saved; with alt text it is shown with that alt;
- a new Spanish starter release of a translation patients read reaches them only once a reviewer approves it, and
  a reviewer may decline it instead, and bring a release declined by mistake back to wait for review.
"""

from __future__ import annotations

import io
import re

import pytest
import reversion
from django.contrib.auth.models import Group
from PIL import Image

from accounts.roles import CLINICAL_REVIEWERS
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

OLD = "Rest for a day or two, then walk a little more each day."
NEW = "Rest for one day, then walk a little more each day."


@pytest.fixture
def reviewer(django_user_model):
    user = django_user_model.objects.create_user(
        username="reviewer",
        password="correct-horse-battery",
        first_name="Riley",
        last_name="Reviewer",
        email="reviewer@example.org",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    return user


@pytest.fixture
def live_article(reviewer):
    from education import workflow
    from tests.education.factories import ArticleFactory

    with reversion.create_revision():
        article = ArticleFactory.create(
            title="Easing back pain after a run",
            slug="easing-back-pain",
            body=f"## What helps\n\n{OLD}\n\n- Use heat for 10 to 20 minutes.\n- Keep moving gently.",
        )
    workflow.approve(article, reviewer=reviewer)
    return article


def visitor_sees(page, text: str) -> bool:
    page.reload()
    return text in page.locator("article .article-body").inner_text()


def test_an_editors_change_reaches_visitors_only_after_a_reviewer_approves_it(
    open_page, screenshot, editor, reviewer, live_article
):
    """The visitor reads on a phone, the editor and the reviewer work at a desk (axe checks every page at both)."""
    from reversion.models import Version

    size, viewport = "desktop", DESKTOP

    article = live_article
    visitor = open_page(article.get_absolute_url(), PHONE)
    assert visitor_sees(visitor, OLD)
    assert_accessible(visitor, context="the live article")

    # The editor changes one sentence and sends the change for review.
    editor_page = open_page(f"/admin/education/article/{article.pk}/change/", viewport, user=editor)
    body = editor_page.locator("#id_body")
    body.fill(body.input_value().replace(OLD, NEW))
    editor_page.get_by_role("button", name="Save and send for clinical review").first.click()
    editor_page.wait_for_load_state()
    assert editor_page.get_by_text("was sent for clinical review").is_visible()
    assert editor_page.get_by_text("Waiting for clinical review").first.is_visible()
    screenshot(editor_page, f"workflow-sent-for-review-{size}")
    assert_accessible(editor_page, context="the change form after sending for review")

    # Visitors still read the live text.
    assert visitor_sees(visitor, OLD)
    assert not visitor_sees(visitor, NEW)
    assert_accessible(visitor, context="the live article while a change waits")

    # The reviewer reads what changes and approves it.
    review = open_page(f"/admin/education/article/{article.pk}/review/", viewport, user=reviewer)
    changes = review.locator(".clinical-review .line-changes")
    assert changes.count() == 1
    assert NEW in changes.inner_text()
    screenshot(review, f"workflow-review-{size}")
    assert_accessible(review, context="the clinical review page")
    review.get_by_role("button", name="Approve").click()
    review.wait_for_load_state()
    assert review.get_by_text("Patients see it now").is_visible()
    assert_accessible(review, context="the change form after approval")

    # Visitors now read the new text, reviewed by the reviewer today.
    assert visitor_sees(visitor, NEW)
    assert not visitor_sees(visitor, OLD)
    assert "Medically reviewed by Riley Reviewer" in visitor.locator("article .review-meta").inner_text()
    screenshot(visitor, "workflow-published-phone")
    assert_accessible(visitor, context="the article after approval")

    # History: the approval added one version, and its change names the body only (the comparison of the two
    # versions shows the body alone too: tests/education/test_admin.py).
    history = editor_page  # the editor's own browser, still at the desk's width
    history.goto(f"/admin/education/article/{article.pk}/history/")
    comments = history.locator("#change-history tbody tr td:last-child").all_inner_texts()
    assert len(comments) == len(Version.objects.get_for_object(article))
    assert [comment for comment in comments if comment.startswith("Changed")] == [
        next(comment for comment in comments if comment.startswith("Changed Body. Approved by Riley Reviewer"))
    ]
    screenshot(history, f"workflow-history-{size}")
    assert_accessible(history, context="the article's history")


def test_a_spanish_starter_release_reaches_spanish_readers_only_after_a_reviewer_approves_it(
    open_page, screenshot, reviewer, live_server, tmp_path
):
    """A fix made in the Spanish alone of a starter translation patients read (article 3: the go-now signs first):
    `load_articles` puts it in front of a reviewer, Spanish readers keep the approved words until it is approved."""
    import shutil

    from education.services import load_starter_library
    from education.starter import STARTER_DIR
    from tests.education.test_starter_translations import GO_NOW_ES, spanish_fix_waiting

    library = tmp_path / "articles"
    shutil.copytree(STARTER_DIR, library)
    translation = spanish_fix_waiting(library)
    load_starter_library(library)
    visitor = open_page(translation.article.get_absolute_url(), PHONE)
    visitor.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])

    def first_heading_read() -> str:
        visitor.reload()
        assert visitor.locator("html").get_attribute("lang") == "es"
        return visitor.locator("article .article-body h2").first.inner_text()

    assert first_heading_read() != GO_NOW_ES
    assert_accessible(visitor, context="the approved Spanish while a new release waits")

    page = open_page(f"/admin/education/articletranslation/{translation.pk}/change/", DESKTOP, user=reviewer)
    assert f"+ ## {GO_NOW_ES}" in page.locator(".english-changes-box .added").all_inner_texts()
    screenshot(page, "translation-new-release-desktop")
    assert_accessible(page, context="a translation with a new starter release waiting for review")
    page.get_by_role("button", name="Approve the new release for patients").click()
    page.wait_for_load_state()
    assert page.get_by_text("patients who read this language now see the new release").is_visible()
    assert_accessible(page, context="the translation after its new release was approved")
    assert first_heading_read() == GO_NOW_ES
    assert_accessible(visitor, context="the new Spanish release after approval")


def test_a_reviewer_declines_a_spanish_release_and_spanish_readers_keep_the_approved_words_then_brings_it_back(
    open_page, screenshot, reviewer
):
    from tests.education.factories import ArticleFactory, spanish_with_a_new_release

    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    page = open_page(f"/admin/education/articletranslation/{translation.pk}/change/", PHONE, user=reviewer)
    screenshot(page, "translation-release-waiting-phone")
    page.get_by_role("button", name="Decline this release").click()
    page.wait_for_load_state()
    assert page.get_by_text("Declined: patients keep reading the approved words").is_visible()
    assert page.get_by_text("New release declined").is_visible()
    assert page.get_by_role("button", name="Approve the new release for patients").count() == 0
    screenshot(page, "translation-release-declined-phone")
    assert_accessible(page, context="the translation after its new release was declined")

    # Declined by mistake: brought back, it waits for review again, with its decisions, and no words pasted back.
    page.get_by_role("button", name="Bring this release back for review").click()
    page.wait_for_load_state()
    assert page.get_by_text("Brought back: the new release waits for clinical review again.").is_visible()
    assert page.get_by_text("New release declined").count() == 0
    assert page.get_by_role("button", name="Approve the new release for patients").is_visible()
    assert page.get_by_role("button", name="Bring this release back for review").count() == 0
    screenshot(page, "translation-release-brought-back-phone")
    assert_accessible(page, context="the translation after its declined release was brought back")


def _png() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (1600, 900), (60, 120, 180)).save(data, format="PNG")
    return data.getvalue()


def test_an_image_without_alt_text_cannot_be_saved_and_with_it_shows_with_that_alt(
    open_page, screenshot, settings, tmp_path, editor, reviewer, live_article
):
    """The editor uploads at a desk; the visitor reads on a phone, the picture fitting the screen."""
    size, viewport = "desktop", DESKTOP
    from education import workflow
    from education.models import ArticleDraft, ArticleImage

    settings.MEDIA_ROOT = tmp_path / "media"
    article = live_article

    # Uploading without a description is refused next to the field, and nothing is stored.
    page = open_page("/admin/education/articleimage/add/", viewport, user=editor)
    page.locator("#id_name").fill("bridge-exercise")
    page.locator("#id_image").set_input_files(files=[{"name": "bridge.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").filter(has_text="Describe what the picture shows").is_visible()
    assert not ArticleImage.objects.exists()
    screenshot(page, f"workflow-image-no-alt-{size}")
    assert_accessible(page, context="the image upload refused without alt text")
    page.locator("#id_image").set_input_files(files=[{"name": "bridge.png", "mimeType": "image/png", "buffer": _png()}])
    page.locator("#id_alt_text").fill("A runner lying on their back lifts their hips.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert ArticleImage.objects.filter(name="bridge-exercise").exists()
    assert_accessible(page, context="the image list after the upload")

    # The article's body shows the image: without alt text it cannot be saved.
    page.goto(f"/admin/education/article/{article.pk}/change/")
    body = page.locator("#id_body")
    original = body.input_value()
    body.fill(original + "\n\n![](image:bridge-exercise)")
    page.get_by_role("button", name="Save working copy").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("needs a description for people who cannot see it").is_visible()
    assert not ArticleDraft.objects.filter(article=article).exists()
    screenshot(page, f"workflow-article-image-no-alt-{size}")
    assert_accessible(page, context="the article form refusing an image without alt text")

    alt = "Lift your hips until your body makes a straight line."
    page.locator("#id_body").fill(original + f"\n\n![{alt}](image:bridge-exercise)")
    page.get_by_role("button", name="Save and send for clinical review").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("was sent for clinical review").is_visible()
    assert_accessible(page, context="the article form with the image saved")
    workflow.approve(article, reviewer=reviewer)

    visitor = open_page(article.get_absolute_url(), PHONE)
    image = visitor.locator("article .article-body img")
    assert image.get_attribute("alt") == alt
    assert re.fullmatch(r"/media/articles/[a-f0-9]{32}\.webp", image.get_attribute("src") or "")
    image.scroll_into_view_if_needed()
    visitor.wait_for_function("() => document.querySelector('article .article-body img').complete")
    assert visitor.evaluate("() => document.querySelector('article .article-body img').naturalWidth") == 1200
    assert visitor.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(visitor, "workflow-article-with-image-phone")
    assert_accessible(visitor, context="the article with its image")
