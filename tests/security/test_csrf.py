"""A POST without a CSRF token is refused on every URL whose POST changes data; no GET changes data."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests.security.url_table import PERSONAS, ROWS, R, Row
from tests.security.world import Browsers, build_world, client_for

pytestmark = pytest.mark.django_db

# Tables that a page view may legitimately write: who signed in or out and from where, the audit trail of who looked
# at what, and sessions. Everything else must be exactly as it was after any GET.
LOG_TABLES = {"sessions.session", "audit.auditevent", "axes.accesslog", "axes.accessattempt", "axes.accessfailurelog"}


@pytest.fixture
def world(editor, front_desk, clinician, administrator):
    return build_world(editor=editor, front_desk=front_desk, clinician=clinician, administrator=administrator)


def poster(row: Row) -> str:
    if row.post_as:
        return row.post_as
    for persona in reversed(PERSONAS):
        if row.answer_for(persona) in (200, R, 405):
            return persona
    return "anonymous"


def snapshot() -> dict[str, list[str]]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label not in LOG_TABLES:
            state[label] = sorted(map(repr, model._default_manager.values()))
    return state


STATE_CHANGING = [row for row in ROWS if row.post == "changes"]


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing_on_every_state_changing_url(world):
    assert len(STATE_CHANGING) > 20
    wrong = []
    browsers = Browsers(world, enforce_csrf_checks=True)
    for row in STATE_CHANGING:
        client = browsers[poster(row)]
        client.get(row.url(world))  # as a browser would: the page first, so a CSRF cookie exists
        before = snapshot()
        response = client.post(row.url(world), {"username": "frontdesk", "password": "correct-horse-battery"})
        refused = response.status_code == 403 and "That form could not be sent" in response.content.decode()
        if not refused or snapshot() != before:
            wrong.append(f"{row.key}: {response.status_code}")
    assert not wrong, wrong


def test_the_same_post_with_its_token_goes_through(world):
    client = client_for("front_desk", world, enforce_csrf_checks=True)
    page = client.get("/staff/queue/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post("/staff/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_no_get_changes_data(world):
    changed = []
    browsers = Browsers(world)
    for row in ROWS:
        browser = browsers[poster(row)]
        before = snapshot()
        browser.get(row.url(world))
        if snapshot() != before:
            changed.append(row.key)
    assert not changed, changed
