"""A new link after the old one was lost, locked or seen: who may open the answers already given, and where.

Staff never see a link (tests/intake/test_staff_invitations.py); here: a new link ends the sessions of the old one,
answers already given open on a new browser only with a one-time code from the patient's email, the browser that
started the form carries on without one, and wrong dates of birth count per link, across sessions.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone

from intake import tokens, trusted_devices
from intake.models import DeviceCode, Intake, Invitation
from intake.models import Patient as PatientRecord
from intake.services import invitations as links
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db

BIRTH_DATE = "1985-03-27"


def _new_link(invitation: Invitation | None, **changes: str) -> str:
    """The front desk's "Make a new link"; the token as the patient finds it in their email."""
    assert invitation is not None
    links.email_new_link(
        invitation,
        email=changes.get("email", invitation.email),
        appointment_at=invitation.appointment_at,
        now=timezone.now(),
    )
    found = re.search(r"/intake/start/([^/\s]+)/", str(mail.outbox[-1].body))
    assert found is not None
    return found.group(1)


def _emailed_code() -> str:
    message = mail.outbox[-1]
    assert message.subject.startswith("Your code for")
    found = re.search(r"Your code is: ([0-9]{6})", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def _started(patient: Patient) -> Patient:
    """Consent, safety and "about you" answered, with a weight nobody else would give (220 lb)."""
    patient.agree()
    answer_up_to(patient, "back_pain", routine_answers(weight_kg=99.79))
    return patient


def _shows_no_answers(client: Client) -> None:
    for path in ("/intake/", "/intake/step/about/", "/intake/step/safety/", "/intake/review/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This link does not work" in response.content.decode()


def _asked_for_a_code(patient: Patient) -> Patient:
    """The patient, answers already given, opens a new link on a phone and types the birth date: a code is e-mailed."""
    phone = Patient(Client(), _new_link(_started(patient).invitation))
    phone.open_link()
    phone.confirm()
    return phone


def _ask_for_another_code(phone: Patient, *, times: int = 1) -> None:
    """ "Send a new code", each time after a minute's wait for the e-mail: a second tap within
    `links.RESEND_PAUSE` of the last new code sends nothing (tests/intake/test_way_back_in.py)."""
    for _ in range(times):
        DeviceCode.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=1))
        phone.client.post("/intake/code/", {"send_again": "1"})


def test_a_new_link_on_a_new_browser_asks_for_the_emailed_code_before_any_answer_is_shown(patient):
    token = _new_link(_started(patient).invitation)
    phone = Patient(Client(), token)
    phone.open_link()
    asked = phone.confirm()
    assert asked["Location"] == "/intake/code/"
    message = mail.outbox[-1]
    assert message.to == ["pat@example.org"]
    assert "Pat" not in message.subject
    code = _emailed_code()
    page = phone.client.get("/intake/code/").content.decode()
    assert "p•••@example.org" in page
    assert 'value="220"' not in page
    _shows_no_answers(phone.client)

    wrong = "000000" if code != "000000" else "111111"
    response = phone.client.post("/intake/code/", {"code": wrong})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<p class="invalid-feedback d-block" id="error_code">' in page
    assert "This code does not match the one we sent" in page
    assert "You can try 4 more times." in page
    assert 'aria-describedby="hint_code error_code"' in page
    _shows_no_answers(phone.client)

    opened = phone.client.post("/intake/code/", {"code": f"{code[:3]} {code[3:]}"})
    assert opened["Location"] == "/intake/"
    assert phone.client.get("/intake/")["Location"] == "/intake/step/back_pain/"
    assert 'value="220"' in phone.client.get("/intake/step/about/").content.decode()


def test_the_browser_that_started_the_form_carries_on_with_the_new_link_without_a_code(patient):
    token = _new_link(_started(patient).invitation)
    sent = len(mail.outbox)
    # Its session ended long ago (an hour idle); its device cookie is still there.
    del patient.client.cookies["sessionid"]
    assert patient.client.get(f"/intake/start/{token}/")["Location"] == "/intake/confirm/"
    assert patient.confirm()["Location"] == "/intake/"
    assert patient.client.get("/intake/")["Location"] == "/intake/step/back_pain/"
    assert len(mail.outbox) == sent  # no code was sent
    cookie = patient.client.cookies[trusted_devices.DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["path"] == "/intake/"


def test_a_device_cookie_for_another_invitation_does_not_spare_the_code(patient):
    _started(patient)
    _, other_token = make_invitation(name="Other Person")
    browser = Patient(Client(), other_token).sign_in()  # trusted for the other invitation only
    browser.token = _new_link(patient.invitation)
    browser.open_link()
    assert browser.confirm()["Location"] == "/intake/code/"
    browser.client.cookies[trusted_devices.DEVICE_COOKIE] = "forged"
    browser.open_link()
    assert browser.confirm()["Location"] == "/intake/code/"


def test_an_old_session_stops_working_once_a_new_link_is_made(patient):
    _started(patient)
    guesser = Client()
    guesser.get(f"/intake/start/{patient.token}/")  # opened with the old link, birth date not typed yet
    _new_link(patient.invitation)
    _shows_no_answers(patient.client)
    response = patient.post_step("back_pain", routine_answers())
    assert response.status_code == 404
    assert "pain_start_date" not in Intake.objects.get(invitation=patient.invitation).answers
    # The old session cannot keep guessing the date of birth either.
    assert guesser.post("/intake/confirm/", {"date_of_birth": "1990-01-01"}).status_code == 404
    assert guesser.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE}).status_code == 404
    patient.invitation.refresh_from_db()
    assert patient.invitation.failed_attempts == 0


def test_wrong_birth_dates_count_across_sessions_and_a_right_one_does_not_reset_the_count():
    invitation, token = make_invitation()
    first, second = Client(), Client()
    first.get(f"/intake/start/{token}/")
    second.get(f"/intake/start/{token}/")
    for day in ("1990-01-01", "1990-01-05"):
        first.post("/intake/confirm/", {"date_of_birth": day})
    response = second.post("/intake/confirm/", {"date_of_birth": "1990-01-02"})
    assert "You can try 2 more times." in response.content.decode()
    assert first.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE})["Location"] == "/intake/"
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 3
    second.post("/intake/confirm/", {"date_of_birth": "1990-01-03"})
    locked = second.post("/intake/confirm/", {"date_of_birth": "1990-01-04"})
    assert locked.status_code == 403
    assert "Please call us" in locked.content.decode()
    invitation.refresh_from_db()
    assert invitation.locked_at is not None


def test_a_code_works_for_ten_minutes_and_a_new_one_can_be_sent(patient):
    token = _new_link(_started(patient).invitation)
    phone = Patient(Client(), token)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        phone.open_link()
        phone.confirm()
        code = _emailed_code()
        clock.shift(datetime.timedelta(minutes=11))
        late = phone.client.post("/intake/code/", {"code": code})
        assert "This code no longer works" in late.content.decode()
        again = phone.client.post("/intake/code/", {"send_again": "1"})
        assert again["Location"] == "/intake/code/"
        assert "We have sent you a new code" in phone.client.get("/intake/code/").content.decode()
        new_code = _emailed_code()
        assert phone.client.post("/intake/code/", {"code": new_code})["Location"] == "/intake/"


def test_a_code_tried_five_times_wrong_stops_working_even_with_the_right_code(patient):
    phone = _asked_for_a_code(patient)
    code = _emailed_code()
    wrong = "000000" if code != "000000" else "111111"
    pages = [phone.client.post("/intake/code/", {"code": wrong}).content.decode() for _ in range(5)]
    assert "You can try 1 more time." in pages[3]
    assert "it cannot be tried again" in pages[4]
    assert "This code no longer works" in phone.client.post("/intake/code/", {"code": code}).content.decode()
    _shows_no_answers(phone.client)
    # A typo that is not a code at all is not a try.
    assert "The code is 6 numbers" in phone.client.post("/intake/code/", {"code": "12ab"}).content.decode()


def test_a_link_sends_at_most_five_codes_a_day(patient):
    phone = _asked_for_a_code(patient)
    _ask_for_another_code(phone, times=4)
    sent = len(mail.outbox)
    assert DeviceCode.objects.filter(invitation=patient.invitation).count() == 5
    fifth = _emailed_code()
    _ask_for_another_code(phone)
    assert len(mail.outbox) == sent
    page = phone.client.get("/intake/code/").content.decode()
    assert "We have sent as many codes as we can today. The newest code we sent still works" in page
    assert "Send a new code" not in page
    # The fifth code still works, and its box is there: the patient is not shut out for a day.
    answer = phone.client.post("/intake/code/", {"code": fifth})
    assert answer["Location"] == "/intake/"


def test_once_the_days_codes_are_used_and_the_newest_has_ended_no_code_can_be_typed(patient):
    phone = _asked_for_a_code(patient)
    _ask_for_another_code(phone, times=4)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        _ask_for_another_code(phone)
        page = phone.client.get("/intake/code/").content.decode()
    assert "We have sent as many codes as we can today." in page
    assert 'name="code"' not in page


def test_a_new_link_sent_to_another_address_does_not_send_the_code_there(client, front_desk, patient):
    """A new address on a new link (the front desk's own, say) gets the link, but the code still goes to the address
    the patient started from: a link alone never opens answers already given."""
    _started(patient)
    client.force_login(front_desk)
    client.post(
        f"/staff/invitations/{patient.invitation.pk}/new-link/",
        {
            "email": "desk@clinic.example",
            "appointment_at": timezone.localtime(patient.invitation.appointment_at).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    link_mail = mail.outbox[-1]
    assert link_mail.to == ["desk@clinic.example"]
    found = re.search(r"/intake/start/([^/\s]+)/", str(link_mail.body))
    assert found is not None
    token = found.group(1)
    desk = Patient(Client(), token)
    desk.open_link()
    assert desk.confirm()["Location"] == "/intake/code/"
    assert mail.outbox[-1].to == ["pat@example.org"]
    _shows_no_answers(desk.client)


def test_a_browser_trusted_before_any_answer_is_not_trusted_after_the_address_it_came_from_changes():
    """Someone who had the link at another address and opened it early gets no answers given later."""
    invitation, _ = make_invitation(email="wrong@example.org")
    early = Patient(Client(), _new_link(invitation)).sign_in()  # opened before the patient answered: trusted
    patient = Patient(Client(), _new_link(invitation, email="pat@example.org")).sign_in()
    patient.invitation = invitation
    _started(patient)
    early.token = _new_link(invitation, email="wrong@example.org")
    early.open_link()
    assert early.confirm()["Location"] == "/intake/code/"
    assert mail.outbox[-1].to == ["pat@example.org"]


def test_without_an_address_the_answers_open_only_where_they_were_started(client):
    invitation, token = make_invitation(email="")
    patient = Patient(client, token).sign_in()
    patient.invitation = invitation
    _started(patient)
    # No phone either (with one, on the record or typed on the form, the code goes by text: test_codes_by_text.py).
    PatientRecord.objects.filter(pk=invitation.patient_id).update(phone="")
    other = Patient(Client(), token)
    other.open_link()
    assert other.confirm()["Location"] == "/intake/code/"
    page = other.client.get("/intake/code/").content.decode()
    assert "We do not have an email address or a phone number to send a code to." in page
    assert 'name="code"' not in page
    _shows_no_answers(other.client)
    assert not DeviceCode.objects.exists()


def test_only_a_keyed_hash_of_a_code_is_stored_and_the_message_holds_it_sealed(patient, settings):
    from typing import cast

    from django_tasks import default_task_backend
    from django_tasks.backends.dummy import DummyBackend

    from messaging.models import OutboundMessage

    token = _new_link(_started(patient).invitation)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = cast("DummyBackend", default_task_backend)
    backend.clear()
    phone = Patient(Client(), token)
    phone.open_link()
    phone.confirm()
    [result] = backend.results
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.DEVICE_CODE)
    assert result.args == [message.pk]  # the task carries the message's id only
    code = tokens.unseal(message.sealed_token)
    assert code not in str(OutboundMessage.objects.values().get(pk=message.pk))
    assert code not in DeviceCode.objects.get().code_hash


def test_once_the_days_codes_are_used_up_a_tried_out_code_is_not_offered_as_still_working(patient):
    """At the day's limit the page offers the newest code still working: never one already tried five times wrong
    ("it cannot be tried again"), whose box would only lead to "Please send a new code", which cannot be done."""
    phone = _asked_for_a_code(patient)
    _ask_for_another_code(phone, times=4)
    assert DeviceCode.objects.filter(invitation=patient.invitation).count() == 5
    fifth = _emailed_code()
    wrong = "000000" if fifth != "000000" else "111111"
    for _ in range(5):
        last = phone.client.post("/intake/code/", {"code": wrong}).content.decode()
    assert "it cannot be tried again" in last

    phone.client.post("/intake/code/", {"send_again": "1"})  # the page asks for a new code: none can be sent today
    page = phone.client.get("/intake/code/").content.decode()

    assert "We have sent as many codes as we can today." in page
    assert "still works" not in page, "a code that cannot be tried again is offered as still working"
    assert 'name="code"' not in page


def test_the_last_code_of_the_day_tried_out_on_the_limit_page_leaves_the_page_saying_no_more_can_be_sent(patient):
    phone = _asked_for_a_code(patient)
    _ask_for_another_code(phone, times=5)
    assert "still works" in phone.client.get("/intake/code/").content.decode()
    fifth = _emailed_code()
    wrong = "000000" if fifth != "000000" else "111111"
    for _ in range(5):
        answer = phone.client.post("/intake/code/", {"code": wrong})
    page = phone.client.get(answer["Location"]).content.decode()
    assert "We have sent as many codes as we can today." in page
    assert 'name="code"' not in page
