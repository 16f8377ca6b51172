"""Reminders for unanswered links (issue 12): follow-ups not answered after a while, and pre-visit intakes not sent
as the appointment comes near. Run by the dispatcher (`follow_ups.send_due_messages`).

- Days are calendar days in the clinic's zone (`follow_ups.days_after`), not 24 hours each.
- Follow-up: `FOLLOW_UP_REMINDER_DAYS` (7) after the link was sent and still not answered, reminder "1"; as long
  again after that one, reminder "2"; never more than `FOLLOW_UP_MAX_REMINDERS` (2).
- Pre-visit: `PRE_VISIT_REMINDER_DAYS` (7, 3) before the appointment while the intake is not sent, the visit not
  cancelled, the link neither locked nor expired, and the invitation at least a day old at that moment (a link made
  five days before the visit gets the 3-day reminder only) unless its link was never e-mailed (saved without
  e-mailing, or phone only, or the newest e-mail of its link failed): then the latest reminder due carries the
  patient's first link, at once. Reminder "7d", "3d". When the dispatcher missed one (it was down), only the latest
  due is sent, never two at once.
- Each is sent once: the Reminder row's unique (invitation, which) constraint, made while the invitation row is
  locked. A reminder carries a new link (`renew_link`; a form open in a browser at that moment stays open; answers
  are kept) because only a hash of the old one is stored. The earlier link stops working, as the message says, only
  once the message is sent (`settle_link`): until then both open the form; one that fails for good (the mail server
  down all night, the address refused) or is not needed drops its new link, and the patient's keeps working (unless
  an attempt may have arrived: the mail server took it and its answer never came; then both keep opening it until
  a newer link takes the one waiting place: the next reminder, from when it is queued). A
  follow-up's link keeps the end it was given when first sent.
- Staff's e-mail of a new pre-visit link counts as the reminders already due (`invitations._cover_passed_reminders`:
  a reminder on its heels would end the link just sent), from when it is queued; one that fails for good or is not
  needed, its link still the invitation's, lets them go after all (`uncover_reminders`): its link ended the
  patient's, and the patient was left with none that opened until the next reminder, perhaps after the visit.
- It goes by e-mail, or by text message when the invitation has no e-mail and the patient a phone number; a patient
  with neither gets none (they are not picked).
"""

from __future__ import annotations

import datetime
import functools
import logging
import operator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from intake import tasks, tokens
from intake.models import FollowUp, Intake, Invitation, Questionnaire, Reminder
from intake.services.follow_ups import BATCH, days_after, has_contact
from intake.services.invitations import renew_link
from messaging.models import OutboundMessage

logger = logging.getLogger(__name__)

# A pre-visit reminder is not sent to a link made less than this long before the reminder's moment.
MIN_LINK_AGE = datetime.timedelta(days=1)


def send_follow_up_reminders(*, now: datetime.datetime) -> int:
    """Queue the next reminder of every follow-up whose last message is `FOLLOW_UP_REMINDER_DAYS` old and still
    unanswered; returns how many were queued."""
    every = settings.FOLLOW_UP_REMINDER_DAYS  # calendar days: the same time of day a week on, clock change or not
    most = settings.FOLLOW_UP_MAX_REMINDERS
    if most <= 0:
        return 0
    waiting = (
        FollowUp.objects.filter(
            invitation__isnull=False,
            cancelled_at__isnull=True,
            sent_at__lte=days_after(now, -every),
            invitation__locked_at__isnull=True,
            invitation__expires_at__gt=now,
            invitation__in=Invitation.objects.filter(has_contact()),  # else it held up the batch (has_contact)
        )
        .exclude(invitation__intake__status=Intake.Status.SUBMITTED)
        .annotate(
            reminded=Count("invitation__reminders"),
            last_reminder=Max("invitation__reminders__created_at"),
            last_link=newest_link_message(),
        )
        # Counted from the patient's newest link: staff's "Send a new link" too (to a patient locked out, who missed
        # the reminder meanwhile), or the reminder went a minute after it and ended the link staff had just sent.
        # Greatest is NULL on SQLite when any part is: each defaults to sent_at.
        .annotate(latest=Greatest("sent_at", Coalesce("last_reminder", "sent_at"), Coalesce("last_link", "sent_at")))
        # Only those due now: a batch of ones waiting for their next reminder kept the ones after it from their first.
        .filter(reminded__lt=most, latest__lte=days_after(now, -every))
        .order_by("sent_at", "id")
        .values_list("invitation_id", "reminded", "latest")[:BATCH]
    )
    queued = 0
    for invitation_id, reminded, latest in waiting:
        if now >= days_after(latest, every):
            which = str(reminded + 1)
            queued += send_reminder(invitation_id, which, kind=OutboundMessage.Kind.FOLLOW_UP_REMINDER, now=now)
    return queued


def newest_link_message() -> Subquery:
    """When the newest follow-up link (first sent, or sent again by staff) still going or gone to the patient of the
    outer follow-up's invitation was queued (the follow-up list's "Overdue" counts from it too)."""
    return Subquery(
        OutboundMessage.objects.filter(
            kind=OutboundMessage.Kind.FOLLOW_UP,
            about_id=OuterRef("invitation_id"),
            status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.SENT],
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )


def pre_visit_reminder_due(
    *,
    appointment_at: datetime.datetime,
    created_at: datetime.datetime,
    now: datetime.datetime,
    days: tuple[int, ...],
    link_sent: bool = True,
) -> str | None:
    """Which pre-visit reminder is due at `now` ("3d"), or None: the nearest-to-the-visit one whose moment has come,
    if the visit has not started and the link existed a day before that moment. A patient never sent their link
    (`link_sent` False: an invitation saved without e-mailing, a patient with only a phone) gets it from this
    reminder whenever it was made: one booked two days before the visit had no way in at all."""
    if now >= appointment_at:
        return None
    for before in sorted(days):
        moment = days_after(appointment_at, -before)
        if moment <= now:
            return f"{before}d" if not link_sent or created_at <= moment - MIN_LINK_AGE else None
    return None


def send_pre_visit_reminders(*, now: datetime.datetime) -> int:
    days = tuple(settings.PRE_VISIT_REMINDER_DAYS)
    if not days:
        return 0
    waiting = list(
        Invitation.objects.filter(
            kind=Questionnaire.INTAKE,
            appointment_at__gt=now,
            appointment_at__lte=days_after(now, max(days)),
            locked_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        )
        .filter(has_contact(), _reminder_due_and_not_sent(now, days))
        .exclude(intake__status=Intake.Status.SUBMITTED)
        .annotate(link_sent=Exists(_invitation_messages()))
        .order_by("appointment_at", "id")
        .values_list("pk", "appointment_at", "created_at", "link_sent")[:BATCH]
    )
    sent_before = set(
        Reminder.objects.filter(invitation_id__in=[row[0] for row in waiting]).values_list("invitation_id", "which")
    )
    queued = 0
    for invitation_id, appointment_at, created_at, link_sent in waiting:
        which = pre_visit_reminder_due(
            appointment_at=appointment_at, created_at=created_at, now=now, days=days, link_sent=link_sent
        )
        if which and (invitation_id, which) not in sent_before:
            queued += send_reminder(invitation_id, which, kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, now=now)
    return queued


def _reminder_due_and_not_sent(now: datetime.datetime, days: tuple[int, ...]) -> Q:
    """Invitations whose latest reminder due at `now` (as `pre_visit_reminder_due` picks it) has no row yet: a batch
    of ones reminded already kept a later visit's reminder from going. The one-day grace too: a link e-mailed less
    than a day before the moment gets no reminder and no row, and a batch of short-notice bookings (the nearest
    visits, read first) held a later visit's reminder until their visits had passed."""
    due: list[Q] = []
    not_yet = Q()  # the moments of the reminders nearer the visit have not come
    for before in sorted(days):
        moment_came = Q(appointment_at__lte=days_after(now, before))
        # The moment in 24-hour days, give or take a clock change (`_CLOCK_CHANGE`): a few more rows than
        # `pre_visit_reminder_due` takes, never fewer.
        moment = F("appointment_at") - datetime.timedelta(days=before) + _CLOCK_CHANGE
        link_old_enough = Q(created_at__lte=moment - MIN_LINK_AGE) | ~Exists(_invitation_messages())
        due.append(not_yet & moment_came & link_old_enough & ~Q(reminders__which=f"{before}d"))
        not_yet &= ~moment_came
    return functools.reduce(operator.or_, due)


# More than any clock change moves a calendar-day moment (`days_after`) from the same count of 24-hour days.
_CLOCK_CHANGE = datetime.timedelta(hours=3)


def _invitation_messages() -> QuerySet[OutboundMessage]:
    """The outer invitation's own link e-mail, on its way or sent, and its newest: staff's e-mail of a new link ended
    the one before at once, so once it fails for good the patient's first e-mail holds a link that opens nothing. A
    booking made under a day before a reminder's moment then got no reminder (its link "too young"), and the patient
    no link that opened until the visit."""
    own = OutboundMessage.Kind.INVITATION
    newer = OutboundMessage.objects.filter(kind=own, about_id=OuterRef("about_id"), pk__gt=OuterRef("pk"))
    return OutboundMessage.objects.filter(
        ~Exists(newer),
        kind=own,
        about_id=OuterRef("pk"),
        status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.SENT],
    )


def send_reminder(invitation_id: int, which: str, *, kind: str, now: datetime.datetime) -> bool:
    """Record reminder `which` for the invitation and queue it with a new link, once; False when it was sent already
    or is no longer needed (answered, locked or expired meanwhile, or no way to reach the patient)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if (
            invitation is None
            or invitation.locked_at is not None
            or invitation.cancelled_at is not None
            or invitation.expires_at <= now
            or Intake.objects.filter(invitation=invitation, status=Intake.Status.SUBMITTED).exists()
            or tasks.contact_for(invitation) is None
        ):
            return False
        reminder, made = Reminder.objects.get_or_create(
            invitation=invitation, which=which, defaults={"created_at": now}
        )
        if not made:
            return False
        raw = renew_link(invitation, send_email=False, keep_sessions=True)  # a patient answering now carries on
        tasks.queue_link_message(kind, reminder.pk, invitation, tokens.seal(raw), now=now)
    logger.info("Reminder %s queued for invitation %s", which, invitation_id)
    return True


def lock_invitation(reminder_id: int) -> None:
    """Lock the invitation of a reminder whose message is about to be sent or replaced, before the message row
    (messaging.registry: lock order): `settle_link` writes it then, and staff moving the visit lock it and then
    delete the reminder's message. Nothing when the reminder is gone (its message went with it).

    Held only while the worker claims the message and while it records the outcome (messaging.delivery), never while
    the mail server takes it: staff's new link, move or cancel (FOR UPDATE) waited for a slow mail server past the
    statement timeout (a "portal busy" page). FOR KEY SHARE, not FOR UPDATE: staff's changes and deletions
    wait for it, as the lock order needs; the patient's own link (birth date, one-time code: FOR NO KEY UPDATE, which
    never goes on to a reminder's message) does not. Django has no FOR KEY SHARE, hence the SQL; SQLite has no row
    locks."""
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    _key_share(f"(SELECT invitation_id FROM {reminders} WHERE id = %s)", reminder_id)  # noqa: S608 - a table name


def lock_invitation_of_email(invitation_id: int) -> None:
    """`lock_invitation` for the invitation's own e-mail (staff's link), whose settling writes the invitation's
    reminders (`uncover_reminders`): the same lock, before the message row, for the same reasons."""
    _key_share("(%s)", invitation_id)


def _key_share(ids: str, parameter: int) -> None:
    """FOR KEY SHARE on the invitations whose ids the SQL `ids` (one parameter) gives; nothing on SQLite."""
    if connection.vendor != "postgresql":
        return
    invitations = connection.ops.quote_name(Invitation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {invitations} WHERE id IN {ids} FOR KEY SHARE",  # noqa: S608 - table names; id a parameter
            [parameter],
        )
        cursor.fetchall()


def settle_link(message: OutboundMessage, *, sent: bool) -> None:
    """A reminder's message is settled (messaging.registry.on_settled; in the transaction that records it): sent,
    its link takes the place of the invitation's (the one before stops working now, as the message says); failed for
    good or not needed, its link is dropped and the one the patient has keeps working. Nothing when that link is no
    longer the one waiting (staff's new link, or a later reminder's, replaced it), and nothing either for one that
    may have arrived though it failed (`OutboundMessage.may_have_arrived`: the mail server took it and its answer
    never came): its link stays waiting beside the patient's, both open, until a newer link takes its place. Dropped,
    the reminder the patient did get held a link that opened nothing."""
    if not message.sealed_token or (not sent and message.may_have_arrived):
        return
    try:
        digest = tokens.hash_token(tokens.unseal(message.sealed_token))
    except ValueError:
        # Sealed under another SECRET_KEY: it reads as nonsense and matches no link. Raising here undid the marking
        # of the message as failed, and the sweeper sent it back to the worker for ever.
        return
    waiting = Invitation.objects.filter(
        pk__in=Reminder.objects.filter(pk=message.about_id).values("invitation_id"), pending_token_hash=digest
    )
    if sent:
        waiting.update(token_hash=digest, pending_token_hash=None)
    else:
        waiting.update(pending_token_hash=None)


def uncover_reminders(message: OutboundMessage, *, sent: bool) -> None:
    """Staff's e-mail of a link (the invitation's own) is settled (messaging.registry.on_settled; in the transaction
    that records it, the invitation locked first). Sent: nothing changes. Failed for good or not needed while its
    link is still the invitation's (no reminder's link has taken its place): the pre-visit reminders it counted as
    sent when it was queued (`invitations._cover_passed_reminders`, or a move's) never reached the patient, and
    their link stopped working when staff's was made. Their rows go, so that the latest one due goes out with a new
    link at the dispatcher's next run (one only, as for any reminder missed). Counted as sent, they left the patient
    no link that opened until the next reminder, perhaps after the visit. Only rows with no message go: a reminder
    that was queued keeps its row (never sent twice for the same moment)."""
    if sent or not message.sealed_token:
        return
    try:
        digest = tokens.hash_token(tokens.unseal(message.sealed_token))
    except ValueError:
        return  # sealed under another SECRET_KEY: it matches no link (`settle_link`)
    if not Invitation.objects.filter(pk=message.about_id, kind=Questionnaire.INTAKE, token_hash=digest).exists():
        return
    reminder_messages = OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, about_id=OuterRef("pk")
    )
    covered = Reminder.objects.filter(invitation_id=message.about_id).filter(~Exists(reminder_messages))
    if covered.exists():
        covered.delete()
        logger.info("Reminders of invitation %s due again: staff's e-mail of its link was not sent", message.about_id)
