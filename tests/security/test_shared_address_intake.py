"""Many patients behind one address (clinic Wi-Fi, a mobile carrier) all finish their intake under the rate limits.

Before the date-of-birth check the patient pages are counted per address; after it, a patient's posts are counted per
link, so one patient's clicks never use up another's, and their page views are not counted. An address that never
gets past the check is still refused past its limit.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.test import Client

from intake.forms import as_post_data
from intake.models import Intake
from intake.patient_session import SESSION_KEY
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
from tests.intake.factories import BIRTH_DATE, make_invitation, routine_answers

pytestmark = pytest.mark.django_db

SHARED_ADDRESS = "203.0.113.77"


def rate_of(name: str) -> int:
    """The number of requests in the intake rule's `name` rate ("300/10m" -> 300)."""
    rule = next(rule for rule in settings.RATE_LIMITS if rule["prefix"] == "/intake/")
    return int(str(rule[name]).split("/")[0])


class Browser:
    """A patient's browser: every redirect is followed with a GET, as a real browser would, and every request to the
    patient pages is counted: `sent` in all, `before_check` while the session holds no confirmed birth date (counted
    per address), `after_check` the posts once it does (counted per link)."""

    def __init__(self, client: Client) -> None:
        # A new browser is a new cookie jar; the test client itself (and the middleware it loads) is reused.
        self.client = client
        self.client.cookies = SimpleCookie()
        self.sent = 0
        self.before_check = 0
        self.after_check = 0
        self.refused: list[str] = []

    def _confirmed(self) -> bool:
        state = self.client.session.get(SESSION_KEY)
        return isinstance(state, dict) and state.get("confirmed") is True

    def _send(self, method: str, path: str, data: dict[str, object] | None = None):
        self.sent += 1
        if not self._confirmed():
            self.before_check += 1
        elif method == "post":
            self.after_check += 1
        response = getattr(self.client, method)(path, data) if data is not None else getattr(self.client, method)(path)
        if response.status_code == 429:
            self.refused.append(f"{method.upper()} {path}")
        while response.status_code == 302 and response["Location"].startswith("/intake/"):
            response = self._send("get", response["Location"])
        return response

    def complete_intake(self, token: str, *, pages: int | None = None) -> None:
        """Open the link, confirm the birth date, answer the form's pages in order (opening each page the answers
        lead to, as a person does) and send from the review page; with `pages`, stop after that many pages."""
        self._send("get", f"/intake/start/{token}/")
        self._send("post", "/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})
        answers = routine_answers()
        for slug in PAGE_SLUGS[:pages]:
            self._send("post", f"/intake/step/{slug}/", dict(as_post_data(page_by_slug(slug), answers).lists()))
        if pages is None:
            self._send("post", "/intake/review/", {})


# The patients who go all the way to "Send" (by number); the others answer the first pages, which is all that is
# needed for their clicks to count against the address if they were counted there. Two pages each is enough: the
# address then sends about 470 requests against its limit of 300 (the test checks it sends more than its limit).
FINISHING = {1, 6, 50}
PAGES_ANSWERED = 2


def test_fifty_patients_behind_one_address_each_finish_their_intake(rate_limits_on):
    """The default figures: no patient is refused, the 6th and the 50th included, and their intakes are sent."""
    shared_connection = Client(REMOTE_ADDR=SHARED_ADDRESS)
    browsers = []
    for number in range(1, 51):
        invitation, token = make_invitation(name=f"Patient {number}", email="")
        browser = Browser(shared_connection)
        browser.complete_intake(token, pages=None if number in FINISHING else PAGES_ANSWERED)
        browsers.append((invitation, browser))

    refused = {number: browser.refused for number, (_, browser) in enumerate(browsers, start=1) if browser.refused}
    assert refused == {}, f"patients refused (by number): {refused}"
    for number in FINISHING:
        invitation = browsers[number - 1][0]
        assert Intake.objects.get(invitation=invitation).status == Intake.Status.SUBMITTED
    # The address sent more than its own limit allows: only counting per link after the check let everyone through.
    sent = sum(browser.sent for _, browser in browsers)
    assert sent > rate_of("rate"), f"{sent} requests do not test the per-link counting"
    first = browsers[0][1]
    # What one intake costs, and the margin the figures keep (see settings.RATE_LIMITS).
    print(f"requests per intake: {first.sent}, {first.before_check} before the check, {first.after_check} posts")
    assert 50 * first.before_check * 2 <= rate_of("rate"), "the address limit must let 50 patients in, twice over"
    assert first.after_check * 5 <= rate_of("patient_rate"), "a link's limit must allow five whole intakes"


def test_an_address_that_never_passes_the_birth_date_check_is_still_refused_past_its_limit(rate_limits_on):
    limit = rate_of("rate")
    stranger = Client(REMOTE_ADDR=SHARED_ADDRESS)
    for _ in range(limit):
        assert stranger.get("/intake/start/not-a-real-token/").status_code != 429
    response = stranger.get("/intake/start/not-a-real-token/")
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def confirmed_patient(settings, *, rate: str, patient_rate: str) -> Client:
    """The intake rule set to these rates, and a patient on the shared address past the birth-date check: two
    requests counted against the address (the link, the check)."""
    settings.RATE_LIMITS = [
        {**rule, "rate": rate, "patient_rate": patient_rate} if rule["prefix"] == "/intake/" else rule
        for rule in settings.RATE_LIMITS
    ]
    _, token = make_invitation(email="")
    patient = Client(REMOTE_ADDR=SHARED_ADDRESS)
    patient.get(f"/intake/start/{token}/")
    assert patient.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}).status_code == 302
    return patient


def test_a_confirmed_patients_posts_are_counted_per_link_and_refused_past_the_links_limit(rate_limits_on):
    patient = confirmed_patient(rate_limits_on, rate="4/10m", patient_rate="6/10m")  # 2 of the address's 4
    for _ in range(6):
        assert patient.post("/intake/step/consent/", {"consent": "yes"}).status_code == 302
    refused = patient.post("/intake/step/consent/", {"consent": "yes"})
    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()
    # The address's own count was not used up by the confirmed patient: a neighbour can still open their link.
    _, neighbours_token = make_invitation(email="")
    neighbour = Client(REMOTE_ADDR=SHARED_ADDRESS)
    assert neighbour.get(f"/intake/start/{neighbours_token}/").status_code == 302
    assert neighbour.get("/intake/confirm/").status_code == 200
    assert neighbour.get("/intake/confirm/").status_code == 429


def test_a_confirmed_patients_page_views_are_not_counted_but_a_strangers_are(rate_limits_on):
    patient = confirmed_patient(rate_limits_on, rate="3/10m", patient_rate="2/10m")  # 2 of the address's 3
    for _ in range(10):  # five times the link's limit
        assert patient.get("/intake/step/consent/").status_code == 200
    assert patient.post("/intake/step/consent/", {"consent": "yes"}).status_code == 302  # 1 of the link's 2
    # Someone with no confirmed link on the same address still has the one request left of the address's 3.
    stranger = Client(REMOTE_ADDR=SHARED_ADDRESS)
    assert stranger.get("/intake/confirm/").status_code != 429
    assert stranger.get("/intake/confirm/").status_code == 429
