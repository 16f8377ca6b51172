"""A page of the patient's own form, left open in a tab, sent after the form was closed in this browser: the patient
pressed "Exit", typed a wrong birth date until the link locked, opened their link again and has not yet typed the
birth date, or left the tab open overnight. Its red-flag answers are taken into the patient's form at once, as for a
page sent after the idle hour (docs/clinical/TRIAGE.md, "Pages sent late"), when sent from the browser that opened
the form; the page says the form is closed here and how to open it again, with the emergency advice what was sent
calls for, and nothing that depends on what is stored.

Before stop 28 the first two got "This page is from another form" (untrue: it is theirs), and the third got "This
link does not work" with the red-flag answer lost."""

from __future__ import annotations

import datetime
import io
import re
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from intake import services, trusted_devices
from intake.models import Intake, Level, RedFlagAnswer
from intake.retention import PurgeResult, purge_old_intakes
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db

CLOSED = "Your form is closed on this phone or computer"
CES_ADVICE = "cauda equina syndrome"


def _safety_page_tag(patient: Patient) -> str:
    page = patient.client.get("/intake/step/safety/").content.decode()
    whose = re.search(r'name="whose" value="([^"]+)"', page)
    assert whose is not None
    return whose.group(1)


def _send_from_old_tab(patient: Patient, whose: str, **answers: str):
    return patient.client.post("/intake/step/safety/", {**answers, "whose": whose})


def _lock_the_link(patient: Patient) -> None:
    patient.client.post("/intake/exit/")
    patient.open_link()
    for day in range(1, services.max_identity_attempts() + 1):
        response = patient.confirm(f"1901-01-{day:02d}")  # five different wrong dates (the same one again is free)
    assert response.status_code == 403  # the locked page


@pytest.fixture
def after_exit(patient) -> tuple[Patient, str]:
    whose = _safety_page_tag(patient)
    assert patient.client.post("/intake/exit/").status_code == 302
    return patient, whose


def test_after_exit_a_red_flag_from_an_old_tab_is_taken_and_the_page_says_the_form_is_closed(after_exit, alert_calls):
    patient, whose = after_exit
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    page = response.content.decode()
    assert CLOSED in page
    assert "another form" not in page
    assert "open the link from your email again" in page
    assert CES_ADVICE in page  # the cauda equina advice, for what was just sent
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert intake.level == Level.URGENT
    assert [call[0] for call in alert_calls] == [intake.pk]
    assert 'id="session-timer"' not in page  # nothing is open here to keep open


def test_a_page_without_a_red_flag_is_not_saved_and_gets_the_advice_for_everyone(after_exit, alert_calls):
    patient, whose = after_exit
    before = Intake.objects.get(invitation=patient.invitation).answers
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="no", ce_wiping_sensation="no")
    assert response.status_code == 409
    page = response.content.decode()
    assert CLOSED in page
    assert CES_ADVICE not in page
    assert "new numbness between your legs" in page
    assert Intake.objects.get(invitation=patient.invitation).answers == before
    assert alert_calls == []


def test_after_the_link_is_opened_again_and_before_the_birth_date(after_exit, alert_calls):
    patient, whose = after_exit
    assert patient.open_link().status_code == 302  # on the birth-date page now
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1
    # The birth date still opens the form, on the emergency page first.
    assert patient.confirm().status_code == 302
    assert patient.client.get("/intake/")["Location"].endswith("/intake/important/")


def test_after_the_link_locked(patient, alert_calls):
    whose = _safety_page_tag(patient)
    _lock_the_link(patient)
    response = _send_from_old_tab(patient, whose, ce_wiping_sensation="yes")
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    assert Intake.objects.get(invitation=patient.invitation).answers["ce_wiping_sensation"] == "yes"
    assert len(alert_calls) == 1


def test_what_the_page_says_depends_only_on_what_was_sent(after_exit):
    """Two browsers: one whose patient has a red flag stored and a form nearly done, one whose patient has nothing;
    the same page sent from an old tab of each gets the same words."""
    patient, whose = after_exit
    services.record_red_flags(
        Intake.objects.get(invitation=patient.invitation),
        {"ce_bowel_control": "yes"},
        now=datetime.datetime.now(tz=datetime.UTC),
    )
    other_client = Client()
    invitation, token = make_invitation(email="other@example.org")
    other = Patient(other_client, token).sign_in()
    other.invitation = invitation
    other.agree()
    other_whose = _safety_page_tag(other)
    other_client.post("/intake/exit/")
    pages = [
        _send_from_old_tab(who, tag, ce_saddle_numbness="no").content.decode()
        for who, tag in ((patient, whose), (other, other_whose))
    ]
    strip = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"', "", page) for page in pages]
    assert strip[0] == strip[1]


def test_after_staff_make_a_new_link(patient, alert_calls):
    whose = _safety_page_tag(patient)
    services.renew_link(patient.invitation, send_email=False)
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    assert Intake.objects.get(invitation=patient.invitation).answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1


@pytest.mark.parametrize(("first", "later"), [("", "pat@example.org"), ("pat@example.org", "new@example.org")])
def test_after_staff_make_a_new_link_to_another_address(client, alert_calls, first, later):
    """An address added or changed with the new link ended this browser's trust to *show* the answers without a code,
    and with it the red flag from the patient's own old tab: the advice, nothing stored, nobody told (the stop-30
    audit). That this browser opened the form is enough to take it."""
    invitation, token = make_invitation(email=first)
    patient = Patient(client, token).sign_in()
    patient.invitation = invitation
    patient.agree()
    whose = _safety_page_tag(patient)
    services.renew_link(invitation, send_email=False, email=later)
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    assert Intake.objects.get(invitation=invitation).answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1


def test_a_sent_form_takes_the_red_flag_beside_what_was_sent_and_the_page_does_not_say_so(after_exit, alert_calls):
    """A red flag from the patient's own old tab after the form was sent and closed here: latched beside the answers
    as sent (which stay as sent), triaged and alerted; before stop 30 it was dropped. The page still says nothing of
    what was stored: it depends only on what was posted."""
    patient, whose = after_exit
    intake = Intake.objects.get(invitation=patient.invitation)
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SUBMITTED, submitted_at=timezone.now())
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    page = response.content.decode()
    assert (response.status_code, CLOSED in page, CES_ADVICE in page) == (409, True, True)
    assert "numbness or tingling between my legs" in page  # what to say at the emergency room: what was sent
    assert "Our team has been told" not in page  # whether it was cannot be said here
    intake.refresh_from_db()
    assert "ce_saddle_numbness" not in intake.answers
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert (intake.level, len(alert_calls)) == (Level.URGENT, 1)


def test_a_tag_copied_into_another_browser_takes_nothing(after_exit, alert_calls):
    """The tag is in the page's source: read off a shared phone after "Exit", it does not let another browser write
    red flags into the patient's form (only the browser that opened the form, by its device cookie)."""
    patient, whose = after_exit
    elsewhere = Client()
    response = elsewhere.post("/intake/step/safety/", {"ce_saddle_numbness": "yes", "whose": whose})
    assert response.status_code == 409  # the same page as anyone gets
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=patient.invitation).answers
    assert alert_calls == []


def test_a_tab_left_open_overnight_still_has_its_red_flag_taken(patient, alert_calls):
    """No "Exit": the session ended in the night (the idle hour and the 12 hours after it); the tab is still open in
    the morning, in the browser that opened the form."""
    whose = _safety_page_tag(patient)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=14), tick=False):
        response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    assert CLOSED in response.content.decode()
    assert Intake.objects.get(invitation=patient.invitation).answers["ce_saddle_numbness"] == "yes"
    assert len(alert_calls) == 1


def test_a_page_shown_before_the_browser_stopped_being_trusted_takes_nothing(after_exit, settings, alert_calls):
    patient, whose = after_exit
    days = trusted_devices.device_days() + 1
    with time_machine.travel(timezone.now() + datetime.timedelta(days=days), tick=False):
        response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=patient.invitation).answers
    assert alert_calls == []


def test_a_tag_that_does_not_verify_gets_the_bad_link_page_and_nothing_is_taken(after_exit, alert_calls):
    patient, _whose = after_exit
    response = _send_from_old_tab(patient, "forged", ce_saddle_numbness="yes")
    assert response.status_code == 404
    assert "ce_saddle_numbness" not in Intake.objects.get(invitation=patient.invitation).answers
    assert alert_calls == []


def test_a_cauda_equina_yes_from_another_tab_after_sending_gets_the_advice_not_a_thank_you(patient, alert_calls):
    """The form was sent from one tab; the safety page, left open in another, is sent with saddle numbness ticked.
    The patient was sent to the receipt ("We have your answers"), with no word of cauda equina, and the yes was lost
    (the stop-30 audits). It is latched beside the sent answers and alerted, and the page says so, with the advice."""
    whose = _safety_page_tag(patient)
    patient.answer_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    sent_answers = intake.answers
    alert_calls.clear()
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes", ce_wiping_sensation="no")
    page = response.content.decode()
    assert response.status_code == 409
    assert "Get medical help now" in page
    assert CES_ADVICE in page
    assert "Your form was already sent" in page
    assert "We have added what you told us about warning signs to your form and told the clinic" in page
    assert "We have your answers" not in page
    intake.refresh_from_db()
    assert intake.answers == sent_answers  # the form as sent; the yes is latched beside it, and staff alerted
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert intake.level == Level.URGENT
    assert [level for _pk, level, _before in alert_calls] == [Level.URGENT]
    assert "after Send" in intake.flags.get(code="CE1").reason
    assert patient.client.get("/intake/step/safety/")["Location"] == "/intake/done/"


def test_any_other_page_from_another_tab_after_sending_says_it_was_not_added(patient):
    patient.answer_all(routine_answers())
    patient.client.post("/intake/review/")
    response = patient.client.post("/intake/step/running/", {"running_status": "running"})
    page = response.content.decode()
    assert (response.status_code, "Your form was already sent" in page, CES_ADVICE in page) == (409, True, False)
    assert "new numbness between your legs" in page  # the warning signs in short


def test_a_yes_from_an_old_page_after_sending_leaves_a_latch_still_open_as_it_was(patient, alert_calls):
    """Saddle numbness yes, then no, then "Send" (the latch stays open until a review); an old page then posts yes. It
    wiped the latch's "changed to no" time, so staff read a retraction they could not date (review of stop 30)."""
    whose = _safety_page_tag(patient)
    patient.answer_all(routine_answers())
    patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    patient.answer_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    intake = Intake.objects.get(invitation=patient.invitation)
    before = RedFlagAnswer.objects.get(intake=intake, code="ce_saddle_numbness")
    assert before.changed_to_no_at is not None
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    after = RedFlagAnswer.objects.get(intake=intake, code="ce_saddle_numbness")
    assert (after.answered_at, after.changed_to_no_at) == (before.answered_at, before.changed_to_no_at)
    assert "changed to no at" in intake.flags.get(code="CE1").reason


def test_a_red_flag_sent_from_a_tab_whose_visit_the_retention_purge_removed_says_nothing_was_taken(
    patient, alert_calls
):
    """A tab left open on a link past a short retention period (`--months` under the browser's trust) sends a red
    flag after the purge removed the visit: there is no form to take it into, so the page gives the advice for what
    was sent and says the page may need answering again, never that the clinic has it."""
    from django.core.management import call_command

    from intake.models import Invitation

    whose = _safety_page_tag(patient)
    long_ago = timezone.now() - datetime.timedelta(days=365 * 8)
    Invitation.objects.filter(pk=patient.invitation.pk).update(appointment_at=long_ago, expires_at=long_ago)
    call_command("purge_old_intakes", "--months", "1", stdout=io.StringIO())
    assert not Invitation.objects.exists()
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    assert response.status_code == 409
    page = response.content.decode()
    assert CES_ADVICE in page
    assert CLOSED in page
    assert "you may need to answer this page again" in page
    assert "told the clinic" not in page
    assert not Intake.objects.exists()
    assert alert_calls == []


def _purge_on_its_own_connection(purged: list[PurgeResult]) -> None:
    """The retention purge, run to the end on a connection of its own (another process, as cron runs it)."""
    try:
        purged.append(purge_old_intakes(months=1))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="the purge on a connection of its own, with row locks")
@pytest.mark.parametrize("tagged", [True, False], ids=["with-the-tag", "without-the-tag"])
def test_a_red_flag_whose_visit_the_retention_purge_removes_while_its_page_is_saved_says_nothing_was_taken(
    patient, alert_calls, monkeypatch, tagged
):
    """The same tab, sent as the purge removes the visit: the page's red-flag answer reaches the intake's row lock
    after the purge's commit, and finds nothing. It got the error page, which gave the advice but said the steps
    already finished were saved; it gets the page a purge finished before it gives: nothing taken, and the advice."""
    whose = _safety_page_tag(patient)
    # The visit is past a one-month period; its link still opens (a tab left open on it).
    purged = _purged_at_the_row_lock(patient, monkeypatch)
    if tagged:
        response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    else:  # a page from before the tag
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    assert [(result.invitations, result.intakes) for result in purged] == [(1, 1)]
    page = response.content.decode()
    assert response.status_code == 409, page[:2000]
    assert CES_ADVICE in page
    assert CLOSED in page
    assert "you may need to answer this page again" in page
    assert "saved" not in page.replace("was not saved", "")
    assert "told the clinic" not in page
    assert not Intake.objects.exists()
    assert alert_calls == []
    # Changing the language comes back to the page with a GET: the advice again, not "This link does not work".
    again = patient.client.get("/intake/step/safety/")
    assert CES_ADVICE in again.content.decode()


def _purged_at_the_row_lock(patient: Patient, monkeypatch: pytest.MonkeyPatch) -> list[PurgeResult]:
    """The patient's visit past a one-month period, and the retention purge run to the end (on its own connection)
    the moment a red-flag answer goes for the intake's row lock; what it removed, once it has run."""
    from intake.models import Invitation
    from intake.services import answering

    assert patient.invitation is not None
    long_ago = timezone.now() - datetime.timedelta(days=365 * 8)
    Invitation.objects.filter(pk=patient.invitation.pk).update(appointment_at=long_ago)
    Intake.objects.filter(invitation=patient.invitation).update(appointment_at=long_ago)
    real_lock = answering._lock
    purged: list[PurgeResult] = []

    def purged_first(intake: Intake, rows=None) -> None:
        if not purged:
            purge = threading.Thread(target=_purge_on_its_own_connection, args=(purged,))
            purge.start()
            purge.join(30)
        real_lock(intake, rows)

    monkeypatch.setattr(answering, "_lock", purged_first)
    patient.client.raise_request_exception = False  # the error page, as a patient gets it
    return purged


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="the purge on a connection of its own, with row locks")
def test_a_red_flag_sent_after_send_as_the_retention_purge_removes_the_visit_says_nothing_was_taken(
    patient, alert_calls, monkeypatch
):
    """A page from another tab, sent after "Send" as the purge removes the sent visit: its red-flag answer reaches
    the intake's row lock after the purge's commit and finds nothing. The step page gives such a page the answer a
    page sent after the removal gets (above); a page after "Send" got the error page, which said the steps already
    finished were saved."""
    patient.save_all(routine_answers())
    assert patient.client.post("/intake/review/").status_code == 302
    purged = _purged_at_the_row_lock(patient, monkeypatch)
    alerts_before = list(alert_calls)

    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})

    assert [(result.invitations, result.intakes) for result in purged] == [(1, 1)]
    page = response.content.decode()
    assert response.status_code == 409, page[:2000]
    assert CES_ADVICE in page
    assert "saved" not in page.replace("was not saved", "")
    assert "told the clinic" not in page
    assert not Intake.objects.exists()
    assert alert_calls == alerts_before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="the purge on a connection of its own, with row locks")
def test_a_red_flag_from_a_form_closed_here_as_the_retention_purge_removes_it_gets_the_advice(
    after_exit, alert_calls, monkeypatch
):
    """A page of the patient's own form sent after "Exit", as the purge removes the visit: its red-flag answer goes
    for the row lock of a form no longer there. The page says what a page of a form closed here always says (it
    depends on nothing stored): the form is closed here, with the advice; it got the error page, which said the steps
    already finished were saved."""
    patient, whose = after_exit
    purged = _purged_at_the_row_lock(patient, monkeypatch)

    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")

    assert [(result.invitations, result.intakes) for result in purged] == [(1, 1)]
    page = response.content.decode()
    assert response.status_code == 409, page[:2000]
    assert CLOSED in page
    assert CES_ADVICE in page
    assert "saved" not in page.replace("was not saved", "")
    assert not Intake.objects.exists()
    assert alert_calls == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="the purge on a connection of its own, with row locks")
def test_a_red_flag_sent_after_the_idle_limit_as_the_retention_purge_removes_the_form_gets_the_advice(
    patient, alert_calls, monkeypatch
):
    """A page sent after the idle limit, as the purge removes the visit: nothing is taken, and the page says so with
    the advice, as a page sent just after the removal gets; it got the error page, which said the steps already
    finished were saved."""
    purged = _purged_at_the_row_lock(patient, monkeypatch)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})

    assert [(result.invitations, result.intakes) for result in purged] == [(1, 1)]
    page = response.content.decode()
    assert response.status_code == 409, page[:2000]
    assert CES_ADVICE in page
    assert "saved" not in page.replace("was not saved", "")
    assert not Intake.objects.exists()
    assert alert_calls == []


def test_a_missing_row_while_the_intake_is_still_there_is_the_error_page_and_its_red_flag_is_taken(
    patient, alert_calls, monkeypatch
):
    """A DoesNotExist from a fault, not from a removed visit: the error page with the advice, as before, and the
    red-flag answer taken; never the page that says nothing was taken."""
    from intake import owed_emergency

    def fault(*args: object, **kwargs: object) -> None:
        raise Intake.DoesNotExist("a fault")

    whose = _safety_page_tag(patient)
    monkeypatch.setattr(owed_emergency, "owe", fault)  # after the red-flag answer is taken
    patient.client.raise_request_exception = False
    response = _send_from_old_tab(patient, whose, ce_saddle_numbness="yes")
    page = response.content.decode()
    assert response.status_code == 500
    assert CES_ADVICE in page
    assert CLOSED not in page
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["ce_saddle_numbness"] == "yes"
    assert intake.level == Level.URGENT
    assert RedFlagAnswer.objects.filter(intake=intake, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert [call[0] for call in alert_calls] == [intake.pk]


# --- A page without the form's tag (a tab open since before the tag) after the purge ----------------------------------

# Every cauda equina question, on the page that asks it, and the words the advice gives the patient to say for it.
CE_SIGNS = [
    ("safety", "ce_saddle_numbness", "numbness or tingling between my legs"),
    ("safety", "ce_wiping_sensation", "a different feeling when I wipe after the toilet"),
    ("safety_bladder", "ce_urine_start_difficulty", "new trouble starting, stopping or controlling my pee"),
    ("safety_bladder", "ce_urine_leak_or_no_sensation", "leaking pee, or not feeling when my bladder is full"),
    ("safety_bladder", "ce_bowel_control", "trouble controlling my bowels, or not feeling when I poop"),
    ("safety_legs", "ce_both_legs_weaker", "weakness in both legs that is new or getting worse"),
    ("safety_legs", "ce_sexual_change", "a change in erections, ejaculation or feeling in my genitals"),
]


def _purge_the_visit(patient: Patient) -> None:
    from django.core.management import call_command

    from intake.models import Invitation

    assert patient.invitation is not None
    long_ago = timezone.now() - datetime.timedelta(days=365 * 8)
    Invitation.objects.filter(pk=patient.invitation.pk).update(appointment_at=long_ago, expires_at=long_ago)
    call_command("purge_old_intakes", "--months", "1", stdout=io.StringIO())
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("slug", "code", "say_this"), CE_SIGNS, ids=[code for _slug, code, _say in CE_SIGNS])
@pytest.mark.parametrize("tagged", [True, False], ids=["with-the-tag", "without-the-tag"])
def test_a_red_flag_sent_after_the_purge_gets_the_advice_with_or_without_the_forms_tag(
    patient, alert_calls, slug, code, say_this, tagged
):
    """A tab open since before the form's tag (`whose`) sends a cauda equina yes after the retention purge removed
    its visit: the guard found no form here and no tag, and answered with "This link does not work" and one general
    line, the advice the answer calls for missing (the stop-44 note). Every cauda equina sign now gets the advice for
    what was sent, tag or no tag, on whatever page answers it; nothing is stored, and nobody is said to be told."""
    whose = _safety_page_tag(patient)
    _purge_the_visit(patient)
    data = {code: "yes", **({"whose": whose} if tagged else {})}
    response = patient.client.post(f"/intake/step/{slug}/", data)
    page = response.content.decode()
    assert CES_ADVICE in page, page[:3000]
    assert say_this in page
    assert "Get medical help now" in page
    assert "told the clinic" not in page
    assert "Our team has been told" not in page
    assert not Intake.objects.exists()
    assert alert_calls == []


def test_a_not_sure_sent_without_the_tag_after_the_purge_gets_the_advice_too(patient, alert_calls):
    _purge_the_visit(patient)
    response = patient.client.post("/intake/step/safety_bladder/", {"ce_bowel_control": "not_sure"})
    assert response.status_code == 404  # the bad-link page, as before, with the advice above it
    page = response.content.decode()
    assert CES_ADVICE in page
    assert "trouble controlling my bowels" in page
    assert "This link does not work" in page


def test_a_page_without_the_tag_and_without_a_red_flag_still_gets_the_plain_bad_link_page(patient):
    _purge_the_visit(patient)
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "This link does not work" in page
    assert CES_ADVICE not in page
    assert "Get medical help now" not in page
    assert "new numbness between your legs" in page  # the warning signs in short, as before


def test_the_advice_on_the_bad_link_page_has_one_main_heading_and_survives_a_language_switch(patient):
    """The advice's own heading comes first; the switcher comes back to the question page's address with a GET,
    which finds no form: the advice again, in Spanish, not a plain "This link does not work"."""
    from tests.intake.test_one_main_heading import main_headings
    from tests.intake.test_way_back_in import switch_language

    _purge_the_visit(patient)
    response = patient.client.post("/intake/step/safety/", {"ce_saddle_numbness": "yes"})
    assert main_headings(response.content.decode()) == ["Get medical help now"]
    again, _next = switch_language(patient.client, response, "es")
    spanish = again.content.decode()
    assert "Busque ayuda médica ahora" in spanish
    assert "cauda equina" in spanish


def test_a_red_flag_sent_without_the_tag_from_a_browser_whose_session_is_gone_gets_the_advice(client, alert_calls):
    """A browser with no session at all (it ended overnight, or cookies were cleared) sends an old page: nothing
    says whose it is, so nothing is taken, but the advice for what was sent is given."""
    response = client.post("/intake/step/safety_legs/", {"ce_both_legs_weaker": "yes"})
    page = response.content.decode()
    assert CES_ADVICE in page
    assert "weakness in both legs" in page
    assert alert_calls == []
