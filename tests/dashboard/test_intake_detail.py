"""One intake: plain-language answers, flags with reasons, running summary, history, audit, and marking reviewed."""

from __future__ import annotations

import datetime
import random
import threading

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from dashboard.demo import answers_for
from intake.models import Intake, Level, ReviewNote
from intake.rules.questionnaire import CE_QUESTION_CODES, PAGES, QUESTIONS, STEP_SLUGS
from intake.rules.triage import FLAGS_BY_CODE, RULES_VERSION
from intake.services import (
    acknowledge_emergency,
    create_invitation,
    mark_reviewed,
    record_red_flags,
    save_page,
    save_step,
    start_intake,
    submit_intake,
)
from tests.dashboard.factories import make_intake

pytestmark = pytest.mark.django_db
PAGE_QUESTIONS = {page.slug: page.questions for page in PAGES}


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


def test_the_onset_of_a_cauda_equina_sign_taken_back_is_shown_beside_its_latched_flag(client, clinician):
    """docs/clinical/TRIAGE.md: `ce_onset` is shown to staff next to the flags. A patient who ticked saddle
    numbness, said it started in the last 14 days, then changed the sign to "no" keeps CE1 (latched); the page said
    "Onset ...: see the safety answers below", where the onset was not listed (a question no longer asked is not
    listed)."""
    now = timezone.now()
    answers = answers_for("routine_plain", rng=random.Random(0), today=timezone.localdate())
    answers["phone"] = "+12015550123"
    invitation, _ = create_invitation(
        patient_name="Orla Onset",
        email="",
        date_of_birth=answers["date_of_birth"],
        appointment_at=now + datetime.timedelta(days=3),
        created_by=None,
        send_email=False,
    )
    intake = start_intake(invitation)
    record_red_flags(intake, {"ce_saddle_numbness": "yes"}, now=now)
    save_page(intake, "safety", {"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"}, now=now)
    save_page(intake, "safety_onset", {"ce_onset": "within_14_days"}, now=now)
    acknowledge_emergency(intake, now=now)
    save_page(intake, "safety", {"ce_saddle_numbness": "no", "ce_wiping_sensation": "no"}, now=now)
    for slug in ("safety_bladder", "safety_legs"):
        asked = {question.code for question in PAGE_QUESTIONS[slug]}
        save_page(intake, slug, {code: "no" for code in CE_QUESTION_CODES if code in asked}, now=now)
    for slug in STEP_SLUGS[1:]:
        save_step(intake, slug, answers, now=now)
    intake = submit_intake(intake, now=now)
    assert intake.level == Level.URGENT
    assert intake.answers["ce_onset"] == "within_14_days"
    client.force_login(clinician)
    html = client.get(detail(intake)).content.decode()
    panel = html[html.index('id="flags-title"') : html.index("</section>", html.index('id="flags-title"'))]
    assert "Saddle numbness" in panel
    assert "In the last 14 days" in panel
    assert "see the safety answers below" not in html


def test_the_intake_page_says_which_language_the_patient_reads_before_anyone_phones_them(client, clinician):
    """The urgent alert's link opens this page ("phone the patient now"); a patient whose form and e-mails were in
    Spanish was phoned in English with nothing on the page to say so (the alert e-mail carries no patient detail)."""
    from intake.models import Invitation

    intake = make_intake("urgent_saddle_bladder")
    Invitation.objects.filter(pk=intake.invitation_id).update(language="es")
    client.force_login(clinician)
    html = client.get(detail(intake)).content.decode()
    assert '<div><dt>Language</dt><dd class="patient-language">Spanish (español)</dd></div>' in html
    english = make_intake("urgent_bowel")
    html = client.get(detail(english)).content.decode()
    assert '<dd class="patient-language">English</dd>' in html
