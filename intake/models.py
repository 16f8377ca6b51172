"""Invitations, intakes and their triage results.

An intake's answers are kept as one JSON document keyed by the field codes of docs/clinical/INTAKE.md,
so the questionnaire can grow
without a migration per question. What staff sort and filter on (level, flags, review state, appointment time) lives
in real, indexed columns.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Coalesce
from phonenumber_field.modelfields import PhoneNumberField

from intake.rules.triage import REASON_MAX_LENGTH, LevelCode
from messaging import channels

LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


class Level(models.IntegerChoices):
    """The triage level, the one Level type of the app: most urgent first, the number is the sort order.

    Its `code` is the engine's name for it (`intake.rules.triage.LEVELS`, in the same order).
    """

    URGENT = 1, "Urgent"
    SERIOUS = 2, "Serious"
    SCIATICA = 3, "Sciatica"
    ROUTINE = 4, "Routine"

    @classmethod
    def from_code(cls, code: LevelCode) -> Level:
        """`"urgent"` (the triage engine's code) -> Level.URGENT."""
        return cls[code.upper()]

    @property
    def code(self) -> str:
        return self.name.lower()


class Patient(models.Model):
    """One person across visits: the pre-visit intake and every follow-up questionnaire hang under this record.

    Issue 12: a second invitation for the same name, date of birth and e-mail joins this record (or staff pick it
    from a search) instead of creating a stranger. The invitation keeps its own copy of the name, birth date and
    e-mail as they were when it was sent; the birth-date check reads the invitation's.
    """

    name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    # Stored in E.164 (+15551234567) by django-phonenumber-field; shown in the clinic's national format.
    phone = PhoneNumberField(blank=True)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("view_follow_ups", "Can see the follow-up list (names, dates, status; no answers)")]
        indexes = [models.Index(fields=["date_of_birth", "name"], name="patient_birth_name")]

    def __str__(self) -> str:
        return f"Patient #{self.pk}"


class Questionnaire(models.TextChoices):
    """Which form an invitation opens: the pre-visit intake or a follow-up after the visit."""

    INTAKE = "intake", "Pre-visit intake"
    FOLLOW_UP = "follow_up", "Follow-up"


class Invitation(models.Model):
    """A private link sent to one patient before one appointment. Only a hash of the link's token is stored."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=16, choices=Questionnaire.choices, default=Questionnaire.INTAKE)

    patient_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    date_of_birth = models.DateField(help_text="Asked back from the patient to confirm who opened the link.")
    appointment_at = models.DateTimeField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # A reminder's new link until its message is sent (intake.services.reminders.settle_link): it opens the form as
    # the link above does, which stays the patient's until then. Sent, it takes the place of `token_hash`; failed for
    # good or not needed, it is dropped, and the link the patient has keeps working. Staff's new link clears it.
    pending_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    identity_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Wrong dates of birth for the current link, from every browser; a right one never resets it (a new link does).
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Staff called the visit off (intake.services.cancellation): the link ended then; booking it again clears this.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every new link: a patient session remembers the version it was opened with and ends when it is old.
    link_version = models.PositiveIntegerField(default=1)
    # Where one-time codes go: the email the link was sent to when a browser opened it before any answer was given.
    # Changing `email` later (a new link) does not move it, so a link sent elsewhere cannot fetch a code too.
    code_email = models.EmailField(blank=True)
    # The language the patient's pages and e-mails start in (they can switch on every page). Staff pages always show
    # answers in English: answers are stored as codes, never as translated words.
    language = models.CharField(
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default="en",
        help_text="The language of the patient's form and e-mails.",
    )

    class Meta:
        ordering = ["appointment_at"]

    def __str__(self) -> str:
        return f"Invitation #{self.pk}"

    @property
    def code_address(self) -> str:
        """The address a one-time code goes to ("" when there is none)."""
        return self.code_email or self.email


class DeviceCode(models.Model):
    """A one-time code emailed to the patient, asked for before answers already given open on a new browser.

    Only a keyed hash is stored. A code belongs to one link version and to the browser session that asked for it;
    it works once, for a few minutes, and for a few tries (intake.services.invitations).
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="device_codes")
    link_version = models.PositiveIntegerField()
    code_hash = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["invitation", "created_at"], name="intake_device_code_recent")]

    def __str__(self) -> str:
        return f"Code #{self.pk} for invitation #{self.invitation_id}"


def reviewed_before_sending(reviewed_at: datetime.datetime | None, submitted_at: datetime.datetime | None) -> bool:
    """What `Intake.last_review_before_sending` stores for these times: False while either is unknown."""
    return reviewed_at is not None and submitted_at is not None and reviewed_at < submitted_at


class Intake(models.Model):
    """One patient's answers to the pre-visit questionnaire, and what the triage rules made of them."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="intake")
    # Copied from the invitation, so the patient page and the queue filter on this table alone.
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intakes")
    kind = models.CharField(max_length=16, choices=Questionnaire.choices, default=Questionnaire.INTAKE)
    # The form (questions and their wording) the answers were given on: FHIR's Questionnaire version.
    form_version = models.CharField(max_length=32, default="intake-2027.1")
    # Copied from the invitation so the queue can sort by it with an index on this table.
    appointment_at = models.DateTimeField()
    answers = models.JSONField(default=dict, encoder=DjangoJSONEncoder, blank=True)
    current_step = models.CharField(max_length=32, default="safety")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True)

    # Triage result. `level` stays empty until the rules have run (at the end, or earlier at the safety step).
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True, db_index=True)
    rules_version = models.CharField(max_length=16, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    emergency_shown_at = models.DateTimeField(null=True, blank=True)
    # The patient ticked "I have read this" on the emergency page; until then the rest of the form stays closed.
    emergency_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Which emergency page was read ("ces" or "mscc"; "" before stop 28): another emergency opens its own page.
    emergency_acknowledged_kind = models.CharField(max_length=8, blank=True, default="", db_default="")
    recommended_articles = models.JSONField(default=list, blank=True, help_text="Article slugs, best first.")

    submitted_at = models.DateTimeField(null=True, blank=True)
    # The call-back time the receipt promised when the intake was sent serious (intake.call_backs): what the patient
    # was told and e-mailed, kept as it was; staff see it until a review answers it. None when none was promised.
    call_back_by = models.DateTimeField(null=True, blank=True)
    is_reviewed = models.BooleanField(default=False)
    # How many times a reviewed intake was opened again by new red flags (intake.services.assessment): each time is a
    # new round of alerts and escalation (alerts.models.Alert.round). reviewed_at/by keep the last review.
    review_round = models.PositiveIntegerField(default=0, db_default=0)
    # The red flags the intake had when it was last marked reviewed (after the review cleared its latches): answers
    # that bring others take it out of "reviewed" (intake.services.assessment).
    reviewed_flags = models.JSONField(default=list, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The review before the last one (none for a first review): what undoing the last review puts back
    # (intake.services.review_undo.undo_review), so a reopened intake keeps its earlier review and a receipt's call-back
    # answered by it stays answered.
    previous_reviewed_at = models.DateTimeField(null=True, blank=True)
    previous_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # reviewed_at/by were put back by an undo (the review before the undone one): there is no review to undo until the
    # next one (one level of undo). The latest review otherwise stays undoable after new red flags reopen the intake.
    review_undone = models.BooleanField(default=False, db_default=False)
    # The last review (`reviewed_at`) was made before the intake was sent (`submitted_at`): a call its receipt promised
    # is still owed, though the intake may be marked reviewed (intake.call_backs.promised_call). Stored, and kept by
    # every write of either time (`save` below; the services' UPDATEs use `reviewed_before_sending`), for the sweep's
    # every-minute look-up: PostgreSQL keeps no statistics across two columns, guessed a third of the history for
    # `reviewed_at < submitted_at` and read the whole table (about 20 ms at 20,000 intakes); a column's are exact.
    last_review_before_sending = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("view_queue", "Can see the intake queue (names, appointment times, levels)"),
            ("review_intake", "Can mark an intake reviewed and add notes"),
            ("export_intakes", "Can export the intake list as CSV"),
        ]
        indexes = [
            # The queue's order: unreviewed first, most urgent first, soonest appointment first, then the id, over
            # assessed intakes only (dashboard.selectors.QUEUE_ORDER): a page is read straight off this index, the
            # per-level counts are an index-only scan of it, and the CSV export pages through it by key.
            models.Index(
                fields=["is_reviewed", "level", "appointment_at", "id"],
                name="intake_queue_order",
                condition=models.Q(level__isnull=False),
            ),
            models.Index(fields=["submitted_at"], name="intake_submitted_at"),
            # The latest review (the queue's counts of reviewed intakes are kept until it moves): one index look-up.
            models.Index(fields=["reviewed_at"], name="intake_reviewed_at"),
            # The queue's appointment date-range filter (dashboard).
            models.Index(fields=["appointment_at"], name="intake_appointment_at"),
            # The queue's weekly chart: when each assessed intake arrived (sent, or stopped at the safety step), and
            # its level, so the last twelve weeks are an index-only range scan whatever the size of the history
            # (PostgreSQL reads the arrival from the included columns).
            models.Index(
                Coalesce("submitted_at", "created_at"),
                "level",
                name="intake_arrived_level",
                condition=models.Q(level__isnull=False),
                include=["submitted_at", "created_at"],
            ),
            # Call-backs promised and not yet answered by a review (alerts.services escalates them when due): the few
            # waiting, whatever the size of the history.
            models.Index(
                fields=["call_back_by"],
                name="intake_call_back_waiting",
                condition=models.Q(call_back_by__isnull=False, is_reviewed=False),
            ),
            # The few reviewed before they were sent, whose promise a review of the sent form has not answered yet.
            models.Index(
                fields=["call_back_by"],
                name="intake_call_back_early_review",
                condition=models.Q(call_back_by__isnull=False, is_reviewed=True, last_review_before_sending=True),
            ),
            # The queue's name search has a trigram index on PostgreSQL (migration 0008; no portable equivalent).
        ]

    def __str__(self) -> str:
        return f"Intake #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keeps `last_review_before_sending` with the two times whenever either is saved (demo data, tests, a
        shell); the services write them with UPDATEs and set it there."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"reviewed_at", "submitted_at"} & set(update_fields):
            self.last_review_before_sending = reviewed_before_sending(self.reviewed_at, self.submitted_at)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "last_review_before_sending"}
        super().save(*args, **kwargs)

    @property
    def level_code(self) -> str | None:
        """The triage engine's name for the stored level ("urgent" ...), or None before any triage."""
        return Level(self.level).code if self.level is not None else None


class IntakeFlag(models.Model):
    """One triage flag raised on an intake (a row each, so the queue can filter by flag on any database)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=8, db_index=True)
    short = models.CharField(max_length=40)
    reason = models.CharField(max_length=REASON_MAX_LENGTH)  # the engine makes every reason fit (latched notes too)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["intake", "code"], name="intake_flag_once")]

    def __str__(self) -> str:
        return self.code


class Retriage(models.Model):
    """One stored intake moved to newer triage rules (`manage.py retriage --apply`): what it was, what it became."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="retriages")
    old_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    old_rules_version = models.CharField(max_length=16, blank=True)
    new_level = models.PositiveSmallIntegerField(choices=Level.choices)
    new_rules_version = models.CharField(max_length=16)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Retriage of intake #{self.intake_id}"


class RedFlagAnswer(models.Model):
    """A red-flag question once answered yes or not sure: latched, so a later "no" never erases it. Also a red-flag
    choice once saved (``RED_FLAG_CHOICES``: `onset_cause` = `fall_impact`, value "fall_impact"), whose change to
    another choice is noted in `changed_to_no_at` (the time of the latest change; the help texts predate it).

    docs/clinical/TRIAGE.md, "Latched red flags and partial pages": the triage engine is given these rows (while not
    cleared) as the earlier answers; only a clinician's review with an outcome clears them, and the row stays as the
    record of both answers.
    """

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="red_flag_answers")
    code = models.CharField(max_length=40)
    value = models.CharField(max_length=16, help_text="The answer as first given: yes or not_sure.")
    answered_at = models.DateTimeField()
    # The answer was stored before the latch opened (a leg answer latched when the cancer history came, or came back
    # with a review undone): the patient gave it before `answered_at`, not at it (answers carry no time of their own).
    given_before = models.BooleanField(default=False, db_default=False)
    changed_to_no_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            # One open latch per question; a cleared one stays as history beside a newer one.
            models.UniqueConstraint(
                fields=["intake", "code"], condition=models.Q(cleared_at__isnull=True), name="red_flag_answer_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} on intake #{self.intake_id}"


class ReviewNote(models.Model):
    """A clinician's review or note; only ever added, never overwritten. Urgent and serious reviews carry an outcome."""

    class Outcome(models.TextChoices):
        # docs/clinical/TRIAGE.md, "Review outcomes".
        EMERGENCY_CARE = "emergency_care", "Sent to or seen in emergency care"
        URGENT_IMAGING_OR_SPECIALIST = "urgent_imaging_or_specialist", "Urgent imaging or specialist referral"
        SAME_DAY_CALL_ADVICE = "same_day_call_advice", "Called the same day and advised"
        ROUTINE_APPOINTMENT = "routine_appointment", "Keep the routine appointment"
        COULD_NOT_REACH = "could_not_reach", "Could not reach the patient (stays unreviewed)"
        OTHER = "other", "Other (say what in the note)"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="review_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=2000, blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    # The rules version and flags the reviewer saw, so the outcome report can count outcomes per flag and version.
    rules_version = models.CharField(max_length=16, blank=True)
    flag_codes = models.JSONField(default=list, blank=True)
    # The intake's review round the note was saved in (Intake.review_round, read under the intake's row lock): undoing
    # a review marks only its own round's notes undone, not a failed call of a round new red flags opened since.
    # None: saved before rounds were recorded on notes and not placed by migration alerts 0010.
    review_round = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The review this note came with (or followed in its round, by the same person) was undone: a review saved on the
    # wrong patient. The note stays as the record; its outcome no longer counts (the outcome report, the export, the
    # reading list, the escalation's failed calls).
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note #{self.pk}"


# Outcomes that mean someone at the clinic spoke with the patient: docs/clinical/ARTICLES.md, article 10 ("shown
# after staff have contacted the patient") and open question 2. Not "routine appointment" (a clinician may decide
# that from the answers alone), not "could not reach", not "other" (it does not say).
PATIENT_REACHED_OUTCOMES: frozenset[str] = frozenset(
    {
        ReviewNote.Outcome.EMERGENCY_CARE,
        ReviewNote.Outcome.URGENT_IMAGING_OR_SPECIALIST,
        ReviewNote.Outcome.SAME_DAY_CALL_ADVICE,
    }
)


class FollowUp(models.Model):
    """One follow-up questionnaire owed by a patient at a time point after their visit (issue 12).

    Scheduled when the pre-visit intake is sent (the clinic's `FOLLOW_UP_SCHEDULE`, default 6 weeks, 3 months and
    12 months after the appointment). When it falls due, the dispatcher creates its invitation (a private link with
    the same birth-date check) and e-mails it; `invitation.intake` holds the answers.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="follow_ups")
    visit = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="follow_ups")
    time_point = models.CharField(max_length=8, help_text="The schedule's code for it: 6w, 3m, 12m.")
    due_at = models.DateTimeField()
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "time_point"], name="follow_up_once_per_point")]
        indexes = [models.Index(fields=["sent_at", "due_at"], name="follow_up_due")]

    def __str__(self) -> str:
        return f"Follow-up {self.time_point} #{self.pk}"


class Reminder(models.Model):
    """A reminder sent for an unanswered link: one row per (invitation, which reminder), so each goes out once.

    Pre-visit: `7d` and `3d` before the appointment while the intake is unfinished. Follow-up: `1` when it is not
    answered 7 days after it was sent, `2` (the last) 7 days after that.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    which = models.CharField(max_length=8)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["invitation", "which"], name="reminder_once")]

    def __str__(self) -> str:
        return f"Reminder {self.which} for invitation #{self.invitation_id}"


class EarlierReminder(models.Model):
    """A pre-visit reminder that went for a date the visit has since moved from. Its `Reminder` row and message are
    deleted when the visit moves, so that the new date gets a reminder of its own (`services.invitations._move`); this
    row stays as the record of what was sent, and when, for the invitation's page (a patient who says they were never
    reminded). Nothing in it is sent again. It holds no address, and goes with its invitation (intake.retention)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="earlier_reminders")
    which = models.CharField(max_length=8, help_text="As the reminder's: 7d, 3d.")
    appointment_at = models.DateTimeField(help_text="The appointment it was for, before the visit moved.")
    channel = models.CharField(max_length=8, choices=channels.CHOICES)
    sent_at = models.DateTimeField()  # when it was handed to the mail server or text message service
    # Not known to be sent ("Not confirmed"): the mail server took it and its answer never came (messaging's
    # `may_have_arrived`), then it failed for good or waited for a retry; or it was being sent when the visit moved (its
    # outcome is recorded nowhere: the message went with the move). The patient may hold it; its link never took the
    # place of theirs, so it is no link the patient is known to have (intake.selectors.live_link). db_default: as
    # messaging's.
    may_have_arrived = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"Earlier reminder {self.which} for invitation #{self.invitation_id}"
