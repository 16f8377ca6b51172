"""The follow-up list (issue 12): non-responders first, filters, the count answered per time point, who may see it,
the audit trail, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Intake
from tests.dashboard.factories import make_follow_up, make_intake

pytestmark = pytest.mark.django_db
LIST = reverse("dashboard:follow-ups")


def clinic() -> dict[str, Intake]:
    """Four patients: one answered 6 weeks and 3 months, one overdue at 6 weeks, one waiting, one due not sent."""
    answered = make_intake("routine_plain", name="Ann Answered")
    make_follow_up(answered, "6w", sent_days_ago=60)
    make_follow_up(answered, "3m", sent_days_ago=5)
    overdue = make_intake("routine_plain", name="Otto Overdue")
    make_follow_up(overdue, "6w", sent_days_ago=12, answered=False)
    waiting = make_intake("routine_plain", name="Wes Waiting")
    make_follow_up(waiting, "6w", sent_days_ago=2, answered=False)
    make_follow_up(waiting, "12m", sent_days_ago=None, answered=False)  # not due yet: not listed by default
    return {"answered": answered, "overdue": overdue}


def test_non_responders_come_first_then_sent_then_answered(client, clinician):
    clinic()
    client.force_login(clinician)
    rows = client.get(LIST).context["rows"]
    assert [(row.patient_name, row.time_point, row.status) for row in rows] == [
        ("Otto Overdue", "6w", "overdue"),
        ("Wes Waiting", "6w", "sent"),
        ("Ann Answered", "6w", "answered"),
        ("Ann Answered", "3m", "answered"),
    ]


def test_the_response_rate_counts_answered_follow_ups_per_time_point(client, clinician):
    clinic()
    client.force_login(clinician)
    rates = {rate.time_point: rate for rate in client.get(LIST).context["rates"]}
    assert (rates["6w"].sent, rates["6w"].answered, rates["6w"].overdue, rates["6w"].percent) == (3, 1, 1, 33)
    assert (rates["3m"].sent, rates["3m"].answered, rates["3m"].percent) == (1, 1, 100)
    assert (rates["12m"].sent, rates["12m"].percent) == (0, None)
    html = client.get(LIST).content.decode()
    assert '<tr data-time-point="6w"><th scope="row">6 weeks</th><td class="text-end">3</td>' in html


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": "overdue"}, ["Otto Overdue"]),
        ({"status": "upcoming"}, ["Wes Waiting"]),
        ({"time_point": "3m"}, ["Ann Answered"]),
        ({"status": "answered", "time_point": "6w"}, ["Ann Answered"]),
    ],
)
def test_the_list_filters_by_status_and_time_point(client, clinician, params, names):
    clinic()
    client.force_login(clinician)
    assert [row.patient_name for row in client.get(LIST, params).context["rows"]] == names


def test_front_desk_sees_names_dates_and_status_but_no_link_to_answers(client, front_desk):
    people = clinic()
    client.force_login(front_desk)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Otto Overdue" in html
    assert reverse("dashboard:patient", args=[people["overdue"].patient_id]) not in html
    assert "/staff/intakes/" not in html


def test_the_list_is_in_the_staff_menu_and_its_views_are_audited(client, front_desk):
    visits = clinic()
    client.force_login(front_desk)
    html = client.get(reverse("dashboard:queue")).content.decode()
    assert f'href="{LIST}"' in html
    client.get(LIST, {"status": "overdue"})
    event = AuditEvent.objects.filter(action="viewed_follow_ups").get()
    assert event.actor == front_desk
    assert "status=overdue" in event.detail
    assert "Otto" not in event.detail
    # Whose names the page showed: the overdue patient's visit, not the others.
    assert list(event.intakes.values_list("intake_id", flat=True)) == [visits["overdue"].pk]


def test_the_list_costs_the_same_queries_with_few_or_many_follow_ups(client, clinician):
    client.force_login(clinician)
    counts = []
    for patients in (1, 6):
        for number in range(patients):
            visit = make_intake("routine_plain", seed=number)
            make_follow_up(visit, "6w", sent_days_ago=number * 3, answered=number % 2 == 0, seed=number)
        client.get(LIST)
        with CaptureQueriesContext(connection) as captured:
            client.get(LIST)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_bad_filter_gets_a_message_next_to_it_and_the_good_one_still_applies(client, clinician):
    clinic()
    client.force_login(clinician)
    html = client.get(LIST, {"time_point": "3m", "status": "bogus"}).content.decode()
    assert 'id="id_status-error"' in html
    assert "Choose one from the list. The filter was not applied." in html
    assert "Ann Answered" in html  # her 3-month follow-up
    assert "Otto Overdue" not in html  # 6 weeks only: the time point still applies


def test_a_locked_out_patient_comes_first_with_a_way_to_send_a_new_link(client, front_desk):
    """Wrong birth dates locked the link: the patient cannot answer at all, so the row says so, ahead of every
    overdue one, and takes front desk to the page that sends a new link (it used to read "Overdue")."""
    from django.utils import timezone

    from intake.models import Invitation

    clinic()
    locked = make_follow_up(make_intake("routine_plain", name="Lou Locked"), "6w", sent_days_ago=9, answered=False)
    Invitation.objects.filter(pk=locked.invitation_id).update(locked_at=timezone.now())
    client.force_login(front_desk)
    response = client.get(LIST)
    assert [(row.patient_name, row.status_label) for row in response.context["rows"]][:2] == [
        ("Lou Locked", "Link locked"),
        ("Otto Overdue", "Overdue"),
    ]
    detail = reverse("intake:invitation-detail", args=[locked.invitation_id])
    assert f'<a class="d-inline-block" href="{detail}">Send a new link' in response.content.decode()
    assert client.get(detail).context["can_resend_follow_up"] is True
    assert [row.patient_name for row in client.get(LIST, {"status": "locked"}).context["rows"]] == ["Lou Locked"]


def test_a_follow_up_past_its_last_day_unanswered_is_closed_not_overdue(client, clinician):
    from intake.models import Invitation

    clinic()
    missed = make_follow_up(make_intake("routine_plain", name="Mia Missed"), "6w", sent_days_ago=40, answered=False)
    client.force_login(clinician)
    statuses = {row.patient_name: row.status for row in client.get(LIST).context["rows"]}
    assert (statuses["Mia Missed"], statuses["Otto Overdue"]) == ("closed", "overdue")
    names = [row.patient_name for row in client.get(LIST).context["rows"]]
    assert names.index("Wes Waiting") < names.index("Mia Missed") < names.index("Ann Answered")
    assert Invitation.objects.get(pk=missed.invitation_id).locked_at is None
    rates = {rate.time_point: rate for rate in client.get(LIST).context["rates"]}
    assert (rates["6w"].sent, rates["6w"].overdue) == (4, 1)  # Otto only: the rate agrees with the list


def test_a_follow_up_is_overdue_7_calendar_days_after_it_was_sent_across_a_clock_change(
    client, clinician, time_machine
):
    """Sent on 10 March at 10:00, before the clocks went forward: overdue from 17 March at 10:00, when its reminder
    goes (intake.services.reminders), not at 11:00 as 7 days of 24 hours made it."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    time_machine.move_to(datetime.datetime(2027, 3, 10, 10, 0, tzinfo=new_york), tick=False)
    make_follow_up(make_intake("routine_plain", name="Otto Overdue"), "6w", sent_days_ago=0, answered=False)
    time_machine.move_to(datetime.datetime(2027, 3, 17, 10, 30, tzinfo=new_york), tick=False)
    client.force_login(clinician)
    assert [row.status for row in client.get(LIST).context["rows"]] == ["overdue"]


def test_a_follow_up_whose_link_staff_sent_again_yesterday_is_waiting_not_overdue(client, clinician, time_machine):
    """Sent 12 days ago, and sent again by staff yesterday ("Send a new link": the patient lost the message): its
    reminder counts a week from that new link (intake.services.reminders), and the list said "Overdue" from the
    first sending, counted it in the overdue column, and put it ahead of the ones that really were."""
    from django.utils import timezone

    from intake.models import Invitation
    from intake.services import follow_ups

    time_machine.move_to(timezone.now(), tick=False)
    start = timezone.now()
    clinic()
    resent = make_follow_up(make_intake("routine_plain", name="Rita Resent"), "6w", sent_days_ago=11, answered=False)
    assert follow_ups.resend_link(Invitation.objects.get(pk=resent.invitation_id), now=start)
    time_machine.move_to(start + datetime.timedelta(days=1), tick=False)
    client.force_login(clinician)
    response = client.get(LIST)
    statuses = {row.patient_name: row.status for row in response.context["rows"]}
    assert (statuses["Rita Resent"], statuses["Otto Overdue"]) == ("sent", "overdue")
    rates = {rate.time_point: rate for rate in response.context["rates"]}
    assert (rates["6w"].sent, rates["6w"].overdue) == (4, 1)  # Otto only
    assert [row.patient_name for row in client.get(LIST, {"status": "overdue"}).context["rows"]] == ["Otto Overdue"]
    # A week after the new link (its reminder's day), it is overdue again.
    time_machine.move_to(follow_ups.days_after(start, 7) + datetime.timedelta(minutes=1), tick=False)
    client.force_login(clinician)  # a week on: a new sign-in
    statuses = {row.patient_name: row.status for row in client.get(LIST).context["rows"]}
    assert statuses["Rita Resent"] == "overdue"


def test_a_filter_with_a_mistake_says_error_in_the_page_title(client, clinician):
    client.force_login(clinician)
    assert "<title>Follow-ups" in client.get(LIST).content.decode()
    bad = client.get(LIST, {"status": "nonsense"}).content.decode()
    assert "<title>Error: Follow-ups" in bad
