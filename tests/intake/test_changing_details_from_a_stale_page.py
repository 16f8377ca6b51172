"""Two people at the front desk change the same invitation: the one whose page was opened first never undoes what
the other saved since (staff_views.invitation_change)."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from audit.models import AuditEvent
from tests.intake.factories import days_ahead_at, make_invitation

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
FIELD = re.compile(r'<input[^>]*name="(change-[a-z_]+)"[^>]*>')


def _local(when: datetime.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def _change_form_as_shown(client: Client, invitation) -> dict[str, str]:
    """The "Change the appointment or details" form as the page drew it: every input with its value (hidden ones
    too), the language as selected."""
    data = _form_inputs(client.get(f"/staff/invitations/{invitation.pk}/").content.decode())
    data["change-language"] = invitation.language
    return data


def _desk(front_desk) -> Client:
    client = Client()
    client.force_login(front_desk)
    return client


def test_an_address_corrected_on_a_page_opened_before_a_colleague_moved_the_visit_keeps_the_new_time(front_desk):
    invitation, _ = make_invitation(email="old@example.org", appointment_at=days_ahead_at(3))
    first, colleague = _desk(front_desk), _desk(front_desk)
    stale = _change_form_as_shown(first, invitation)
    moved = timezone.localtime(invitation.appointment_at).replace(hour=14, minute=0, second=0, microsecond=0) + 2 * DAY
    by_colleague = {**_change_form_as_shown(colleague, invitation), "change-appointment_at": _local(moved)}
    assert colleague.post(f"/staff/invitations/{invitation.pk}/details/", by_colleague).status_code == 302

    response = first.post(f"/staff/invitations/{invitation.pk}/details/", {**stale, "change-email": "new@example.org"})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.email == "new@example.org"
    assert invitation.appointment_at == moved  # not moved back to the time the first page showed


def test_a_visit_moved_on_a_stale_page_after_a_colleague_moved_it_is_refused_with_the_time_now(front_desk):
    invitation, _ = make_invitation(email="old@example.org", appointment_at=days_ahead_at(3))
    first, colleague = _desk(front_desk), _desk(front_desk)
    stale = _change_form_as_shown(first, invitation)
    base = timezone.localtime(invitation.appointment_at).replace(second=0, microsecond=0)
    by_colleague = {**_change_form_as_shown(colleague, invitation), "change-appointment_at": _local(base + 2 * DAY)}
    colleague.post(f"/staff/invitations/{invitation.pk}/details/", by_colleague)
    events = AuditEvent.objects.filter(action="changed_invitation").count()

    mine = {**stale, "change-appointment_at": _local(base + 3 * DAY), "change-email": "new@example.org"}
    response = first.post(f"/staff/invitations/{invitation.pk}/details/", mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The appointment was changed after this page was opened" in page
    # The time now, as the page's own "Appointment" line writes it ("Wed Mar 27, 2030, 2:00 PM EDT").
    now_shown = dateformat.format(base + 2 * DAY, "D M j, Y, g:i A T")
    assert f"it is now {now_shown}." in html.unescape(page)
    assert f'<dd class="col-sm-8">{now_shown}</dd>' in page
    assert _local(base + 3 * DAY) in page
    assert "new@example.org" in page
    invitation.refresh_from_db()
    assert invitation.appointment_at == base + 2 * DAY
    assert invitation.email == "old@example.org"
    assert AuditEvent.objects.filter(action="changed_invitation").count() == events

    # Saved again from the page with the message: the person has seen the colleague's time and chose theirs.
    again = {**_form_inputs(page), "change-language": invitation.language}
    assert first.post(f"/staff/invitations/{invitation.pk}/details/", again).status_code == 302
    invitation.refresh_from_db()
    assert invitation.appointment_at == base + 3 * DAY
    assert invitation.email == "new@example.org"


def _form_inputs(page: str) -> dict[str, str]:
    data = {}
    for match in FIELD.finditer(page):
        value = re.search(r'value="([^"]*)"', match.group(0))
        data[match.group(1)] = html.unescape(value.group(1)) if value else ""
    return data


def _new_link_form_as_shown(client: Client, invitation) -> dict[str, str]:
    page = client.get(f"/staff/invitations/{invitation.pk}/").content.decode()
    start = page.index(f'action="/staff/invitations/{invitation.pk}/new-link/"')
    form = page[start : page.index("</form>", start)]
    data = {}
    for match in re.finditer(r'<input[^>]*name="([a-z_]+)"[^>]*>', form):
        value = re.search(r'value="([^"]*)"', match.group(0))
        data[match.group(1)] = html.unescape(value.group(1)) if value else ""
    data.pop("csrfmiddlewaretoken", None)
    data["language"] = invitation.language
    return data


def test_a_new_link_sent_from_a_page_opened_before_a_colleague_moved_the_visit_keeps_the_new_time(front_desk):
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=days_ahead_at(3))
    first, colleague = _desk(front_desk), _desk(front_desk)
    stale = _new_link_form_as_shown(first, invitation)
    moved = timezone.localtime(invitation.appointment_at).replace(hour=14, minute=0, second=0, microsecond=0) + 2 * DAY
    by_colleague = {**_change_form_as_shown(colleague, invitation), "change-appointment_at": _local(moved)}
    assert colleague.post(f"/staff/invitations/{invitation.pk}/details/", by_colleague).status_code == 302

    response = first.post(f"/staff/invitations/{invitation.pk}/new-link/", stale)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.link_version == 2  # the new link went
    assert invitation.appointment_at == moved  # and the visit stayed where the colleague moved it


def test_a_new_link_for_a_time_typed_on_a_stale_page_after_a_colleague_moved_the_visit_is_refused(front_desk):
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=days_ahead_at(3))
    first, colleague = _desk(front_desk), _desk(front_desk)
    stale = _new_link_form_as_shown(first, invitation)
    base = timezone.localtime(invitation.appointment_at).replace(second=0, microsecond=0)
    by_colleague = {**_change_form_as_shown(colleague, invitation), "change-appointment_at": _local(base + 2 * DAY)}
    colleague.post(f"/staff/invitations/{invitation.pk}/details/", by_colleague)

    response = first.post(
        f"/staff/invitations/{invitation.pk}/new-link/", {**stale, "appointment_at": _local(base + 3 * DAY)}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The appointment was changed after this page was opened" in page
    assert _local(base + 3 * DAY) in page
    invitation.refresh_from_db()
    assert invitation.link_version == 1  # no link sent
    assert invitation.appointment_at == base + 2 * DAY


def test_a_change_sent_twice_by_a_double_click_says_it_is_saved_not_that_nothing_changed(front_desk):
    """The second click's request goes before the first one's answer comes, and its answer is the page the person
    sees: it said only "Nothing was changed: the appointment, email and language are as they were" (the first one's
    "Saved" and its closed-hours warning never shown), read as the new time not saved."""
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=days_ahead_at(3))
    first_click, second_click = _desk(front_desk), _desk(front_desk)
    shown = _change_form_as_shown(first_click, invitation)
    sunday = timezone.localtime(invitation.appointment_at).replace(hour=14, minute=0, second=0, microsecond=0)
    sunday += datetime.timedelta(days=(6 - sunday.weekday()) % 7 or 7)
    sent = {**shown, "change-appointment_at": _local(sunday)}
    assert first_click.post(f"/staff/invitations/{invitation.pk}/details/", sent).status_code == 302

    page = second_click.post(f"/staff/invitations/{invitation.pk}/details/", sent, follow=True).content.decode()

    invitation.refresh_from_db()
    assert invitation.appointment_at == sunday
    assert "Nothing was changed" not in page
    assert "Already saved" in page
    assert "the clinic is closed then" in page


def test_a_new_link_from_a_page_showing_a_time_since_passed_goes_once_a_colleague_moved_the_visit(
    front_desk, time_machine
):
    """The page showed the visit at a time that has passed since; meanwhile a colleague moved the visit to next week.
    "Change the appointment or details" from that page keeps the colleague's time; "Make a new link" refused it as
    "This appointment has passed", about a time no longer on file, and sent nothing."""
    start = timezone.localtime().replace(second=0, microsecond=0)
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=start + datetime.timedelta(hours=2))
    stale = _new_link_form_as_shown(_desk(front_desk), invitation)
    time_machine.move_to(start + datetime.timedelta(hours=3), tick=False)  # the time the page showed has passed
    colleague = _desk(front_desk)
    moved = start.replace(hour=14, minute=0) + 7 * DAY
    by_colleague = {**_change_form_as_shown(colleague, invitation), "change-appointment_at": _local(moved)}
    assert colleague.post(f"/staff/invitations/{invitation.pk}/details/", by_colleague).status_code == 302

    response = _desk(front_desk).post(f"/staff/invitations/{invitation.pk}/new-link/", stale)

    assert response.status_code == 302, "refused as a passed appointment, though the visit is next week"
    invitation.refresh_from_db()
    assert invitation.link_version == 2  # the new link went
    assert invitation.appointment_at == moved


def test_a_new_link_for_a_time_that_has_passed_and_is_still_on_file_is_refused_next_to_its_field(
    front_desk, time_machine
):
    """No colleague moved it: the time the page showed, still the visit's, has passed, and a link for it would end
    before it was opened."""
    start = timezone.localtime().replace(second=0, microsecond=0)
    time_machine.move_to(start, tick=False)
    invitation, _ = make_invitation(email="pat@example.org", appointment_at=start + datetime.timedelta(hours=2))
    stale = _new_link_form_as_shown(_desk(front_desk), invitation)
    time_machine.move_to(start + datetime.timedelta(hours=3), tick=False)

    response = _desk(front_desk).post(
        f"/staff/invitations/{invitation.pk}/new-link/", {**stale, "email": "pat.new@example.org"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This appointment has passed, so a new link would not work." in page
    assert 'href="#id_appointment_at"' in page  # the summary links to the field
    assert "pat.new@example.org" in page  # what was typed is kept
    invitation.refresh_from_db()
    assert invitation.link_version == 1


@pytest.mark.parametrize("form", ["details", "new-link"])
def test_a_change_refused_from_a_page_opened_before_the_same_person_changed_it_in_another_tab_blames_no_colleague(
    front_desk, form
):
    """One person, two tabs of the same invitation: the time moved in the second tab, then another time typed in the
    first. The refusal said "A colleague changed the appointment", sending them to ask around the desk for a change
    they made themselves."""
    invitation, _ = make_invitation(email="pat@example.org")
    me = _desk(front_desk)
    first_tab = _change_form_as_shown(me, invitation) if form == "details" else _new_link_form_as_shown(me, invitation)
    base = timezone.localtime(invitation.appointment_at).replace(second=0, microsecond=0)
    second_tab = {**_change_form_as_shown(me, invitation), "change-appointment_at": _local(base + 2 * DAY)}
    assert me.post(f"/staff/invitations/{invitation.pk}/details/", second_tab).status_code == 302
    field = "change-appointment_at" if form == "details" else "appointment_at"

    response = me.post(f"/staff/invitations/{invitation.pk}/{form}/", {**first_tab, field: _local(base + 3 * DAY)})

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "colleague" not in page.lower()
    assert "The appointment was changed after this page was opened" in page
    # Next to its field, with what was typed kept.
    assert f'href="#id_{field}"' in page
    assert re.search(rf'name="{field}"[^>]*value="{_local(base + 3 * DAY)}"', page) or re.search(
        rf'value="{_local(base + 3 * DAY)}"[^>]*name="{field}"', page
    )
