"""Which pages of the URL table no browser test checked with axe-core, after a run of the whole suite.

The a11y gate (tests/browser/a11y.py) fails a test that visits a page without checking it, but cannot see a page no
test visits: stop 48 found the patient's one-time code page, the outcome report, the 500, 400 and CSRF pages and some
sixty admin pages that way, several of them failing axe. With `A11Y_PAGES_LOG` set to a file, every check appends
the page's path to it (every test process appends to the same file); then

    python -m tests.browser.pages_checked FILE

resolves those paths to URL names and lists each page of tests/security/url_table.py that none of them is: a row
that answers 200 to someone and is a page (not a file, a feed or a download: `NOT_PAGES`), or one shown only in a
state the table's world does not build (`PAGES_IN_A_STATE`). It exits 1 when there is one. The error pages (500,
400, CSRF) have no URL of their own and are not in its sight (test_security_pages.py opens them). `.ci/run` does
this after `make test`, so a page added without a browser test that opens it fails CI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

# Rows that answer 200 with something other than a web page.
NOT_PAGES = frozenset(
    {
        "article-image",  # an image file
        "sitemap",  # XML
        "sitemap-section",
        "robots-txt",  # text
        "outcomes:fhir-questionnaire",  # FHIR JSON
        "outcomes:intake-fhir",
        "dashboard:export",  # CSV
        "admin:jsi18n",  # JavaScript
        "admin:autocomplete",  # JSON
    }
)


# Pages the URL table's world never gets a 200 from, as they are shown only in a state it does not build (a patient
# between the birth date and the form, after "Send", a staff member between the password and the code, a review
# refused): they are pages all the same.
PAGES_IN_A_STATE = frozenset(
    {
        "intake:confirm",
        "intake:code",
        "intake:emergency",
        "intake:review",
        "intake:done",
        "intake:answers",
        "accounts:sign-in-code",
        "accounts:sign-in-setup",
        "accounts:recovery-codes",
        "dashboard:review",
    }
)


def pages_of_the_url_table() -> set[str]:
    """The URL names that are pages: a row that answers 200 to someone and is no file, or a page in a state."""
    from tests.security.url_table import PERSONAS, ROWS

    answered = {
        row.key
        for row in ROWS
        if row.key not in NOT_PAGES and any(row.answer_for(persona) == 200 for persona in PERSONAS)
    }
    return answered | (PAGES_IN_A_STATE & {row.key for row in ROWS})


def names_of(paths: Iterable[str]) -> set[str]:
    """The URL names the paths resolve to (a path that resolves to none is left out)."""
    from django.urls import Resolver404, resolve

    names = set()
    for path in paths:
        try:
            names.add(resolve(path).view_name)
        except Resolver404:
            continue
    return names


def unchecked(paths: Iterable[str]) -> list[str]:
    """The pages of the URL table that none of `paths` is, sorted."""
    return sorted(pages_of_the_url_table() - names_of(paths))


def main(log: Path) -> int:
    paths = log.read_text(encoding="utf-8").split() if log.exists() else []
    missing = unchecked(paths)
    if not paths:
        print(f"No page was checked with axe-core (nothing in {log}): did the browser tests run?")
        return 1
    if missing:
        print("Pages of tests/security/url_table.py no browser test checked with axe-core (tests/browser/a11y.py):")
        for name in missing:
            print(f"  {name}")
        print("Open each in a browser test and call assert_accessible(page), or add it to NOT_PAGES if it is no page.")
        return 1
    print(f"Every page of the URL table was checked with axe-core ({len(pages_of_the_url_table())} pages).")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
    os.environ.setdefault("SECRET_KEY", "pages-checked-only-secret-key-not-for-production-0123456789")
    import django

    django.setup()
    raise SystemExit(main(Path(sys.argv[1])))
