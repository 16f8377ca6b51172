"""One intake: plain-language answers, flags with reasons, running summary, history, audit, and marking reviewed."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from intake.models import Intake, ReviewNote
from intake.rules.questionnaire import QUESTIONS
from intake.rules.triage import FLAGS_BY_CODE, RULES_VERSION
from intake.services import mark_reviewed
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db


def detail(intake: Intake) -> str:
    return reverse("dashboard:intake", args=[intake.pk])


def test_clinician_sees_answers_in_plain_language_grouped_by_step(client, clinician):
    intake = make_intake("urgent_saddle_bladder", name="Ann Urgent")
    client.force_login(clinician)
    html = client.get(detail(intake)).content.decode()
    assert "Safety check" in html
    assert escape(QUESTIONS["ce_saddle_numbness"].label) in html
    assert "In the last 14 days" in html  # ce_onset shown by its label, not its code
    assert "within_14_days" not in html
    assert "Your running" in html


def test_why_the_intake_was_flagged_comes_first_before_the_questionnaires_and_the_scores(client, clinician):
    """A clinician opening an urgent intake reads the reason at the top, not under the outcome charts."""
    intake = make_intake("urgent_saddle_bladder")
    client.force_login(clinician)
    html = client.get(detail(intake)).content.decode()
    order = [html.index(f'id="{section}-title"') for section in ("flags", "questionnaires", "pain", "answers")]
    assert order == sorted(order)


def test_flags_show_reasons_and_rules_version_and_the_screening_note(client, clinician):
    intake = make_intake("urgent_saddle_bladder")
    client.force_login(clinician)
    html = client.get(detail(intake)).content.decode()
    assert escape(FLAGS_BY_CODE["CE1"].reason) in html
    assert escape(FLAGS_BY_CODE["CE3"].reason) in html
    assert f"Rules version {RULES_VERSION}" in html
    assert "Screening support, not diagnosis." in html


def test_running_summary_shows_weekly_distance_and_its_change_in_percent(client, clinician, settings):
    settings.CLINIC_UNITS = "metric"  # a US clinic reads miles: tests/dashboard/test_units_on_staff_pages.py
    intake = make_intake("routine_mileage_jump")
    intake.answers.update({"weekly_distance": 52, "weekly_distance_before": 34, "distance_unit": "km"})
    intake.save()
    client.force_login(clinician)
    response = client.get(detail(intake))
    html = response.content.decode()
    assert "52 km a week" in html
    assert "before: 34 km a week" in html
    assert "+53%" in html
    assert "0 sessions a week" in html
    assert "16 months old" in html


def test_pain_scores_articles_and_invitation_history_are_shown(client, clinician):
    intake = make_intake("sciatica_below_knee")
    client.force_login(clinician)
    response = client.get(detail(intake))
    html = response.content.decode()
    assert [score.score for score in response.context["pain"]] == [
        int(intake.answers[c]) for c in ("pain_now", "pain_week_avg", "pain_interference")
    ]
    assert intake.recommended_articles
    assert response.context["articles"][0][0] == intake.recommended_articles[0]
    assert "Invitation created" in html
    assert "Submitted" in html


def test_every_open_is_recorded_in_the_audit_trail(client, clinician):
    intake = make_intake()
    client.force_login(clinician)
    client.get(detail(intake))
    client.get(detail(intake))
    events = AuditEvent.objects.filter(action="viewed_intake", intake_id=intake.pk)
    assert events.count() == 2
    assert {e.actor_username for e in events} == {"clinician"}


def test_unknown_intake_is_404_and_front_desk_and_editors_are_refused(client, clinician, front_desk, editor):
    intake = make_intake()
    client.force_login(clinician)
    assert client.get(reverse("dashboard:intake", args=[999999])).status_code == 404
    for user in (front_desk, editor):
        client.force_login(user)
        assert client.get(detail(intake)).status_code == 403
        assert client.post(reverse("dashboard:review", args=[intake.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="viewed_intake").exists()


def test_mark_reviewed_records_who_when_and_the_note_and_the_queue_moves_it_down(client, clinician):
    urgent = make_intake("urgent_bowel", name="Ann Urgent")
    make_intake("routine_plain", name="Rob Routine")
    client.force_login(clinician)
    response = client.post(
        reverse("dashboard:review", args=[urgent.pk]), {"outcome": "emergency_care", "note": "Called her; sent to A&E."}
    )
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.is_reviewed
    assert urgent.reviewed_by == clinician
    assert urgent.reviewed_at is not None
    assert list(urgent.review_notes.values_list("text", flat=True)) == ["Called her; sent to A&E."]
    assert AuditEvent.objects.filter(action="reviewed_intake", intake_id=urgent.pk).exists()
    page = client.get(response["Location"]).content.decode()
    assert "marked reviewed" in page
    assert "Called her; sent to A&amp;E." in page
    rows = client.get(reverse("dashboard:queue")).context["rows"]
    assert [row.patient_name for row in rows] == ["Rob Routine", "Ann Urgent"]


def test_a_second_review_keeps_the_first_reviewer_and_adds_the_note(client, clinician, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("second", first_name="Sam", last_name="Second")
    other.groups.add(Group.objects.get(name="Clinicians"))
    intake = make_intake("urgent_bowel")
    mark_reviewed(intake, by=clinician, note="First note", outcome="emergency_care")
    client.force_login(other)
    response = client.post(reverse("dashboard:review", args=[intake.pk]), {"note": "Second note"}, follow=True)
    assert "already reviewed by Clinician Tester" in response.content.decode()
    intake.refresh_from_db()
    assert intake.reviewed_by == clinician
    assert list(intake.review_notes.values_list("text", flat=True)) == ["First note", "Second note"]


def test_a_note_that_is_too_long_gets_a_message_and_nothing_is_saved(client, clinician):
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    response = client.post(reverse("dashboard:review", args=[intake.pk]), {"note": "x" * 2001})
    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters" in response.content.decode()
    intake.refresh_from_db()
    assert not intake.is_reviewed
    assert not ReviewNote.objects.exists()


def test_a_note_of_2000_characters_with_line_breaks_is_saved_as_typed(client, clinician):
    """The browser's box counts a line break as one character and sends two ("\r\n"): a note the box allowed was
    refused as 2,086 characters long."""
    intake = make_intake("urgent_bowel")
    client.force_login(clinician)
    lines = ["x" * 22] * 87  # 87 lines of 22 and 86 breaks between them: 2,000 characters as typed
    typed = "\r\n".join(lines)
    response = client.post(
        reverse("dashboard:review", args=[intake.pk]), {"note": typed, "outcome": "emergency_care"}, follow=True
    )
    assert response.status_code == 200
    assert ReviewNote.objects.get().text == "\n".join(lines)


@pytest.mark.django_db(transaction=True)
def test_two_clinicians_reviewing_at_once_get_no_error_and_both_notes_are_kept(clinician, django_user_model):
    from django.contrib.auth.models import Group
    from django.db import connection

    other = django_user_model.objects.create_user("second")
    other.groups.add(Group.objects.get(name="Clinicians"))
    intake = make_intake("urgent_bowel")
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def review(user, note):
        try:
            barrier.wait()
            outcomes.append(
                mark_reviewed(Intake.objects.get(pk=intake.pk), by=user, note=note, outcome="emergency_care")
            )
        except Exception as error:  # the test reports it below
            errors.append(error)
        finally:
            connection.close()

    if connection.vendor == "sqlite":
        pytest.skip("SQLite allows one writer at a time; the race is exercised on PostgreSQL")
    threads = [threading.Thread(target=review, args=(u, n)) for u, n in ((clinician, "A"), (other, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.newly_reviewed for o in outcomes) == [False, True]
    assert sorted(ReviewNote.objects.filter(intake=intake).values_list("text", flat=True)) == ["A", "B"]
