"""E-mails of the accounts app, sent by the task worker (django-tasks), never during the request that asked for them.

The argument is the username as typed on the lockout page: the task, not the request, finds out whether there is an
account to write to, so the page answers alike (and as fast) for every username.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from clinic_portal.clinic import clinic_details
from messaging.tasks import error_class_only

logger = logging.getLogger(__name__)

UNLOCK_SUBJECT = "Unlock your sign-in to {clinic}"


@task()
@error_class_only
def send_unlock_email(username: str) -> None:
    from accounts import unlock

    user = unlock.account_to_mail(username)
    if user is None:
        logger.info("unlock e-mail asked for a username with no locked account to write to; nothing sent")
        return
    body = render_to_string(
        "accounts/email/unlock.txt",
        {
            **clinic_details(),
            "username": user.get_username(),
            "link": unlock.link_for(user),
            "minutes": settings.SIGN_IN_UNLOCK_LINK_MINUTES,
        },
    )
    send_mail(UNLOCK_SUBJECT.format(clinic=settings.CLINIC_NAME), body, None, [user.email])
    logger.info("sent unlock e-mail to user #%s", user.pk)
