"""The staff invitation pages: who may use them, the link emailed (never shown to staff), the audit trail, a new
link."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from intake import selectors, services, tokens
from intake.models import Invitation
from intake.staff_forms import (
    MSG_EMAIL_FOR_LINK,
    MSG_EMAIL_INVALID,
    MSG_EMAIL_TO_SEND,
    MSG_LANGUAGE_CHOICE,
    MSG_NAME_REQUIRED,
    MSG_NAME_TOO_LONG,
)
from tests.intake import factories
from tests.intake.factories import days_ahead_at

pytestmark = pytest.mark.django_db

NEW = "/staff/invitations/new/"


def make_invitation(**kw: Any) -> tuple[Invitation, str]:
    """`factories.make_invitation`, booked at 10:30 AM three days on unless a test says when: this page's forms post
    the appointment back as the clinic's clock shows it, and the factory's "now plus 72 hours" was, run between 2:00
    and 3:00 AM three days before the clocks go back, the second 1:xx AM of that night, which reads back as the first
    (an hour earlier: "changed: appointment" where nothing changed)."""
    return factories.make_invitation(appointment_at=kw.pop("appointment_at", days_ahead_at(3)), **kw)


def _form(**changes: str | None) -> dict[str, str]:
    appointment = days_ahead_at(2)
    data: dict[str, str | None] = {
        "patient_name": "Jordan Quill",
        "email": "jordan@example.org",
        "date_of_birth": "1979-08-14",
        "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
        "send_email": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (NEW, "/staff/invitations/", "/staff/invitations/1/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/")


def test_a_content_editor_may_not_open_the_invitation_pages(client, editor):
    client.force_login(editor)
    invitation, _ = make_invitation()
    for path in (NEW, "/staff/invitations/", f"/staff/invitations/{invitation.pk}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/staff/invitations/{invitation.pk}/new-link/").status_code == 403


@pytest.mark.parametrize("persona", ["front_desk", "clinician"])
def test_front_desk_and_clinicians_can_open_the_new_invitation_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Invite a patient" in page.content.decode()


def _emailed_token(message) -> str:
    found = re.search(r"/intake/start/([^/\s]+)/", message.body)
    assert found is not None, message.body
    return found.group(1)


def _session_text(client) -> str:
    return repr(dict(client.session.items()))


def test_making_an_invitation_emails_the_link_never_shows_it_to_staff_and_audits_without_patient_data(
    client, front_desk
):
    client.force_login(front_desk)
    response = client.post(NEW, _form())
    invitation = Invitation.objects.get()
    assert response["Location"] == f"/staff/invitations/{invitation.pk}/"
    page = client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["jordan@example.org"]
    token = _emailed_token(message)
    assert invitation.token_hash == tokens.hash_token(token)
    assert invitation.created_by == front_desk
    assert "on its way to the patient&#x27;s email" in page
    assert token not in page
    assert "/intake/start/" not in page
    assert token not in _session_text(client)
    event = AuditEvent.objects.get(action="created_invitation")
    assert event.actor == front_desk
    assert event.detail == f"invitation {invitation.pk}"


def test_email_the_link_without_an_email_asks_for_one_and_makes_nothing(client, clinician):
    client.force_login(clinician)
    response = client.post(NEW, _form(email=""))
    assert response.context["form"].errors["email"] == [MSG_EMAIL_TO_SEND]
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_save_without_emailing_needs_no_email_sends_nothing_and_the_link_is_emailed_from_its_page_later(
    client, front_desk
):
    client.force_login(front_desk)
    response = client.post(NEW, _form(email="", send_email=None))
    invitation = Invitation.objects.get()
    assert response["Location"] == f"/staff/invitations/{invitation.pk}/"
    assert invitation.email == ""
    assert mail.outbox == []
    page = client.get(response["Location"]).content.decode()
    assert "No link has been emailed yet" in page
    assert "This invitation has no email address: add the patient's email to send the link." in page
    assert ">Email the link</button>" in page
    assert AuditEvent.objects.get(action="created_invitation").detail == (
        f"invitation {invitation.pk} (saved; link not emailed)"
    )

    assert _renew(client, invitation, email="later@example.org").status_code == 302
    [message] = mail.outbox
    assert message.to == ["later@example.org"]
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(_emailed_token(message))


def test_an_email_typed_but_saved_without_emailing_is_kept_and_not_sent(client, front_desk):
    client.force_login(front_desk)
    client.post(NEW, _form(send_email=None))
    assert Invitation.objects.get().email == "jordan@example.org"
    assert mail.outbox == []


def test_the_new_invitation_page_has_two_buttons_and_email_the_link_comes_first(client, front_desk):
    client.force_login(front_desk)
    page = client.get(NEW).content.decode()
    email_button = page.index(
        '<button type="submit" class="btn btn-primary" name="send_email" value="on">Email the link'
    )
    assert email_button < page.index(">Save without emailing</button>")
    assert 'type="checkbox"' not in page


def test_mistakes_are_listed_at_the_top_linking_to_each_field_and_shown_next_to_each_field(client, front_desk):
    client.force_login(front_desk)
    response = client.post(NEW, _form(patient_name="", email="not-an-email", date_of_birth="2999-01-01"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: New invitation" in html
    summary = html[
        html.index('class="alert alert-danger staff-error-summary"') : html.index(
            "</ul>", html.index("staff-error-summary")
        )
    ]
    assert 'role="alert"' in summary
    assert "autofocus" in summary
    assert "There is a problem" in summary
    assert f'<a href="#id_patient_name">{escape(MSG_NAME_REQUIRED)}</a>' in summary
    assert f'<a href="#id_email">{escape(MSG_EMAIL_INVALID)}</a>' in summary
    assert '<a href="#id_date_of_birth">The date of birth cannot be in the future.</a>' in summary
    assert summary.index("#id_patient_name") < summary.index("#id_email") < summary.index("#id_date_of_birth")
    # Next to each field too, tied to it for screen readers; what was typed is kept.
    for field in ("patient_name", "email", "date_of_birth"):
        assert f'id="id_{field}_error"' in html
        assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*id_{field}_error', html), field
    assert 'value="not-an-email"' in html
    assert "staff-error-summary" not in client.get(NEW).content.decode()


# The Hangul fillers (U+3164, U+FFA0, U+115F, U+1160) are letters to Unicode, but show nothing: a name of them alone
# passed as having letters.
@pytest.mark.parametrize("typed", ["?", "-", "...", "\u200b\u200b", "123", "\u3164", "\uffa0 \u115f\u1160"])
def test_a_name_with_no_letter_in_it_is_refused_next_to_the_field_and_nothing_is_made(client, front_desk, typed):
    """A placeholder typed while the name is not known yet ("?", "-"), or invisible characters pasted with a name,
    made an invitation and a patient record named "?" (or named nothing visible)."""
    client.force_login(front_desk)
    response = client.post(NEW, _form(patient_name=typed, email="jordan@example.org"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_patient_name_error"' in html
    assert escape(MSG_NAME_REQUIRED) in html
    assert 'value="jordan@example.org"' in html  # the rest is kept
    assert not Invitation.objects.exists()


def test_a_name_that_composing_makes_longer_than_the_database_keeps_is_refused_next_to_the_field(client, front_desk):
    """Composing accents (normal_name) turns some letters into two (Gurmukhi sha, U+0A36, is sa and a nukta): a name
    of 200 characters or fewer as typed could come out longer than the column, and the save was a server error."""
    client.force_login(front_desk)
    response = client.post(NEW, _form(patient_name="\u0a36" * 101))
    assert response.status_code == 200
    assert escape(MSG_NAME_TOO_LONG) in response.content.decode()
    assert not Invitation.objects.exists()


def test_names_in_any_script_are_taken(client, front_desk):
    client.force_login(front_desk)
    # An accented Latin name with an apostrophe, a Chinese name, a Persian one with its zero-width non-joiner, a
    # Korean one (its syllables are letters, and are kept whole while the invisible Hangul fillers are dropped)
    names = (
        "Zo\u00eb O\u2019Brien-N\u00fa\u00f1ez",
        "\u674e\u5c0f\u9f8d",
        "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627",
        "\uae40\ubbfc\uc900",
    )
    for name in names:
        assert client.post(NEW, _form(patient_name=name)).status_code == 302
    assert Invitation.objects.count() == 4
    assert Invitation.objects.order_by("-pk")[0].patient_name == "\uae40\ubbfc\uc900"


# Each pasted with something invisible in it: a zero-width space, a no-break space, a soft hyphen, a byte order mark,
# left-to-right and right-to-left marks, a word joiner, a zero-width non-joiner next to a space, decomposed accents.
PASTED_NAMES = [
    "Jordan\u200b Quill",
    "Jordan\u00a0Quill",
    "Jor\u00addan Quill",
    "\ufeffJordan Quill",
    "\u200eJordan Quill\u200f",
    "Jordan \u2060Quill",
    "Jordan\u200c Quill",
    # The Hangul fillers: letters to Unicode, invisible on the page.
    "Jordan\u3164 Quill",
    "Jor\u115fdan Quill\uffa0",
    "Jordan \u1160Quill",
    # The two that fonts draw as a wide blank stand for the space the eye reads there.
    "Jordan\u3164Quill",
    "Jordan\uffa0Quill",
]


@pytest.mark.parametrize("pasted", PASTED_NAMES)
def test_a_name_pasted_with_invisible_characters_joins_the_patients_record_and_is_found_by_find(
    client, front_desk, pasted
):
    """Stored as typed, such a name was not found by "Find" for "Jordan Quill", and made a second patient record."""
    client.force_login(front_desk)
    assert client.post(NEW, _form()).status_code == 302
    later = days_ahead_at(9).strftime("%Y-%m-%dT%H:%M")
    assert client.post(NEW, _form(patient_name=pasted, appointment_at=later)).status_code == 302
    first, second = Invitation.objects.order_by("pk")
    assert second.patient_id == first.patient_id  # one record, not a second
    assert second.patient_name == "Jordan Quill"
    listed = client.post("/staff/invitations/", {"find": "Jordan Quill"}).content.decode()
    assert "2 invitations for names containing “Jordan Quill”" in listed
    found = client.post(NEW, {"find": "Jordan Quill"}).content.decode()
    assert found.count('name="use_record"') == 1
    # And the other way round: the name pasted into a search finds the plain one.
    assert "2 invitations for names containing" in client.post("/staff/invitations/", {"find": pasted}).content.decode()


def test_joiners_that_persian_and_indic_names_need_are_kept_and_decomposed_accents_are_composed(client, front_desk):
    client.force_login(front_desk)
    persian = "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"  # Mohammad-Reza, with its zero-width non-joiner
    hindi = "\u0915\u094d\u200d\u0937"  # a half form asked for with a zero-width joiner after the virama
    for number, name in enumerate((persian, hindi, "Zoe\u0308 Nu\u0301n\u0303ez")):
        later = days_ahead_at(2 + number).strftime("%Y-%m-%dT%H:%M")
        assert client.post(NEW, _form(patient_name=name, appointment_at=later)).status_code == 302
    assert list(Invitation.objects.order_by("pk").values_list("patient_name", flat=True)) == [
        persian,
        hindi,
        "Zo\u00eb N\u00fa\u00f1ez",
    ]


def test_the_invitation_starts_in_the_language_the_front_desk_picked(client, front_desk):
    client.force_login(front_desk)
    page = client.get(NEW).content.decode()
    assert '<option value="en" selected>English</option>' in page
    assert '<option value="es">Spanish (español)</option>' in page
    client.post(NEW, _form(language="es"))
    invitation = Invitation.objects.get()
    assert invitation.language == "es"
    detail = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert '<dd class="col-sm-8" id="invitation-language">Spanish (español)</dd>' in detail
    assert '<option value="es" selected>Spanish (español)</option>' in detail


def test_a_language_the_portal_does_not_speak_gets_a_message(client, front_desk):
    client.force_login(front_desk)
    response = client.post(NEW, _form(language="xx"))
    assert response.context["form"].errors["language"] == [MSG_LANGUAGE_CHOICE]
    assert Invitation.objects.count() == 0


def test_a_post_without_a_language_gets_english(client, front_desk):
    client.force_login(front_desk)
    client.post(NEW, _form())
    assert Invitation.objects.get().language == "en"


def test_a_new_link_can_change_the_language_and_the_audit_trail_says_so(client, front_desk):
    invitation, _ = make_invitation()
    client.force_login(front_desk)
    assert _renew(client, invitation, language="es").status_code == 302
    invitation.refresh_from_db()
    assert invitation.language == "es"
    event = AuditEvent.objects.get(action="created_invitation")
    assert event.detail.endswith("emailed; changed: language")
    assert _renew(client, invitation).status_code == 302  # no language posted: kept
    invitation.refresh_from_db()
    assert invitation.language == "es"


def test_a_refused_new_link_lists_the_problem_at_the_top_of_the_invitation_page(client, front_desk):
    invitation, _ = make_invitation(email="")
    client.force_login(front_desk)
    html = _renew(client, invitation).content.decode()
    assert "<title>Error: Invitation" in html
    assert f'<a href="#id_email">{escape(MSG_EMAIL_FOR_LINK)}</a>' in html


def test_the_invitation_list_shows_where_each_link_stands(client, front_desk):
    locked, _ = make_invitation(name="Locked Person")
    locked.locked_at = timezone.now()
    locked.failed_attempts = 5
    locked.save()
    make_invitation(name="Waiting Person")
    client.force_login(front_desk)
    page = client.get("/staff/invitations/").content.decode()
    assert "Locked Person" in page
    assert "Locked</span> after 5 wrong dates of birth" in page
    assert "Not opened yet" in page
    # With its year: next January's appointment is not this January's.
    assert f"{timezone.localtime(locked.appointment_at):%b} {timezone.localtime(locked.appointment_at).day}, " in page
    assert f", {timezone.localtime(locked.appointment_at).year}, " in page


def _renew(client, invitation, **changes: str):
    data = {
        "email": invitation.email,
        "appointment_at": timezone.localtime(invitation.appointment_at).strftime("%Y-%m-%dT%H:%M"),
        **changes,
    }
    return client.post(f"/staff/invitations/{invitation.pk}/new-link/", data)


def test_a_new_link_lifts_a_lock_and_goes_to_the_patient_by_email_never_to_the_staff_member(client, front_desk):
    invitation, old = make_invitation()
    invitation.locked_at = timezone.now()
    invitation.save()
    client.force_login(front_desk)
    response = _renew(client, invitation)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["pat@example.org"]
    token = _emailed_token(message)
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(token)
    assert invitation.locked_at is None
    assert "A new link is on its way to the patient&#x27;s email" in page
    assert token not in response.content.decode()
    assert token not in page
    assert "/intake/start/" not in page
    assert token not in _session_text(client)
    assert client.get(f"/intake/start/{old}/").status_code == 404
    assert Client().get(f"/intake/start/{token}/").status_code == 302


def test_the_detail_page_says_links_go_by_email_only(client, front_desk):
    invitation, _ = make_invitation()
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "Staff send links by email only, not by text message" in page
    assert "gets the reminders before the visit by text" in page
    assert 'value="pat@example.org"' in page


def test_a_new_link_without_an_email_is_refused_until_the_front_desk_adds_one(client, front_desk):
    invitation, old = make_invitation(email="")
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "This invitation has no email address" in page
    refused = _renew(client, invitation)
    assert refused.status_code == 200
    assert "only ever emailed to the patient" in str(refused.context["renew_form"].errors["email"])
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(old)
    assert mail.outbox == []
    assert _renew(client, invitation, email="pat.new@example.org").status_code == 302
    invitation.refresh_from_db()
    assert invitation.email == "pat.new@example.org"
    assert mail.outbox[0].to == ["pat.new@example.org"]
    assert invitation.token_hash == tokens.hash_token(_emailed_token(mail.outbox[0]))


def test_a_new_link_for_an_expired_invitation_works_until_the_day_after_the_appointment(client, front_desk):
    invitation, _ = make_invitation()
    invitation.expires_at = timezone.now() - datetime.timedelta(minutes=5)  # e.g. made with the wrong date
    invitation.save()
    client.force_login(front_desk)
    assert _renew(client, invitation).status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at == services.expiry_for(invitation.appointment_at)
    token = _emailed_token(mail.outbox[0])
    assert f"until the end of {selectors.last_day(invitation):%B} {selectors.last_day(invitation).day}" in (
        mail.outbox[0].body
    )
    patient = Client()
    assert patient.get(f"/intake/start/{token}/")["Location"] == "/intake/confirm/"
    assert patient.post("/intake/confirm/", {"date_of_birth": "1985-03-27"})["Location"] == "/intake/"


def test_a_new_link_for_a_past_appointment_asks_for_the_new_appointment_time(client, front_desk):
    invitation, old = make_invitation(appointment_at=timezone.now() - datetime.timedelta(days=3))
    client.force_login(front_desk)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "The appointment has passed" in page
    refused = _renew(client, invitation)
    assert refused.status_code == 200
    assert "Enter the new appointment time" in str(refused.context["renew_form"].errors["appointment_at"])
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(old)
    assert mail.outbox == []
    services.start_intake(invitation)
    later = days_ahead_at(4)
    assert _renew(client, invitation, appointment_at=later.strftime("%Y-%m-%dT%H:%M")).status_code == 302
    invitation.refresh_from_db()
    assert invitation.appointment_at == later.replace(second=0, microsecond=0)
    assert invitation.intake.appointment_at == invitation.appointment_at  # the queue's copy moves with it
    assert invitation.expires_at == services.expiry_for(invitation.appointment_at)
    assert Client().get(f"/intake/start/{_emailed_token(mail.outbox[0])}/").status_code == 302


def test_a_new_link_is_in_the_audit_trail_with_who_made_it_and_no_patient_data(client, clinician):
    invitation, _ = make_invitation()
    client.force_login(clinician)
    _renew(client, invitation, email="pat.other@example.org")
    event = AuditEvent.objects.get(action="created_invitation")
    assert event.actor == clinician
    assert event.actor_username == "clinician"
    assert event.detail == f"new link for invitation {invitation.pk} (link version 2) emailed; changed: email"
    assert "example.org" not in event.detail


def test_the_page_and_the_email_give_the_last_day_the_link_works(client, front_desk):
    client.force_login(front_desk)
    appointment = timezone.make_aware(datetime.datetime(2030, 5, 6, 9, 30))
    invitation, _ = make_invitation(appointment_at=appointment, send_email=True)
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert "The end of Tue May 7, 2030" in page
    assert "until the end of May 7" in mail.outbox[0].body


def test_the_invitation_list_costs_the_same_queries_for_many_invitations(
    client, front_desk, django_assert_max_num_queries
):
    from intake import services

    for number in range(12):
        invitation, _ = make_invitation(name=f"Person {number}")
        if number % 2:
            services.start_intake(invitation)
    client.force_login(front_desk)
    # session, user, permissions (user and group), the invitations joined with their intakes
    with django_assert_max_num_queries(6):
        page = client.get("/staff/invitations/")
    assert page.content.decode().count("Answering") == 6


def _follow_up_invitation() -> Invitation:
    from tests.intake.factories import follow_up_for, routine_answers

    visit = services.create_submitted_intake_for_demo(
        answers=routine_answers(),
        patient_name="Keiko Sato",
        email="keiko@example.org",
        appointment_at=timezone.now() - datetime.timedelta(days=45),
    )
    invitation, _token, _intake = follow_up_for(visit)
    return invitation


def test_a_follow_ups_link_is_not_listed_with_the_visits_invitations(client, front_desk):
    follow_up = _follow_up_invitation()
    visit_invitation = make_invitation()[0]
    listed = list(selectors.recent_invitations(now=timezone.now()))
    assert visit_invitation in listed
    assert follow_up not in listed


def test_a_follow_ups_invitation_page_offers_no_pre_visit_email_and_says_where_its_link_comes_from(client, front_desk):
    follow_up = _follow_up_invitation()
    client.force_login(front_desk)
    html = client.get(f"/staff/invitations/{follow_up.pk}/").content.decode()
    assert "Follow-up questionnaire for Keiko Sato" in html
    assert "The follow-up schedule sends it" in html
    assert "Email the link" not in html
    assert "Email a new link" not in html


def test_the_pre_visit_email_is_never_sent_for_a_follow_up_and_its_visit_date_stays(client, front_desk):
    """Found by an audit: "Email the link" on a follow-up sent the pre-visit e-mail about a visit that was over, and
    moved the visit's date to the one typed."""
    follow_up = _follow_up_invitation()
    visit_date = follow_up.appointment_at
    client.force_login(front_desk)
    mail.outbox.clear()
    new_time = days_ahead_at(10)
    response = client.post(
        f"/staff/invitations/{follow_up.pk}/new-link/",
        {"email": "keiko@example.org", "appointment_at": new_time.strftime("%Y-%m-%dT%H:%M"), "language": "en"},
    )
    assert response.status_code == 200
    assert escape(services.invitations.MSG_RENEW_FOLLOW_UP) in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.appointment_at == visit_date
    assert mail.outbox == []
    with pytest.raises(services.invitations.RenewalRefused):
        services.invitations.email_new_link(
            follow_up, email="keiko@example.org", appointment_at=new_time, now=timezone.now()
        )


@pytest.mark.parametrize("typed", ["9999-12-31T09:00", "2207-03-04T09:00"])
def test_an_appointment_years_away_gets_a_message_and_keeps_what_was_typed(client, front_desk, typed):
    """A year typed wrong would make a link that works for ever (9999-12-31 crashed the page with a 500)."""
    client.force_login(front_desk)
    response = client.post(NEW, _form(appointment_at=typed, patient_name="Jordan Quill"))
    assert response.status_code == 200
    assert response.context["form"].errors["appointment_at"] == [
        "This appointment is more than a year away. Please check the year."
    ]
    assert 'value="Jordan Quill"' in response.content.decode()
    assert not Invitation.objects.exists()

    invitation, old = make_invitation()
    refused = _renew(client, invitation, appointment_at=typed)
    assert refused.status_code == 200
    assert "more than a year away" in str(refused.context["renew_form"].errors["appointment_at"])
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.hash_token(old)


@pytest.mark.parametrize(
    ("years_ago", "message"),
    [
        (8, "The form is for patients aged 12 and over. Please check the date of birth."),
        (111, "This date of birth gives an age over 110. Please check the year of birth."),
    ],
)
def test_a_birth_date_outside_the_forms_ages_is_refused_with_a_message_and_makes_no_link(
    client, front_desk, years_ago, message
):
    """The patient confirms this date and cannot change it; one giving an age outside 12-110 (docs/clinical/INTAKE.md)
    let them answer every page and then never send: "Send" went back to a page with nothing to fix (stop-32 audit)."""
    client.force_login(front_desk)
    today = timezone.localdate()
    born = datetime.date(today.year - years_ago - 1, 7, 1)  # an age of years_ago or one more

    response = client.post(NEW, _form(date_of_birth=born.isoformat()))

    assert response.status_code == 200
    assert f'<a href="#id_date_of_birth">{escape(message)}</a>' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_email_address_longer_than_the_database_keeps_gets_a_message_by_its_box(client, front_desk):
    """Django's form took up to 320 characters and the column keeps 254: on PostgreSQL the save failed with a server
    error and everything typed was lost (the stop-32 audit of the staff pages)."""
    client.force_login(front_desk)
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
    assert 254 < len(email) <= 320

    response = client.post(NEW, _form(email=email))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An email address can be at most 254 characters. Check the address."
    ]
    assert 'value="Jordan Quill"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_invitation_past_the_first_hundred_is_on_the_next_page(client, front_desk):
    """The list stopped at 100 with no next page and no word that more existed."""
    for number in range(101):
        make_invitation(
            name=f"Person {number:03d}", appointment_at=timezone.now() + datetime.timedelta(days=2, minutes=number)
        )
    client.force_login(front_desk)
    first = client.get("/staff/invitations/").content.decode()
    assert "Person 099" in first
    assert "Person 100" not in first
    assert "1 to 100" in first
    assert 'href="?page=2">Next</a>' in first
    second = client.get("/staff/invitations/?page=2").content.decode()
    assert "Person 100" in second
    assert "101 to 101" in second
    assert 'href="?page=1">Previous</a>' in second
    assert ">Next<" not in second
    assert "Person 000" in client.get("/staff/invitations/?page=abc").content.decode()  # a bad page: the first


def test_an_invitation_is_found_by_a_posted_name_never_in_the_address(client, front_desk):
    make_invitation(name="Siobhan Quill")
    make_invitation(name="Jordan Park")
    client.force_login(front_desk)
    response = client.post("/staff/invitations/", {"find": "quill"})
    html = response.content.decode()
    assert "Siobhan Quill" in html
    assert "Jordan Park" not in html
    assert "1 invitation for names containing “quill”" in html
    assert "quill" not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")
    assert AuditEvent.objects.filter(action="searched_patients", detail="invitations: 1 shown").exists()
    assert "No invitation matches." in client.post("/staff/invitations/", {"find": "nobody"}).content.decode()


def test_a_double_click_on_email_a_new_link_sends_one_and_says_so(client, front_desk, mailoutbox):
    """Both clicks carry the link the page showed: the second found it replaced and sent nothing (it sent another,
    and the patient's first e-mail held a link that no longer worked)."""
    invitation, _ = make_invitation()
    client.force_login(front_desk)
    _renew(client, invitation, link_version=str(invitation.link_version))
    second = _renew(client, invitation, link_version=str(invitation.link_version))
    assert second.status_code == 302  # back to the page, which now carries the newest link
    assert "A new link was sent a moment ago" in client.get(second["Location"]).content.decode()
    assert len(mailoutbox) == 1
    found = re.search(r"/intake/start/([^/\s]+)/", str(mailoutbox[0].body))
    assert found is not None
    assert Client().get(f"/intake/start/{found.group(1)}/").status_code == 302  # the link e-mailed works
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    invitation.refresh_from_db()
    assert f'name="link_version" value="{invitation.link_version}"' in page  # the next click may send again


def test_after_a_new_link_was_refused_as_just_sent_the_page_shown_can_send_another(client, front_desk, mailoutbox):
    """The refusal says "Send another only if that one is lost too": the page it leads to carries the newest link,
    so pressing the button again sends one (it was refused for ever, until a reload)."""
    invitation, _ = make_invitation()
    client.force_login(front_desk)
    data = {
        "email": invitation.email,
        "appointment_at": timezone.localtime(invitation.appointment_at).strftime("%Y-%m-%dT%H:%M"),
        "language": "en",
        "link_version": str(invitation.link_version),
    }
    url = f"/staff/invitations/{invitation.pk}/new-link/"
    client.post(url, data)
    refused = client.post(url, data, follow=True)  # the second click
    assert "A new link was sent a moment ago" in refused.content.decode()
    assert len(mailoutbox) == 1

    # Staff read the message, the first e-mail is lost too: they press the button on the page they are shown.
    shown = re.search(r'name="link_version" value="(\d+)"', refused.content.decode())
    assert shown is not None
    again = client.post(url, {**data, "link_version": shown.group(1)})

    assert "A new link was sent a moment ago" not in again.content.decode()
    assert again.status_code == 302, "a deliberate second link is refused from the page that offers it"
    assert len(mailoutbox) == 2


def test_a_page_past_the_end_of_the_list_does_not_say_there_are_no_invitations(client, front_desk):
    """Page 2 when the list has shrunk below a hundred (links expire; a colleague's bookmark) said "101 to 100" and
    "No invitations yet." though there is one: it is the first page instead."""
    make_invitation(name="Siobhan Quill")
    client.force_login(front_desk)
    html = client.get("/staff/invitations/?page=2", follow=True).content.decode()
    assert "Siobhan Quill" in html
    assert "101 to 100" not in html
    assert "No invitations yet." not in html
