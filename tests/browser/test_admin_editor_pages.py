"""The Django admin pages content editors use, checked with axe-core at phone and desktop width: the index, the
article list, the add and change forms (with the labelled date-and-time boxes and the topic picker), the history
with its compare buttons, a comparison, the topic list and a topic's History page."""

from __future__ import annotations

import re

import pytest
import reversion

from tests.browser.conftest import (
    DESKTOP,
    LAPTOP,
    PHONE,
    assert_accessible,
    load_starter_articles,
    targets_under_24_px,
)

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


def _changed_topic(editor):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from education.models import Topic

    topic = Topic.objects.order_by("pk").first()
    assert topic is not None
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(topic),
        object_id=str(topic.pk),
        object_repr=str(topic),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Description"]}}]',
    )
    return topic


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
    # The two versions named as the staff pages write a moment ("Mar 20, 2030, 9:00 AM EDT").
    assert re.search(r"Compare \w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M E[SD]T with", page.inner_text("#content-main"))
    screenshot(page, "admin-article-compare-desktop")
    assert_accessible(page, context="comparing two versions")

    page.goto("/admin/education/topic/")
    screenshot(page, "admin-topic-list-desktop")
    assert_accessible(page, context="topic list")

    # Django's own History page (templates/admin/object_history.html), for a topic changed in the admin.
    topic = _changed_topic(editor)
    page.goto(f"/admin/education/topic/{topic.pk}/history/")
    when = page.locator("#change-history tbody th").first.inner_text()
    assert re.fullmatch(r"\w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M E[SD]T", when), when
    assert_accessible(page, context="topic history")

    # The article form opened on a phone (loaded at that width, not resized to it), on the same loaded library.
    phone = open_page(f"/admin/education/article/{article.pk}/change/", PHONE, user=editor)
    assert phone.locator("#id_title").is_visible(), "the article form on a phone shows no title box"
    screenshot(phone, "admin-article-change-phone")
    assert_accessible(phone, context="article form on a phone")


# A box's words beyond what it shows: sideways (a one-line box) or below (a box of several lines), in px.
_HIDDEN_WORDS = "box => Math.max(box.scrollWidth - box.clientWidth, box.scrollHeight - box.clientHeight)"


def _whole_summary_shown(page, screenshot, expected: str, name: str) -> None:
    """The summary box shows `expected` in full, with no sideways scrolling, on a phone and at laptop width (where
    the page is left, checked by axe-core there and at phone and desktop width)."""
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        summary = page.get_by_label("Summary:")
        assert summary.input_value() == expected
        assert summary.evaluate(_HIDDEN_WORDS) <= 0, viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], viewport
        screenshot(page, f"admin-{name}-summary-{viewport['width']}")
    assert_accessible(page, context=f"{name} form's summary")


def test_the_article_and_translation_forms_show_the_whole_summary(open_page, screenshot, editor):
    """The summary, one or two sentences patients read under the title, was a one-line box: an editor saw "Most back
    pain after a run is a muscle st" and could not read back what they wrote without scrolling inside the box. Each
    form is loaded once and looked at on a phone and at laptop width (the admin's layout there is CSS alone)."""
    from education.models import Article, ArticleTranslation

    load_starter_articles()
    article = Article.objects.get(slug=SLUG)
    page = open_page(f"/admin/education/article/{article.pk}/change/", PHONE, user=editor)
    _whole_summary_shown(page, screenshot, article.summary, "article")

    translation = ArticleTranslation.objects.get(article=article, language="es")
    page.goto(f"/admin/education/articletranslation/{translation.pk}/change/")
    _whole_summary_shown(page, screenshot, translation.summary, "translation")


# Everything a person can press, tick or type in on an admin page: the header (the site's name, View site, Change
# password, Log out, the theme button), the breadcrumbs, the side list of models and its filter, and the page's own
# content. The autocomplete's real <select> is a 1 px stand-in for the box select2 shows (role=combobox), measured.
_ADMIN_TARGETS = ", ".join(
    [
        "#header a, #header button",
        ".breadcrumbs a",
        "#toggle-nav-sidebar, #nav-sidebar a, #nav-sidebar input",
        "#content a, #content button, #content input:not([type=hidden])",
        "#content select:not(.select2-hidden-accessible), #content textarea, #content [role=combobox]",
    ]
)


def _look(page, screenshot, name: str) -> None:
    """The page at phone and laptop width: no sideways scrolling (the bigger controls did not push the layout out),
    and a screenshot of each for a person to look at. The window is put back afterwards."""
    original = page.viewport_size
    for viewport in (PHONE, LAPTOP):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, viewport)
        screenshot(page, f"{name}-{viewport['width']}")
    page.set_viewport_size(original)


def test_every_control_on_the_admin_pages_editors_and_reviewers_use_is_at_least_24_px(
    open_page, screenshot, editor, library, django_user_model
):
    """A visual review found the admin's own controls small for a finger: "Take offline now", a translation release's
    "Approve" and "Decline" were 19 px tall, "Log out" 14 px, the topic picker's "Choose all" 16 px, the list's and
    the history's tick boxes 13 px. WCAG 2.5.8 (AA) asks 24 x 24 px; measured at phone, laptop and desktop width."""
    from django.contrib.auth.models import Group

    from accounts.roles import CLINICAL_REVIEWERS
    from education.models import Article
    from tests.education.factories import ArticleFactory, spanish_with_a_new_release

    article = Article.objects.get(slug=SLUG)
    reviewer = django_user_model.objects.create_user("clinical-reviewer", first_name="Riley", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))

    page = open_page("/admin/", DESKTOP, user=editor)
    assert page.get_by_role("link", name="Articles").first.is_visible()
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-index")
    assert_accessible(page, context="admin index")

    page.goto("/admin/education/article/")
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-article-list")
    assert_accessible(page, context="article list")

    # A live article with a change waiting for review: its panel's "Throw the working copy away", "Take offline now".
    page.goto(f"/admin/education/article/{article.pk}/change/")
    page.locator("#id_summary").fill(article.summary + " Checked again.")
    page.get_by_role("button", name="Save and send for clinical review").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Take offline now").is_visible()
    assert page.get_by_role("button", name="Throw the working copy away").is_visible()
    assert page.get_by_role("button", name="Choose all topics").is_visible()
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-article-change")
    assert_accessible(page, context="article form with a working copy")

    page.goto(f"/admin/education/article/{article.pk}/history/")
    assert page.get_by_role("radio").count() >= 2
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-article-history")
    assert_accessible(page, context="article history")

    # The reviewer's page for the change: "Approve", "Send back to the editor".
    page = open_page(f"/admin/education/article/{article.pk}/review/", DESKTOP, user=reviewer)
    assert page.get_by_role("button", name="Approve").is_visible()
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-article-review")
    assert_accessible(page, context="clinical review of a change")

    # A reviewer decides on a new release of a translation, then brings the declined release back.
    translation = spanish_with_a_new_release(ArticleFactory.create(title="Go-now signs"))
    page.goto(f"/admin/education/articletranslation/{translation.pk}/change/")
    assert page.get_by_role("button", name="Decline this release").is_visible()
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-translation-release")
    page.get_by_role("button", name="Decline this release").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Bring this release back for review").is_visible()
    assert targets_under_24_px(page, page.locator(_ADMIN_TARGETS)) == {}
    _look(page, screenshot, "admin-targets-translation-declined")
    assert_accessible(page, context="translation with a declined release")
