"""One way of writing dates and times on the staff pages: the invitation list and page said "2:00 p.m." where the
queue and the intake page said "2:00 PM", and the intake page gave the birth date as 1985-03-27 in its answers (and
its header) where the invitation pages write "Mar 27, 1985". Staff read these pages all day; one format everywhere
avoids misreading. The convention: dates "Mar 27, 1985" (Django's "M j, Y"), an appointment "Wed Mar 27, 2030,
2:00 PM EDT" ("D M j, Y, g:i A T"), times of day "2:00 PM" with the clinic's zone."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.services import create_assessed_intake
from tests.intake.factories import BIRTH_DATE, routine_answers

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM EDT, a Wednesday
APPOINTMENT = datetime.datetime(2030, 3, 27, 18, 0, tzinfo=datetime.UTC)  # 2:00 PM EDT, a Wednesday
SHOWN_APPOINTMENT = "Wed Mar 27, 2030, 2:00 PM EDT"
SHOWN_BIRTH_DATE = "Mar 27, 1985"  # BIRTH_DATE, 1985-03-27


def _pages(client, clinician) -> dict[str, str]:
    with time_machine.travel(NOW, tick=False):
        invitation, _link = services.create_invitation(
            patient_name="Pat Example",
            email="pat@example.org",
            date_of_birth=BIRTH_DATE,
            appointment_at=APPOINTMENT,
            created_by=None,
            send_email=False,
        )
        intake = create_assessed_intake(
            invitation=invitation,
            answers=routine_answers(),
            today=timezone.localdate(),
            submitted_at=timezone.now(),
        )
        client.force_login(clinician)
        urls = {
            "invitation list": reverse("intake:invitation-list"),
            "invitation page": reverse("intake:invitation-detail", args=[invitation.pk]),
            "intake page": reverse("dashboard:intake", args=[intake.pk]),
        }
        return {name: client.get(url).content.decode() for name, url in urls.items()}


def _answers(html: str) -> str:
    """The intake page's list of answers."""
    start = html.index('id="answers-title"')
    return html[start : html.index("</section>", start)]


def test_the_invitation_list_the_invitation_page_and_the_intake_page_write_one_appointment_the_same_way(
    client, clinician
):
    pages = _pages(client, clinician)
    for name, html in pages.items():
        assert SHOWN_APPOINTMENT in html, name
        # Not Django's "p.m." (the `date` filter's "a"), nor the long "Wednesday, March 27, 2030" on one page only.
        assert not re.search(r"\d [ap]\.m\.", html), name
        assert "Wednesday, March 27" not in html, name
    # The answers were sent at 9:00 AM: the invitation page's status and the intake page's history both say so.
    assert "Answers sent</span> Mar 20, 9:00 AM EDT" in pages["invitation page"]
    assert "Submitted</span> Mar 20, 2030, 9:00 AM EDT" in pages["intake page"]


def test_the_intake_page_writes_the_birth_date_as_the_invitation_pages_write_dates(client, clinician):
    html = _pages(client, clinician)["intake page"]
    assert f"<dt>Date of birth</dt><dd>{SHOWN_BIRTH_DATE}</dd>" in html
    answers = _answers(html)
    assert SHOWN_BIRTH_DATE in answers
    assert "1985-03-27" not in html
    # Every date answer reads the same way (the day the pain started: 20 days before the answers were sent).
    started = datetime.date(2030, 2, 28)
    assert f"{started:%b} {started.day}, {started.year}" in answers
    assert started.isoformat() not in html
