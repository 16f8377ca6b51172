"""Invitations: making a private link, renewing it, and checking who opens it (date of birth, then a one-time code
when answers already given would open on a browser that has not been trusted for them).

A link is only ever emailed to the patient: no function here hands a token to a staff view.
"""

from __future__ import annotations

import datetime
import enum
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language_info

from intake import selectors, tasks, tokens
from intake.models import (
    DeviceCode,
    EarlierReminder,
    FollowUp,
    Intake,
    Invitation,
    Patient,
    Questionnaire,
    Reminder,
)
from intake.rules.form_versions import form_version
from intake.services import patients
from intake.services.assessment import hold_background_visit_of
from intake.services.follow_ups import days_after
from messaging import channels
from messaging import selectors as messages
from messaging.models import OutboundMessage

_CODE_SALT = "intake.services.invitations.device_code"
CODE_DIGITS = 6


def max_identity_attempts() -> int:
    # A setting so the security work can tune it; 5 wrong dates of birth lock the link.
    return int(getattr(settings, "INTAKE_MAX_IDENTITY_ATTEMPTS", 5))


def code_minutes() -> int:
    """How long a one-time code works."""
    return int(getattr(settings, "INTAKE_CODE_MINUTES", 10))


def max_code_attempts() -> int:
    """Wrong tries before a code stops working (a new one can be sent)."""
    return int(getattr(settings, "INTAKE_CODE_ATTEMPTS", 5))


def max_codes_per_day() -> int:
    """Codes one invitation may send in 24 hours (so a link cannot flood the patient's inbox)."""
    return int(getattr(settings, "INTAKE_CODES_PER_DAY", 5))


def expiry_for(appointment_at: datetime.datetime) -> datetime.datetime:
    """The end of the day after the appointment, in the clinic's time zone."""
    day_after = timezone.localtime(appointment_at).date() + datetime.timedelta(days=2)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def create_invitation(
    *,
    patient_name: str,
    email: str,
    date_of_birth: datetime.date,
    appointment_at: datetime.datetime,
    created_by: Any,
    send_email: bool,
    token: str | None = None,
    language: str = "en",
    phone: str = "",
    patient: Patient | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its raw token (returned once; only the hash is stored). `token` is for demo data.

    `language` ("en", "es": settings.LANGUAGES) is the one the patient's form and e-mails start in. The invitation
    joins `patient` when given (staff picked the record from a search), else the record with the same name, date of
    birth and e-mail (`patients.record_for`), else a new record."""
    raw = token or tokens.new_token()
    with transaction.atomic():
        if patient is None:
            patient = patients.record_for(
                name=patient_name, date_of_birth=date_of_birth, email=email, phone=phone, language=language
            )
        else:
            patients.update_contact(patient, email=email, phone=phone, language=language)
        invitation = Invitation.objects.create(
            patient=patient,
            patient_name=patients.normal_name(patient_name),
            email=email.strip(),
            language=_spoken(language),
            date_of_birth=date_of_birth,
            appointment_at=appointment_at,
            token_hash=tokens.hash_token(raw),
            expires_at=expiry_for(appointment_at),
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        if send_email and invitation.email:
            tasks.queue_invitation_email(invitation, tokens.seal(raw))
    return invitation, raw


def invite_once(*, created_by: Any, **details: Any) -> tuple[Invitation, bool]:
    """Staff's "Email the link" (`create_invitation`'s arguments): the invitation, and whether it was made now. An
    invitation for the same patient (name, birth date, e-mail, language) and the same appointment whose link still
    works is that one again, not a second: a double click, the form sent again later (the back button), or a
    colleague inviting the same patient for the same visit. Two links for one visit split the answers between two
    forms; a new link for it is "Make a new link" on its page. Until stop 33 this held for the same staff member
    within two minutes only.
    The staff member's own row is locked meanwhile, so a second request of theirs waits for the first and finds it."""
    with transaction.atomic():
        # no_key: rows that only point at the user (audit events, notes) are not held up meanwhile.
        get_user_model().objects.select_for_update(no_key=True).filter(pk=created_by.pk).exists()
        earlier = (
            Invitation.objects.filter(
                kind=Questionnaire.INTAKE,
                patient_name=patients.normal_name(str(details["patient_name"])),
                email=str(details.get("email", "")).strip(),
                date_of_birth=details["date_of_birth"],
                appointment_at=details["appointment_at"],
                language=details.get("language", "en"),
                expires_at__gt=timezone.now(),
            )
            .order_by("-pk")
            .first()
        )
        if earlier is not None:
            emailed = messages.latest(OutboundMessage.Kind.INVITATION, earlier.pk) is not None
            if details.get("send_email") and not emailed:
                # "Save" first, then "Email the link": that invitation's link goes out now (a fresh one).
                renew_link(earlier, send_email=True)
                return earlier, True
            return earlier, False
        invitation, _token = create_invitation(created_by=created_by, **details)
        return invitation, True


def _spoken(language: str) -> str:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"The portal does not speak {language!r} (settings.LANGUAGES).")
    return language


class RenewalRefused(Exception):
    """A new link cannot be sent; `field` is the form field the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


MSG_RENEW_FOLLOW_UP = (
    "This is a follow-up questionnaire's link: the follow-up schedule sends it, with its own reminders and a new "
    "link each time. It has no appointment to change."
)
MSG_RENEW_NEEDS_EMAIL = (
    "Add the patient's email: a new link is only ever emailed to the patient (staff cannot send links by text message)."
)
MSG_RENEW_APPOINTMENT_PAST = (
    "This appointment has passed, so a new link would not work. Enter the new appointment time."
)
MSG_MOVE_APPOINTMENT_PAST = "This time has passed. Enter the new appointment time."
MSG_RENEW_CANCELLED = (
    "This visit was cancelled, so a new link would not open the form. Book the visit again first (below), then send "
    "a new link if the patient needs one."
)
MSG_RENEW_JUST_SENT = (
    "A new link was sent a moment ago (a second click, or a colleague), so this one was not: the patient has the "
    "newest link. Send another only if that one is lost too."
)


def set_language(invitation_id: int, language: str) -> None:
    """The language the patient's link opens in and their e-mails are written in, as the patient picked it; their
    record keeps it too, for the links sent later (a follow-up went out in the language of the first e-mail)."""
    Invitation.objects.filter(pk=invitation_id).exclude(language=language).update(language=language)
    Patient.objects.filter(invitations__pk=invitation_id).exclude(language=language).update(language=language)


def renew_link(
    invitation: Invitation,
    *,
    send_email: bool,
    email: str | None = None,
    appointment_at: datetime.datetime | None = None,
    language: str | None = None,
    keep_sessions: bool = False,
    seen_version: int | None = None,
    shown: ShownDetails | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """A fresh link for the same invitation; answers are kept. `language` (None: unchanged) is the one the e-mail
    and the patient's pages start in.

    The old link stops working and every browser session opened with it ends (`link_version`), unless
    `keep_sessions`: a reminder's new link is routine, not a link lost or seen by someone else, and it ended the form
    of a patient answering it at that moment (the stop-29 audit); it also keeps the count of wrong birth dates. Nor
    does it end the old link yet: it waits as `pending_token_hash` beside it until the reminder's message is sent
    (`reminders.settle_link`), as a message that never goes left the patient with no working link at all. Else a
    lock is lifted, the count of wrong dates of birth starts again for the new link, and a reminder's link still
    waiting to go is dropped with the old one; the link works until the usual end for its (possibly new)
    appointment, or a follow-up's until its own. The raw token is returned for tests and demo data only: staff use
    `email_new_link`. `shown`: what staff's page showed (`_merged`). With `now`, refused when the appointment (as
    merged: a time sent as the page showed it is the one on file now) is not after it.
    """
    raw = tokens.new_token()
    with transaction.atomic():
        row = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if seen_version is not None and seen_version != row.link_version:
            # Staff's page showed an older link: a double click, or a colleague's new link a moment ago. Another would
            # end the one just sent, and the patient's first e-mail would hold a link that does not work.
            raise RenewalRefused("__all__", MSG_RENEW_JUST_SENT)
        if shown is not None:
            appointment_at, typed, language = _merged(
                row, shown, appointment_at or row.appointment_at, (email or "").strip(), language
            )
            email = typed or None  # as the page showed it: the address on file now
        if now is not None and (appointment_at or row.appointment_at) <= now:
            raise RenewalRefused("appointment_at", MSG_RENEW_APPOINTMENT_PAST)
        if keep_sessions:
            row.pending_token_hash = tokens.hash_token(raw)  # a reminder's replaces the old link once it is sent
        else:  # a reminder is no fresh start for someone guessing the birth date (review, stop 30)
            row.token_hash = tokens.hash_token(raw)
            row.pending_token_hash = None
            row.failed_attempts = 0
            row.locked_at = None
        row.link_version = row.link_version + (0 if keep_sessions else 1)
        row.email = row.email if email is None else email.strip()
        row.language = row.language if language is None else _spoken(language)
        _move(row, appointment_at or row.appointment_at)
        row.save(
            update_fields=[
                "token_hash",
                "pending_token_hash",
                "failed_attempts",
                "locked_at",
                "link_version",
                "email",
                "language",
                "appointment_at",
                "expires_at",
            ]
        )
        # The patient record takes the address and language staff just gave: follow-ups copy theirs from it, and
        # went to the mistyped address, in the old language, after a corrected new link (the stop-30 audit).
        _keep_on_record(row, email=email, language=language)
        if send_email and row.email:
            tasks.queue_invitation_email(row, tokens.seal(raw))
            if row.kind == Questionnaire.INTAKE:
                _cover_passed_reminders(row, now=timezone.now())
    invitation.refresh_from_db()
    return raw


def _cover_passed_reminders(row: Invitation, *, now: datetime.datetime) -> None:
    """The pre-visit reminders whose moment has passed count as sent once staff e-mail a new link: it is the
    patient's newest. A reminder missed while the link was locked went a minute after staff's e-mail, with another
    link that ended the one staff had just sent. Counted from when the e-mail is queued, so that none goes while it
    waits or is retried; should it fail for good, they are due again (`reminders.uncover_reminders`): its link ended
    the patient's all the same."""
    for days in settings.PRE_VISIT_REMINDER_DAYS:
        if days_after(row.appointment_at, -days) <= now:
            Reminder.objects.get_or_create(invitation=row, which=f"{days}d", defaults={"created_at": now})


def _move(row: Invitation, when: datetime.datetime, *, patient_has_link: bool = True) -> bool:
    """The invitation (its row locked; the caller saves its `appointment_at` and `expires_at`) is for an appointment
    at `when`: the link works until the usual end for it (a follow-up's keeps its own), and the queue's copy,
    follow-ups not sent yet and the pre-visit reminders move with it. Nothing is sent, and the link and its sessions
    stay as they are. Returns whether it moved."""
    moved_from = row.appointment_at
    row.appointment_at = when
    if row.kind != Questionnaire.FOLLOW_UP:  # a follow-up keeps its own end: its "appointment" is the visit
        row.expires_at = expiry_for(when)
    # The queue sorts intakes by their own copy of the appointment time. The intake's row before the patient
    # record's: a patient's save takes them in that order (its phone goes on the record), so this path must too.
    Intake.objects.filter(invitation=row).exclude(appointment_at=when).update(appointment_at=when)
    if when == moved_from:
        return False
    # The visit moved: its follow-ups not sent yet move with it (they count from the visit; the 6-week one went out
    # before a visit moved two months on: the stop-29 audit).
    # Counted in calendar days from the new time, as they were from the old: adding the move's hours put them an hour
    # off when the move crossed a clock change.
    waiting = FollowUp.objects.filter(visit__invitation=row, sent_at__isnull=True, cancelled_at__isnull=True)
    for follow_up in waiting.only("pk", "due_at"):
        days = (timezone.localtime(follow_up.due_at).date() - timezone.localtime(moved_from).date()).days
        FollowUp.objects.filter(pk=follow_up.pk).update(due_at=days_after(when, days))
    if row.kind == Questionnaire.INTAKE:
        # Its pre-visit reminders were for the old date: the new one gets those still ahead of it (a patient moved
        # two weeks on after both had gone got none: the stop-32 audit of the follow-ups). One whose moment has passed
        # for the new date too is kept: re-sent, it would replace the newest link. And one whose moment for the new
        # date has passed though it never went (the visit moved earlier) is taken as sent: the link staff just sent,
        # or the one the patient has, is their newest (review of the stop-32 commits).
        # A patient with no link yet (`change_details` of an invitation saved without e-mailing, phone only) gets
        # theirs from the reminder nearest the new date whose moment has passed: it is left to go, the earlier ones
        # covered by it (review of the stop-33 commits).
        # A reminder dropped after it went, or may have gone, leaves a record of it (`EarlierReminder`): the clinic's
        # page showed no trace of it once its row and message were deleted, for a patient who says they were never
        # reminded (or who holds a reminder staff could not see).
        now = timezone.now()
        passed = [days for days in settings.PRE_VISIT_REMINDER_DAYS if days_after(when, -days) <= now]
        left_to_go = None if patient_has_link or not passed else min(passed)
        for days in settings.PRE_VISIT_REMINDER_DAYS:
            which = f"{days}d"
            if days not in passed:
                dropped = Reminder.objects.filter(invitation=row, which=which)
                _drop_unsent_link(row, dropped)
                _keep_record_of_sent(row, dropped, appointment_at=moved_from)
                dropped.delete()
            elif days != left_to_go:
                Reminder.objects.get_or_create(invitation=row, which=which, defaults={"created_at": now})
    return True


def _keep_record_of_sent(row: Invitation, reminders: QuerySet[Reminder], *, appointment_at: datetime.datetime) -> None:
    """An `EarlierReminder` for each of the invitation's reminders (about to be deleted with their messages) whose
    message was sent, for `appointment_at`, the date it was for. The invitation is locked: the worker claims a
    message and records it sent while it holds it (messaging.registry: lock order), so neither changes under this.
    One not sent leaves none: it never reached the patient. Unless the patient may hold it, though nothing says so:
    an attempt may have arrived (`OutboundMessage.may_have_arrived`: the mail server took it and its answer never
    came) and it failed for good or waits for a retry, or it is being sent (claimed: the mail server has it or is
    taking it; messaging.delivery). It is kept too, marked so (`EarlierReminder.may_have_arrived`: "Not confirmed"),
    with the time that attempt handed it over. It left no trace before, and staff could not tell the patient's "I got
    a reminder" from a mistake. One being sent stays so for good: its message goes with the move, and the attempt's
    outcome, when it comes, finds no row to record it on (messaging.delivery); recorded as sent, it showed as the
    patient's link though its link never took their link's place (`_drop_unsent_link`)."""
    which = dict(reminders.values_list("pk", "which"))
    sent = OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, about_id__in=list(which)
    ).filter(Q(status=OutboundMessage.Status.SENT) | _being_sent() | Q(may_have_arrived=True))
    # The first attempt that may have arrived, else the one under way. One marked before messaging 0009 kept no time
    # of that attempt: when it was queued, the nearest known.
    since = Coalesce("sent_at", "may_have_arrived_at", "claimed_at", "created_at")
    EarlierReminder.objects.bulk_create(
        EarlierReminder(
            invitation=row,
            which=which[about_id],
            appointment_at=appointment_at,
            channel=channel,
            sent_at=sent_at,
            may_have_arrived=status != OutboundMessage.Status.SENT,
        )
        for about_id, channel, sent_at, status in sent.annotate(since=since).values_list(
            "about_id", "channel", "since", "status"
        )
        if sent_at is not None  # set with the status or the claim (messaging.delivery)
    )


def _being_sent() -> Q:
    """A message the worker has claimed and not yet recorded: the mail server may have it (messaging.delivery)."""
    return Q(status=OutboundMessage.Status.PENDING) & ~Q(claim="")


def _drop_unsent_link(row: Invitation, reminders: QuerySet[Reminder]) -> None:
    """The reminders are deleted with their messages (intake.tasks forgets them): a link one of them was still to
    carry (`pending_token_hash`; the caller saves the row) is dropped with it. Never sent, it must open nothing;
    nothing else would settle it (review of the stop-37 commits). One being sent (the worker no longer holds the
    invitation while the mail server takes it) may reach the patient or not, and its message row goes with the move,
    so nothing will say which: its link stays waiting beside the patient's, both open, until a newer reminder's link
    takes its place. Counted as sent, its link replaced the patient's, and a mail server that then refused it left
    the patient no link that opened (the audit of the stop-40 commits); dropped, the reminder that did arrive held
    a link that opened nothing. So too one retrying after an attempt that may have arrived (`may_have_arrived`)."""
    unsent = OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.PRE_VISIT_REMINDER,
        about_id__in=reminders.values("pk"),
        status=OutboundMessage.Status.PENDING,
    ).exclude(sealed_token="")
    for sealed, claim, may_have_arrived in unsent.values_list("sealed_token", "claim", "may_have_arrived"):
        if not claim and not may_have_arrived and row.pending_token_hash == tokens.hash_token(tokens.unseal(sealed)):
            row.pending_token_hash = None


MSG_MOVE_SENT_ALREADY = (
    "The patient has sent their answers, so a new link would not open the form again. Change the appointment or "
    "details below: nothing is sent to the patient."
)


def _patient_has_link(row: Invitation) -> bool:
    """The message with the link the patient uses went, or is on its way (queued, retrying, sent, by e-mail or text):
    the invitation's own, or a pre-visit reminder's, one sent before an earlier move of the visit too (its message
    deleted, its `EarlierReminder` kept: a patient by phone moved twice was sent a second link at once). Not one whose
    link a newer one ended (staff's e-mail that failed). Reminder rows alone prove nothing: a moved visit marks passed
    ones as covered without sending them (review of the stop-33 commits)."""
    return selectors.live_link(row).reaches_patient


def change_details(
    invitation: Invitation,
    *,
    appointment_at: datetime.datetime,
    email: str,
    language: str | None,
    now: datetime.datetime,
    seen_version: int | None = None,
    shown: ShownDetails | None = None,
) -> list[str]:
    """Staff's "Change the appointment or details": the invitation, its intake's place in the queue, its reminders and
    follow-ups move to the new time, and a new e-mail address or language goes on it and on the patient record (the
    reminders and follow-ups use them). Nothing is sent and the patient's link keeps working (until the day after the
    new time): for a patient without an e-mail, or one who has sent their answers, where a new link is no use. A blank
    address never erases one. Refused for a follow-up's invitation (its schedule is the visit's), for a time that
    has passed, and for a cancelled visit when the page asking showed an older link (`seen_version`): it was opened
    before the visit was cancelled, so it never offered to book it again. With `shown` (what the page showed), a
    detail sent as it was shown is left as it is now (a colleague may have changed it since), and one changed both
    here and by a colleague since is refused (`_merged`). Returns what changed ("appointment", "email", "language")."""
    if invitation.kind == Questionnaire.FOLLOW_UP:
        raise RenewalRefused("__all__", MSG_RENEW_FOLLOW_UP)
    email = email.strip()
    with transaction.atomic():
        row = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if row.cancelled_at is not None and seen_version is not None and seen_version != row.link_version:
            raise RenewalRefused("__all__", MSG_CANCELLED_SINCE_SHOWN)
        if shown is not None:
            appointment_at, email, language = _merged(row, shown, appointment_at, email, language)
        if appointment_at.replace(second=0, microsecond=0) == row.appointment_at.replace(second=0, microsecond=0):
            appointment_at = row.appointment_at  # the form's minutes for the same time: not a change
        elif appointment_at <= now:
            raise RenewalRefused("appointment_at", MSG_MOVE_APPOINTMENT_PAST)
        # A patient never sent a link (saved without e-mailing, its e-mail failed, no reminder gone) gets theirs from
        # the reminder due for the new date; one who has a link keeps it (a reminder at once would end the one just
        # received).
        has_link = _patient_has_link(row)
        changed = ["booked again"] if _book_again(row, appointment_at, now=now) else []
        if _move(row, appointment_at, patient_has_link=has_link):
            changed.append("appointment")
        if email and email != row.email:
            row.email = email
            changed.append("email")
        if language is not None and _spoken(language) != row.language:
            row.language = _spoken(language)
            changed.append("language")
        row.save(
            update_fields=[
                "appointment_at",
                "expires_at",
                "email",
                "language",
                "cancelled_at",
                "pending_token_hash",
            ]
        )
        _keep_on_record(
            row, email=email if "email" in changed else None, language=language if "language" in changed else None
        )
    invitation.refresh_from_db()
    return changed


@dataclass(frozen=True)
class ShownDetails:
    """The appointment, e-mail and language a "Change the appointment or details" form showed when its page opened."""

    appointment_at: datetime.datetime
    email: str
    language: str


class ChangedSinceShown(RenewalRefused):
    """A detail changed both on a page and, since that page opened, elsewhere (a colleague, the same person in
    another tab, the patient's choice of language: `_merged`)."""


# Not "a colleague": the same person in another tab, or the patient choosing their language, change them too.
MSG_CHANGED_SINCE_SHOWN = (
    "The {what} was changed after this page was opened: it is now {now}. Nothing was saved or sent. Check it, and "
    "press the button again to keep what you typed."
)


def language_name(code: str) -> str:
    return str(get_language_info(code)["name"])


def _same_minute(one: datetime.datetime, other: datetime.datetime) -> bool:
    return one.replace(second=0, microsecond=0) == other.replace(second=0, microsecond=0)


def _merged(
    row: Invitation, shown: ShownDetails, appointment_at: datetime.datetime, email: str, language: str | None
) -> tuple[datetime.datetime, str, str | None]:
    """What to save from a page opened before `row` (locked) was last changed: a detail sent as the page showed it is
    kept as it is now, so a page opened before a colleague moved the visit never moves it back. A detail changed both
    here and since, to different values, is refused next to its field, saying what it is now."""
    if _same_minute(appointment_at, shown.appointment_at):
        appointment_at = row.appointment_at
    elif not _same_minute(row.appointment_at, shown.appointment_at) and not _same_minute(
        appointment_at, row.appointment_at
    ):
        # As the invitation page's "Appointment" line writes it: "Wed Mar 27, 2030, 2:00 PM EDT".
        when = dateformat.format(timezone.localtime(row.appointment_at), "D M j, Y, g:i A T")
        raise ChangedSinceShown("appointment_at", MSG_CHANGED_SINCE_SHOWN.format(what="appointment", now=when))
    if email == shown.email:
        email = ""  # a blank address keeps the one on file
    elif email and row.email != shown.email and email != row.email:
        raise ChangedSinceShown("email", MSG_CHANGED_SINCE_SHOWN.format(what="email", now=row.email or "blank"))
    if language == shown.language:
        language = None
    elif language and row.language != shown.language and _spoken(language) != row.language:
        raise ChangedSinceShown(
            "language", MSG_CHANGED_SINCE_SHOWN.format(what="language", now=language_name(row.language))
        )
    return appointment_at, email, language


MSG_CANCELLED_SINCE_SHOWN = (
    "The visit was cancelled after this page was opened, so nothing was changed. To see the patient "
    "after all, book the visit again below."
)
MSG_BOOK_AGAIN_PASSED = "This visit was cancelled and its time has passed. Enter the new appointment time."


def _book_again(row: Invitation, when: datetime.datetime, *, now: datetime.datetime) -> bool:
    """A cancelled visit (intake.services.cancellation; the row locked, the caller saves it) booked again for `when`:
    the follow-ups the cancelling stopped are scheduled again (`_move` then moves them, and gives the link its end
    for the new time). False when the visit was not cancelled."""
    if row.cancelled_at is None:
        return False
    if when <= now:
        raise RenewalRefused("appointment_at", MSG_BOOK_AGAIN_PASSED)
    FollowUp.objects.filter(visit__invitation=row, sent_at__isnull=True, cancelled_at=row.cancelled_at).update(
        cancelled_at=None
    )
    row.cancelled_at = None
    return True


def _keep_on_record(row: Invitation, *, email: str | None, language: str | None) -> None:
    """A new e-mail address or language given with a new link also goes on the patient record (a blank address never
    erases one)."""
    changes: dict[str, object] = {}
    if email is not None and row.email:
        changes["email"] = row.email
    if language is not None:
        changes["language"] = row.language
    if changes:
        Patient.objects.filter(pk=row.patient_id).update(**changes, updated_at=timezone.now())


@dataclass(frozen=True)
class NewLink:
    link_version: int
    email_changed: bool
    appointment_changed: bool
    language_changed: bool = False


def email_new_link(
    invitation: Invitation,
    *,
    email: str,
    appointment_at: datetime.datetime,
    now: datetime.datetime,
    language: str | None = None,
    seen_version: int | None = None,
    shown: ShownDetails | None = None,
) -> NewLink:
    """Staff's "Make a new link": the link goes to the patient's email and nowhere else (it is never returned).

    Refused without an email, or for an appointment that has passed (the link would end before it was opened; a time
    sent as the page showed it is the one on file now, which a colleague may have moved since: `_merged`), and
    for a follow-up's invitation: the pre-visit e-mail would go out about a visit that is over, and the follow-up's
    own schedule (intake.services.follow_ups) sends its links and reminders.
    """
    if invitation.kind == Questionnaire.FOLLOW_UP:
        raise RenewalRefused("__all__", MSG_RENEW_FOLLOW_UP)
    if Intake.objects.filter(invitation=invitation, status=Intake.Status.SUBMITTED).exists():
        raise RenewalRefused("__all__", MSG_MOVE_SENT_ALREADY)  # the new link would open only the bad-link page
    if invitation.cancelled_at is not None:
        raise RenewalRefused("__all__", MSG_RENEW_CANCELLED)
    email = email.strip()
    if not email:
        raise RenewalRefused("email", MSG_RENEW_NEEDS_EMAIL)
    email_before, appointment_before, language_before = invitation.email, invitation.appointment_at, invitation.language
    if appointment_at == appointment_before.replace(second=0, microsecond=0):
        appointment_at = appointment_before  # the form's minutes for the same time: not a change
    renew_link(  # the token is dropped here
        invitation,
        send_email=True,
        email=email,
        appointment_at=appointment_at,
        language=language,
        seen_version=seen_version,
        shown=shown,
        now=now,  # a passed time is refused once merged: a page showing one may be older than a colleague's move
    )
    return NewLink(
        invitation.link_version,
        invitation.email != email_before,
        invitation.appointment_at != appointment_before,
        invitation.language != language_before,
    )


def discard_invitation(invitation: Invitation) -> None:
    """Delete an invitation with its intake, flags and notes (demo links being made again). The invitation is locked
    first: its reminders' messages are deleted before it, and a worker sending one holds the invitation
    (messaging.registry: lock order)."""
    with transaction.atomic():
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        Intake.objects.filter(invitation=invitation).delete()
        invitation.delete()


class IdentityCheck(enum.Enum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    LOCKED = "locked"


def mark_opened(invitation: Invitation, *, now: datetime.datetime) -> None:
    Invitation.objects.filter(pk=invitation.pk, first_opened_at__isnull=True).update(first_opened_at=now)


def confirm_identity(
    invitation: Invitation, date_of_birth: datetime.date, *, now: datetime.datetime, count: bool = True
) -> IdentityCheck:
    """Compare the date of birth; count wrong tries and lock the link (telling the front desk) at the limit.

    The count is the link's, from every browser and session, and a right date does not reset it (else guessing
    between two sessions, one of them knowing the date, would never lock); only a new link starts it again. With
    `count` False a wrong date is not counted: the same wrong date sent again from the same browser (a double tap or
    a reload) is no new guess, and cost a patient two of their five tries.
    """
    with transaction.atomic():
        # NO KEY: not held up while the mail server takes a reminder (reminders.lock_invitation), as staff are.
        locked = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk)
        if locked.locked_at is not None:
            return IdentityCheck.LOCKED
        if locked.date_of_birth == date_of_birth:
            if locked.identity_confirmed_at is None:
                locked.identity_confirmed_at = now
                locked.save(update_fields=["identity_confirmed_at"])
            return IdentityCheck.CONFIRMED
        if not count:
            return IdentityCheck.WRONG
        locked.failed_attempts += 1
        fields = ["failed_attempts"]
        if locked.failed_attempts >= max_identity_attempts():
            locked.locked_at = now
            fields.append("locked_at")
            tasks.queue_lockout_email(locked)
        locked.save(update_fields=fields)
        return IdentityCheck.LOCKED if locked.locked_at else IdentityCheck.WRONG


def start_intake(invitation: Invitation) -> Intake:
    """The invitation's intake row, made the first time. A follow-up's is made holding the row of the visit it reads
    its background from (`hold_background_visit_of`): the lock order of a relatch, visit then follow-up."""
    if invitation.kind != Questionnaire.FOLLOW_UP:
        return _intake_row(invitation)
    intake = Intake.objects.filter(invitation=invitation).first()
    if intake is not None:
        return intake
    with transaction.atomic(savepoint=False):  # the lock held until the caller's transaction ends, if any
        hold_background_visit_of(invitation.pk, invitation.patient_id)
        return _intake_row(invitation)


def _intake_row(invitation: Invitation) -> Intake:
    intake, _ = Intake.objects.get_or_create(
        invitation=invitation,
        defaults={
            "appointment_at": invitation.appointment_at,
            "patient_id": invitation.patient_id,
            "kind": invitation.kind,
            "form_version": form_version(invitation.kind),
        },
    )
    return intake


# --- One-time codes: answers already given open on a new browser only with a code from the patient's email ----------


class Access(enum.Enum):
    OPEN = "open"  # show the form (and trust this browser from now on)
    CODE_SENT = "code_sent"  # a code is on its way; the form waits for it
    NO_ADDRESS = "no_address"  # answers exist but there is no address to send a code to
    TOO_MANY_CODES = "too_many_codes"  # this invitation has sent its codes for the day


@dataclass(frozen=True)
class Opening:
    access: Access
    code_id: int | None = None


class CodeCheck(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"  # see `tries_left`: at 0 this code cannot be tried again
    DEAD = "dead"  # used, expired, replaced by a newer one, or for an older link


@dataclass(frozen=True)
class CodeResult:
    check: CodeCheck
    tries_left: int = 0


def has_answers(invitation: Invitation) -> bool:
    intake = Intake.objects.filter(invitation=invitation).only("answers").first()
    return intake is not None and bool(intake.answers)


def open_after_identity(invitation: Invitation, *, trusted_browser: bool, now: datetime.datetime) -> Opening:
    """After the right date of birth: open the form, or email a one-time code first.

    With no answers yet there is nothing to protect: the form opens, and the address this link was sent to becomes
    where later codes go (`Invitation.code_email`). Answers already given open without a code only in a browser
    trusted for this invitation (`trusted_browser`, from intake.patient_session's device cookie).
    """
    with transaction.atomic():
        row = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk)
        if not has_answers(row):
            if row.code_email != row.email:
                row.code_email = row.email
                row.save(update_fields=["code_email"])
            invitation.code_email = row.code_email
            start_intake(row)
            return Opening(Access.OPEN)
        if trusted_browser:
            return Opening(Access.OPEN)
    return send_device_code(invitation, now=now)


def _code_digest(nonce: str, code: str) -> str:
    return salted_hmac(_CODE_SALT, f"{nonce}:{code}", algorithm="sha256").hexdigest()


# "Send a new code" again within this long sends nothing more: the code just sent is the one to type.
RESEND_PAUSE = datetime.timedelta(seconds=30)


def send_device_code(
    invitation: Invitation, *, now: datetime.datetime, unless_sent_since: datetime.datetime | None = None
) -> Opening:
    """Email a new one-time code (by text to a patient with only a phone: `tasks.code_by_text`; an earlier unused
    one stops working), unless there is nowhere to send it, or a code still working was sent after
    `unless_sent_since` (a double tap: that one is the code to type), or the invitation has sent
    `max_codes_per_day()` codes in the last 24 hours (then the newest code still working, if any, is the one to
    type). Only a keyed hash is stored."""
    with transaction.atomic():
        row = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk)
        phone = tasks.code_by_text(row)
        if not row.code_address and not phone:
            return Opening(Access.NO_ADDRESS)
        live = (
            DeviceCode.objects.filter(
                invitation=row,
                used_at__isnull=True,
                expires_at__gt=now,
                link_version=row.link_version,
                failed_attempts__lt=max_code_attempts(),
            )
            .order_by("-created_at")
            .values_list("pk", "created_at")
            .first()
        )
        today = DeviceCode.objects.filter(invitation=row, created_at__gt=now - datetime.timedelta(days=1))
        if today.count() >= max_codes_per_day():
            # None sent, but the newest one sent still works: the patient may type it (on any browser that passed
            # the birth date, as the code went to their address).
            return Opening(Access.TOO_MANY_CODES, live[0] if live is not None else None)
        if live is not None and unless_sent_since is not None and live[1] > unless_sent_since:
            return Opening(Access.CODE_SENT, live[0])
        DeviceCode.objects.filter(invitation=row, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        raw = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        nonce = secrets.token_hex(8)
        code = DeviceCode.objects.create(
            invitation=row,
            link_version=row.link_version,
            code_hash=f"{nonce}${_code_digest(nonce, raw)}",
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=code_minutes()),
        )
        if row.code_address:
            tasks.queue_device_code(code, tokens.seal(raw), row.code_address)
        else:
            tasks.queue_device_code(code, tokens.seal(raw), phone, channel=channels.SMS)
    return Opening(Access.CODE_SENT, code.pk)


def check_device_code(invitation: Invitation, code_id: int, entered: str, *, now: datetime.datetime) -> CodeResult:
    """Compare a typed code with the one sent for this browser; count wrong tries on the code, across sessions."""
    with transaction.atomic():
        code = DeviceCode.objects.select_for_update().filter(pk=code_id, invitation_id=invitation.pk).first()
        if (
            code is None
            or code.used_at is not None
            or code.expires_at <= now
            or code.link_version != invitation.link_version
            or code.failed_attempts >= max_code_attempts()
        ):
            return CodeResult(CodeCheck.DEAD)
        nonce, _, digest = code.code_hash.partition("$")
        if constant_time_compare(digest, _code_digest(nonce, entered)):
            code.used_at = now
            code.save(update_fields=["used_at"])
            start_intake(invitation)
            return CodeResult(CodeCheck.RIGHT)
        code.failed_attempts += 1
        code.save(update_fields=["failed_attempts"])
        return CodeResult(CodeCheck.WRONG, max(0, max_code_attempts() - code.failed_attempts))
