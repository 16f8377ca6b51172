"""The short "get help now" lines of the library (home page, a search that found nothing) and of the error pages ask
about leg weakness as CE6 defines it (docs/clinical/TRIAGE.md: weakness in both legs that is new or getting worse),
in the words of every other emergency line (templates/intake/_get_help_now_line.html, the e-mails). They asked
"Do you have weakness in both legs?" and "Is there weakness in your legs?": a reader with long-standing weakness
was sent to the emergency room, and the error page did not say both legs."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PAGES = {
    "home": ("/", 200),
    "search that found nothing": ("/search/?q=zzqqxx", 200),
    "error page": ("/no-such-page/", 404),
}
WORDS = {
    "en": ("Are both legs getting weaker?", ("weakness in both legs?", "weakness in your legs?")),
    "es": ("¿Se le están debilitando las dos piernas?", ("debilidad en las dos piernas?", "debilidad en las piernas?")),
}


@pytest.mark.parametrize("language", WORDS)
@pytest.mark.parametrize("page", PAGES)
def test_the_help_now_line_asks_whether_both_legs_are_getting_weaker(client, page, language):
    address, status = PAGES[page]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(address)
    assert response.status_code == status
    html = response.content.decode()
    asked, not_asked = WORDS[language]
    assert asked in html
    for words in not_asked:
        assert words not in html, words
