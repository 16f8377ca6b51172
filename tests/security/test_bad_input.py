"""Random, huge, NUL-filled, missing or wrongly typed input to the public forms: a message or 400, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ANY_TEXT = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5_000),
    st.sampled_from(
        ["\x00", "a\x00b", "%00", "' OR 1=1 --", "<script>alert(1)</script>", "\ud7ff", "\uff10\uff11\uff12"]
    ),
)
FORM_VALUE = st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3))
HYPOTHESIS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
NEVER = {500, 502, 503}


def random_form(fields: list[str]):
    return st.dictionaries(st.sampled_from([*fields, "extra", "csrfmiddlewaretoken"]), FORM_VALUE, max_size=6)


@HYPOTHESIS
@given(data=random_form(["username", "password", "next"]))
def test_the_sign_in_form_answers_any_input_without_a_server_error(data):
    client = Client(raise_request_exception=False)
    users_before = get_user_model().objects.count()
    response = client.post("/staff/sign-in/", data)
    assert response.status_code in {200, 400, 429}, response.status_code
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users_before
    # A failed attempt's audit entry is short and never carries the password tried.
    for event in AuditEvent.objects.filter(action="sign_in_failed"):
        assert len(event.detail) <= 300


@HYPOTHESIS
@given(code=FORM_VALUE)
def test_the_code_step_answers_any_input_without_a_server_error(code):
    client = Client(raise_request_exception=False)
    response = client.post("/staff/sign-in/code/", {"code": code})
    assert response.status_code in {302, 400}


@HYPOTHESIS
@given(query=ANY_TEXT)
def test_search_answers_any_query_without_a_server_error(query):
    response = Client(raise_request_exception=False).get("/search/", {"q": query})
    assert response.status_code in {200, 400}
    assert response.status_code not in NEVER


def test_the_code_step_after_a_password_answers_random_codes_with_a_message(clinician):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=clinician, name="app", confirmed=True)
    client = Client(raise_request_exception=False)
    client.post("/staff/sign-in/", {"username": "clinician", "password": "correct-horse-battery"})
    for code in ["", "\x00", "x" * 5000, "12 34 56", "abcdefgh", "\uff19" * 6]:
        response = client.post("/staff/sign-in/code/", {"code": code})
        assert response.status_code in {200, 400, 429}, (code[:20], response.status_code)
    assert "_auth_user_id" not in client.session


@HYPOTHESIS
@given(data=random_form(["date_of_birth"]))
def test_the_date_of_birth_check_answers_any_input_without_a_server_error_or_a_wrong_unlock(data):
    from intake.models import Intake
    from tests.intake.factories import make_invitation

    invitation, token = make_invitation(email="")
    client = Client(raise_request_exception=False)
    client.get(f"/intake/start/{token}/")
    response = client.post("/intake/confirm/", data)
    assert response.status_code in {200, 302, 400, 403}, response.status_code
    opened = Intake.objects.filter(invitation=invitation).exists()
    assert opened == (response.status_code == 302)
    if opened:  # only the real date of birth (1985-03-27) opens the form
        assert "1985" in str(data)


@pytest.fixture
def desk_client(front_desk):
    client = Client(raise_request_exception=False)
    client.force_login(front_desk)
    return client


@HYPOTHESIS
@given(data=random_form(["patient_name", "email", "date_of_birth", "appointment_at", "send_email"]))
def test_the_invitation_form_answers_any_input_with_messages_and_stores_nothing_invalid(desk_client, data):
    from django.utils import timezone

    from intake.models import Invitation

    before = set(Invitation.objects.values_list("pk", flat=True))
    response = desk_client.post("/staff/invitations/new/", data)
    assert response.status_code in {200, 302, 400}, response.status_code
    for invitation in Invitation.objects.exclude(pk__in=before):
        assert invitation.patient_name.strip()
        assert "\x00" not in invitation.patient_name
        assert invitation.date_of_birth <= timezone.localdate()


def test_nul_bytes_and_junk_in_any_query_string_never_give_a_server_error(editor, front_desk, clinician, administrator):
    """Every URL in the table, opened by its most senior visitor, with junk in every query parameter pages read."""
    from tests.security.test_csrf import poster
    from tests.security.url_table import ROWS
    from tests.security.world import Browsers, build_world

    world = build_world(editor=editor, front_desk=front_desk, clinician=clinician, administrator=administrator)
    browsers = Browsers(world, raise_request_exception=False)
    junk = dict.fromkeys(("q", "page", "topic", "intake", "level", "flag", "sort", "status", "return"), "a\x00b")
    failures = []
    for row in ROWS:
        url = row.url(world).split("?")[0]
        status = browsers[poster(row)].get(url, junk).status_code
        if status >= 500:
            failures.append(f"{row.key}: {status}")
    assert not failures, failures


def test_an_over_long_username_gets_a_message_not_a_database_error():
    response = Client(raise_request_exception=False).post("/staff/sign-in/", {"username": "0" * 1000, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
