"""Reads of the intake app: finding an invitation by its link, the reading list, the staff's invitation list."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

from django.db import connections, router
from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from clinic_portal.db_backend import prepared_cursor
from clinic_portal.db_rows import RowReader, quoted_column
from education.models import Article
from education.translation import current_titles
from intake import tokens
from intake.models import Intake, Invitation, Patient, Questionnaire, RedFlagAnswer, Reminder
from messaging import selectors as messages
from messaging.models import OutboundMessage, state_in_sql


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


def recommended_reading(intake: Intake, *, language: str | None = None) -> list[tuple[str, str]]:
    """(title, url) of the stored recommendations that are published articles now, best first; never a draft. Titles
    in `language` where the article has an up-to-date translation (the article page then shows it in that language)."""
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
        reading.append((translated.get(article.pk, article.title), article.get_absolute_url()))
    return reading


def recent_invitations(*, now: datetime.datetime, name: str = "") -> QuerySet[Invitation]:
    """Pre-visit invitations whose link still matters (not yet expired, or a cancelled visit still ahead), soonest
    appointment first, each with where its newest link message (the invitation's e-mail or a reminder's, by e-mail
    or text: `with_email_states`) and its receipt e-mail stand (`invitation_email`, `confirmation_email`: "queued",
    "retrying", "sent", "failed", "cancelled", or None when there is none), in the same query; with `name`, only
    those whose patient's name contains it (any case). Follow-ups' links have their own list (dashboard's follow-ups
    page): their "appointment" is the visit, long past. The caller pages it (intake.staff_views.invitation_list)."""
    # A cancelled visit still ahead stays on the list, to be booked again when the patient rings back (review of the
    # stop-34 commits: its link ended, and the list, the only way back to its page, lost it).
    current = Invitation.objects.filter(
        Q(expires_at__gt=now) | Q(cancelled_at__isnull=False, appointment_at__gt=now), kind=Questionnaire.INTAKE
    )
    if name:
        current = current.filter(patient_name__icontains=name)
    return with_email_states(current).select_related("intake").order_by("appointment_at", "pk")


def newest_link_message(invitation: Invitation) -> tuple[OutboundMessage | None, str]:
    """The newest message with the invitation's link, by e-mail or text, and which reminder it was ("" for the
    invitation's own e-mail or a follow-up's own link): each reminder carries a new link and the one before stops
    working (intake.services.reminders), and a patient booked by phone with no e-mail gets the link only by a
    reminder, so the first message says nothing about the link the patient can use once a reminder has gone."""
    if invitation.kind == Questionnaire.FOLLOW_UP:
        own, reminder_kind = OutboundMessage.Kind.FOLLOW_UP, OutboundMessage.Kind.FOLLOW_UP_REMINDER
    else:
        own, reminder_kind = OutboundMessage.Kind.INVITATION, OutboundMessage.Kind.PRE_VISIT_REMINDER
    reminders = dict(Reminder.objects.filter(invitation=invitation).values_list("pk", "which"))
    newest = (
        OutboundMessage.objects.filter(
            Q(kind=own, about_id=invitation.pk) | Q(kind=reminder_kind, about_id__in=list(reminders))
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if newest is None or newest.kind != reminder_kind:
        return newest, ""
    return newest, reminders.get(newest.about_id, "")


def with_email_states(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Each pre-visit invitation with where its newest link message stands, as `newest_link_message` finds it for
    the invitation's page (the invitation's own e-mail, or the newest pre-visit reminder, by e-mail or text: a
    patient booked by phone gets the link only by a reminder's text): `invitation_email` (its state, or None),
    `link_channel` and `link_reminder` (the reminder's `which`, "3d", or "" for the invitation's own); and where the
    receipt e-mail stands (`confirmation_email`). Subqueries of the same query: no query per row of the list."""
    newest_link = OutboundMessage.objects.filter(
        Q(kind=OutboundMessage.Kind.INVITATION, about_id=OuterRef("pk"))
        | Q(
            kind=OutboundMessage.Kind.PRE_VISIT_REMINDER,
            about_id__in=Reminder.objects.filter(invitation=OuterRef(OuterRef("pk"))).values("pk"),
        )
    ).order_by("-created_at", "-id")
    which = Reminder.objects.filter(pk=OuterRef("about_id")).values("which")[:1]
    return invitations.annotate(
        invitation_email=Subquery(newest_link.annotate(delivery_state=state_in_sql()).values("delivery_state")[:1]),
        link_channel=Subquery(newest_link.values("channel")[:1]),
        link_reminder=Subquery(
            newest_link.annotate(
                # about_id names a reminder only on a reminder's message (the invitation's own names the invitation).
                which=Case(
                    When(kind=OutboundMessage.Kind.PRE_VISIT_REMINDER, then=Subquery(which)),
                    default=Value(""),
                    output_field=CharField(),
                )
            ).values("which")[:1]
        ),
        confirmation_email=messages.latest_state(OutboundMessage.Kind.CONFIRMATION, OuterRef("intake__id")),
    )


def has_open_latch(intake: Intake, codes: Iterable[str]) -> bool:
    """Whether any of these red-flag questions has an open latch on the intake (a yes taken and not yet cleared)."""
    return RedFlagAnswer.objects.filter(intake=intake, code__in=list(codes), cleared_at__isnull=True).exists()
