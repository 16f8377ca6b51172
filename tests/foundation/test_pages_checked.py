"""The CI step that lists the pages no browser test checked with axe-core (tests/browser/pages_checked.py)."""

from __future__ import annotations

import pytest

from tests.browser import pages_checked


def test_every_page_of_the_url_table_is_missing_from_an_empty_log():
    missing = pages_checked.unchecked([])
    assert "intake:code" in missing  # a page shown only in a state the table's world does not build
    assert "dashboard:outcome-report" in missing
    assert "admin:auth_user_changelist" in missing
    assert "sitemap" not in missing  # XML, no page
    assert "dashboard:export" not in missing  # CSV
    assert "intake:resume" not in missing  # always a redirect


def test_a_checked_path_takes_its_page_off_the_list():
    before = pages_checked.unchecked([])
    after = pages_checked.unchecked(["/staff/reports/outcomes/", "/admin/auth/user/7/change/", "/no-such-page/"])
    assert set(before) - set(after) == {"dashboard:outcome-report", "admin:auth_user_change"}


def test_the_step_fails_with_the_missing_pages_and_passes_when_none_is_missing(tmp_path, capsys, monkeypatch):
    log = tmp_path / "pages"
    log.write_text("/staff/queue/\n", encoding="utf-8")
    assert pages_checked.main(log) == 1
    assert "dashboard:outcome-report" in capsys.readouterr().out

    monkeypatch.setattr(pages_checked, "unchecked", lambda paths: [])
    assert pages_checked.main(log) == 0
    assert pages_checked.main(tmp_path / "never-written") == 1  # no browser test ran: not a pass


@pytest.mark.parametrize("name", sorted(pages_checked.PAGES_IN_A_STATE | pages_checked.NOT_PAGES))
def test_every_name_the_step_lists_by_hand_is_a_row_of_the_url_table(name):
    from tests.security.url_table import ROWS

    assert name in {row.key for row in ROWS}
