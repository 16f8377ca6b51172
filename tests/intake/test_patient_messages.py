"""What the patient is told, per level, through the client (docs/clinical/TRIAGE.md, "What the patient is told"):
the emergency page (CES or MSCC wording), the receipt (emergency, call-back promise, or confirmation with the CES
warning signs) and the confirmation e-mail."""

from __future__ import annotations

import datetime
import html
import pathlib
import re

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from intake import services
from intake.models import Intake, Invitation, Level
from intake.rules.patient_messages import CE_SIGN_PHRASES, MSCC_SIGN_PHRASES
from intake.rules.questionnaire import PAGE_SLUGS
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation, routine_answers

pytestmark = pytest.mark.django_db

# The CES card, as the warning-signs box words it (templates/intake/_ces_signs.html): one fragment of each item.
CARD_ITEMS = (
    "between your inner thighs, around your bottom or in your genitals",
    "Wiping after the toilet feels different",
    "New trouble starting to pee, stopping it or controlling it, or a weaker flow",
    "Leaking pee or needing pads, not feeling when your bladder is full or empty, or not feeling pee pass",
    "Trouble controlling your bowels, leaking poop, or not feeling it pass",
    "Both legs getting weaker, or new weakness in both legs",
    "A change in getting an erection or ejaculating, or less feeling in your genitals",
)
MSCC_ITEMS = (
    "New weakness, numbness or tingling in your arms or legs",
    "New trouble walking or standing",
    "Pain that spreads around your chest or belly like a band, or down your legs",
)
ONE_LEG_NUMB = {
    "leg_symptoms": "yes",
    "leg_side": "left",
    "leg_pain_lowest_point": "thigh",
    "worse_back_or_leg": "back",
    "leg_numbness_tingling": "yes",
    "leg_weakness": "no",
    "sitting_eases": "no",
}


def answers(**changes: object) -> dict[str, object]:
    """A complete routine intake under rules 2027.1 (which also ask about steroids, hands and balance)."""
    return routine_answers(**{"long_term_steroids": "no", "hands_clumsy": "no", "balance_worse": "no", **changes})


def text(response) -> str:
    """The page as a reader sees it: markup kept (for links), plus its words with the tags taken out."""
    page = response.content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    words = re.sub(r" ([.,:;])", r"\1", words)  # "call us at <a>123</a>." reads "call us at 123."
    return page + "\n" + html.unescape(words)


def clinic_time(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def send(patient: Patient, given: dict[str, object]) -> str:
    patient.answer_all(given)
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    return text(patient.client.get("/intake/done/"))


def answer_until_the_emergency_page(patient: Patient, given: dict[str, object]) -> str:
    """Post pages in order until one opens the emergency page; return that page."""
    for slug in PAGE_SLUGS:
        response = patient.post_step(slug, given)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
        if response["Location"] == "/intake/important/":
            return text(patient.client.get("/intake/important/"))
    raise AssertionError("no step opened the emergency page")


def a_patient_at(client, moment: datetime.datetime) -> Patient:
    """A patient whose invitation was made at `moment` (call inside time_machine.travel)."""
    invitation, token = make_invitation(appointment_at=moment + datetime.timedelta(days=3))
    patient = Patient(client, token)
    patient.invitation = invitation
    return patient.sign_in()


# --- Routine and sciatica receipts: the confirmation, the reading, and the CES warning signs ------------------------


@override_settings(CLINIC_EMERGENCY_NUMBER="000 123")
def test_the_routine_receipt_shows_every_ces_warning_sign_with_the_clinics_emergency_number(patient):
    page = send(patient, answers())
    assert "We have your answers" in page
    assert "Warning signs: get help at once" in page
    assert 'href="tel:000123"' in page  # dialled without its space
    assert "911" not in page
    for item in CARD_ITEMS:
        assert item in page, item
    assert "Get medical help now" not in page
    assert "cancer" not in page.lower()


@override_settings(CLINIC_EMERGENCY_NUMBER="000 123")
def test_the_sciatica_receipt_shows_the_warning_signs_too(patient):
    page = send(patient, answers(**{**ONE_LEG_NUMB, "leg_pain_lowest_point": "below_knee"}))
    assert Intake.objects.get(invitation=patient.invitation).level_code == "sciatica"
    assert "We have your answers" in page
    assert 'href="tel:000123"' in page  # dialled without its space
    for item in CARD_ITEMS:
        assert item in page, item


# --- Serious: the call-back promise from the clinic's hours -----------------------------------------------------


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2, CLINIC_PHONE="(555) 222-3333")
def test_a_serious_receipt_in_clinic_hours_promises_a_call_today_by_a_time(client):
    with time_machine.travel(clinic_time(2030, 3, 5, 10, 15), tick=False):  # a Tuesday morning
        patient = a_patient_at(client, timezone.now())
        page = send(patient, answers(weight_loss="yes"))
    assert Intake.objects.get(invitation=patient.invitation).level == Level.SERIOUS
    assert "A clinician will call you today by 12:15 PM." in page
    assert "If nobody has called you by 12:15 PM, call us at (555) 222-3333." in page
    assert 'href="tel:5552223333"' in page  # a tel: link holds no spaces (RFC 3966)
    assert "Until we talk, get help at once" in page
    for item in CARD_ITEMS:
        assert item in page, item
    assert "Because you have had cancer" not in page  # no cancer history: no MSCC box


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
def test_a_serious_receipt_just_before_closing_promises_no_later_than_closing(client):
    with time_machine.travel(clinic_time(2030, 3, 5, 16, 20), tick=False):
        page = send(a_patient_at(client, timezone.now()), answers(weight_loss="yes"))
    assert "A clinician will call you today by 5:00 PM." in page


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
@pytest.mark.parametrize(
    "sent",
    [
        pytest.param((2030, 3, 8, 17, 30), id="Friday evening"),
        pytest.param((2030, 3, 9, 23, 0), id="Saturday 11 pm"),
    ],
)
def test_a_serious_receipt_out_of_hours_names_the_next_working_day_and_never_says_today(client, sent):
    with time_machine.travel(clinic_time(*sent), tick=False):
        page = send(a_patient_at(client, timezone.now()), answers(weight_loss="yes"))
    assert "A clinician will call you by 10:00 AM on Monday, March 11." in page
    assert "If nobody has called you by 10:00 AM, call us at" in page
    assert "today" not in page.lower()


@override_settings(
    CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2, CLINIC_CLOSED_DATES=["2030-03-11"]
)  # Monday March 11 a public holiday
def test_a_serious_form_sent_before_a_closed_day_is_promised_the_day_after_by_the_receipt_the_email_and_staff(
    client, clinician
):
    """Sent on Friday evening before a closed Monday, the receipt promised a call on the holiday morning. Receipt,
    confirmation e-mail, the stored time (the queue's "Call by", the lead's escalation) and the staff page now all
    say Tuesday."""
    with time_machine.travel(clinic_time(2030, 3, 8, 17, 30), tick=False):
        patient = a_patient_at(client, timezone.now())
        page = send(patient, answers(weight_loss="yes"))
        intake = Intake.objects.get(invitation=patient.invitation)
        client.force_login(clinician)
        staff_page = client.get(f"/staff/intakes/{intake.pk}/").content.decode()
    assert "A clinician will call you by 10:00 AM on Tuesday, March 12." in page
    assert intake.call_back_by == clinic_time(2030, 3, 12, 10, 0)
    [email] = [message for message in mail.outbox if "has your answers" in message.subject]
    assert "A clinician will call you by 10:00 AM on Tuesday, March 12." in email.body
    assert "The patient's receipt says we will call by Tue Mar 12, 10:00 AM EDT." in staff_page


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2, CLINIC_LAST_CALL_MINUTES=60)
def test_a_serious_receipt_inside_the_clinics_last_call_time_promises_the_next_morning(client):
    """CLINIC_LAST_CALL_MINUTES=60: at 4:10 pm on a Tuesday the clinic cannot keep "today by 5:00 PM", and the
    on-call's alert says the same rule."""
    with time_machine.travel(clinic_time(2030, 3, 5, 16, 10), tick=False):
        patient = a_patient_at(client, timezone.now())
        page = send(patient, answers(weight_loss="yes"))
    assert "A clinician will call you by 10:00 AM on Wednesday, March 6." in page
    assert "today" not in page.lower()
    assert Intake.objects.get(invitation=patient.invitation).call_back_by == clinic_time(2030, 3, 6, 10, 0)
    # The on-call heard of the red flag before the form was sent, so before any time was promised.
    [alert] = [message for message in mail.outbox if "on-call@clinic.example" in message.to]
    assert "the same day if this came in clinic hours at least 60 minutes before closing" in alert.body


def spanish_patient_now(client):
    """A patient whose invitation and browser are in Spanish, signed in now (the clock as the test set it)."""
    patient = a_patient_at(client, timezone.now())
    assert patient.invitation is not None
    Invitation.objects.filter(pk=patient.invitation.pk).update(language="es")
    patient.client.cookies["django_language"] = "es"
    return patient


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
def test_a_spanish_serious_receipt_says_the_day_and_time_as_spanish_does(client):
    """It said "antes de las 10:00 AM del lunes, marzo 11" (the English formats; the stop-28 audit)."""
    with time_machine.travel(clinic_time(2030, 3, 8, 17, 30), tick=False):
        page = send(spanish_patient_now(client), answers(weight_loss="yes"))
    assert "le llamará antes de las 10:00 a.m. del lunes 11 de marzo." in page
    assert "10:00 AM" not in page


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
def test_a_spanish_time_at_the_end_of_a_sentence_has_one_full_stop(client):
    """Spanish times end in "a.m." or "p.m.": "antes de las 12:30 p.m.." had two (the stop-29 audit)."""
    with time_machine.travel(clinic_time(2030, 3, 8, 10, 30), tick=False):
        patient = spanish_patient_now(client)
        page = send(patient, answers(weight_loss="yes"))
        copy = patient.client.get("/intake/done/answers/").content.decode()
    assert "le llamará hoy antes de las 12:30 p.m." in page
    assert "m.." not in page
    assert "a las 10:30 a.m." in copy
    assert "m.." not in copy


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
def test_a_spanish_call_back_at_one_oclock_says_antes_de_la_una_in_the_receipt_and_the_email(client):
    """Not "antes de las 1:00 p.m.", wrong Spanish: one o'clock takes "la" (la una); every other hour "las"."""
    with time_machine.travel(clinic_time(2030, 3, 8, 11, 0), tick=False):
        page = send(spanish_patient_now(client), answers(weight_loss="yes"))
    assert "le llamará hoy antes de la 1:00 p.m." in page
    assert "Si nadie le ha llamado antes de la 1:00 p.m., llámenos al" in page
    assert "las 1:" not in page
    [email] = [message for message in mail.outbox if "recibió sus respuestas" in message.subject]
    assert "antes de la 1:00 p.m." in email.body
    assert "las 1:" not in email.body


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2)
def test_an_english_call_back_at_one_oclock_reads_as_before(client):
    with time_machine.travel(clinic_time(2030, 3, 8, 11, 0), tick=False):
        page = send(a_patient_at(client, timezone.now()), answers(weight_loss="yes"))
    assert "A clinician will call you today by 1:00 PM." in page


def test_a_serious_receipt_for_a_cancer_history_adds_the_spinal_cord_signs(patient):
    page = send(patient, answers(cancer_history="yes"))
    assert Intake.objects.get(invitation=patient.invitation).level == Level.SERIOUS
    assert "A clinician will call you" in page
    assert "Because you have had cancer" in page
    for item in (*CARD_ITEMS, *MSCC_ITEMS):
        assert item in page, item
    assert "tell your cancer team" in page


# --- Urgent: the emergency page, CES or MSCC --------------------------------------------------------------------


def test_the_ces_page_names_cauda_equina_syndrome_and_repeats_the_signs_the_patient_ticked(patient):
    page = answer_until_the_emergency_page(
        patient, answers(ce_urine_start_difficulty="yes", ce_bowel_control="not_sure", ce_onset="within_14_days")
    )  # two signs on one page: the emergency page opens as soon as that page is posted
    assert "cauda equina syndrome" in page
    assert "Go to the nearest emergency room now" in page
    assert 'href="tel:911"' in page
    assert "Do not finish this form first." in page
    assert "Your link keeps working" in page
    assert "What to say when you get there" in page
    assert "I have back pain and:" in page
    assert CE_SIGN_PHRASES["ce_urine_start_difficulty"] in page
    assert CE_SIGN_PHRASES["ce_bowel_control"] in page
    assert "I am worried about cauda equina syndrome." in page
    for not_ticked in ("ce_wiping_sensation", "ce_urine_leak_or_no_sensation", "ce_sexual_change"):
        assert CE_SIGN_PHRASES[not_ticked] not in page
    assert "cancer" not in page.lower()
    # The way back to the form still works, and is not an invitation to finish it first.
    assert "Come back to the form later" in page
    assert "I am getting help" in page
    assert patient.client.post("/intake/important/", {"acknowledged": "on"})["Location"] == "/intake/"


def test_one_ticked_ces_sign_makes_one_sentence(patient):
    page = answer_until_the_emergency_page(patient, answers(ce_sexual_change="yes", ce_onset="older_stable"))
    sign = CE_SIGN_PHRASES["ce_sexual_change"]
    assert f"“I have back pain and {sign}. I am worried about cauda equina syndrome.”" in page


def test_the_mscc_page_speaks_of_cancer_and_the_spinal_cord_never_of_the_bladder(patient):
    """Rules 2027.1 (NICE NG234): cancer + numbness in one leg is MSCC, urgent."""
    page = answer_until_the_emergency_page(patient, answers(cancer_history="yes", **ONE_LEG_NUMB))
    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.level == Level.URGENT
    assert services.emergency_kind(intake) == "mscc"
    assert "Go to the nearest emergency room now" in page
    assert 'href="tel:911"' in page
    assert "You told us you have had cancer" in page
    assert "metastatic spinal cord compression" in page
    assert (
        f"“I have had cancer. I have back pain and {MSCC_SIGN_PHRASES['SC3']}. "
        "I am worried about spinal cord compression.”"
    ) in page
    assert "tell your cancer team" in page
    assert "Do not finish this form first." in page
    lowered = page.lower()
    for word in ("bladder", "bowel", "pee", "poop", "cauda equina", "genital"):
        assert word not in lowered, word


def test_a_not_sure_cancer_history_is_not_told_back_as_cancer(patient):
    """A "not sure" to "Have you ever had cancer?" counts as yes (MSCC, urgent), but the page must not tell the patient
    they said they had cancer, nor give them "I have had cancer." to say at the emergency room: that would tell the
    emergency team something the patient never said (docs/clinical/TRIAGE.md: the MSCC words speak only of what the
    patient reported)."""
    page = answer_until_the_emergency_page(patient, answers(cancer_history="not_sure", **ONE_LEG_NUMB))
    assert services.emergency_kind(Intake.objects.get(invitation=patient.invitation)) == "mscc"
    assert "You told us you have had cancer" not in page
    assert "I have had cancer" not in page
    assert "You told us you may have had cancer" in page
    assert (
        f"“I may have had cancer. I have back pain and {MSCC_SIGN_PHRASES['SC3']}. "
        "I am worried about spinal cord compression.”"
    ) in page


def test_a_serious_receipt_for_a_not_sure_cancer_history_does_not_say_they_had_cancer(patient):
    page = send(patient, answers(cancer_history="not_sure"))
    assert "Because you have had cancer" not in page
    assert "Because you may have had cancer" in page
    for item in MSCC_ITEMS:
        assert item in page, item


def test_the_urgent_receipt_repeats_the_emergency_wording_without_asking_to_finish_the_form(patient):
    page = send(patient, answers(ce_urine_start_difficulty="yes", ce_onset="getting_worse"))
    assert "Get medical help now" in page
    assert "Go to the nearest emergency room now" in page
    assert "cauda equina syndrome" in page
    assert CE_SIGN_PHRASES["ce_urine_start_difficulty"] in page
    assert "Do not finish this form first." not in page
    assert "We have your answers" in page


def test_the_mscc_receipt_keeps_the_mscc_wording(patient):
    patient.answer_all(answers(cancer_history="yes", **ONE_LEG_NUMB))
    patient.client.post("/intake/review/")
    page = text(patient.client.get("/intake/done/"))
    assert "metastatic spinal cord compression" in page
    assert "bladder" not in page.lower()


# --- The printed copy of the answers (intake:answers) says the receipt's advice first --------------------------------

PRINT_CSS = pathlib.Path(__file__).resolve().parents[2] / "static" / "css" / "print.css"


def copy_of_answers(patient: Patient) -> str:
    """The copy, from its first words (the back link, hidden in print, left out) up to the list of answers."""
    page = text(patient.client.get("/intake/done/answers/"))
    return page[page.index("<main") :]


def assert_said_before_the_answers(copy: str, *words: str) -> None:
    """Each of `words` is in the copy before its "Your answers" heading, and no print rule hides it."""
    heading = copy.index('<h2 class="h3 mt-4">Your answers</h2>')
    before = copy[:heading]
    before += "\n" + html.unescape(re.sub(r" ([.,:;])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", before).split())))
    for word in words:
        assert word in before, word
    advice = copy[copy.index('class="receipt-advice"') : heading]
    hidden = {
        name
        for rule in re.findall(r"([^{}]+)\{[^}]*display:\s*none", PRINT_CSS.read_text())
        for name in re.findall(r"\.([\w-]+)", rule)
    }
    for classes in re.findall(r'class="([^"]+)"', advice):
        assert not hidden & set(classes.split()), classes


def test_the_copy_of_an_urgent_intake_gives_the_emergency_advice_first_as_the_receipt_does(patient):
    send(patient, answers(ce_urine_start_difficulty="yes", ce_onset="getting_worse"))
    copy = copy_of_answers(patient)
    assert_said_before_the_answers(
        copy, "Get medical help now", "cauda equina syndrome", "Go to the nearest emergency room now", 'href="tel:911"'
    )
    assert "Do not finish this form first." not in copy
    assert "emergency-page" in patient.client.get("/intake/done/answers/").content.decode()


def test_the_copy_of_an_mscc_intake_keeps_the_mscc_wording(patient):
    send(patient, answers(cancer_history="yes", **ONE_LEG_NUMB))
    copy = copy_of_answers(patient)
    assert_said_before_the_answers(copy, "Get medical help now", "metastatic spinal cord compression")
    assert "cauda equina" not in copy.lower()


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2, CLINIC_PHONE="(555) 222-3333")
def test_the_copy_of_a_serious_intake_gives_the_receipts_call_back_promise_first(client):
    with time_machine.travel(clinic_time(2030, 3, 5, 10, 15), tick=False):  # a Tuesday morning
        patient = a_patient_at(client, timezone.now())
        send(patient, answers(weight_loss="yes"))
        copy = copy_of_answers(patient)
    assert_said_before_the_answers(
        copy,
        "A clinician will call you today by 12:15 PM.",
        "If nobody has called you by 12:15 PM, call us at (555) 222-3333.",
        "Warning signs: get help at once",
    )
    assert "Get medical help now" not in copy


def test_the_copy_of_a_routine_intake_ends_with_the_warning_signs_as_the_receipt_gives_them(patient):
    """No emergency or call-back advice, but the cauda equina warning signs the receipt shows: a printed copy kept
    for weeks before the visit is where a patient may look when something changes."""
    send(patient, answers())
    copy = copy_of_answers(patient)
    assert "receipt-advice" not in copy
    assert "A clinician will call you" not in copy
    assert "Get medical help now" not in copy
    assert "Warning signs: get help at once" in copy
    assert copy.index("Your answers") < copy.index("Warning signs: get help at once")


def test_a_cauda_equina_answer_after_the_cord_compression_page_was_read_opens_the_emergency_page_again(patient):
    """The patient read the cord compression page (cancer with new nerve symptoms), then changed a safety answer to
    yes from the review page: nothing said cauda equina's words (found in stop 28: once any emergency page was
    acknowledged, none was shown again)."""
    patient.answer_all(answers(cancer_history="yes", **ONE_LEG_NUMB))
    response = patient.post_step("safety", answers(ce_saddle_numbness="yes"), next="review")
    assert response["Location"] == "/intake/important/"
    page = text(patient.client.get("/intake/important/"))
    assert "cauda equina syndrome" in page
    patient.client.post("/intake/important/", {"acknowledged": "on"})
    # Read once, it is not shown again for the same emergency.
    response = patient.post_step("safety", answers(ce_saddle_numbness="yes", ce_wiping_sensation="yes"), next="review")
    assert response["Location"] != "/intake/important/"


def test_reading_the_cord_compression_page_does_not_count_for_a_cauda_equina_answer_that_came_in_meanwhile(patient):
    """The cord compression page is on screen; a cauda equina yes arrives from another tab; "I have read this" on the
    page still open acknowledges what it said, so the cauda equina page comes next (found in review, stop 28)."""
    from intake.services import record_red_flags

    given = answers(cancer_history="yes", **ONE_LEG_NUMB)
    assert "spinal cord" in answer_until_the_emergency_page(patient, given)
    shown = re.search(r'name="kind" value="([^"]+)"', patient.client.get("/intake/important/").content.decode())
    assert shown is not None
    assert shown.group(1) == "mscc"
    record_red_flags(
        Intake.objects.get(invitation=patient.invitation), {"ce_saddle_numbness": "yes"}, now=timezone.now()
    )
    patient.client.post("/intake/important/", {"acknowledged": "on", "kind": "mscc"})
    assert patient.client.get("/intake/")["Location"] == "/intake/important/"
    assert "cauda equina syndrome" in text(patient.client.get("/intake/important/"))


# --- The confirmation e-mail ------------------------------------------------------------------------------------


def confirmation_email() -> mail.EmailMessage:
    sent = [message for message in mail.outbox if "has your answers" in message.subject]
    assert len(sent) == 1, [message.subject for message in mail.outbox]
    return sent[0]


@override_settings(CLINIC_EMERGENCY_NUMBER="000 123", CLINIC_NAME="Riverside Spine Clinic")
def test_the_confirmation_email_carries_the_warning_signs_and_a_plain_subject():
    services.create_submitted_intake_for_demo(answers=answers(), patient_name="Robin Quill", email="robin@example.org")
    message = confirmation_email()
    assert message.subject == "Thank you: Riverside Spine Clinic has your answers"
    assert "Robin" not in message.subject
    assert "call 000 123 at once" in message.body
    for item in CARD_ITEMS:
        assert item in message.body, item
    assert "<" not in message.body  # plain text, no markup
    assert "&" not in message.body  # and nothing HTML-escaped


@override_settings(CLINIC_HOURS="Mon-Fri 08:00-17:00", CLINIC_CALLBACK_HOURS=2, CLINIC_PHONE="(555) 222-3333")
def test_the_serious_confirmation_email_gives_the_same_promise_as_the_receipt():
    with time_machine.travel(clinic_time(2030, 3, 8, 18, 0), tick=False):  # Friday after closing
        services.create_submitted_intake_for_demo(answers=answers(cancer_history="yes"), email="robin@example.org")
    message = confirmation_email()
    assert "A clinician will call you by 10:00 AM on Monday, March 11." in message.body
    assert "If nobody has called you by then, call us at (555) 222-3333." in message.body
    for item in (*CARD_ITEMS, *MSCC_ITEMS):
        assert item in message.body, item
    for word in ("cancer", "urgent", "serious"):
        assert word not in message.subject.lower()


def test_the_serious_confirmation_email_in_hours_says_today_and_the_date():
    with time_machine.travel(clinic_time(2030, 3, 5, 9, 0), tick=False):
        services.create_submitted_intake_for_demo(answers=answers(weight_loss="yes"), email="robin@example.org")
    assert "A clinician will call you today (Tuesday, March 5) by 11:00 AM." in confirmation_email().body


def test_the_urgent_confirmation_email_gives_the_emergency_advice_without_clinical_details():
    services.create_submitted_intake_for_demo(
        answers=answers(ce_both_legs_weaker="yes", ce_onset="within_14_days"), email="robin@example.org"
    )
    message = confirmation_email()
    assert "GET MEDICAL HELP NOW" in message.body
    assert "go to the nearest emergency room now, or call 911." in " ".join(message.body.split())
    assert "WARNING SIGNS" in message.body
    # E-mail is not private enough: neither the diagnosis words nor the signs this patient ticked.
    assert "cauda" not in f"{message.subject} {message.body}".lower()
    assert f"I have back pain and {CE_SIGN_PHRASES['ce_both_legs_weaker']}." not in message.body


def test_a_follow_ups_confirmation_email_speaks_of_after_the_visit_not_before():
    """It said "Our care team will read your answers before your visit" and "Do not wait for your visit" weeks after
    the visit (the receipt page already spoke of the follow-up)."""
    from intake.models import Level
    from intake.tasks import render_confirmation
    from messaging.models import OutboundMessage
    from tests.intake.factories import follow_up_for, submitted_intake

    _invitation, _token, follow_up = follow_up_for(submitted_intake())
    Intake.objects.filter(pk=follow_up.pk).update(level=Level.ROUTINE, submitted_at=timezone.now())
    rendered = render_confirmation(OutboundMessage(about_id=follow_up.pk))  # unsaved: only the intake it is about
    assert rendered is not None
    assert "how your back is doing since your visit" in rendered.body
    assert "Do not wait for a call from us." in rendered.body
    assert "before your visit" not in rendered.body
    assert "Do not wait for your visit" not in rendered.body


def test_a_not_sure_cancer_history_changed_to_no_is_still_not_told_back_as_cancer(patient):
    """A "not sure" then a "no": the "not sure" stays latched (SP1, a serious receipt), but the patient never said they
    had cancer, and the receipt said "Because you have had cancer" (only a "not sure" still given read "may have")."""
    patient.answer_all(answers(cancer_history="not_sure"))
    assert patient.post_step("general_health", answers(cancer_history="no")).status_code == 302
    assert patient.client.post("/intake/review/")["Location"] == "/intake/done/"
    page = text(patient.client.get("/intake/done/"))

    assert Intake.objects.get(invitation=patient.invitation).level == Level.SERIOUS
    assert "Because you have had cancer" not in page
    assert "Because you may have had cancer" in page
