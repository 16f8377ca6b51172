"""Every URL of the project, opened by every kind of visitor, gives exactly the answer url_table.py says."""

from __future__ import annotations

import pytest

from tests.security.url_table import PERSONAS, REVIEWER_DIFFERS, ROWS, R, S, rows_by_key, walk
from tests.security.world import client_for

# The tests that need objects use the `world` of tests/security/conftest.py: built once for the module (about 1 s,
# which was paid by each of its ten tests), each test's changes rolled back to it, fresh patient browsers per test.
# Its staff accounts are the personas, so the tests here take them from the world, not from the persona fixtures
# (which would make a second "clinician").
pytestmark = pytest.mark.django_db

SIGN_IN_PATHS = ("/staff/sign-in/", "/admin/login/")


def observed(response) -> int | str:
    if response.status_code == 302:
        location = response.headers["Location"]
        return S if location.startswith(SIGN_IN_PATHS) else R
    return response.status_code


def test_every_url_pattern_of_the_project_has_a_row_in_the_table():
    table = rows_by_key()
    missing = sorted(key for key, _route in walk() if key not in table)
    assert not missing, "Add a row to tests/security/url_table.py for: " + ", ".join(missing)


def test_the_table_has_no_rows_for_urls_that_no_longer_exist():
    existing = {key for key, _route in walk()}
    stale = sorted(row.key for row in ROWS if row.key not in existing)
    assert not stale, stale


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_answer_from_every_url(persona, world):
    client = client_for(persona, world)
    wrong = []
    for row in ROWS:
        url = row.url(world)
        got = observed(client.get(url))
        if got != row.answer_for(persona):
            wrong.append(f"{row.key} {url}: expected {row.answer_for(persona)}, got {got}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def test_a_clinical_reviewer_gets_what_a_content_editor_gets_but_where_the_table_says_otherwise(world):
    """The fifth staff role (README, "Demo accounts"): it reads articles and approves them. It had no column here (the
    stop-32 privacy audit); every URL answers it as it answers a content editor, except the rows of
    REVIEWER_DIFFERS, each with its reason."""
    client = client_for("reviewer", world)
    wrong = []
    for row in ROWS:
        url = row.url(world)
        expected = REVIEWER_DIFFERS.get(row.key, (row.answer_for("editor"), ""))[0]
        got = observed(client.get(url))
        if got != expected:
            wrong.append(f"{row.key} {url}: expected {expected}, got {got}")
    for row in ROWS:
        if row.post_expect is None:
            continue
        url = row.url(world)
        editors = row.post_answer_for("editor")
        posted = REVIEWER_DIFFERS[row.key][0] if row.key in REVIEWER_DIFFERS else editors
        got = observed(client_for("reviewer", world).post(url, {}))  # a browser of its own, as for the personas
        if got != posted:
            wrong.append(f"POST {row.key} {url}: expected {posted}, got {got}")
    assert not wrong, "reviewer:\n" + "\n".join(wrong)
    assert set(REVIEWER_DIFFERS) <= {row.key for row in ROWS}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_answer_from_an_empty_post_to_every_post_only_url(persona, world):
    """GET answers 405 to everyone on these: what a POST gets is what says who may use them. Each row gets a browser
    of its own (signing out ends the session the next row would use)."""
    rows = [row for row in ROWS if row.post_expect is not None]
    assert {row.key for row in rows} == {row.key for row in ROWS if set(row.expect) == {405}}
    wrong = []
    for row in rows:
        url = row.url(world)
        got = observed(client_for(persona, world).post(url, {}))
        if got != row.post_answer_for(persona):
            wrong.append(f"POST {row.key} {url}: expected {row.post_answer_for(persona)}, got {got}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def test_a_url_missing_from_the_table_is_reported(settings):
    settings.ROOT_URLCONF = "tests.security.failing_urls"  # the project's URLs plus a few test-only ones
    table = rows_by_key()
    missing = {key for key, _route in walk() if key not in table}
    assert {"intake/test-crash/", "staff/test-crash/"} <= missing


def test_an_invitation_id_that_does_not_exist_gives_404_to_staff_who_may_see_invitations(world):
    client = client_for("front_desk", world)
    assert client.get("/staff/invitations/999999/").status_code == 404


def test_one_patients_browser_never_shows_another_patients_answers(world):
    from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
    from tests.intake.factories import post_data, routine_answers

    a, b = world.patients["patient_a"], world.patients["patient_b"]
    for slug in PAGE_SLUGS[: PAGE_SLUGS.index("back_pain")]:  # consent, the safety pages, about (220 lb)
        data = post_data(page_by_slug(slug), routine_answers(weight_kg=99.79))
        assert a.client.post(f"/intake/step/{slug}/", data).status_code == 302
    assert 'value="220"' in a.client.get("/intake/step/about/").content.decode()
    # B's browser: its own, still-empty intake (it has not agreed yet, so it is sent back to its own first page).
    page = b.client.get("/intake/step/about/", follow=True)
    assert 'value="220"' not in page.content.decode()
    assert page.redirect_chain[-1][0] == "/intake/step/consent/"


def test_an_intake_id_that_does_not_exist_or_is_not_sent_yet_gives_404_to_a_clinician(world):
    client = client_for("clinician", world)
    assert client.get("/staff/intakes/999999/").status_code == 404
    in_progress = world.patients["patient_a"].invitation.intake
    assert client.get(f"/staff/intakes/{in_progress.pk}/").status_code == 404
    assert client.post(f"/staff/intakes/{in_progress.pk}/review/", {}).status_code == 404


def test_after_a_renewal_the_old_links_browser_gets_the_bad_link_page_from_every_patient_url(world):
    """The renewed-link case of the matrix: patient A's browser from before the new link, on every patient row."""
    from django.utils import timezone

    from intake.services.invitations import email_new_link

    client = client_for("patient_a", world)
    invitation = world.patients["patient_a"].invitation
    email_new_link(invitation, email="a@patient.example", appointment_at=invitation.appointment_at, now=timezone.now())
    wrong = []
    for row in ROWS:
        if not row.key.startswith("intake:") or "invitation" in row.key or row.key == "intake:exit":
            continue
        url = row.url(world)
        got = observed(client.post(url) if row.post_expect else client.get(url))  # a POST-only address: its POST
        if got != 404:
            wrong.append(f"{row.key} {url}: expected 404, got {got}")
    assert not wrong, "\n".join(wrong)
    # Patient B, whose link was not renewed, still gets their own answers.
    assert observed(client_for("patient_b", world).get("/intake/step/consent/")) == 200
