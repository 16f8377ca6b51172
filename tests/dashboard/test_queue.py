"""The intake queue: what needs action first, who may see what, filters, search and counts (query counts:
test_queue_queries.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.views import NAME_SEARCH_KEY
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db
QUEUE = reverse("dashboard:queue")


def names_in_order(response) -> list[str]:
    return [row.patient_name for row in response.context["rows"]]


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def test_unreviewed_come_first_then_most_urgent_then_soonest_appointment(client, clinician):
    make_intake("routine_plain", name="Routine Soon", appointment_at=in_days(1))
    make_intake("urgent_bowel", name="Urgent Reviewed", appointment_at=in_days(1), is_reviewed=True)
    make_intake("sciatica_below_knee", name="Sciatica", appointment_at=in_days(1))
    make_intake("serious_cancer", name="Serious Later", appointment_at=in_days(5))
    make_intake("serious_fracture", name="Serious Sooner", appointment_at=in_days(2))
    make_intake("urgent_saddle_bladder", name="Urgent Waiting", appointment_at=in_days(9))
    client.force_login(clinician)
    response = client.get(QUEUE)
    assert names_in_order(response) == [
        "Urgent Waiting",
        "Serious Sooner",
        "Serious Later",
        "Sciatica",
        "Routine Soon",
        "Urgent Reviewed",
    ]


def test_an_urgent_intake_not_sent_yet_is_in_the_queue_but_unassessed_ones_are_not(client, clinician):
    make_intake("urgent_both_legs", name="Still Answering", safety_only=True)
    make_intake("routine_plain", name="Not Assessed", level=None)
    client.force_login(clinician)
    response = client.get(QUEUE)
    assert names_in_order(response) == ["Still Answering"]
    assert "Not sent yet" in response.content.decode()
    assert "safety step" not in response.content.decode()  # a red flag can come from any page of the form


def test_each_row_shows_level_as_a_word_short_flags_and_who_reviewed(client, clinician):
    make_intake("urgent_saddle_bladder", name="Ann Urgent")
    make_intake("routine_plain", name="Rob Routine", is_reviewed=True, reviewed_by=clinician)
    client.force_login(clinician)
    html = client.get(QUEUE).content.decode()
    assert re.search(r'class="level-badge level-urgent">.*Urgent</span>', html)
    assert "Saddle numbness" in html
    assert "Bladder" in html
    assert "✓ Clinician Tester" in html
    assert "Not reviewed" in html


def test_unreviewed_urgent_intakes_raise_a_banner_and_counts_per_level(client, clinician):
    make_intake("urgent_saddle_bladder")
    make_intake("urgent_bowel")
    make_intake("urgent_both_legs", is_reviewed=True)
    make_intake("serious_cancer")
    client.force_login(clinician)
    response = client.get(QUEUE)
    html = response.content.decode()
    assert 'class="urgent-banner" role="alert"' in html
    assert "2 urgent intakes not reviewed." in html
    counts = {c.level.code: (c.unreviewed, c.total) for c in response.context["counts"]}
    assert counts == {"urgent": (2, 3), "serious": (1, 1), "sciatica": (0, 0), "routine": (0, 0)}


def test_the_totals_stay_right_when_a_reviewed_intake_is_reopened_by_new_red_flags(client, clinician):
    """The reviewed counts are kept between requests: a reopen moves an intake from reviewed to waiting without a
    newer intake or review, and the urgent total read one too many for up to ten minutes (the stop-29 audit)."""
    from intake.models import Intake
    from intake.services import mark_reviewed, record_red_flags

    make_intake("urgent_saddle_bladder")
    reopened = make_intake("urgent_bowel", safety_only=True)
    mark_reviewed(reopened, by=clinician, outcome="same_day_call_advice")
    client.force_login(clinician)
    counts = {c.level.code: (c.unreviewed, c.total) for c in client.get(QUEUE).context["counts"]}
    assert counts["urgent"] == (1, 2)
    record_red_flags(Intake.objects.get(pk=reopened.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now())
    counts = {c.level.code: (c.unreviewed, c.total) for c in client.get(QUEUE).context["counts"]}
    assert counts["urgent"] == (2, 2)


def test_no_banner_when_every_urgent_intake_is_reviewed(client, clinician):
    make_intake("urgent_bowel", is_reviewed=True)
    client.force_login(clinician)
    assert "urgent-banner" not in client.get(QUEUE).content.decode()


def test_filters_by_level_flag_review_state_and_appointment_dates(client, clinician):
    make_intake("urgent_saddle_bladder", name="Saddle", appointment_at=in_days(1))
    make_intake("serious_cancer", name="Cancer", appointment_at=in_days(3))
    make_intake("serious_fracture", name="Fracture", appointment_at=in_days(10), is_reviewed=True)
    client.force_login(clinician)
    assert names_in_order(client.get(QUEUE, {"level": "serious"})) == ["Cancer", "Fracture"]
    assert names_in_order(client.get(QUEUE, {"flag": "SP1"})) == ["Cancer"]
    assert names_in_order(client.get(QUEUE, {"reviewed": "yes"})) == ["Fracture"]
    start, end = timezone.localdate() + datetime.timedelta(days=2), timezone.localdate() + datetime.timedelta(days=4)
    assert names_in_order(client.get(QUEUE, {"appointment_from": start, "appointment_to": end})) == ["Cancer"]


def test_a_bad_filter_gets_a_message_and_the_other_filters_still_apply(client, clinician):
    make_intake("serious_cancer", name="Cancer")
    make_intake("routine_plain", name="Plain")
    client.force_login(clinician)
    response = client.get(QUEUE, {"level": "serious", "appointment_from": "not-a-date"})
    assert names_in_order(response) == ["Cancer"]
    assert "Enter a valid date." in response.content.decode()


def test_name_search_is_kept_in_the_session_not_the_url(client, clinician):
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("routine_plain", name="James Whitfield")
    client.force_login(clinician)
    response = client.post(reverse("dashboard:queue-search"), {"name": "delga"})
    assert response.status_code == 302
    assert response["Location"].startswith(QUEUE + "?search=")
    assert "delga" not in response["Location"].lower()
    assert client.session[NAME_SEARCH_KEY]["name"] == "delga"
    found = client.get(response["Location"])
    assert names_in_order(found) == ["Maria Delgado"]
    assert "1 intake matching the name “delga”" in found.content.decode()
    client.post(reverse("dashboard:queue-search"), {"name": "delga", "clear": "1"})
    assert len(names_in_order(client.get(response["Location"]))) == 2


def test_a_name_pasted_into_the_search_with_invisible_characters_finds_the_patient(client, clinician):
    make_intake("routine_plain", name="Maria Delgado")
    client.force_login(clinician)
    response = client.post(reverse("dashboard:queue-search"), {"name": "\u200eMaria\u00a0\u200bDelgado"})
    assert names_in_order(client.get(response["Location"])) == ["Maria Delgado"]


def test_the_name_search_lets_go_when_the_queue_is_opened_again(client, clinician):
    """Issue 14: after leaving the queue, its menu link showed "0 intakes matching" an old name search."""
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("routine_plain", name="James Whitfield")
    client.force_login(clinician)
    before = names_in_order(client.get(QUEUE))
    assert sorted(before) == ["James Whitfield", "Maria Delgado"]
    searched = client.post(reverse("dashboard:queue-search"), {"name": "nobody by this name"})["Location"]
    assert names_in_order(client.get(searched)) == []
    client.get("/articles/")
    again = client.get(QUEUE)
    assert names_in_order(again) == before
    assert "matching the name" not in again.content.decode()
    assert "2 intakes" in again.content.decode()


def test_the_name_search_holds_while_filtering_and_paging_and_reaches_the_export(client, clinician):
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("serious_cancer", name="Marta Delgado")
    make_intake("serious_cancer", name="James Whitfield")
    client.force_login(clinician)
    searched = client.post(reverse("dashboard:queue-search"), {"name": "delgado"})["Location"]
    search_id = searched.split("search=")[1]
    html = client.get(searched).content.decode()
    assert f'<input type="hidden" name="search" value="{search_id}">' in html
    assert names_in_order(client.get(QUEUE, {"level": "serious", "search": search_id})) == ["Marta Delgado"]
    export = client.get(reverse("dashboard:export"), {"search": search_id})
    exported = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Maria Delgado" in exported
    assert "Whitfield" not in exported


def test_front_desk_sees_names_times_and_levels_but_no_flags_or_links_to_answers(client, front_desk):
    intake = make_intake("urgent_saddle_bladder", name="Ann Urgent")
    client.force_login(front_desk)
    html = client.get(QUEUE).content.decode()
    assert "Ann Urgent" in html
    assert "level-urgent" in html
    assert "Saddle numbness" not in html
    assert reverse("dashboard:intake", args=[intake.pk]) not in html
    assert "Export" not in html
    assert "Tell the on-call clinician now." in html


def test_content_editor_is_refused_and_anonymous_visitor_goes_to_sign_in(client, editor):
    assert client.get(QUEUE).status_code == 302
    client.force_login(editor)
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("dashboard:queue-search"), {"name": "x"}).status_code == 403


def test_queue_is_paginated_fifty_to_a_page(client, clinician):
    for n in range(55):
        make_intake("routine_plain", seed=n)
    client.force_login(clinician)
    assert len(client.get(QUEUE).context["rows"]) == 50
    assert len(client.get(QUEUE, {"page": 2}).context["rows"]) == 5


def test_weekly_chart_counts_intakes_by_level_in_the_right_week(client, clinician, time_machine):
    # A Wednesday afternoon in the clinic: the factory sends forms an hour before now, which in the first hour of a
    # Monday is last week (the test failed when the suite ran then).
    time_machine.move_to(timezone.make_aware(datetime.datetime(2027, 3, 3, 14, 0)), tick=False)
    make_intake("urgent_bowel")
    make_intake("routine_plain", submitted_at=timezone.now() - datetime.timedelta(weeks=3))
    make_intake("routine_plain", submitted_at=timezone.now() - datetime.timedelta(weeks=20))  # outside the chart
    client.force_login(clinician)
    weeks = client.get(QUEUE).context["weeks"]
    assert len(weeks) == 12
    assert weeks[-1].ordered == [1, 0, 0, 0]
    assert sum(week.total for week in weeks) == 2
    assert "<table" in client.get(QUEUE).content.decode()


def test_new_flags_are_styled_by_their_group_and_the_screening_note_is_shown(client, clinician):
    make_intake("urgent_mscc", name="Mo Mscc")
    make_intake("urgent_sexual", name="Sam Sexual")
    make_intake("serious_foot_drop", name="Fay Foot")
    make_intake("routine_inflammatory", name="Ivy Ibp")
    client.force_login(clinician)
    html = client.get(QUEUE).content.decode()
    assert re.search(r'class="flag-chip flag-urgent" title="[^"]*">Possible MSCC<', html)
    assert re.search(r'class="flag-chip flag-urgent" title="[^"]*">Sexual function<', html)
    assert re.search(r'class="flag-chip flag-serious" title="[^"]*">Foot drop<', html)
    assert re.search(r'class="flag-chip flag-informational" title="[^"]*">Inflammatory back pain<', html)
    assert "screening support, not diagnosis" in html


def test_a_name_search_longer_than_any_name_gets_a_message_and_keeps_the_search_before(client, clinician):
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("routine_plain", name="James Whitfield")
    client.force_login(clinician)
    kept = client.post(reverse("dashboard:queue-search"), {"name": "delga"})["Location"]
    response = client.post(reverse("dashboard:queue-search"), {"name": "x" * 101}, follow=True)
    assert "Type at most 100 characters of the name. The search was not made." in response.content.decode()
    assert names_in_order(client.get(kept)) == ["Maria Delgado"]
    # The page the message is on is that list, not the whole queue (the stop-32 audit of the staff pages).
    assert response.redirect_chain[-1][0] == kept
    assert names_in_order(response) == ["Maria Delgado"]


def test_a_name_search_with_a_null_character_says_what_is_wrong(client, clinician):
    """It said "Type at most 100 characters of the name" for two letters and a NUL (the stop-30 forms audit)."""
    client.force_login(clinician)
    response = client.post(reverse("dashboard:queue-search"), {"name": "ab\x00"}, follow=True)
    page = response.content.decode()
    assert "a character no name has" in page
    assert "Type at most" not in page


def test_a_patient_number_too_large_for_the_database_is_not_found(client, clinician):
    client.force_login(clinician)
    assert client.get("/staff/patients/99999999999999999999999/").status_code == 404


def _alert_waiting_since(minutes: int, *, kind: str = "urgent", status: str = "pending", profile: str = "urgent_bowel"):
    from alerts.models import Alert

    intake = make_intake(profile)
    alert = Alert.objects.create(intake=intake, kind=kind, status=status, next_attempt_at=timezone.now())
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))
    return alert


def test_the_queue_says_when_alert_e_mails_are_not_getting_through(client, front_desk):
    """The mail server down (or refusing, or the worker stopped) for an hour: the on-call heard nothing about a serious
    intake, and nothing on the queue said the alerts were stuck (the serious one raises no banner of its own)."""
    from django.utils.dateformat import format as date_format

    oldest = _alert_waiting_since(50, kind="serious", profile="serious_cancer")
    _alert_waiting_since(20)
    client.force_login(front_desk)
    html = client.get(QUEUE).content.decode()
    assert 'class="alerts-late-banner" role="alert"' in html
    assert "Alert e-mails are not getting through" in html
    assert "2 alerts to the on-call clinician or the clinical lead have waited" in html
    oldest.refresh_from_db()
    assert f"the oldest since {date_format(timezone.localtime(oldest.created_at), 'M j, g:i A T')}" in html
    assert "phone the on-call clinician" in html


def test_no_alert_notice_while_alerts_are_sent_or_only_just_queued(client, clinician):
    _alert_waiting_since(1)
    _alert_waiting_since(30, status="sent")
    _alert_waiting_since(30, status="cancelled")
    client.force_login(clinician)
    assert "alerts-late-banner" not in client.get(QUEUE).content.decode()


def _sweeper_last_ran(minutes_ago: int) -> datetime.datetime:
    from alerts.models import SweeperHeartbeat

    swept_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    SweeperHeartbeat.objects.update_or_create(id=SweeperHeartbeat.ROW, defaults={"swept_at": swept_at})
    return swept_at


def test_the_queue_says_when_the_sweeper_has_stopped(client, front_desk):
    """Its cron line gone or its process dead: no urgent intake was escalated to the lead, and nothing said so."""
    from django.utils.dateformat import format as date_format

    make_intake("routine_plain")
    swept_at = _sweeper_last_ran(20)
    client.force_login(front_desk)
    html = client.get(QUEUE).content.decode()
    assert 'class="sweeper-late-banner" role="alert"' in html
    assert "Escalations are not being checked" in html
    assert f"has not run since {date_format(timezone.localtime(swept_at), 'M j, g:i A T')}" in html
    assert "Watch the urgent intakes below yourselves" in html
    assert "Tell the portal's administrator" in html


def test_the_queue_says_so_when_the_sweeper_never_ran_on_a_portal_in_use(client, clinician):
    """A new portal whose sweeper was never started: the clock runs from the first intake's arrival."""
    from intake.models import Intake

    first = make_intake("routine_plain")
    Intake.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=30))
    make_intake("urgent_bowel")
    client.force_login(clinician)
    assert "sweeper-late-banner" in client.get(QUEUE).content.decode()


@pytest.mark.parametrize("minutes_ago", [None, 1, 4])
def test_no_sweeper_notice_while_it_runs_or_before_its_first_run_is_due(client, clinician, minutes_ago):
    """Never run with the first intake only just in (a new portal), or run within the last few minutes."""
    make_intake("urgent_bowel")
    if minutes_ago is not None:
        _sweeper_last_ran(minutes_ago)
    client.force_login(clinician)
    assert "sweeper-late-banner" not in client.get(QUEUE).content.decode()


def test_no_sweeper_notice_on_a_new_portal_with_no_intakes(client, clinician):
    client.force_login(clinician)
    assert "sweeper-late-banner" not in client.get(QUEUE).content.decode()


def _worker_silent_for(minutes: int | None) -> None:
    """The sweeper's last ping waiting `minutes` for the worker (None: the worker answered it)."""
    from alerts.models import WorkerHeartbeat

    since = None if minutes is None else timezone.now() - datetime.timedelta(minutes=minutes)
    WorkerHeartbeat.objects.update_or_create(id=WorkerHeartbeat.ROW, defaults={"waiting_since": since})


def test_the_queue_says_when_the_worker_has_stopped_though_no_alert_waits(client, front_desk):
    """The worker died in a quiet hour: nothing said so until an urgent intake's alert had sat unsent for two
    minutes, and the on-call heard nothing meanwhile."""
    make_intake("routine_plain")
    _sweeper_last_ran(0)
    _worker_silent_for(20)
    client.force_login(front_desk)
    html = client.get(QUEUE).content.decode()
    assert 'class="worker-late-banner" role="alert"' in html
    assert "The alert worker has not answered for 20 minutes" in html
    assert "alert e-mails will not be sent" in html
    assert "Phone the on-call clinician" in html
    assert "Tell the portal's administrator" in html
    assert "alerts-late-banner" not in html  # no alert waits: this notice is the only one


@pytest.mark.parametrize("minutes", [None, 2])
def test_no_worker_notice_while_it_answers_or_only_just_asked(client, clinician, minutes):
    make_intake("urgent_bowel")
    _sweeper_last_ran(0)
    _worker_silent_for(minutes)
    client.force_login(clinician)
    assert "worker-late-banner" not in client.get(QUEUE).content.decode()


def test_no_worker_notice_on_a_new_portal_the_sweeper_has_not_pinged_yet(client, clinician):
    make_intake("urgent_bowel")
    _sweeper_last_ran(0)
    client.force_login(clinician)
    assert "worker-late-banner" not in client.get(QUEUE).content.decode()


def test_only_the_sweeper_notice_when_the_sweeper_is_the_one_stopped(client, clinician):
    """No sweeper, no pings: its last one says nothing of the worker."""
    make_intake("urgent_bowel")
    _sweeper_last_ran(20)
    _worker_silent_for(20)
    client.force_login(clinician)
    html = client.get(QUEUE).content.decode()
    assert "sweeper-late-banner" in html
    assert "worker-late-banner" not in html


@pytest.mark.parametrize("params", [{}, {"reviewed": "yes"}])  # the call list read off the page, and asked for apart
def test_the_call_today_banner_says_which_patients_answered_in_spanish(client, front_desk, params):
    """The banner lists the urgent patients to phone now; one whose form and e-mails were in Spanish was listed like
    any other, so the caller found out on the phone."""
    from intake.models import Invitation

    spanish = make_intake("urgent_saddle_bladder", name="Ana Urgente", phone="+12015550142")
    Invitation.objects.filter(pk=spanish.invitation_id).update(language="es")
    make_intake("urgent_bowel", name="Ann Urgent", phone="+12015550143")
    client.force_login(front_desk)
    html = client.get(QUEUE, params).content.decode()
    banner = html[html.index('class="urgent-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert "Ana Urgente (form in Spanish): call" in banner
    assert "Ann Urgent: call" in banner


def test_a_page_whose_name_search_has_ended_says_so_instead_of_silently_listing_everyone(client, clinician):
    """Paging or filtering in a tab whose name search a newer search (or "Clear name") ended showed the whole queue
    under the same heading, as if every patient matched."""
    make_intake("routine_plain", name="Maria Delgado")
    make_intake("routine_plain", name="James Whitfield")
    client.force_login(clinician)
    first = client.post(reverse("dashboard:queue-search"), {"name": "delgado"})["Location"]
    client.post(reverse("dashboard:queue-search"), {"name": "whitfield"})  # another tab
    response = client.get(f"{first}&level=routine")
    html = response.content.decode()
    assert "The name search of this list has ended" in html
    export_link = re.search(r'href="([^"]*)">Export this list', html)
    assert export_link is not None
    assert "search=" not in export_link.group(1)
    assert sorted(names_in_order(response)) == ["James Whitfield", "Maria Delgado"]


def test_back_to_the_queue_from_an_intake_keeps_the_filters_and_page_it_was_opened_from(client, clinician):
    """A clinician working through "serious, not reviewed", page 2, opened an intake and reviewed it: "Back to the
    queue" then showed the whole queue from page 1, every filter to set again, after each review."""
    import html as html_text
    from urllib.parse import parse_qs, urlsplit

    def back_link(response) -> dict[str, list[str]]:
        found = re.search(r'href="([^"]*)">← Back to the queue', response.content.decode())
        assert found is not None
        url = urlsplit(html_text.unescape(found.group(1)))
        assert url.path == QUEUE
        return parse_qs(url.query)

    for n in range(51):
        make_intake("serious_cancer", seed=n)
    make_intake("routine_plain", name="Rob Routine")
    client.force_login(clinician)
    listed = client.get(QUEUE, {"level": "serious", "reviewed": "no", "page": "2"})
    wanted = {"level": ["serious"], "reviewed": ["no"], "page": ["2"]}
    page = client.get(listed.context["rows"][0].url)
    assert back_link(page) == wanted

    action = re.search(r'<form method="post" action="([^"]*/review/[^"]*)"', page.content.decode())
    seen = re.search(r'name="seen" value="([^"]*)"', page.content.decode())
    assert action is not None
    assert seen is not None
    reviewed = client.post(
        html_text.unescape(action.group(1)), {"outcome": "routine_appointment", "seen": seen.group(1)}, follow=True
    )
    assert "marked reviewed" in reviewed.content.decode()
    assert back_link(reviewed) == wanted


def test_a_filter_with_a_mistake_says_error_in_the_page_title(client, clinician):
    """As on the staff invitation pages: a screen reader reads the title first."""
    client.force_login(clinician)
    assert "<title>Intake queue" in client.get(QUEUE).content.decode()
    assert "<title>Error: Intake queue" in client.get(QUEUE, {"appointment_from": "not-a-date"}).content.decode()
