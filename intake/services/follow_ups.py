"""Follow-ups after the visit (issue 12): scheduling them, sending each one's private link when it falls due, and the
one dispatcher that also sends reminders (`send_due_messages`, run by a task and by `manage.py send_due_messages`).

Contracts:

- Scheduling reads submitted pre-visit intakes that have no follow-up rows yet and gives each the clinic's time
  points (`FOLLOW_UP_SCHEDULE`, `intake.rules.schedule`), due that many calendar days after the appointment, at its
  time of day in the clinic's zone (`days_after`: the schedule and the reminders all count days this way). It runs
  in the dispatcher, not when the intake is sent, so the submit path stays as it is; the unique (visit, time point)
  constraint makes a second dispatcher's rows no-ops.
- Sending claims the follow-up with a conditional UPDATE (`sent_at` still empty) before it makes anything, so two
  dispatchers at once make one invitation and one message: the second's UPDATE waits on the row lock and then
  matches nothing.
- A follow-up's invitation is a new private link (kind follow_up) for the same patient, with their name, birth date
  (the same birth-date check), e-mail and language copied from the patient record; its `appointment_at` is the
  visit's. The link works until the end of the day `LINK_DAYS` (30) days after it was sent; reminders renew the link
  but not that end.
- A patient with no e-mail gets a text message if they have a phone number; with neither, the follow-up is cancelled
  (`cancelled_at`, and a log line with its id only). A follow-up that could not go out within `SEND_WINDOW_DAYS` of
  its due date (the portal was down; intakes older than this feature) is cancelled the same way, so a backlog never
  lands in a patient's inbox at once.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from intake import tasks, tokens
from intake.models import FollowUp, Intake, Invitation, Patient, Questionnaire
from intake.rules.schedule import TimePoint, calendar_days_after, parse_schedule
from messaging import selectors as message_reads
from messaging.models import OutboundMessage, TextOptOut

logger = logging.getLogger(__name__)

# How long a follow-up's link works after it was sent: room for both reminders (7 and 14 days) and a week more.
LINK_DAYS = 30
# A follow-up not sent this many days after it fell due is not sent at all.
SEND_WINDOW_DAYS = 14
# At most this many of each kind per run; the next run (minutes later) takes the rest.
BATCH = 200


def schedule() -> tuple[TimePoint, ...]:
    return parse_schedule(settings.FOLLOW_UP_SCHEDULE)


def days_after(moment: datetime.datetime, days: int) -> datetime.datetime:
    """`days` calendar days after `moment` (before it when negative) at the same time of day in the clinic's zone
    (`TIME_ZONE`): the clinic's "6 weeks after the visit" and "7 days before it" over a clock change too."""
    return calendar_days_after(moment, days, timezone.get_default_timezone())


def link_expiry(now: datetime.datetime) -> datetime.datetime:
    """Midnight (clinic time) at the end of the day `LINK_DAYS` after `now`."""
    last_day = timezone.localtime(now).date() + datetime.timedelta(days=LINK_DAYS + 1)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.min))


def schedule_follow_ups() -> int:
    """Give every submitted pre-visit intake without follow-up rows its rows (due dates count from the appointment,
    not from now), unless its visit was cancelled; returns how many rows were offered."""
    points = schedule()
    if not points:
        return 0
    visits = list(
        Intake.objects.filter(kind=Questionnaire.INTAKE, status=Intake.Status.SUBMITTED)
        .filter(invitation__cancelled_at__isnull=True)  # a visit called off has no follow-ups
        .filter(~Exists(FollowUp.objects.filter(visit=OuterRef("pk"))))
        .values_list("pk", "patient_id", "appointment_at")[:BATCH]
    )
    rows = [
        FollowUp(
            patient_id=patient_id,
            visit_id=visit_id,
            time_point=point.code,
            due_at=days_after(appointment_at, point.days),
        )
        for visit_id, patient_id, appointment_at in visits
        for point in points
    ]
    # Another dispatcher may have made the same rows a moment ago: theirs stand.
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def send_due_follow_ups(*, now: datetime.datetime) -> int:
    """Send every follow-up that is due and not sent or cancelled; returns how many links were queued."""
    due = FollowUp.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
    sent = 0
    for follow_up_id in due.order_by("due_at", "id").values_list("pk", flat=True)[:BATCH]:
        sent += send_follow_up(follow_up_id, now=now)
    return sent


def send_follow_up(follow_up_id: int, *, now: datetime.datetime) -> bool:
    """Make the follow-up's invitation and queue its link, once; False when another run did it, or it was cancelled."""
    with transaction.atomic():
        claimed = FollowUp.objects.filter(pk=follow_up_id, sent_at__isnull=True, cancelled_at__isnull=True).update(
            sent_at=now
        )
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related("patient", "visit__invitation").get(pk=follow_up_id)
        patient = follow_up.patient
        cancelled_at = follow_up.visit.invitation.cancelled_at
        if cancelled_at is not None:
            # Its visit was cancelled after the dispatcher read it to schedule this one (review of the stop-34
            # commits): stopped as the cancelling stops them, so booking the visit again gives it back.
            FollowUp.objects.filter(pk=follow_up_id).update(sent_at=None, cancelled_at=cancelled_at)
            logger.info("Follow-up %s not sent: its visit was cancelled", follow_up_id)
            return False
        reason = _why_not_sent(follow_up, patient, now=now)
        if reason:
            FollowUp.objects.filter(pk=follow_up_id).update(sent_at=None, cancelled_at=now)
            logger.info("Follow-up %s not sent: %s", follow_up_id, reason)
            return False
        raw = tokens.new_token()
        invitation = follow_up_invitation(
            follow_up.visit, token_hash=tokens.hash_token(raw), expires_at=link_expiry(now)
        )
        FollowUp.objects.filter(pk=follow_up_id).update(invitation=invitation)
        tasks.queue_link_message(OutboundMessage.Kind.FOLLOW_UP, invitation.pk, invitation, tokens.seal(raw), now=now)
    return True


def resend_link(invitation: Invitation, *, now: datetime.datetime, seen_version: int | None = None) -> bool:
    """Staff's "Send a new link" for a follow-up questionnaire (a patient locked out by wrong birth dates, or who
    lost the message): a new link by the patient's e-mail or text, the old one stops working, a lock is lifted; the
    follow-up keeps its own end date. False when it is answered, over, or the patient has no e-mail or phone.
    `seen_version`: the link staff's page showed; another sent since (a double click) refuses this one
    (`RenewalRefused`)."""
    from intake.services.invitations import renew_link

    with transaction.atomic():
        row = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if (
            row.kind != Questionnaire.FOLLOW_UP
            or row.expires_at <= now
            or Intake.objects.filter(invitation=row, status=Intake.Status.SUBMITTED).exists()
            or tasks.contact_for(row) is None
        ):
            return False
        raw = renew_link(row, send_email=False, seen_version=seen_version)  # the follow-up keeps its own last day
        tasks.queue_link_message(OutboundMessage.Kind.FOLLOW_UP, row.pk, row, tokens.seal(raw), now=now)
    invitation.refresh_from_db()
    return True


def follow_up_invitation(visit: Intake, *, token_hash: str, expires_at: datetime.datetime) -> Invitation:
    """A follow-up's private link for the patient of `visit`: their name, birth date (the same birth-date check),
    e-mail and language copied from the patient record, and the visit's appointment time."""
    patient = visit.patient
    return Invitation.objects.create(
        patient=patient,
        kind=Questionnaire.FOLLOW_UP,
        patient_name=patient.name,
        email=patient.email,
        language=patient.language,
        date_of_birth=patient.date_of_birth,
        appointment_at=visit.appointment_at,
        token_hash=token_hash,
        expires_at=expires_at,
    )


def _why_not_sent(follow_up: FollowUp, patient: Patient, *, now: datetime.datetime) -> str:
    if follow_up.due_at < now - datetime.timedelta(days=SEND_WINDOW_DAYS):
        return f"more than {SEND_WINDOW_DAYS} days past its due date"
    if not patient.email and not tasks.e164(patient.phone):
        return "the patient has no e-mail and no phone number"
    if not patient.email and message_reads.texts_refused(tasks.e164(patient.phone)):
        # As with no phone: nothing to send it by. It was marked sent, and then shown overdue (stop-32 review).
        return "the patient has no e-mail and asked for no text messages"
    return ""


def send_due_messages(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Everything the clinic owes patients at `now`: follow-up rows for new visits, due follow-ups, follow-up
    reminders and pre-visit reminders. Safe to run as often as wanted, from several places at once."""
    from intake.services import reminders

    now = now or timezone.now()
    return {
        "scheduled": schedule_follow_ups(),
        "follow_ups": send_due_follow_ups(now=now),
        "follow_up_reminders": reminders.send_follow_up_reminders(now=now),
        "pre_visit_reminders": reminders.send_pre_visit_reminders(now=now),
    }


def has_contact() -> Q:
    """Invitations whose patient can be reached (as `tasks.contact_for` reads it): an e-mail on the invitation, or a
    phone on the record whose owner has not asked for no texts. One that cannot be reached gets no reminder and no
    row saying so: in the reminders' batch, it held later visits' reminders up until its own visit."""
    opted_out = TextOptOut.objects.filter(number=OuterRef("patient__phone"))
    return ~Q(email="") | (~Q(patient__phone="") & ~Q(Exists(opted_out)))
