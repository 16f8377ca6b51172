"""E-mails of the intake app, sent by the task worker (django-tasks), never during a patient's request.

Arguments are ids (and a sealed token), so the task table holds no patient data. Subjects never name the patient or
say anything about their health: a subject line is shown on lock screens and in mail-server logs.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from clinic_portal.clinic import clinic_details

logger = logging.getLogger(__name__)

INVITATION_SUBJECT = "Your questions before your visit to {clinic}"
LOCKOUT_SUBJECT = "Intake link locked: invitation #{id}"
CONFIRMATION_SUBJECT = "Thank you: {clinic} has your answers"


def front_desk_emails() -> list[str]:
    return list(getattr(settings, "FRONT_DESK_EMAILS", None) or settings.ALERT_EMAILS)


@task()
def send_invitation_email(invitation_id: int, sealed_token: str) -> None:
    from intake import selectors, tokens
    from intake.models import Invitation

    invitation = Invitation.objects.get(pk=invitation_id)
    link = settings.SITE_URL + reverse("intake:start", args=[tokens.unseal(sealed_token)])
    body = render_to_string(
        "intake/email/invitation.txt",
        {**clinic_details(), "invitation": invitation, "link": link, "last_day": selectors.last_day(invitation)},
    )
    send_mail(INVITATION_SUBJECT.format(clinic=settings.CLINIC_NAME), body, None, [invitation.email])
    logger.info("sent invitation email for invitation %s", invitation_id)


@task()
def send_lockout_email(invitation_id: int) -> None:
    recipients = front_desk_emails()
    if not recipients:
        logger.warning("invitation %s locked, but no FRONT_DESK_EMAILS or ALERT_EMAILS to tell", invitation_id)
        return
    link = settings.SITE_URL + reverse("intake:invitation-detail", args=[invitation_id])
    body = render_to_string(
        "intake/email/lockout.txt", {**clinic_details(), "invitation_id": invitation_id, "link": link}
    )
    send_mail(LOCKOUT_SUBJECT.format(id=invitation_id), body, None, recipients)
    logger.info("sent lockout email for invitation %s", invitation_id)


@task()
def send_confirmation_email(intake_id: int) -> None:
    """The receipt by e-mail: the same level-specific message as the receipt page (emergency wording, call-back
    promise, warning signs), in plain text. The subject stays generic."""
    from django.utils import timezone

    from intake import selectors, services
    from intake.models import Intake
    from intake.rules import answers as answer_codec
    from intake.rules.callback import parse_clinic_hours
    from intake.rules.patient_messages import patient_message

    intake = Intake.objects.select_related("invitation").get(pk=intake_id)
    if not intake.invitation.email:
        return
    articles = [
        {"title": title, "url": settings.SITE_URL + url if url else ""}
        for title, url in selectors.recommended_reading(intake)
    ]
    # The promise counts from when the intake was sent, not from when the worker got round to this e-mail.
    message = patient_message(
        level=intake.level_code,
        emergency=services.emergency_kind(intake),
        answers=answer_codec.from_json(intake.answers),
        flag_codes=list(intake.flags.values_list("code", flat=True)),
        sent_at_local=timezone.localtime(intake.submitted_at or timezone.now()),
        hours=parse_clinic_hours(settings.CLINIC_HOURS),
        within_hours=settings.CLINIC_CALLBACK_HOURS,
    )
    body = render_to_string(
        "intake/email/confirmation.txt", {**clinic_details(), "articles": articles, "message": message}
    )
    send_mail(CONFIRMATION_SUBJECT.format(clinic=settings.CLINIC_NAME), body, None, [intake.invitation.email])
    logger.info("sent confirmation email for intake %s", intake_id)
