"""The invitation form and patient records (issue 12): a phone number checked and stored in E.164, a second
invitation joining the same person's record, and staff picking a record from a search."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from intake.models import Invitation, Patient
from tests.intake.factories import days_ahead_at

pytestmark = pytest.mark.django_db
NEW = "/staff/invitations/new/"


def _form(**changes: str) -> dict[str, str]:
    appointment = days_ahead_at(2)
    data = {
        "patient_name": "Jordan Quill",
        "email": "jordan@example.org",
        "phone": "(201) 555-0123",
        "date_of_birth": "1979-08-14",
        "appointment_at": appointment.strftime("%Y-%m-%dT%H:%M"),
    }
    return {**data, **changes}


def _invite(client, **changes: str) -> Invitation:
    response = client.post(NEW, _form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Invitation.objects.select_related("patient").latest("pk")


def test_the_phone_is_stored_in_e164_and_shown_in_the_national_format(client, front_desk):
    client.force_login(front_desk)
    invitation = _invite(client, phone="201.555.0123")
    assert invitation.patient.phone.as_e164 == "+12015550123"
    assert Patient.objects.filter(phone="+12015550123").exists()  # stored in E.164
    html = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert 'href="tel:+1-201-555-0123">(201) 555-0123</a>' in html


def test_a_phone_that_is_not_a_number_is_refused_next_to_the_box(client, front_desk):
    client.force_login(front_desk)
    response = client.post(NEW, _form(phone="555-01"))
    assert response.status_code == 200
    assert "Enter a phone number the clinic could call" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_phone_may_be_left_empty(client, front_desk):
    client.force_login(front_desk)
    assert str(_invite(client, phone="").patient.phone or "") == ""


def test_a_second_invitation_for_the_same_person_joins_their_record_and_says_so(client, front_desk):
    client.force_login(front_desk)
    first = _invite(client)
    second = _invite(client, patient_name="  jordan quill ", email="JORDAN@example.org", phone="")
    assert second.patient_id == first.patient_id
    assert Patient.objects.count() == 1
    html = client.get(f"/staff/invitations/{second.pk}/").content.decode()
    assert "Joined the record of Jordan Quill, born 1979, with 1 earlier invitation" in html
    assert "A new record for Jordan Quill" in client.get(f"/staff/invitations/{first.pk}/").content.decode()


def test_a_different_email_makes_a_new_record_unless_staff_pick_the_record(client, front_desk):
    client.force_login(front_desk)
    first = _invite(client)
    stranger = _invite(client, email="jq@example.net")
    assert stranger.patient_id != first.patient_id
    found = client.post(NEW, {"find": "quill"}).content.decode()
    assert found.count('name="use_record"') == 2  # both records, with their birth dates
    assert "Jordan Quill, born Aug 14, 1979" in found
    assert f'name="use_record" value="{first.patient_id}"' in found
    picked = client.get(NEW, {"patient": first.patient_id}).content.decode()
    assert "This invitation joins the record of <strong>Jordan Quill</strong>" in picked
    assert 'value="jordan@example.org"' in picked  # filled in from the record
    assert 'value="(201) 555-0123"' in picked
    joined = _invite(client, email="new-address@example.org", patient=str(first.patient_id))
    assert joined.patient_id == first.patient_id
    joined.patient.refresh_from_db()
    assert joined.patient.email == "new-address@example.org"  # newer contact details win


def test_the_search_never_puts_the_name_in_the_address(client, front_desk):
    client.force_login(front_desk)
    _invite(client)
    response = client.post(NEW, {"find": "Jordan"})
    assert response.status_code == 200
    assert "Jordan Quill, born Aug 14, 1979" in response.content.decode()
    assert "find=" not in response.content.decode()


def test_a_search_keeps_what_was_typed_in_the_invitation_form_and_checks_none_of_it_yet(client, front_desk):
    """What "Find" sends besides the name searched for: the invitation form's fields."""
    client.force_login(front_desk)
    typed = {"patient_name": "Jordan Quill", "email": "not-an-email", "appointment_at": "2030-04-16T09:30"}
    html = client.post(NEW, {"find": "Quill", **typed}).content.decode()
    assert 'value="Jordan Quill"' in html
    assert 'value="not-an-email"' in html
    assert 'value="2030-04-16T09:30"' in html
    assert "Enter a valid email address" not in html  # checked when the invitation is saved, not on a search
    assert not Invitation.objects.exists()


class _PageWithoutScripts(HTMLParser):
    """What a browser without JavaScript sends when a button is pressed: the controls whose form is the button's (inside
    that form, or tied to it by a `form` attribute), the values typed in them, and the button's own name and value."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str]]] = []  # (form id, attributes)
        self.buttons: list[tuple[str, dict[str, str], str]] = []  # (form id, attributes, text)
        self._form = ""
        self._button: tuple[str, dict[str, str]] | None = None
        self._text: list[str] = []
        self._select: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        owner = found.get("form") or self._form
        if tag == "form":
            self._form = found.get("id", "unnamed form")
        elif tag == "button":
            self._button, self._text = (owner, found), []
        elif tag == "input" and found.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.controls.append((owner, found))
        elif tag == "select":
            self._select = {**found, "value": ""}
            self.controls.append((owner, self._select))
        elif tag == "option" and self._select is not None and (not self._select["value"] or "selected" in found):
            self._select["value"] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = ""
        elif tag == "button" and self._button is not None:
            self.buttons.append((*self._button, " ".join("".join(self._text).split())))
            self._button = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def press(self, label: str, typed: dict[str, str]) -> dict[str, str]:
        form, button = next((form, attrs) for form, attrs, text in self.buttons if text == label)
        sent = {
            attrs["name"]: typed.get(attrs["name"], attrs.get("value", ""))
            for owner, attrs in self.controls
            if owner == form and attrs.get("name")
        }
        if button.get("name"):
            sent[button["name"]] = button.get("value", "")
        return sent


def test_find_without_javascript_keeps_every_field_typed_and_saves_nothing(client, front_desk):
    """The search had a form of its own and carried the invitation form's fields along by script only: without
    JavaScript, "Find" emptied the form."""
    client.force_login(front_desk)
    first = _invite(client)
    Invitation.objects.all().delete()
    typed = {
        "patient_name": "Jordan Quill",
        "email": "jordan.q@example.org",
        "phone": "(201) 555-0199",
        "language": "es",
        "date_of_birth": "1979-08-14",
        "appointment_at": "2030-04-16T09:30",
        "find": "Quill",
    }
    sent = _PageWithoutScripts(client.get(NEW).content.decode()).press("Find", typed)
    html = client.post(NEW, sent).content.decode()
    assert f'name="use_record" value="{first.patient_id}"' in html  # the search was made
    for name in ("patient_name", "email", "phone", "date_of_birth", "appointment_at"):
        assert f'value="{typed[name]}"' in html, name
    assert '<option value="es" selected>' in html
    assert 'value="Quill"' in html  # the search box too
    assert not Invitation.objects.exists()
    # "Use this record" from those results keeps the appointment and phone typed, also without JavaScript.
    picked = _PageWithoutScripts(html).press("Use this record (Jordan Quill, born Aug 14, 1979)", typed)
    html = client.post(NEW, picked).content.decode()
    assert "This invitation joins the record of" in html
    assert 'value="2030-04-16T09:30"' in html
    assert 'value="(201) 555-0199"' in html
    assert not Invitation.objects.exists()
    # The search box is part of the invitation form now: a name left in it does not turn "Email the link" into a search.
    soon = days_ahead_at(2).strftime("%Y-%m-%dT%H:%M")
    sent = _PageWithoutScripts(html).press("Email the link", {"appointment_at": soon, "find": "Quill"})
    assert client.post(NEW, sent).status_code == 302
    assert Invitation.objects.get().patient_id == first.patient_id


def test_enter_in_a_box_without_javascript_keeps_the_record_picked(client, front_desk):
    """Without JavaScript, Enter in a box of the invitation form presses its first button, "Find", with the search box
    empty: the record picked ("Use this record", for a patient whose e-mail changed) was dropped, and "Email the link"
    then made a second record for the new address."""
    client.force_login(front_desk)
    first = _invite(client)
    html = client.post(NEW, {"find": "Quill"}).content.decode()
    soon = days_ahead_at(3).strftime("%Y-%m-%dT%H:%M")
    picked = _PageWithoutScripts(html).press("Use this record (Jordan Quill, born Aug 14, 1979)", {})
    html = client.post(NEW, picked).content.decode()
    typed = {"email": "new-address@example.org", "appointment_at": soon}
    html = client.post(NEW, _PageWithoutScripts(html).press("Find", typed)).content.decode()  # Enter in the email box
    assert "This invitation joins the record of" in html
    assert not Invitation.objects.exclude(pk=first.pk).exists()
    assert client.post(NEW, _PageWithoutScripts(html).press("Email the link", typed)).status_code == 302
    assert Invitation.objects.latest("pk").patient_id == first.patient_id
    assert Patient.objects.count() == 1


def test_a_search_with_no_match_says_a_new_record_will_be_made(client, clinician):
    client.force_login(clinician)
    html = client.post(NEW, {"find": "Nobody Here"}).content.decode()
    assert "No patient record matches" in html


def test_a_null_character_in_the_search_is_dropped_not_sent_to_the_database(client, front_desk):
    """PostgreSQL refuses a NUL byte in text: "Find" with one was a 500 there (the stop-30 forms audit)."""
    client.force_login(front_desk)
    _invite(client)
    response = client.post(NEW, {"find": "Jor\x00dan"})
    assert response.status_code == 200
    assert "Jordan Quill, born Aug 14, 1979" in response.content.decode()


def test_pressing_email_the_link_twice_makes_one_invitation_and_sends_one_link(client, front_desk, mailoutbox):
    """A double click made two invitations and e-mailed two working links; the second stayed "not started" in the
    list (the stop-30 forms audit)."""
    from tests.alerts.test_services import run_queued_tasks

    client.force_login(front_desk)
    form = _form(send_email="on")
    first = client.post(NEW, form)
    second = client.post(NEW, form, follow=True)
    assert Invitation.objects.count() == 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "no second link was sent" in second.content.decode()
    run_queued_tasks()
    assert len(mailoutbox) == 1


def test_the_same_invitation_sent_again_later_or_by_a_colleague_makes_no_second_link(
    client, front_desk, clinician, mailoutbox, time_machine
):
    """The form sent again after two minutes (the back button), or a colleague inviting the same patient for the same
    visit, made a second invitation with a second working link: the answers could be split between two forms."""
    from tests.alerts.test_services import run_queued_tasks

    time_machine.move_to(timezone.now(), tick=False)
    form = _form(send_email="on")
    client.force_login(front_desk)
    first = client.post(NEW, form)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=10), tick=False)
    again = client.post(NEW, form, follow=True)
    colleague = Client()
    colleague.force_login(clinician)
    theirs = colleague.post(NEW, form, follow=True)
    assert Invitation.objects.count() == 1
    assert again.redirect_chain[-1][0] == theirs.redirect_chain[-1][0] == first["Location"]
    assert "This patient already has an invitation for this appointment" in theirs.content.decode()
    run_queued_tasks()
    assert len(mailoutbox) == 1
    other_visit = _form(send_email="on", appointment_at=days_ahead_at(30).strftime("%Y-%m-%dT%H:%M"))
    client.post(NEW, other_visit)
    assert Invitation.objects.count() == 2  # another appointment is another invitation


def next_clock_change(*, forward: bool) -> datetime.date:
    """The next day within a year on which New York's clocks go forward (or back)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    day = timezone.localdate() + datetime.timedelta(days=1)
    for _ in range(366):
        before = datetime.datetime.combine(day, datetime.time(0), zone).utcoffset()
        after = datetime.datetime.combine(day, datetime.time(4), zone).utcoffset()
        if before != after and (after > before) == forward:  # type: ignore[operator]
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError("no clock change within a year")


@pytest.mark.parametrize("forward", [False, True])
def test_appointment_times_on_the_nights_the_clocks_change(client, front_desk, settings, forward):
    """Both got "couldn't be interpreted in time zone America/New_York; it may be ambiguous or it may not exist", and
    1:30 AM on the night the clocks go back (it happens twice) could not be entered at all (the stop-30 audit)."""
    settings.TIME_ZONE = "America/New_York"
    client.force_login(front_desk)
    day = next_clock_change(forward=forward)
    typed = f"{day:%Y-%m-%d}T{'02:30' if forward else '01:30:00'}"  # seconds too, as some browsers send them
    response = client.post(NEW, _form(appointment_at=typed))
    if forward:
        assert "That time does not exist on that day: the clocks go forward an hour." in response.content.decode()
        assert not Invitation.objects.exists()
    else:
        assert response.status_code == 302
        saved = Invitation.objects.get().appointment_at
        assert f"{saved:%Y-%m-%d %H:%M}" == f"{day:%Y-%m-%d} 05:30"  # the first 1:30, still daylight time (UTC-4)


def test_saving_first_then_emailing_the_link_sends_it(client, front_desk, mailoutbox):
    """ "Save" and then "Email the link" within two minutes was taken for a double click: no link was ever sent
    (review of stop 30)."""
    from tests.alerts.test_services import run_queued_tasks

    client.force_login(front_desk)
    client.post(NEW, _form())
    client.post(NEW, _form(send_email="on"))
    run_queued_tasks()
    assert Invitation.objects.count() == 1
    assert [message.to for message in mailoutbox] == [["jordan@example.org"]]


def test_two_patients_with_one_name_and_birth_year_are_told_apart_in_the_search(client, front_desk):
    client.force_login(front_desk)
    _invite(client)
    _invite(client, email="other-jordan@example.net", date_of_birth="1979-02-03")
    found = client.post(NEW, {"find": "quill"}).content.decode()
    assert "Jordan Quill, born Aug 14, 1979" in found
    assert "Jordan Quill, born Feb 3, 1979" in found


def test_an_invitation_never_joins_the_record_of_someone_born_on_another_day(client, front_desk):
    """Two patients share a name and the front desk picks the wrong one, then types the birth date of the patient in
    front of them: the form says whose record it is, and nothing is saved (it joined that record and rewrote its
    e-mail and phone, so the other patient's reminders went to a stranger)."""
    client.force_login(front_desk)
    first = _invite(client)
    response = client.post(
        NEW,
        _form(patient=str(first.patient_id), date_of_birth="1991-05-02", email="someone-else@example.net"),
    )
    assert response.status_code == 200
    assert "The record you picked is for someone born on Aug 14, 1979" in " ".join(
        response.context["form"].errors["date_of_birth"]
    )
    assert 'value="someone-else@example.net"' in response.content.decode()  # what was typed stays
    first.patient.refresh_from_db()
    assert first.patient.email == "jordan@example.org"
    assert Invitation.objects.count() == 1


def test_a_number_from_abroad_shows_its_country_code_on_the_invitation_page(client, front_desk):
    """A UK mobile showed as "020 7946 0958", which reaches nobody dialled from a US clinic."""
    client.force_login(front_desk)
    invitation = _invite(client, phone="+44 20 7946 0958")
    html = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    assert 'href="tel:+44-20-7946-0958">+44 20 7946 0958</a>' in html


def test_an_appointment_on_an_earlier_day_gets_a_message_and_nothing_is_saved_or_sent(client, front_desk, mailoutbox):
    client.force_login(front_desk)
    yesterday = (timezone.localtime() - datetime.timedelta(days=1)).replace(hour=23, minute=59)  # within 24 hours
    response = client.post(NEW, {**_form(appointment_at=yesterday.strftime("%Y-%m-%dT%H:%M")), "send_email": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["appointment_at"] == [
        "This appointment is in the past. Please check the date."
    ]
    assert 'value="Jordan Quill"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_an_appointment_earlier_today_is_taken(client, front_desk):
    """A patient filling the form in the waiting room, for the visit they are at."""
    client.force_login(front_desk)
    now = timezone.localtime()
    earlier = max(now.replace(hour=0, minute=1), now - datetime.timedelta(minutes=30))
    invitation = _invite(client, appointment_at=earlier.strftime("%Y-%m-%dT%H:%M"))
    assert timezone.localdate(invitation.appointment_at) == timezone.localdate()


def test_use_this_record_keeps_the_appointment_and_phone_typed_before_the_search(client, front_desk):
    """ "Use this record" was a link: the appointment and phone typed before the search were lost."""
    client.force_login(front_desk)
    first = _invite(client, phone="")
    typed = {"appointment_at": "2030-04-16T09:30", "phone": "(201) 555-0177", "patient_name": "J Quill"}
    html = client.post(NEW, {"find": "Quill", "use_record": str(first.patient_id), **typed}).content.decode()
    assert "This invitation joins the record of <strong>Jordan Quill</strong>" in html
    assert 'value="Jordan Quill"' in html  # the record's name, not the one typed
    assert 'value="jordan@example.org"' in html
    assert 'value="2030-04-16T09:30"' in html
    assert 'value="(201) 555-0177"' in html


def test_one_name_typed_with_another_apostrophe_or_a_double_space_joins_one_record(client, front_desk):
    """A phone types a curly apostrophe, a keyboard a straight one: three records for one person, and a search for
    "o'brien" missed one."""
    client.force_login(front_desk)
    later = days_ahead_at(3)
    _invite(client, patient_name="Siobhán O\u2019Brien")
    _invite(client, patient_name="Siobhán O'Brien", appointment_at=later.strftime("%Y-%m-%dT%H:%M"))
    _invite(
        client,
        patient_name=" Siobhán  O'Brien ",
        appointment_at=(later + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert Invitation.objects.count() == 3
    assert list(Patient.objects.values_list("name", flat=True)) == ["Siobhán O'Brien"]
    assert "Siobhán O&#x27;Brien, born Aug 14, 1979" in client.post(NEW, {"find": "o\u2019brien"}).content.decode()
