"""The Django admin pages content editors use, checked with axe-core at phone and desktop width: the index, the
article list, the add and change forms (with the labelled date-and-time boxes and the topic picker), the history
with its compare buttons, a comparison, and the topic list."""

from __future__ import annotations

import pytest
import reversion

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, load_starter_articles

pytestmark = pytest.mark.django_db(transaction=True)
SLUG = "back-pain-after-a-run"


@pytest.fixture
def article_with_two_versions():
    from education.models import Article

    load_starter_articles()
    article = Article.objects.get(slug=SLUG)
    with reversion.create_revision():
        article.summary = article.summary + " Reviewed again."
        article.save()
        reversion.set_comment("Summary updated after the yearly review")
    return article


def test_the_admin_pages_an_editor_uses_pass_axe_at_desktop_and_the_article_form_on_a_phone(
    open_page, screenshot, editor, article_with_two_versions
):
    article = article_with_two_versions
    page = open_page("/admin/", DESKTOP, user=editor)
    assert page.get_by_role("link", name="Articles").first.is_visible()
    assert_accessible(page, context="admin index")

    page.goto("/admin/education/article/")
    assert page.get_by_role("link", name=article.title).is_visible()
    screenshot(page, "admin-article-list-desktop")
    assert_accessible(page, context="article list")

    page.goto("/admin/education/article/add/")
    # Each of the publishing date-and-time boxes has its own label.
    assert page.get_by_label("Date:").first.is_visible()
    assert page.get_by_label("Time:").first.is_visible()
    screenshot(page, "admin-article-add-desktop")
    assert_accessible(page, context="new article form")

    page.goto(f"/admin/education/article/{article.pk}/change/")
    assert page.locator("#id_title").input_value() == article.title
    screenshot(page, "admin-article-change-desktop")
    assert_accessible(page, context="article form")

    page.goto(f"/admin/education/article/{article.pk}/history/")
    # Each compare button says which version it picks; the newest cannot be the "from" side, so it is hidden.
    assert page.get_by_role("radio", name="Compare to the version of").count() == 2
    assert page.get_by_role("radio", name="Compare from the version of").count() == 1
    screenshot(page, "admin-article-history-desktop")
    assert_accessible(page, context="article history")

    page.get_by_role("button", name="compare").click()
    page.wait_for_url("**/history/compare/**")
    assert "Reviewed again." in page.content()
    screenshot(page, "admin-article-compare-desktop")
    assert_accessible(page, context="comparing two versions")

    page.goto("/admin/education/topic/")
    screenshot(page, "admin-topic-list-desktop")
    assert_accessible(page, context="topic list")

    # The article form opened on a phone (loaded at that width, not resized to it), on the same loaded library.
    phone = open_page(f"/admin/education/article/{article.pk}/change/", PHONE, user=editor)
    assert phone.locator("#id_title").is_visible(), "the article form on a phone shows no title box"
    screenshot(phone, "admin-article-change-phone")
    assert_accessible(phone, context="article form on a phone")
