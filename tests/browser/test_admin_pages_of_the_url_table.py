"""Every Django admin page an administrator may open, checked with axe-core at phone and desktop width.

The pages are the URL table's (tests/security/url_table.py): each `admin:` row whose answer for the administrator is
200, opened at the address the access-control tests open, on the same world of data (tests/security/world.py). A
model registered in the admin later gets its rows there (the access matrix fails until it has them), and so is
checked here too. Before this test, most of them (the staff accounts and groups, the audit trail, alerts, sign-in
attempts, authenticator devices, tasks, text opt-outs, translations, recovery of deleted articles) had never been
opened in a browser, so axe-core had never checked them. The pages editors work in have their own walk, with what
they do there (test_admin_editor_pages.py).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.pages_checked import NOT_PAGES
from tests.conftest import staff_personas
from tests.security.url_table import ROWS
from tests.security.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

# Checked with what editors and reviewers do on them (test_admin_editor_pages.py): not opened again here, where each
# would be one more pair of axe runs on the same template.
EDITORS_WALK = {
    "admin:index",
    "admin:education_article_changelist",
    "admin:education_article_add",
    "admin:education_article_change",
    "admin:education_article_history",
    "admin:education_article_compare",
    "admin:education_article_review",
    "admin:education_topic_changelist",
    "admin:education_topic_history",
    "admin:education_articletranslation_change",
}
ADMIN_PAGES = [
    row
    for row in ROWS
    if row.key.startswith("admin:")
    and row.answer_for("administrator") == 200
    and row.key not in NOT_PAGES | EDITORS_WALK
]


def _part(key: str) -> str:
    """Which part of the admin a row's page is in: the app of its model ("admin:auth_user_change" -> "auth"), or
    "site" for the admin's own pages."""
    name = key.removeprefix("admin:")
    for app in ("education", "auth", "django_tasks_database", "audit", "alerts", "messaging", "axes", "otp"):
        if name.startswith(f"{app}_"):
            return app
    return "site"


PARTS = sorted({_part(row.key) for row in ADMIN_PAGES})


def test_the_url_table_has_admin_pages_in_every_part_this_test_opens():
    assert len(ADMIN_PAGES) > 55
    assert set(PARTS) == {
        "site",
        "education",
        "auth",
        "django_tasks_database",
        "audit",
        "alerts",
        "messaging",
        "axes",
        "otp",
    }


@pytest.mark.parametrize("part", PARTS)
def test_every_admin_page_an_administrator_may_open_passes_axe_at_phone_and_desktop_width(open_page, screenshot, part):
    world = build_world(**staff_personas())
    page = open_page("about:blank", DESKTOP, user=world.users["administrator"])
    for row in [row for row in ADMIN_PAGES if _part(row.key) == part]:
        response = page.goto(row.url(world))
        assert response is not None, row.key
        assert response.status == 200, f"{row.key}: {response.status}"
        assert "text/html" in response.headers.get("content-type", ""), row.key
        screenshot(page, f"admin-{row.key.removeprefix('admin:')}")  # `make screenshots` only
        assert_accessible(page, context=row.key)
