"""Reads of the intake app: finding an invitation by its link, the reading list, the staff's invitation list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypedDict

from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from clinic_portal.db_backend import prepared_cursor
from clinic_portal.db_expressions import OneOf
from clinic_portal.db_rows import RowReader, quoted_column
from education.models import Article
from education.translation import current_titles, language_code
from intake import tokens
from intake.models import EarlierReminder, Intake, Invitation, Patient, Questionnaire, RedFlagAnswer, Reminder
from messaging import selectors as messages
from messaging.models import OutboundMessage, State, state_in_sql


def usable_invitation(invitation: Invitation | None, *, now: datetime.datetime) -> bool:
    return invitation is not None and invitation.locked_at is None and invitation.expires_at > now


def last_day(invitation: Invitation) -> datetime.date:
    """The last day the link works, in the clinic's time zone (it ends at midnight after that day)."""
    return timezone.localtime(invitation.expires_at - datetime.timedelta(seconds=1)).date()


def invitation_for_token(token: str, *, now: datetime.datetime) -> Invitation | None:
    """The invitation a link opens, or None when the link is unknown, expired or locked (all look the same). The
    invitation's link, or a reminder's new one while its message is on its way (`Invitation.pending_token_hash`):
    the same invitation, birth-date check, wrong-date count and lock for both."""
    if not token or len(token) > 200:
        return None
    digest = tokens.hash_token(token)
    invitation = Invitation.objects.filter(Q(token_hash=digest) | Q(pending_token_hash=digest)).first()
    return invitation if usable_invitation(invitation, now=now) else None


def link_opens(invitation: Invitation, token: str, *, now: datetime.datetime) -> bool:
    """Whether the link with `token` still opens `invitation` (`invitation_for_token`, for a message about to carry
    it): not replaced by a newer one, expired or locked."""
    digest = tokens.hash_token(token)
    return digest in (invitation.token_hash, invitation.pending_token_hash) and usable_invitation(invitation, now=now)


def invitation_by_id(invitation_id: object, *, now: datetime.datetime) -> Invitation | None:
    if not isinstance(invitation_id, int):
        return None
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    return invitation if usable_invitation(invitation, now=now) else None


def intake_by_invitation_id(
    invitation_id: object, *, now: datetime.datetime, closed_links: bool = False
) -> Intake | None:
    """The intake of a still-usable invitation (with `closed_links`, also of one locked or ended: for red-flag
    answers sent from a page opened before), with its invitation, in one query.

    Every patient page reads it first (through `patient_session.confirmed_intake`), so the statement is written
    once per process and prepared on the server (issue 16: the ORM spent about half a millisecond building the same
    `select_related` query on every request, several times what PostgreSQL spent on it). Both rows are read with
    every column, as the ORM reads them (clinic_portal.db_rows), and linked both ways as `select_related` links them.
    """
    if not isinstance(invitation_id, int):
        return None
    connection = connections[router.db_for_read(Intake)]
    intakes, invitations = RowReader.of(Intake, connection), RowReader.of(Invitation, connection)
    with prepared_cursor(connection) as cursor:
        cursor.execute(_intake_with_invitation_sql(connection.alias), [invitation_id])
        row = cursor.fetchone()
    if row is None:
        return None
    intake = intakes.read(row[: intakes.width], connection)
    invitation = invitations.read(row[intakes.width :], connection)
    link = Intake._meta.get_field("invitation")
    link.set_cached_value(intake, invitation)
    link.remote_field.set_cached_value(invitation, intake)
    return intake if closed_links or usable_invitation(invitation, now=now) else None


@lru_cache(maxsize=4)
def _intake_with_invitation_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    intakes, invitations = RowReader.of(Intake, connection), RowReader.of(Invitation, connection)
    link = quoted_column(Intake, "invitation", connection)
    return (
        f"SELECT {intakes.columns('i', connection)}, {invitations.columns('v', connection)} "  # noqa: S608 - names from the models
        f"FROM {quote(Intake._meta.db_table)} i JOIN {quote(Invitation._meta.db_table)} v ON v.id = i.{link} "
        f"WHERE i.{link} = %s LIMIT 1"
    )


def intake_for(invitation: Invitation) -> Intake | None:
    return Intake.objects.filter(invitation=invitation).first()


def phone_on_file(intake: Intake) -> str:
    """The patient record's phone number in E.164 ("" when the clinic has none): what the form's phone question
    shows before the patient answers it (docs/clinical/INTAKE.md: prefilled from the invitation)."""
    phone = Patient.objects.filter(pk=intake.patient_id).values_list("phone", flat=True).first()
    return phone.as_e164 if phone else ""


class Reading(NamedTuple):
    """A recommended article as the receipt and its e-mail name it."""

    title: str
    url: str
    lang: str = ""  # "en": the English title, on a page in another language (marked, WCAG 3.1.2)


def recommended_reading(intake: Intake, *, language: str | None = None) -> list[Reading]:
    """The stored recommendations that are published articles now, best first; never a draft. Titles in `language`
    where the article has an up-to-date translation (the article page then shows it in that language); otherwise the
    English, marked as English when `language` is another."""
    slugs = [slug for slug in intake.recommended_articles if isinstance(slug, str)]
    if not slugs:
        return []
    articles = list(Article.objects.published().filter(slug__in=slugs).only("slug", "title", "english_sha256"))
    by_slug = {article.slug: article for article in articles}
    translated = current_titles(articles, language)
    reading = []
    for slug in slugs:
        article = by_slug.get(slug)
        if article is None:
            continue
        title = translated.get(article.pk)
        fallback = "" if title is not None or language_code(language) == "en" else "en"
        reading.append(Reading(article.title if title is None else title, article.get_absolute_url(), fallback))
    return reading


def recent_invitations(*, now: datetime.datetime, name: str = "") -> QuerySet[WithAnnotations[Invitation, EmailStates]]:
    """Pre-visit invitations whose link still matters (not yet expired, or a cancelled visit still ahead), soonest
    appointment first, each with where the message whose link the patient uses (the invitation's e-mail or a
    reminder's, by e-mail or text, as the invitation's page shows it: `with_email_states`) and its receipt e-mail stand
    (`invitation_email`, `confirmation_email`: "queued", "retrying", "sent", "failed", "unconfirmed", "cancelled", or
    None when there is none), in the same query; with `name`, only those whose patient's name contains it (any
    case). Follow-ups' links have their own list (dashboard's follow-ups page): their "appointment" is the visit, long
    past. The caller pages it (intake.staff_views.invitation_list)."""
    # A cancelled visit still ahead stays on the list, to be booked again when the patient rings back (review of the
    # stop-34 commits: its link ended, and the list, the only way back to its page, lost it).
    current = Invitation.objects.filter(
        Q(expires_at__gt=now) | Q(cancelled_at__isnull=False, appointment_at__gt=now), kind=Questionnaire.INTAKE
    )
    if name:
        current = current.filter(patient_name__icontains=name)
    return with_email_states(current).select_related("intake").order_by("appointment_at", "pk")


@dataclass(frozen=True)
class LiveLink:
    """The message whose link the patient uses (`live_link`): `message`, or `earlier` when it was a reminder sent
    before the visit moved (its message is gone, its link is not); `which` is that reminder's ("3d", "" for the
    invitation's own e-mail). Neither when nothing was sent. `newer`: a reminder queued or retrying after it, with a
    new link that takes its place only once sent (`newer_which`)."""

    message: OutboundMessage | None = None
    which: str = ""
    earlier: EarlierReminder | None = None
    newer: OutboundMessage | None = None
    newer_which: str = ""

    @property
    def reaches_patient(self) -> bool:
        """The patient has a link that works, or one is on its way to them: its message was sent or waits to go."""
        return self.held or self.newer is not None

    @property
    def held(self) -> bool:
        """The link of `message` (or `earlier`) is in the patient's hands, or on its way: not one that failed or was
        not needed (staff's e-mail, whose link ended the one before, refused by the mail server), when the patient
        has no link that opens until `newer` is sent."""
        if self.earlier is not None:
            return True
        return self.message is not None and self.message.status in (
            OutboundMessage.Status.PENDING,
            OutboundMessage.Status.SENT,
        )

    @property
    def unconfirmed(self) -> bool:
        """The message failed for good after an attempt the mail server may have taken (`State.UNCONFIRMED`): not
        `held`, as nothing says it arrived, but its link still opens the form while the link works. Staff's own
        e-mail put its link in the invitation's place when it was queued (services.invitations.renew_link) and its
        failure does not take it back: it ends with staff's next link, or once a reminder's (`newer`) is sent. A
        reminder's stays waiting beside the patient's link (reminders.settle_link) until a newer link is made; such a
        reminder is shown only when nothing newer carries a link (`live_link`)."""
        return self.message is not None and self.message.state == State.UNCONFIRMED


def live_link(invitation: Invitation) -> LiveLink:
    """The message with the link the patient uses, by e-mail or text (the invitation's page, and whether a moved
    visit's patient has a link: services.invitations).

    Not simply the newest message. Staff's e-mail (the invitation's own, or a follow-up's) ends the link before it
    at once, so its link is the patient's from when it was queued, whatever became of it (failed, the patient has no
    link that opens: `LiveLink.held` is False, until a reminder queued after it is sent); a reminder's new link
    replaces the one before only when its message is sent (intake.services.reminders.settle_link), so a reminder
    still queued, or failed, leaves the patient the link they had; and a reminder sent before the visit moved left an
    `EarlierReminder`, its message deleted but its link still the patient's (the page showed the invitation's first
    e-mail, whose link had stopped working); not one that may have arrived, whose link never took their place. When
    no message has put a link in the patient's hands, the newest one that is trying to (a phone-only patient's first
    reminder, queued or failed) is the one staff need to see."""
    if invitation.kind == Questionnaire.FOLLOW_UP:
        own, reminder_kind = OutboundMessage.Kind.FOLLOW_UP, OutboundMessage.Kind.FOLLOW_UP_REMINDER
    else:
        own, reminder_kind = OutboundMessage.Kind.INVITATION, OutboundMessage.Kind.PRE_VISIT_REMINDER
    reminders = dict(Reminder.objects.filter(invitation=invitation).values_list("pk", "which"))
    carried = list(  # each message with a link, newest first
        OutboundMessage.objects.filter(
            Q(kind=own, about_id=invitation.pk) | Q(kind=reminder_kind, about_id__in=list(reminders))
        ).order_by("-created_at", "-id")
    )

    def which(message: OutboundMessage) -> str:
        return reminders.get(message.about_id, "") if message.kind == reminder_kind else ""

    # When each message's link became the patient's (ties: the later row), and the kept record of a reminder sent
    # before the visit moved (on a tie with staff's e-mail, that e-mail is the later: it came with the move).
    took_over = [((message.created_at, 1, message.pk), message) for message in carried if message.kind == own] + [
        ((message.sent_at, 1, message.pk), message)
        for message in carried
        if message.kind == reminder_kind and message.status == OutboundMessage.Status.SENT and message.sent_at
    ]
    live = max(took_over, key=lambda pair: pair[0], default=None)
    earlier = invitation.earlier_reminders.filter(may_have_arrived=False).order_by("-sent_at", "-id").first()
    if earlier is not None and (live is None or (earlier.sent_at, 0, 0) > live[0]):
        since, holder = (earlier.sent_at, 0, 0), LiveLink(which=earlier.which, earlier=earlier)
    elif live is not None:
        since, holder = live[0], LiveLink(message=live[1], which=which(live[1]))
    elif carried:
        return LiveLink(message=carried[0], which=which(carried[0]))
    else:
        return LiveLink()
    newer = next(
        (
            message
            for message in carried
            if message.kind == reminder_kind
            and message.status == OutboundMessage.Status.PENDING
            and (message.created_at, 1, message.pk) > since
        ),
        None,
    )
    if newer is None:
        return holder
    return LiveLink(holder.message, holder.which, holder.earlier, newer, which(newer))


def unconfirmed_reminders(invitation: Invitation, link: LiveLink) -> list[tuple[str, OutboundMessage]]:
    """The invitation's reminders (pre-visit, or a follow-up's) whose message failed for good after an attempt that may
    have arrived (`State.UNCONFIRMED`: the mail server took it and its answer never came), newest first, each with its
    `which` ("3d"); not the one `link` shows already (a patient who had no other link: its row says what its link does).
    The patient may hold them, though nothing says so: shown wherever the invitation's messages are, and never taken
    for the link the patient holds (`live_link` leaves them out: their link never took the place of the patient's,
    reminders.settle_link). They showed nowhere before, until a move of the visit recorded them (an
    `EarlierReminder`)."""
    reminder_kind = (
        OutboundMessage.Kind.FOLLOW_UP_REMINDER
        if invitation.kind == Questionnaire.FOLLOW_UP
        else OutboundMessage.Kind.PRE_VISIT_REMINDER
    )
    reminders = dict(Reminder.objects.filter(invitation=invitation).values_list("pk", "which"))
    failed = OutboundMessage.objects.filter(
        kind=reminder_kind,
        about_id__in=list(reminders),
        status=OutboundMessage.Status.FAILED,
        may_have_arrived=True,
    ).order_by("-created_at", "-id")
    if link.message is not None:
        failed = failed.exclude(pk=link.message.pk)
    return [(reminders[message.about_id], message) for message in failed]


def _outer_pk(depth: int) -> OuterRef:
    """The listed invitation's pk, seen from a subquery `depth` levels inside the list's query."""
    ref = OuterRef("pk")
    for _ in range(depth - 1):
        ref = OuterRef(ref)
    return ref


class _TookOver(TypedDict):
    took_over_at: datetime.datetime | None


class _Shown(TypedDict):
    took_over_at: datetime.datetime | None
    which: str
    delivery_state: str


def _link_messages(depth: int) -> QuerySet[WithAnnotations[OutboundMessage, _TookOver]]:
    """The listed invitation's messages with a link (its own e-mail, its pre-visit reminders' e-mails or texts),
    `depth` levels inside the list's query, each with `took_over_at`: when its link became the patient's (`live_link`:
    staff's e-mail when queued, a reminder's only once sent), or NULL."""
    own = OutboundMessage.Kind.INVITATION
    reminder = OutboundMessage.Kind.PRE_VISIT_REMINDER
    return OutboundMessage.objects.filter(
        Q(kind=own, about_id=_outer_pk(depth))
        | Q(OneOf("about_id", Reminder.objects.filter(invitation=_outer_pk(depth + 1)).values("pk")), kind=reminder)
    ).annotate(
        took_over_at=Case(
            When(kind=own, then=F("created_at")),
            When(status=OutboundMessage.Status.SENT, then=F("sent_at")),  # a reminder's: NULL until sent
            default=None,
            output_field=DateTimeField(),
        )
    )


def _with_which(
    links: QuerySet[WithAnnotations[OutboundMessage, _TookOver]],
) -> QuerySet[WithAnnotations[OutboundMessage, _Shown]]:
    """Each message with `which`: its reminder's ("3d"), or "" for the invitation's own e-mail."""
    reminder = Reminder.objects.filter(pk=OuterRef("about_id")).values("which")[:1]
    return links.annotate(
        # about_id names a reminder only on a reminder's message (the invitation's own names the invitation).
        which=Case(
            When(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, then=Subquery(reminder)),
            default=Value(""),
            output_field=CharField(),
        ),
        delivery_state=state_in_sql(),
    )


class UnconfirmedReminder(TypedDict):
    """`EmailStates.unconfirmed_reminder`: the reminder's `which` ("3d"), and `opted_out`: a later try of its text was
    refused, the patient replied STOP."""

    which: str
    opted_out: bool


class EmailStates(TypedDict):
    """What `with_email_states` adds to each invitation."""

    invitation_email: str | None
    link_channel: str | None
    link_reminder: str | None
    link_visit_then: datetime.datetime | None
    newer_link: str | None
    newer_link_reminder: str | None
    unconfirmed_reminder: UnconfirmedReminder | None
    unconfirmed_earlier: str | None
    unconfirmed_earlier_then: datetime.datetime | None
    confirmation_email: str | None


def with_email_states(invitations: QuerySet[Invitation]) -> QuerySet[WithAnnotations[Invitation, EmailStates]]:
    """Each pre-visit invitation with the message whose link the patient uses, as its page shows it (`live_link`,
    here in SQL, subqueries of the same query: no query per row of the list): `invitation_email` (where it stands,
    "sent" for a reminder sent before the visit moved, or None when no message carried a link), `link_channel`,
    `link_reminder` (the reminder's `which`, "3d", or "" for the invitation's own e-mail) and `link_visit_then` (the
    visit's date then, for a reminder sent before it moved, else None); a reminder on its way with a newer link
    (`newer_link`, its state, and `newer_link_reminder`); the newest reminder that may have arrived though nothing
    says so, not the one shown as the link (`unconfirmed_reminder`: its `which`, as `unconfirmed_reminders`, and
    `opted_out`, a later try of its text was refused, the patient replied STOP), and the
    newest such one recorded when the visit moved (`unconfirmed_earlier`, and `unconfirmed_earlier_then`, the visit's
    date then); and where the receipt e-mail stands (`confirmation_email`).
    """
    # A reminder sent before the visit moved (its message gone) holds the link unless a message's link took over at
    # or after it (on a tie, staff's e-mail came with the move): the newest such record, or none.
    earlier = (
        _sent_earlier()
        .filter(~Exists(_link_messages(2).filter(took_over_at__gte=OuterRef("sent_at"))), invitation=OuterRef("pk"))
        .order_by("-sent_at", "-id")
    )
    newest_earlier = _sent_earlier().filter(invitation=_outer_pk(2)).order_by("-sent_at", "-id")
    # Otherwise the message whose link took over last (ties: the later row) unless such a record is later still; and
    # when none took over (nothing reached the patient), the newest trying to.
    live = _with_which(
        _link_messages(1)
        .filter(Q(took_over_at__gte=Subquery(newest_earlier.values("sent_at")[:1])) | ~Exists(newest_earlier))
        .order_by(
            F("took_over_at").desc(nulls_last=True),
            Case(When(took_over_at__isnull=True, then=F("created_at"))).desc(),
            "-id",
        )
    )
    # A reminder queued or retrying after the link the patient has (`LiveLink.newer`), when they have one: its new
    # link takes over only once it is sent.
    newer = _with_which(
        _link_messages(1)
        .filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, status=OutboundMessage.Status.PENDING)
        .filter(
            Exists(_link_messages(2).filter(took_over_at__isnull=False))
            | Exists(_sent_earlier().filter(invitation=_outer_pk(2))),
            ~Exists(
                _link_messages(2).filter(
                    Q(took_over_at__gt=OuterRef("created_at"))
                    | Q(took_over_at=OuterRef("created_at"), pk__gte=OuterRef("pk"))
                )
            ),
            ~Exists(_sent_earlier().filter(invitation=_outer_pk(2), sent_at__gt=OuterRef("created_at"))),
        )
        .order_by("-created_at", "-id")
    )
    # A reminder that failed for good after an attempt that may have arrived (`unconfirmed_reminders`): not the one
    # shown as the link, which it is only when nothing put a link in the patient's hands (no message's link took
    # over, no reminder sent before the visit moved) and it is the newest message trying to.
    unconfirmed = (
        _with_which(_link_messages(1))
        # By its state, not its status: the planner took the status index, and read every failed message in the table
        # for each invitation listed (measured: 5,000 invitations, 1 in 3 with a failed reminder, 13 ms -> 30-190 ms);
        # the invitation's own few messages are enough.
        .filter(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, delivery_state=State.UNCONFIRMED)
        .filter(
            Exists(_link_messages(2).filter(took_over_at__isnull=False))
            | Exists(_sent_earlier().filter(invitation=_outer_pk(2)))
            | Exists(
                _link_messages(2).filter(
                    Q(created_at__gt=OuterRef("created_at"))
                    | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
                )
            )
        )
        .order_by("-created_at", "-id")
    )
    unconfirmed_earlier = EarlierReminder.objects.filter(invitation=OuterRef("pk"), may_have_arrived=True).order_by(
        "-sent_at", "-id"
    )
    return invitations.annotate(
        invitation_email=Coalesce(
            Subquery(live.values("delivery_state")[:1]),
            Subquery(earlier.annotate(sent=Value(State.SENT)).values("sent")[:1]),
            output_field=CharField(),
        ),
        link_channel=Coalesce(
            Subquery(live.values("channel")[:1]), Subquery(earlier.values("channel")[:1]), output_field=CharField()
        ),
        link_reminder=Coalesce(
            Subquery(live.values("which")[:1]), Subquery(earlier.values("which")[:1]), output_field=CharField()
        ),
        link_visit_then=Subquery(earlier.values("appointment_at")[:1]),
        newer_link=Subquery(newer.values("delivery_state")[:1]),
        newer_link_reminder=Subquery(newer.values("which")[:1]),
        # Its `which` and whether a later try of its text was refused, from one subquery (the same subquery twice, one
        # per column, looked the reminder up twice for each invitation listed). The refusal as the invitation's page
        # says it (`_emails.html`): no text goes to this number again; call the patient.
        unconfirmed_reminder=Subquery(
            unconfirmed.values(
                found=JSONObject(
                    which=F("which"),
                    opted_out=Case(When(last_error="RecipientOptedOut", then=Value(True)), default=Value(False)),
                )
            )[:1],
            output_field=JSONField(),
        ),
        unconfirmed_earlier=Subquery(unconfirmed_earlier.values("which")[:1]),
        unconfirmed_earlier_then=Subquery(unconfirmed_earlier.values("appointment_at")[:1]),
        confirmation_email=messages.latest_state(OutboundMessage.Kind.CONFIRMATION, OuterRef("intake__id")),
    )


def _sent_earlier() -> QuerySet[EarlierReminder]:
    """Reminders sent before the visit moved whose link took the patient's place: not one that may have arrived
    (`EarlierReminder.may_have_arrived`), whose link never did (`live_link`)."""
    return EarlierReminder.objects.filter(may_have_arrived=False)


def has_open_latch(intake: Intake, codes: Iterable[str]) -> bool:
    """Whether any of these red-flag questions has an open latch on the intake (a yes taken and not yet cleared)."""
    return RedFlagAnswer.objects.filter(intake=intake, code__in=list(codes), cleared_at__isnull=True).exists()
