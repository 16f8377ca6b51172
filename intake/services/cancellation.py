"""Staff calling a visit off ("Cancel this visit" on the invitation's page), and booking it again.

Cancelling ends the patient's link at once, as a new link would (every page open with it closes), and stops what
the portal would send for that visit: its pre-visit reminders and its follow-ups not sent yet. Nothing is sent to
the patient: the front desk tells them, as it does when it moves a visit by phone. What the patient has answered
stays with the clinic: a form with red-flag answers stays in the queue, and a red-flag answer sent from a page open
at that moment is still taken, triaged and alerted (intake.late_pages.form_closed_here).

Booking again (`invitations.change_details` on a cancelled invitation, with a time still to come) makes the same
link work again until the day after the visit and gives back the follow-ups the cancelling stopped (those stopped at
the moment it was cancelled).
"""

from __future__ import annotations

import datetime

from django.db import transaction

from intake.models import FollowUp, Invitation, Questionnaire
from intake.services.invitations import RenewalRefused

MSG_CANCEL_FOLLOW_UP = (
    "This is a follow-up questionnaire's link, not a visit: it has no appointment to cancel. Follow-ups stop when "
    "their visit is cancelled."
)
MSG_CANCEL_PASSED = "This appointment has passed, so it cannot be cancelled."
MSG_CANCEL_CHANGED = (
    "The visit changed after this page was opened (cancelled and booked again, or a new link sent, in another tab or "
    "by a colleague), so nothing was cancelled. Check the visit as it is now, and cancel it again if it is still "
    "called off."
)


def cancel_visit(invitation: Invitation, *, now: datetime.datetime, seen_version: int | None = None) -> bool:
    """Call the invitation's visit off (module docstring); False when it was cancelled already (a second click, or a
    colleague). Refused for a follow-up's invitation, for an appointment that has passed, and when the link changed
    after the page asking was opened (`seen_version`, the `link_version` it showed): a visit booked again since."""
    if invitation.kind == Questionnaire.FOLLOW_UP:
        raise RenewalRefused("__all__", MSG_CANCEL_FOLLOW_UP)
    with transaction.atomic():
        row = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if row.cancelled_at is not None:
            invitation.refresh_from_db()
            return False
        if seen_version is not None and seen_version != row.link_version:
            raise RenewalRefused("__all__", MSG_CANCEL_CHANGED)
        if row.appointment_at <= now:
            raise RenewalRefused("__all__", MSG_CANCEL_PASSED)
        row.cancelled_at = now
        row.expires_at = min(row.expires_at, now)
        row.link_version += 1  # every page open with the link closes now, not when it next sends
        row.save(update_fields=["cancelled_at", "expires_at", "link_version"])
        FollowUp.objects.filter(visit__invitation=row, sent_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
    invitation.refresh_from_db()
    return True
