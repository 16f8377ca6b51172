"""The patient page (issue 12): the patient's questionnaires in order with their flags, a chart per measure with the
change since before the visit, phone numbers, the audit trail, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dashboard import scores
from intake.models import Intake, Invitation
from intake.rules.answers import from_json
from outcomes import registry
from outcomes.instruments.scoring import score
from tests.dashboard.factories import make_follow_up, make_intake

pytestmark = pytest.mark.django_db


def page(intake_id: int) -> str:
    return reverse("dashboard:intake", args=[intake_id])


def peg(intake) -> str:
    result = score(registry.instrument("peg"), from_json(intake.answers))
    assert result is not None
    return str(result.value)


def test_the_patient_page_shows_both_points_and_the_change_for_an_intake_and_a_follow_up(client, clinician):
    visit = make_intake("routine_plain", name="Pat Better")
    follow_up = make_follow_up(visit, "6w", trend="better")
    answered = follow_up.invitation.intake
    client.force_login(clinician)
    response = client.get(page(answered.pk))
    html = response.content.decode()
    assert "Follow-up 6 weeks" in html
    assert "Pre-visit intake" in html
    peg_chart = next(chart for chart in response.context["record"].charts if chart.code == "peg")
    before, after = (point.value for point in peg_chart.points)
    assert (str(before), str(after)) == (peg(visit), peg(answered))
    assert after < before
    change = after - before
    assert f"Change since before the visit: {change:+}" in html
    assert "Better: a change that matters" in html
    # the same page from the pre-visit intake's side, and from the patient's address
    for url in (page(visit.pk), reverse("dashboard:patient", args=[visit.patient_id])):
        assert f"Change since before the visit: {change:+}" in client.get(url).content.decode()


def test_the_chart_table_lists_each_questionnaire_with_its_score_change_and_verdict(client, clinician):
    visit = make_intake("routine_plain", name="Pat Worse")
    answered = make_follow_up(visit, "6w", trend="worse").invitation.intake
    client.force_login(clinician)
    html = client.get(page(visit.pk)).content.decode()
    table = html[html.index('data-measure="peg"') :]
    table = table[: table.index("</table>")]
    assert '<th scope="row">Before the visit</th>' in table
    assert f'<td class="text-end">{peg(visit)}</td>' in table
    assert '<th scope="row">6 weeks</th>' in table
    assert f'<td class="text-end">{peg(answered)}</td>' in table
    assert "Worse: a change that matters" in table


def test_each_charts_caption_names_its_measure_once(client, clinician):
    visit = make_intake("routine_plain", name="Pat Caption")
    client.force_login(clinician)
    html = client.get(page(visit.pk)).content.decode()
    assert 'class="h6 mb-1">PEG (pain, enjoyment of life, general activity)</figcaption>' in html  # not "PEG: PEG (…"
    assert 'class="h6 mb-1">PSFS: Patient-Specific Functional Scale</figcaption>' in html


def test_questionnaires_are_listed_in_order_with_their_status_and_flags(client, clinician):
    visit = make_intake("sciatica_below_knee", name="Sam Order")
    make_follow_up(visit, "6w")
    make_follow_up(visit, "3m", answered=False, sent_days_ago=2)
    make_follow_up(visit, "12m", sent_days_ago=None, answered=False)
    client.force_login(clinician)
    record = client.get(page(visit.pk)).context["record"]
    assert [(entry.label, entry.status) for entry in record.questionnaires] == [
        ("Pre-visit intake", "answered"),
        ("Follow-up 6 weeks", "answered"),
        ("Follow-up 3 months", "sent"),
        ("Follow-up 12 months", "upcoming"),
    ]
    assert "SC1" in {flag.code for flag in record.questionnaires[0].flags}


def test_front_desk_cannot_open_the_patient_page(client, front_desk):
    visit = make_intake("routine_plain")
    make_follow_up(visit)
    client.force_login(front_desk)
    assert client.get(page(visit.pk)).status_code == 403
    assert client.get(reverse("dashboard:patient", args=[visit.patient_id])).status_code == 403


def test_the_phone_is_shown_as_a_link_a_phone_can_dial(client, clinician):
    visit = make_intake("routine_plain", phone="+12015550123")
    client.force_login(clinician)
    html = client.get(page(visit.pk)).content.decode()
    assert 'href="tel:+1-201-555-0123"' in html
    assert "(201) 555-0123" in html


def test_opening_the_patient_page_is_audited_with_the_questionnaires_whose_scores_it_shows(client, clinician):
    visit = make_intake("routine_plain")
    answered = make_follow_up(visit).invitation.intake
    client.force_login(clinician)
    client.get(page(visit.pk))
    event = AuditEvent.objects.get(action="viewed_intake", intake_id=visit.pk)
    assert str(answered.pk) in event.detail


def test_the_trail_filtered_by_any_questionnaire_the_patient_page_showed_finds_that_viewing(
    client, clinician, administrator
):
    """The page opened on one questionnaire lists the patient's others with their levels and flags, and charts the
    scores of its visit's: the trail's filter by one of those intakes found no sign that anyone saw it."""
    earlier = make_intake("sciatica_below_knee", appointment_at=timezone.now() - datetime.timedelta(days=400))
    later = make_intake("routine_plain")
    Invitation.objects.filter(pk=later.invitation_id).update(patient_id=earlier.patient_id)
    Intake.objects.filter(pk=later.pk).update(patient_id=earlier.patient_id)
    later.refresh_from_db()
    answered = make_follow_up(later).invitation.intake
    client.force_login(clinician)
    record = client.get(page(later.pk)).context["record"]
    assert "SC1" in {flag.code for entry in record.questionnaires for flag in entry.flags}
    client.force_login(administrator)
    for shown in (earlier, answered):
        events = client.get(reverse("dashboard:audit"), {"intake": shown.pk}).context["page"]
        assert [(event.action, event.intake_id, event.actor_username) for event in events] == [
            ("viewed_intake", later.pk, clinician.username)
        ]


def test_the_patient_page_costs_the_same_queries_with_one_or_three_follow_ups(client, clinician):
    client.force_login(clinician)
    counts = []
    for points in (("6w",), ("6w", "3m", "12m")):
        visit = make_intake("routine_plain")
        for seed, point in enumerate(points):
            make_follow_up(visit, point, seed=seed)
        client.get(page(visit.pk))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(visit.pk)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_time_points_read_as_words():
    assert [scores.time_point_label(code) for code in scores.time_points()] == [
        "Before the visit",
        "6 weeks",
        "3 months",
        "12 months",
    ]
    assert scores.questionnaire_label("follow_up", "3m") == "Follow-up 3 months"


def test_a_follow_ups_answers_are_listed_with_the_follow_up_forms_own_questions(client, clinician):
    from django.utils.html import escape

    from intake.rules.follow_up import GLOBAL_CHANGE

    visit = make_intake("routine_plain")
    answered = make_follow_up(visit, "6w").invitation.intake
    client.force_login(clinician)
    html = client.get(page(answered.pk)).content.decode()
    assert escape(GLOBAL_CHANGE.label) in html
    assert "Your running" not in html  # the intake's steps are not the follow-up's


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"expires_at": "past"}, "Closed"),
        ({"locked_at": "now"}, "Link locked"),
    ],
)
def test_a_closed_or_locked_follow_up_is_worded_on_the_patient_page(client, clinician, change, words):
    visit = make_intake("routine_plain", name="Pat Waiting")
    follow_up = make_follow_up(visit, "6w", sent_days_ago=3, answered=False)
    now = timezone.now()
    values = {
        "expires_at": now - datetime.timedelta(hours=1)
        if change.get("expires_at")
        else now + datetime.timedelta(days=5),
    }
    if change.get("locked_at"):
        values["locked_at"] = now
    Invitation.objects.filter(pk=follow_up.invitation_id).update(**values)
    client.force_login(clinician)
    response = client.get(reverse("dashboard:intake", args=[visit.pk]))
    entry = next(e for e in response.context["record"].questionnaires if e.label == "Follow-up 6 weeks")
    html = response.content.decode()
    # The follow-up list words it; the patient page printed the bare code ("closed", "locked") (the stop-34 audit).
    assert f'<span class="questionnaire-status status-{entry.status}">{entry.status}</span>' not in html
    assert entry.status_words.startswith(words), entry.status_words
    assert entry.status_words in html
