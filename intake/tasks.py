"""E-mails of the intake app: queueing them, and what they say. Sent by the task worker, never during a request.

Each e-mail is a `messaging.OutboundMessage` row (kind, the invitation or intake id, the address), written in the
transaction of the change it tells about and sent by the messaging app's task with retries and a sweeper, so a mail
outage delays an e-mail but never loses it, and staff see where it stands. The text is rendered when it is sent, from
the database, by the renderers below, which `IntakeConfig.ready` registers with `messaging.registry` (messaging
imports nothing from this app). Rows and tasks hold ids and a sealed token, never patient data or a raw link.
Subjects never name the patient or say anything about their health: a subject line is shown on lock screens and in
mail-server logs.

E-mails to the patient (invitation, one-time code, confirmation, follow-up, follow-up and pre-visit reminders),
subject and body, are written in the invitation's language (`intake.patient_language.language_of`); the front desk's
lockout notice is in English, as staff pages are. A follow-up or a reminder goes by text message (fixed wording,
`messaging.sms.texts`) to a patient who has a phone number and no e-mail (`contact_for`). What is due when is decided
by `intake.services.follow_ups.send_due_messages` (the `send_due_messages` task below and the command of that name).
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from clinic_portal.clinic import clinic_details
from intake.patient_language import language_of
from messaging import channels, registry
from messaging import selectors as message_reads
from messaging import services as messages
from messaging.models import OutboundMessage
from messaging.registry import Rendered
from messaging.sms.texts import TextSlots
from messaging.tasks import error_class_only

if TYPE_CHECKING:
    from intake.models import DeviceCode, Intake, Invitation, Reminder

logger = logging.getLogger(__name__)

# Patients' subjects are translated when rendered (marked here so makemessages finds them); the lockout's is staff's.
INVITATION_SUBJECT = gettext_noop("Your questions before your visit to {clinic}")
LOCKOUT_SUBJECT = "Intake link locked: invitation #{id}"
CONFIRMATION_SUBJECT = gettext_noop("Thank you: {clinic} has your answers")
DEVICE_CODE_SUBJECT = gettext_noop("Your code for {clinic}")
FOLLOW_UP_SUBJECT = gettext_noop("How are you since your visit to {clinic}?")
FOLLOW_UP_REMINDER_SUBJECT = gettext_noop("Reminder: a few questions from {clinic}")
PRE_VISIT_REMINDER_SUBJECT = gettext_noop("Reminder: your questions before your visit to {clinic}")
STAFF_LANGUAGE = "en"


def front_desk_emails() -> list[str]:
    return list(getattr(settings, "FRONT_DESK_EMAILS", None) or settings.ALERT_EMAILS)


def queue_invitation_email(invitation: Invitation, sealed_token: str) -> OutboundMessage:
    """Queue the e-mail with the invitation's link (sealed: `intake.tokens.seal`). An unsent one with an older link
    is cancelled: that link stopped working when this one was made."""
    return messages.queue(
        OutboundMessage.Kind.INVITATION,
        invitation.pk,
        [invitation.email],
        sealed_token=sealed_token,
        replace_pending=True,
    )


def queue_lockout_email(invitation: Invitation) -> OutboundMessage | None:
    recipients = front_desk_emails()
    if not recipients:
        logger.warning("invitation %s locked, but no FRONT_DESK_EMAILS or ALERT_EMAILS to tell", invitation.pk)
        return None
    return messages.queue(OutboundMessage.Kind.LOCKOUT, invitation.pk, recipients)


def queue_confirmation_email(intake: Intake) -> OutboundMessage | None:
    if not intake.invitation.email:
        return None
    return messages.queue(OutboundMessage.Kind.CONFIRMATION, intake.pk, [intake.invitation.email])


def queue_device_code(
    code: DeviceCode, sealed_code: str, address: str, *, channel: str = channels.EMAIL
) -> OutboundMessage:
    """Queue the one-time code (sealed: `intake.tokens.seal`) to an e-mail address, or by text to a phone number
    (E.164) for a patient with no address (`code_by_text`)."""
    return messages.queue(
        OutboundMessage.Kind.DEVICE_CODE,
        code.pk,
        [address],
        sealed_token=sealed_code,
        replace_pending=False,
        channel=channel,
    )


def code_by_text(invitation: Invitation) -> str:
    """The phone number (E.164) a one-time code goes to by text: a patient's with no e-mail on the link (a follow-up
    or reminder link sent by text), unless they asked for no texts; "" otherwise. The code then goes where the link
    went. Without it such a patient opening their answers on another phone or computer had no way in at all, and
    the clinic no way to give one (the stop-34 audit)."""
    if invitation.code_address:
        return ""
    contact = contact_for(invitation)
    return contact[1][0] if contact is not None and contact[0] == channels.SMS else ""


def contact_for(invitation: Invitation) -> tuple[str, list[str]] | None:
    """Where a patient's link goes: the invitation's e-mail, else a text to the patient's phone (E.164) unless its
    owner asked for no texts, else nowhere (None)."""
    if invitation.email:
        return channels.EMAIL, [invitation.email]
    number = e164(invitation.patient.phone)
    # A number whose owner asked for no texts (they replied STOP) gets none: the patient is as one with no phone.
    return (channels.SMS, [number]) if number and not message_reads.texts_refused(number) else None


def e164(phone: object) -> str:
    """A stored phone number in E.164 form, or "" when there is none (or it is not one a text can go to)."""
    number = str(getattr(phone, "as_e164", "") or "") if phone else ""
    return number if re.fullmatch(channels.E164, number) else ""


def queue_link_message(
    kind: str, about_id: int, invitation: Invitation, sealed_token: str, *, now: datetime.datetime
) -> OutboundMessage | None:
    """Queue a follow-up link or a reminder (both carry a new link, sealed) by e-mail or text; None when the patient
    has neither. An unsent message of the same kind about the same row is cancelled (its link stopped working)."""
    contact = contact_for(invitation)
    if contact is None:
        return None
    channel, recipients = contact
    return messages.queue(
        kind, about_id, recipients, sealed_token=sealed_token, replace_pending=True, now=now, channel=channel
    )


def _working_link(invitation: Invitation | None, sealed_token: str) -> str | None:
    """The link in a message, if it still opens its invitation (not replaced by a newer one, expired or locked)."""
    from django.utils import timezone

    from intake import selectors, tokens

    if invitation is None or not sealed_token:
        return None
    token = tokens.unseal(sealed_token)
    if not selectors.link_opens(invitation, token, now=timezone.now()):
        return None
    return settings.SITE_URL + reverse("intake:start", args=[token])


def _answered(invitation: Invitation) -> bool:
    from intake.models import Intake

    return Intake.objects.filter(invitation=invitation, status=Intake.Status.SUBMITTED).exists()


def _link_context(invitation: Invitation, link: str) -> dict[str, Any]:
    from django.utils import timezone

    from intake import selectors

    return {
        **clinic_details(),
        "invitation": invitation,
        "link": link,
        "visit": timezone.localtime(invitation.appointment_at),
        "last_day": selectors.last_day(invitation),
    }


def _follow_up_message(message: OutboundMessage) -> tuple[Invitation, str] | None:
    from intake.models import Invitation

    invitation = Invitation.objects.select_related("patient").filter(pk=message.about_id).first()
    link = _working_link(invitation, message.sealed_token)
    if invitation is None or link is None or _answered(invitation):
        return None
    return invitation, link


def render_follow_up(message: OutboundMessage) -> Rendered | None:
    """The follow-up's link; None when the link stopped working (a reminder's newer one replaced it) or it was
    answered meanwhile."""
    found = _follow_up_message(message)
    if found is None:
        return None
    invitation, link = found
    with translation.override(language_of(invitation)):
        body = render_to_string("intake/email/follow_up.txt", _link_context(invitation, link))
        return Rendered(gettext(FOLLOW_UP_SUBJECT).format(clinic=settings.CLINIC_NAME), body)


def _reminder_message(message: OutboundMessage) -> tuple[Reminder, str] | None:
    from intake.models import Reminder

    reminder = Reminder.objects.select_related("invitation__patient").filter(pk=message.about_id).first()
    link = _working_link(reminder.invitation if reminder else None, message.sealed_token)
    if reminder is None or link is None or _answered(reminder.invitation):
        return None
    return reminder, link


def render_reminder(message: OutboundMessage) -> Rendered | None:
    """A follow-up or pre-visit reminder with its new link; None when the questions were answered meanwhile or the
    link stopped working (staff made a newer one, which went out with its own e-mail)."""
    found = _reminder_message(message)
    if found is None:
        return None
    reminder, link = found
    invitation = reminder.invitation
    context = _link_context(invitation, link)
    if message.kind == OutboundMessage.Kind.FOLLOW_UP_REMINDER:
        template, subject = "intake/email/follow_up_reminder.txt", FOLLOW_UP_REMINDER_SUBJECT
        context["last"] = reminder.which == str(settings.FOLLOW_UP_MAX_REMINDERS)
    else:
        template, subject = "intake/email/pre_visit_reminder.txt", PRE_VISIT_REMINDER_SUBJECT
    with translation.override(language_of(invitation)):
        body = render_to_string(template, context)
        return Rendered(gettext(subject).format(clinic=settings.CLINIC_NAME), body)


def text_follow_up(message: OutboundMessage) -> TextSlots | None:
    found = _follow_up_message(message)
    return None if found is None else TextSlots(link=found[1], language=language_of(found[0]))


def text_reminder(message: OutboundMessage) -> TextSlots | None:
    found = _reminder_message(message)
    return None if found is None else TextSlots(link=found[1], language=language_of(found[0].invitation))


def _usable_code(message: OutboundMessage) -> DeviceCode | None:
    """The code a message carries, while it can still be used (not used, expired, or replaced by a newer one)."""
    from django.utils import timezone

    from intake.models import DeviceCode

    code = DeviceCode.objects.select_related("invitation").filter(pk=message.about_id).first()
    if code is None or not message.sealed_token or code.used_at is not None or code.expires_at <= timezone.now():
        return None
    return code


def text_device_code(message: OutboundMessage) -> TextSlots | None:
    from intake import tokens
    from intake.services.invitations import code_minutes

    code = _usable_code(message)
    if code is None:
        return None
    return TextSlots(
        code=tokens.unseal(message.sealed_token), minutes=code_minutes(), language=language_of(code.invitation)
    )


def render_device_code(message: OutboundMessage) -> Rendered | None:
    """None when the code can no longer be used (used, expired, or replaced by a newer one)."""
    from intake import tokens
    from intake.services.invitations import code_minutes

    code = _usable_code(message)
    if code is None:
        return None
    with translation.override(language_of(code.invitation)):
        body = render_to_string(
            "intake/email/device_code.txt",
            {**clinic_details(), "code": tokens.unseal(message.sealed_token), "minutes": code_minutes()},
        )
        return Rendered(gettext(DEVICE_CODE_SUBJECT).format(clinic=settings.CLINIC_NAME), body)


def render_invitation(message: OutboundMessage) -> Rendered | None:
    """None when the link would not open any more (a newer link was made, or it expired or locked meanwhile)."""
    from django.utils import timezone

    from intake import selectors, tokens
    from intake.models import Invitation

    invitation = Invitation.objects.filter(pk=message.about_id).first()
    if invitation is None or not message.sealed_token:
        return None
    token = tokens.unseal(message.sealed_token)
    if not selectors.link_opens(invitation, token, now=timezone.now()):
        return None
    link = settings.SITE_URL + reverse("intake:start", args=[token])
    with translation.override(language_of(invitation)):
        body = render_to_string(
            "intake/email/invitation.txt",
            {**clinic_details(), "invitation": invitation, "link": link, "last_day": selectors.last_day(invitation)},
        )
        return Rendered(gettext(INVITATION_SUBJECT).format(clinic=settings.CLINIC_NAME), body)


def render_lockout(message: OutboundMessage) -> Rendered | None:
    """None when the invitation is gone. Sent even if staff made a new link meanwhile: the front desk still hears
    that someone kept typing wrong dates of birth."""
    from intake.models import Invitation

    invitation_id = message.about_id
    if not Invitation.objects.filter(pk=invitation_id).exists():
        return None
    link = settings.SITE_URL + reverse("intake:invitation-detail", args=[invitation_id])
    with translation.override(STAFF_LANGUAGE):
        body = render_to_string(
            "intake/email/lockout.txt", {**clinic_details(), "invitation_id": invitation_id, "link": link}
        )
    return Rendered(LOCKOUT_SUBJECT.format(id=invitation_id), body)


def render_confirmation(message: OutboundMessage) -> Rendered | None:
    """The receipt by e-mail: the same level-specific message as the receipt page (emergency wording, call-back
    promise, warning signs), in plain text. The subject stays generic."""
    from django.utils import timezone

    from intake import selectors, services
    from intake.call_backs import clinic_hours
    from intake.models import Intake
    from intake.rules import answers as answer_codec
    from intake.rules.patient_messages import patient_message

    intake = Intake.objects.select_related("invitation").filter(pk=message.about_id).first()
    if intake is None:
        return None
    articles = [
        {"title": item.title, "url": settings.SITE_URL + item.url if item.url else ""}
        for item in selectors.recommended_reading(intake, language=language_of(intake.invitation))
    ]
    # The promise counts from when the intake was sent, not from when the worker got round to this e-mail.
    text = patient_message(
        level=intake.level_code,
        emergency=services.emergency_kind(intake),
        answers=answer_codec.from_json(intake.answers),
        flag_codes=list(intake.flags.values_list("code", flat=True)),
        sent_at_local=timezone.localtime(intake.submitted_at or timezone.now()),
        hours=clinic_hours() if intake.call_back_by is not None else None,
        within_hours=settings.CLINIC_CALLBACK_HOURS,
        promised_by=timezone.localtime(intake.call_back_by) if intake.call_back_by is not None else None,
    )
    from intake.models import Questionnaire
    from intake.references import reference_for

    context = {
        **clinic_details(),
        "articles": articles,
        "message": text,
        "reference": reference_for(intake.pk),
        # The visit still to come (a follow-up's is in the past: no appointment line).
        "appointment": timezone.localtime(intake.appointment_at) if intake.kind == Questionnaire.INTAKE else None,
        # After the visit: no "before your visit" (the receipt page says the same, intake/done.html).
        "is_follow_up": intake.kind == Questionnaire.FOLLOW_UP,
    }
    with translation.override(language_of(intake.invitation)):
        body = render_to_string("intake/email/confirmation.txt", context)
        return Rendered(gettext(CONFIRMATION_SUBJECT).format(clinic=settings.CLINIC_NAME), body)


# The kinds of message about a row of each model (`OutboundMessage.about_id`): they hold its address (and a link or a
# code), and go when it goes. A row deleted on its own takes its messages with it (`_forget_messages`, a delete signal
# connected below); the retention purge deletes without signals, and forgets those of all it removes a statement per
# kind of row, whatever the number of rows (intake.services.removal).
MESSAGES_ABOUT: dict[str, tuple[str, ...]] = {
    "intake.Invitation": (
        OutboundMessage.Kind.INVITATION,
        OutboundMessage.Kind.LOCKOUT,
        OutboundMessage.Kind.FOLLOW_UP,
    ),
    "intake.Intake": (OutboundMessage.Kind.CONFIRMATION,),
    "intake.Reminder": (OutboundMessage.Kind.FOLLOW_UP_REMINDER, OutboundMessage.Kind.PRE_VISIT_REMINDER),
    "intake.DeviceCode": (OutboundMessage.Kind.DEVICE_CODE,),
}


def register_messages() -> None:
    """Once, from `IntakeConfig.ready`: the renderers, and forgetting the messages (addresses) of deleted rows, so a
    retention purge or a discarded demo invitation leaves no address behind."""
    from intake.models import DeviceCode, Intake, Invitation, Reminder

    registry.register(OutboundMessage.Kind.INVITATION, render_invitation)
    registry.register(OutboundMessage.Kind.LOCKOUT, render_lockout)
    registry.register(OutboundMessage.Kind.CONFIRMATION, render_confirmation)
    registry.register(OutboundMessage.Kind.DEVICE_CODE, render_device_code)
    registry.register(OutboundMessage.Kind.FOLLOW_UP, render_follow_up)
    registry.register(OutboundMessage.Kind.FOLLOW_UP_REMINDER, render_reminder)
    registry.register(OutboundMessage.Kind.PRE_VISIT_REMINDER, render_reminder)
    registry.register_text(OutboundMessage.Kind.DEVICE_CODE, text_device_code)
    registry.register_text(OutboundMessage.Kind.FOLLOW_UP, text_follow_up)
    registry.register_text(OutboundMessage.Kind.FOLLOW_UP_REMINDER, text_reminder)
    registry.register_text(OutboundMessage.Kind.PRE_VISIT_REMINDER, text_reminder)
    # A reminder's link replaces the patient's only once it is sent; one that never goes leaves theirs working.
    # Its invitation is locked before the message row, as staff's changes to the invitation lock them.
    for kind in (OutboundMessage.Kind.FOLLOW_UP_REMINDER, OutboundMessage.Kind.PRE_VISIT_REMINDER):
        registry.on_settled(kind, _settle_reminder_link, lock_first=_lock_reminder_invitation)
    # Staff's e-mail of a link counts as the pre-visit reminders already due only if it is sent: one that never goes
    # lets them go after all. Its invitation is locked before the message row too.
    registry.on_settled(OutboundMessage.Kind.INVITATION, _uncover_reminders, lock_first=_lock_invitation)
    for model in (Invitation, Intake, Reminder, DeviceCode):
        post_delete.connect(_forget_messages, sender=model, dispatch_uid=f"intake.forget_messages.{model.__name__}")


def _settle_reminder_link(message: OutboundMessage, sent: bool) -> None:
    from intake.services.reminders import settle_link

    settle_link(message, sent=sent)


def _lock_reminder_invitation(reminder_id: int) -> None:
    from intake.services.reminders import lock_invitation

    lock_invitation(reminder_id)


def _uncover_reminders(message: OutboundMessage, sent: bool) -> None:
    from intake.services.reminders import uncover_reminders

    uncover_reminders(message, sent=sent)


def _lock_invitation(invitation_id: int) -> None:
    from intake.services.reminders import lock_invitation_of_email

    lock_invitation_of_email(invitation_id)


def _forget_messages(sender: Any, instance: Model, **kwargs: Any) -> None:
    messages.forget(MESSAGES_ABOUT[sender._meta.label], [instance.pk])


# Tasks queued before e-mails became messages (still waiting when the upgrade is deployed) hand over to messaging.


@task()
@error_class_only
def send_invitation_email(invitation_id: int, sealed_token: str) -> None:
    from intake.models import Invitation

    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None and invitation.email:
        queue_invitation_email(invitation, sealed_token)


@task()
@error_class_only
def send_lockout_email(invitation_id: int) -> None:
    from intake.models import Invitation

    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None:
        queue_lockout_email(invitation)


@task()
@error_class_only
def send_confirmation_email(intake_id: int) -> None:
    from intake.models import Intake

    intake = Intake.objects.select_related("invitation").filter(pk=intake_id).first()
    if intake is not None:
        queue_confirmation_email(intake)


@task()
@error_class_only
def send_due_messages() -> dict[str, int]:
    """The dispatcher (`intake.services.follow_ups.send_due_messages`) as a task, for a scheduler that queues tasks;
    `manage.py send_due_messages` runs the same from cron. Counts only: nothing about a patient."""
    from intake.services.follow_ups import send_due_messages as dispatch

    return dispatch()
