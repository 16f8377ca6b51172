"""Old patient records are removed after the retention period; the audit trail stays and records the purge."""

from __future__ import annotations

import datetime as dt
import secrets
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from intake.models import Intake, IntakeFlag, Invitation, Patient, ReviewNote
from intake.retention import months_before
from intake.services.removal import remove_invitations

pytestmark = pytest.mark.django_db


def patient_record(*, appointment_days_ago: int) -> Intake:
    appointment = timezone.now() - dt.timedelta(days=appointment_days_ago)
    patient = Patient.objects.create(name="Pat Example", email="pat@example.org", date_of_birth=dt.date(1980, 1, 2))
    invitation = Invitation.objects.create(
        patient=patient,
        patient_name="Pat Example",
        email="pat@example.org",
        date_of_birth=dt.date(1980, 1, 2),
        appointment_at=appointment,
        token_hash=secrets.token_hex(32),
        expires_at=appointment,
    )
    intake = Intake.objects.create(
        invitation=invitation,
        patient=patient,
        appointment_at=appointment,
        answers={"notes": "private words"},
        status="submitted",
    )
    IntakeFlag.objects.create(intake=intake, code="CE1", short="Saddle numbness", reason="answered yes")
    ReviewNote.objects.create(intake=intake, text="seen")
    record("viewed_intake", intake_id=intake.pk)
    return intake


def run(*args: str) -> str:
    out = StringIO()
    call_command("purge_old_intakes", *args, stdout=out)
    return out.getvalue()


def test_intakes_past_the_retention_period_are_deleted_and_recent_ones_kept(settings):
    settings.INTAKE_RETENTION_MONTHS = 84
    old = patient_record(appointment_days_ago=365 * 7 + 30)
    recent = patient_record(appointment_days_ago=365 * 6)
    output = run()
    assert "Removed 1 intakes and 1 invitations" in output
    assert list(Intake.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Invitation.objects.filter(pk=old.invitation_id).exists()
    assert not IntakeFlag.objects.filter(intake_id=old.pk).exists()
    assert not ReviewNote.objects.filter(intake_id=old.pk).exists()


def test_the_patient_record_goes_with_its_last_visit_and_so_do_the_codes_emailed(settings):
    """The purge removed invitations and intakes but left the patient's record (name, birth date, e-mail, phone) and
    the one-time-code messages with their address (found in the stop-28 audit)."""
    from intake.models import DeviceCode
    from messaging.models import OutboundMessage

    settings.INTAKE_RETENTION_MONTHS = 84
    old = patient_record(appointment_days_ago=365 * 8)
    kept = patient_record(appointment_days_ago=365 * 6)
    code = DeviceCode.objects.create(
        invitation=old.invitation, link_version=1, code_hash="x", created_at=timezone.now(), expires_at=timezone.now()
    )
    OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.DEVICE_CODE,
        about_id=code.pk,
        recipients=["pat@example.org"],
        next_attempt_at=timezone.now(),
    )
    run()
    assert not Patient.objects.filter(pk=old.patient_id).exists()
    assert Patient.objects.filter(pk=kept.patient_id).exists()
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.DEVICE_CODE).exists()


def test_a_patient_with_a_later_visit_keeps_the_record(settings):
    settings.INTAKE_RETENTION_MONTHS = 84
    old = patient_record(appointment_days_ago=365 * 8)
    later = timezone.now() - dt.timedelta(days=30)
    Invitation.objects.create(
        patient_id=old.patient_id,
        patient_name="Pat Example",
        email="pat@example.org",
        date_of_birth=dt.date(1980, 1, 2),
        appointment_at=later,
        token_hash=secrets.token_hex(32),
        expires_at=later,
    )
    run()
    assert Patient.objects.filter(pk=old.patient_id).exists()


def test_the_audit_trail_is_kept_and_records_the_purge(settings):
    settings.INTAKE_RETENTION_MONTHS = 84
    old = patient_record(appointment_days_ago=365 * 8)
    run()
    assert AuditEvent.objects.filter(action="viewed_intake", intake_id=old.pk).exists()
    purge = AuditEvent.objects.get(action="retention_purge")
    assert purge.detail.startswith("removed 1 intakes and 1 invitations")
    assert "private" not in purge.detail


def test_a_dry_run_counts_but_removes_nothing():
    patient_record(appointment_days_ago=365 * 8)
    assert "Would remove 1 intakes" in run("--dry-run")
    assert Intake.objects.count() == 1
    assert not AuditEvent.objects.filter(action="retention_purge").exists()


def test_the_period_follows_the_setting(settings):
    settings.INTAKE_RETENTION_MONTHS = 12
    patient_record(appointment_days_ago=400)
    run()
    assert Intake.objects.count() == 0


def test_nothing_to_remove_records_nothing():
    patient_record(appointment_days_ago=10)
    assert "Removed 0 intakes" in run()
    assert not AuditEvent.objects.filter(action="retention_purge").exists()


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 3, 31, tzinfo=dt.UTC), 1, dt.datetime(2026, 2, 28, tzinfo=dt.UTC)),
        (dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 84, dt.datetime(2019, 1, 15, tzinfo=dt.UTC)),
        (dt.datetime(2028, 2, 29, tzinfo=dt.UTC), 12, dt.datetime(2027, 2, 28, tzinfo=dt.UTC)),
    ],
)
def test_months_are_counted_on_the_calendar(moment, months, expected):
    assert months_before(moment, months) == expected


def test_the_daily_purge_also_removes_expired_sessions_and_keeps_live_ones():
    """A patient's expired session may hold a page of answers sent late (intake.late_pages.after_idle)."""
    from django.contrib.sessions.models import Session

    now = timezone.now()
    Session.objects.create(session_key="x" * 32, session_data="{}", expire_date=now - dt.timedelta(minutes=1))
    Session.objects.create(session_key="y" * 32, session_data="{}", expire_date=now + dt.timedelta(hours=1))
    assert "Removed expired sessions." in run()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]


def test_a_long_purge_goes_a_batch_at_a_time_each_kept_and_recorded_even_when_a_later_one_fails(monkeypatch):
    """The first purge of years of history removed everything in one transaction: 50,000 intakes held 1.3 GB and two
    minutes of locks, and a failure at the end (or the process killed for its memory) kept nothing and recorded
    nothing. Each batch is now its own transaction with its own record in the trail."""
    from intake import retention

    monkeypatch.setattr(retention, "BATCH", 2, raising=False)
    old = [patient_record(appointment_days_ago=365 * 8 + day) for day in range(5)]
    batches = []

    def fail_in_the_second_batch(ids):
        removed = remove_invitations(ids)  # the batch's rows are deleted, and then, before it commits:
        batches.append(ids)
        if len(batches) == 2:
            raise RuntimeError("the database went away")
        return removed

    monkeypatch.setattr(retention, "remove_invitations", fail_in_the_second_batch)
    with pytest.raises(CommandError, match="RuntimeError"):  # the class only: cron mails what it prints
        run()
    monkeypatch.setattr(retention, "remove_invitations", remove_invitations)
    assert Intake.objects.count() == 3
    first = AuditEvent.objects.get(action="retention_purge")
    assert first.detail.startswith("removed 2 intakes and 2 invitations")
    assert "Removed 3 intakes and 3 invitations" in run()
    assert not Intake.objects.exists()
    assert not Patient.objects.filter(pk__in=[intake.patient_id for intake in old]).exists()
    details = sorted(AuditEvent.objects.filter(action="retention_purge").values_list("detail", flat=True))
    assert [detail.split(" with ")[0] for detail in details] == [
        "removed 1 intakes and 1 invitations",
        "removed 2 intakes and 2 invitations",
        "removed 2 intakes and 2 invitations",
    ]


def test_the_purge_never_reads_the_answers_it_deletes():
    """Deleting an intake read its whole row (the answers) into memory first, for every intake of the purge."""
    from django.db.models.signals import post_init

    read = []

    def note_answers_read(sender, instance, **kwargs):
        if "answers" in instance.__dict__:  # a deferred field is not in the instance's dict until it is read
            read.append(instance.pk)

    for day in range(3):
        patient_record(appointment_days_ago=365 * 8 + day)
    post_init.connect(note_answers_read, sender=Intake)
    try:
        run()
    finally:
        post_init.disconnect(note_answers_read, sender=Intake)
    assert not Intake.objects.exists()
    assert read == []


def test_a_visit_and_its_follow_ups_stay_while_a_follow_up_is_within_the_period(settings):
    """A follow-up's link carries its visit's appointment time, so a clinic keeping intakes 12 months lost the
    12-month follow-up (its answers, any red flag in them not yet reviewed) with its visit the night after it was sent.
    The period of a visit runs from its last follow-up's due date or link, whichever is later."""
    from tests.dashboard.factories import make_follow_up, make_intake

    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    visit = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=400))
    make_follow_up(visit, "6w", sent_days_ago=358)
    answered = make_follow_up(visit, "12m", sent_days_ago=35).invitation.intake
    done = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500))
    gone = make_follow_up(done, "6w", sent_days_ago=458).invitation.intake
    output = run()
    assert set(Intake.objects.values_list("pk", flat=True)) >= {visit.pk, answered.pk}
    assert not Intake.objects.filter(pk__in=[done.pk, gone.pk]).exists()
    assert "Removed 2 intakes and 2 invitations" in output


def test_a_removed_patients_no_texts_number_goes_with_their_record_unless_another_record_has_it():
    """The number a patient asked not to be texted at outlived their record for ever: a phone number, and that its
    owner was a patient here. The provider keeps their STOP and refuses a text again, which records it again."""
    from messaging.models import TextOptOut

    gone = patient_record(appointment_days_ago=365 * 8)
    family = patient_record(appointment_days_ago=365 * 8)
    kept = patient_record(appointment_days_ago=30)
    for intake, phone in ((gone, "+12015550123"), (family, "+12015550199"), (kept, "+12015550199")):
        Patient.objects.filter(pk=intake.patient_id).update(phone=phone)
    for number in ("+12015550123", "+12015550199"):
        TextOptOut.objects.create(number=number, at=timezone.now())
    run()
    assert list(TextOptOut.objects.values_list("number", flat=True)) == ["+12015550199"]


def test_a_patient_record_left_without_any_visit_is_removed_by_the_next_purge():
    """Two purges at once (PostgreSQL), each removing one of a patient's two old visits, each saw the other's still
    there and kept the record; no later purge looked at it again, as each looked only at the records of the visits
    it removed. A discarded demo invitation left its record the same way."""
    alone = Patient.objects.create(name="Pat Alone", email="alone@example.org", date_of_birth=dt.date(1970, 5, 6))
    kept = patient_record(appointment_days_ago=30)
    run()
    assert not Patient.objects.filter(pk=alone.pk).exists()
    assert Patient.objects.filter(pk=kept.patient_id).exists()


def test_a_reminder_kept_after_its_visit_moved_goes_with_the_patient(settings, time_machine):
    """A pre-visit reminder sent before the visit moved stays as a record for the staff page (intake.EarlierReminder);
    the purge removes it with the rest of the patient's visit, and every message about the visit."""
    from intake.models import EarlierReminder, Reminder
    from intake.services import follow_ups
    from intake.services.invitations import change_details
    from messaging.models import OutboundMessage
    from tests.intake.factories import make_invitation

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.INTAKE_RETENTION_MONTHS = 84
    # A Tuesday with no clock change in the weeks after it: the reminder is due 7 calendar days before the visit, an
    # hour from `visit - 7 days` in a week the clocks change (run at 2:30 AM on 2027-03-08 none was sent).
    time_machine.move_to(timezone.make_aware(dt.datetime(2027, 4, 13, 10, 0)), tick=False)
    visit = timezone.now() + dt.timedelta(days=10)
    invitation, _ = make_invitation(appointment_at=visit, send_email=True)
    time_machine.move_to(visit - dt.timedelta(days=7), tick=False)
    follow_ups.send_due_messages()
    change_details(
        invitation, appointment_at=visit + dt.timedelta(days=14), email="", language=None, now=timezone.now()
    )
    assert EarlierReminder.objects.filter(invitation=invitation).exists()
    assert OutboundMessage.objects.exists()

    time_machine.move_to(visit + dt.timedelta(days=365 * 8), tick=False)
    run()

    assert not Invitation.objects.exists()
    assert not Patient.objects.exists()
    assert not EarlierReminder.objects.exists(), "the record of a reminder outlived the patient"
    assert not Reminder.objects.exists()
    assert not OutboundMessage.objects.exists()


# --- Red flags no clinician has reviewed are never purged -------------------------------------------------------------

KEPT_MESSAGE = (
    "flagged intakes kept past the retention period: a clinician has not reviewed them; review them in the queue, "
    "and the next purge removes them."
)


def _old_visit(profile: str = "routine_plain", **fields) -> Intake:
    from tests.dashboard.factories import make_intake

    return make_intake(profile, appointment_at=timezone.now() - dt.timedelta(days=365 * 8), **fields)


@pytest.mark.parametrize(
    ("profile", "fields"),
    [
        ("urgent_bowel", {}),
        ("serious_cancer", {}),
        ("serious_weak_flags", {}),
        ("urgent_both_legs", {"safety_only": True}),  # stopped at the safety step: alerted, in the queue
        ("urgent_bowel", {"review_round": 1}),  # reviewed once, reopened by new red flags since
    ],
    ids=["urgent", "serious", "two-weak-flags", "urgent-not-sent", "reopened"],
)
def test_an_intake_with_red_flags_no_clinician_reviewed_survives_the_purge_and_the_command_says_so(profile, fields):
    """A short retention setting (or `--months 1`) deleted an urgent intake nobody had looked at: the red-flag answer
    the portal promises never to lose was gone, and nothing said so."""
    from intake.models import Level

    waiting = _old_visit(profile, **fields)
    assert waiting.level in (Level.URGENT, Level.SERIOUS)
    assert not waiting.is_reviewed
    gone = _old_visit("routine_plain")
    output = run("--months", "1")
    assert "Removed 1 intakes and 1 invitations" in output
    assert f"1 {KEPT_MESSAGE}" in output
    assert list(Intake.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not Intake.objects.filter(pk=gone.pk).exists()
    assert Patient.objects.filter(pk=waiting.patient_id).exists()
    assert "removed 1 intakes and 1 invitations" in AuditEvent.objects.get(action="retention_purge").detail


def test_an_open_red_flag_answer_keeps_an_unreviewed_intake_whatever_its_stored_level():
    """A latched yes is a red flag until a clinician's review with an outcome clears it (docs/clinical/TRIAGE.md)."""
    from intake.models import RedFlagAnswer

    latched = _old_visit("routine_plain")
    RedFlagAnswer.objects.create(intake=latched, code="ce_bowel_control", value="yes", answered_at=timezone.now())
    cleared = _old_visit("routine_plain")
    RedFlagAnswer.objects.create(
        intake=cleared, code="ce_bowel_control", value="yes", answered_at=timezone.now(), cleared_at=timezone.now()
    )
    output = run()
    assert f"1 {KEPT_MESSAGE}" in output
    assert list(Intake.objects.values_list("pk", flat=True)) == [latched.pk]


def test_reviewed_red_flags_and_unreviewed_routine_intakes_are_removed_as_before():
    reviewed = _old_visit("urgent_bowel", is_reviewed=True, reviewed_at=timezone.now() - dt.timedelta(days=365 * 8))
    routine = _old_visit("sciatica_below_knee")
    output = run()
    assert "Removed 2 intakes and 2 invitations" in output
    assert "flagged" not in output
    assert not Intake.objects.filter(pk__in=[reviewed.pk, routine.pk]).exists()


def test_a_visit_waiting_for_review_keeps_its_follow_ups_and_a_waiting_follow_up_keeps_its_visit(settings):
    """The retention unit is a visit with its follow-ups (`expired_invitations`): kept or removed together."""
    from intake.models import Level
    from tests.dashboard.factories import make_follow_up, make_intake

    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    flagged_visit = make_intake("urgent_bowel", appointment_at=now - dt.timedelta(days=500))
    its_follow_up = make_follow_up(flagged_visit, "6w", sent_days_ago=458).invitation.intake
    visit = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=1)
    flagged_follow_up = make_follow_up(visit, "6w", sent_days_ago=458).invitation.intake
    sibling = make_follow_up(visit, "3m", sent_days_ago=410).invitation.intake
    Intake.objects.filter(pk=flagged_follow_up.pk).update(level=Level.SERIOUS)
    done = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=2)
    output = run()
    assert "Removed 1 intakes and 1 invitations" in output
    assert f"2 {KEPT_MESSAGE}" in output
    kept = {flagged_visit.pk, its_follow_up.pk, visit.pk, flagged_follow_up.pk, sibling.pk}
    assert set(Intake.objects.values_list("pk", flat=True)) == kept
    assert not Intake.objects.filter(pk=done.pk).exists()


def test_the_dry_run_counts_what_the_purge_then_removes_and_keeps():
    _old_visit("urgent_bowel")
    _old_visit("serious_fever", is_reviewed=True)
    _old_visit("routine_plain")
    dry = run("--dry-run")
    assert "Would remove 2 intakes and 2 invitations" in dry
    assert f"1 {KEPT_MESSAGE}" in dry
    assert Intake.objects.count() == 3
    real = run()
    assert "Removed 2 intakes and 2 invitations" in real
    assert f"1 {KEPT_MESSAGE}" in real
    assert Intake.objects.count() == 1
    assert "Would remove 0 intakes and 0 invitations" in run("--dry-run")


def test_a_kept_intake_goes_with_the_next_purge_once_a_clinician_has_reviewed_it():
    from django.contrib.auth import get_user_model

    from intake.services.review import mark_reviewed

    waiting = _old_visit("urgent_bowel")
    run()
    clinician = get_user_model().objects.create_user("dr-reviewer")
    mark_reviewed(waiting, by=clinician, outcome="routine_appointment")
    output = run()
    assert "Removed 1 intakes and 1 invitations" in output
    assert "flagged" not in output
    assert not Intake.objects.exists()


# --- A red flag posted while a batch is being removed -----------------------------------------------------------------


def _when_the_batch_is_chosen(action):
    """Run `action` right after the purge's batch select (its SELECT ... FOR UPDATE SKIP LOCKED of the visits'
    invitations on PostgreSQL, a plain SELECT on SQLite) returns, before anything else of the batch runs: a patient's
    page, from a tab still open on a link past the period, committed in that instant (READ COMMITTED: the purge's
    next statements see it, as they see this). Found by what the batch does next (`_with_follow_ups`, given the
    chosen visits), not by the statement's text, so it holds on both databases."""
    from unittest import mock

    from intake import retention

    done: list[list[int]] = []
    chosen_then = retention._with_follow_ups

    def after_the_choice(invitations, visits):
        if not done:
            done.append(list(visits))
            action()
        return chosen_then(invitations, visits)

    return mock.patch.object(retention, "_with_follow_ups", after_the_choice), done


def _started_old_intake() -> Intake:
    """A form opened and agreed to, still being answered, on a link whose visit is eight years past."""
    from intake import services
    from tests.intake.factories import make_invitation

    invitation, _ = make_invitation()
    intake = services.record_consent(services.start_intake(invitation), now=timezone.now())
    long_ago = timezone.now() - dt.timedelta(days=365 * 8)
    Invitation.objects.filter(pk=invitation.pk).update(appointment_at=long_ago, expires_at=long_ago)
    Intake.objects.filter(pk=intake.pk).update(appointment_at=long_ago)
    return Intake.objects.get(pk=intake.pk)


@pytest.mark.parametrize("batch", [500, 1], ids=["one-batch", "a-batch-each"])
def test_a_red_flag_posted_after_the_batch_was_chosen_keeps_its_intake_and_its_alert(batch, monkeypatch):
    """A batch chose its invitations (none waiting for a review) and then deleted them: a red-flag answer the patient
    posted in between, from a tab still open on a link past the period (`--months` shorter than the browser's trust),
    was deleted with its intake, its latch and its alert, the clinic never told. The batch now looks again under the
    intakes' row locks, so a red flag stored before then keeps its visit (and one posted after finds the link gone).
    A batch kept whole that way does not end the purge: the next batch goes on."""
    from alerts.models import Alert
    from intake import retention, services
    from intake.models import Level, RedFlagAnswer

    monkeypatch.setattr(retention, "BATCH", batch)
    answering = _started_old_intake()  # the first chosen
    gone = _old_visit("routine_plain")

    def patient_posts_a_red_flag():
        services.record_red_flags(
            Intake.objects.get(pk=answering.pk), {"ce_saddle_numbness": "yes"}, now=timezone.now()
        )

    hook, fired = _when_the_batch_is_chosen(patient_posts_a_red_flag)
    with hook:
        output = run("--months", "1")
    assert fired, "the purge's batch select was not seen"
    assert Intake.objects.filter(pk=answering.pk).exists(), "the red-flag answer was deleted with its intake"
    kept = Intake.objects.get(pk=answering.pk)
    assert kept.level == Level.URGENT
    assert RedFlagAnswer.objects.filter(intake=kept, code="ce_saddle_numbness", cleared_at__isnull=True).exists()
    assert Alert.objects.filter(intake=kept).exists()
    assert not Intake.objects.filter(pk=gone.pk).exists()
    assert "Removed 1 intakes and 1 invitations" in output
    assert f"1 {KEPT_MESSAGE}" in output


def test_a_red_flag_posted_on_a_follow_up_after_the_batch_was_chosen_keeps_the_whole_visit(settings):
    """The same for a follow-up of a visit in the batch: the retention unit is the visit, so all of it stays."""
    from intake.models import Level
    from tests.dashboard.factories import make_follow_up, make_intake

    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    visit = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500))
    follow_up = make_follow_up(visit, "6w", sent_days_ago=458).invitation.intake
    done = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=2)

    def staff_see_it_serious():
        # What a review undone or a sent follow-up's late red flag leaves: the follow-up unreviewed and serious.
        Intake.objects.filter(pk=follow_up.pk).update(level=Level.SERIOUS, is_reviewed=False)

    hook, fired = _when_the_batch_is_chosen(staff_see_it_serious)
    with hook:
        output = run()
    assert fired
    assert set(Intake.objects.values_list("pk", flat=True)) == {visit.pk, follow_up.pk}
    assert not Intake.objects.filter(pk=done.pk).exists()
    assert "Removed 1 intakes and 1 invitations" in output


# --- A visit with its follow-ups in one batch; visits left for a page being saved are reported ----------------------


def test_a_visit_goes_in_the_same_batch_as_its_follow_ups_even_when_their_ids_come_later(settings, monkeypatch):
    """Batches were cut by invitation id, and a visit's follow-ups are made long after it (ids later than other
    visits'): a visit went one batch, its follow-ups a later one, and a purge stopped in between (a failure, the
    process killed) left the follow-ups without their visit (their background read from another visit). A visit now
    goes in the batch with all its follow-ups."""
    from intake import retention
    from intake.models import FollowUp
    from tests.dashboard.factories import make_follow_up, make_intake

    monkeypatch.setattr(retention, "BATCH", 1)
    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    visit = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500))
    other = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=1)  # an id in between
    follow_ups = [make_follow_up(visit, point, sent_days_ago=days) for point, days in (("6w", 458), ("3m", 410))]
    follow_up_intakes = [follow_up.invitation.intake.pk for follow_up in follow_ups]
    assert max(f.invitation_id for f in follow_ups) > other.invitation_id > visit.invitation_id

    def stop_at_the_other_visit(ids):
        removed = remove_invitations(ids)
        if other.invitation_id in ids:
            raise RuntimeError("the process was stopped")
        return removed

    monkeypatch.setattr(retention, "remove_invitations", stop_at_the_other_visit)
    with pytest.raises(CommandError, match="RuntimeError"):
        run()
    monkeypatch.setattr(retention, "remove_invitations", remove_invitations)
    left = set(Intake.objects.values_list("pk", flat=True))
    assert not left & set(follow_up_intakes), "a follow-up outlived its visit's batch"
    assert visit.pk not in left
    assert left == {other.pk}
    assert not FollowUp.objects.exists()
    first = AuditEvent.objects.get(action="retention_purge")
    assert first.detail.startswith("removed 3 intakes and 3 invitations")
    assert "Removed 1 intakes and 1 invitations" in run()


def test_visits_with_several_follow_ups_go_whole_batch_by_batch(settings, monkeypatch):
    """A batch is a number of visits, each with all its follow-ups: three visits of three follow-ups each, two visits
    a batch, go as eight intakes and then four, each once."""
    from intake import retention
    from tests.dashboard.factories import make_follow_up, make_intake

    monkeypatch.setattr(retention, "BATCH", 2)
    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    visits = [make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=n) for n in range(3)]
    for visit in visits:
        for point, days in (("6w", 458), ("3m", 410), ("6m", 320)):
            make_follow_up(visit, point, sent_days_ago=days + 100)
    assert "Removed 12 intakes and 12 invitations" in run()
    assert not Intake.objects.exists()
    details = AuditEvent.objects.filter(action="retention_purge").values_list("detail", flat=True)
    # Two visits with their six follow-ups, then the third with its three: never a visit split from a follow-up.
    assert sorted(detail.split(" with ")[0] for detail in details) == [
        "removed 4 intakes and 4 invitations",
        "removed 8 intakes and 8 invitations",
    ]


SKIPPED_MESSAGE = "left for the next purge: a page of theirs was being saved at that moment"


class _PageBeingSaved:
    """Another connection holds these intakes' rows, as a patient's page being saved does, until `release`."""

    def __init__(self, *intake_ids: int) -> None:
        import threading

        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(intake_ids,), daemon=True)

    def _hold(self, intake_ids: tuple[int, ...]) -> None:
        from django.db import connections, transaction

        try:
            with transaction.atomic():
                list(Intake.objects.select_for_update().filter(pk__in=intake_ids).values_list("pk", flat=True))
                self.held.set()
                self.release.wait(20)
        finally:
            connections.close_all()

    def __enter__(self) -> _PageBeingSaved:
        self.thread.start()
        assert self.held.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(20)


def _postgres_only():
    from django.conf import settings

    return pytest.mark.skipif(not settings.DATABASE_IS_POSTGRES, reason="row locks held from another connection")


@pytest.mark.django_db(transaction=True)
@_postgres_only()
def test_the_command_says_how_many_visits_it_left_because_a_page_was_being_saved_and_logs_no_patient_data(
    settings, caplog
):
    """A visit whose intake (or a follow-up's) was being saved was skipped, as it must be (waiting deadlocked with the
    patient's commit), and nothing said so: the operator read "Removed ..." and did not know to run it again. The
    command now says how many visits it left, and logs the counts, never who."""
    import logging

    from tests.dashboard.factories import make_follow_up, make_intake

    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    busy_visit = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500))
    busy_follow_up = make_follow_up(busy_visit, "6w", sent_days_ago=458).invitation.intake
    make_follow_up(busy_visit, "3m", sent_days_ago=410)
    alone = patient_record(appointment_days_ago=500)
    gone = make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=2)
    names = set(Patient.objects.values_list("name", flat=True)) | set(Patient.objects.values_list("email", flat=True))
    names.discard("")
    with caplog.at_level(logging.INFO), _PageBeingSaved(busy_follow_up.pk, alone.pk):
        output = run()
    assert f"2 visits {SKIPPED_MESSAGE}" in output  # the visit with its two follow-ups counts once
    assert "Run the purge again to remove them." in output
    assert "Removed 1 intakes and 1 invitations" in output
    assert not Intake.objects.filter(pk=gone.pk).exists()
    assert Intake.objects.filter(pk__in=[busy_visit.pk, busy_follow_up.pk, alone.pk]).count() == 3
    logged = [record.getMessage() for record in caplog.records if "purge_old_intakes" in record.getMessage()]
    assert logged, "no log line"
    assert any("2 visits left for the next purge" in line for line in logged), logged
    assert not any(name in line for line in logged for name in names)

    caplog.clear()
    again = run()
    assert "Removed 4 intakes and 4 invitations" in again
    assert "left for the next purge" not in again
    assert not Intake.objects.exists()


@pytest.mark.django_db(transaction=True)
@_postgres_only()
def test_a_dry_run_or_a_purge_with_nothing_held_says_nothing_of_visits_left():
    patient_record(appointment_days_ago=365 * 8)
    assert "left for the next purge" not in run("--dry-run")
    assert "left for the next purge" not in run()


@pytest.mark.django_db(transaction=True)
@_postgres_only()
def test_two_purges_at_once_each_take_whole_visits_and_together_remove_everything_once(settings, monkeypatch):
    """Two purges at once (two cron hosts) share the visits: each locks a visit's own invitation before its
    follow-ups', so neither takes part of a visit the other has, and every row goes once."""
    import threading

    from django.db import connections

    from intake import retention
    from tests.dashboard.factories import make_follow_up, make_intake

    monkeypatch.setattr(retention, "BATCH", 2)
    settings.INTAKE_RETENTION_MONTHS = 12
    now = timezone.now()
    visits = [make_intake("routine_plain", appointment_at=now - dt.timedelta(days=500), seed=n) for n in range(6)]
    for visit in visits:
        for point, days in (("6w", 458), ("3m", 410)):
            make_follow_up(visit, point, sent_days_ago=days + 100)
    results: list[retention.PurgeResult] = []
    start = threading.Barrier(2)

    def purge() -> None:
        try:
            start.wait(10)
            results.append(retention.purge_old_intakes(months=12))
        finally:
            connections.close_all()

    sides = [threading.Thread(target=purge) for _ in range(2)]
    for side in sides:
        side.start()
    for side in sides:
        side.join(60)
    assert len(results) == 2
    assert sum(result.intakes for result in results) == 18
    assert not Intake.objects.exists()
    details = AuditEvent.objects.filter(action="retention_purge").values_list("detail", flat=True)
    # Every batch removed whole visits: three intakes each (a visit and its two follow-ups).
    assert all(int(detail.split()[1]) % 3 == 0 for detail in details), list(details)
