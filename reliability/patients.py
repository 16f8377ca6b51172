"""Patients for the concurrency and load scripts: invitations made in-process, intakes driven over HTTP.

Imported after Django is set up against the same database gunicorn serves (see `django_against`).
"""

from __future__ import annotations

import datetime
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reliability.harness import Answer, Browser

ROOT = Path(__file__).resolve().parent.parent
BIRTH_DATE = datetime.date(1985, 3, 27)


def django_against(env: dict[str, str]) -> None:
    """Set up Django in this process with the portal's environment (the same database as the server)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# Which answers make which level: a fifth urgent (saddle numbness), a fifth serious (cancer history), the rest routine.
def answers_for(number: int) -> dict[str, Any]:
    from tests.intake.factories import routine_answers

    if number % 5 == 0:
        return routine_answers(ce_saddle_numbness="yes", ce_onset="within_14_days")
    if number % 5 == 1:
        return routine_answers(cancer_history="yes")
    return routine_answers()


@dataclass
class Patient:
    number: int
    token: str
    invitation_id: int


def make_patients(count: int, *, start: int = 0) -> list[Patient]:
    from django.utils import timezone

    from intake import services

    appointment = timezone.now() + datetime.timedelta(days=2)
    patients = []
    for number in range(start, start + count):
        invitation, token = services.create_invitation(
            patient_name=f"Load Patient {number}",
            email="",
            date_of_birth=BIRTH_DATE,
            appointment_at=appointment,
            created_by=None,
            send_email=False,
        )
        patients.append(Patient(number, token, invitation.pk))
    return patients


def open_link(browser: Any, base: str, patient: Patient) -> bool:
    """GET the private link and confirm the date of birth: the browser then holds the patient's session."""
    browser.request(f"{base}/intake/start/{patient.token}/")
    browser.request(f"{base}/intake/confirm/")
    answer = browser.request(
        f"{base}/intake/confirm/",
        {"csrfmiddlewaretoken": browser.csrf_token(), "date_of_birth": BIRTH_DATE.isoformat()},
    )
    # Consent comes before the first question (issue 14): agree, as the patient does on the page after the check.
    browser.request(f"{base}/intake/step/consent/", {"csrfmiddlewaretoken": browser.csrf_token(), "consent": "yes"})
    return answer.status == 302


def fill_in_process(patient: Patient) -> None:
    """Save every step straight through the intake service (fast set-up for the submission race)."""
    from django.utils import timezone

    from intake import services
    from intake.models import Intake
    from intake.rules.questionnaire import STEP_SLUGS, step_by_slug

    answers = answers_for(patient.number)
    intake = Intake.objects.get(invitation_id=patient.invitation_id)
    for slug in STEP_SLUGS:
        codes = {question.code for question in step_by_slug(slug).questions}
        intake = services.save_step(intake, slug, {k: v for k, v in answers.items() if k in codes}, now=timezone.now())
        if services.needs_emergency_acknowledgement(intake):
            services.acknowledge_emergency(intake, now=timezone.now())
            intake.refresh_from_db()


def fill_over_http(browser: Any, base: str, patient: Patient) -> list[int]:
    """Post every page as a browser would; returns the statuses seen."""
    from intake.forms import as_post_data
    from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug

    answers = answers_for(patient.number)
    statuses = []
    for slug in PAGE_SLUGS:
        data = as_post_data(page_by_slug(slug), answers)
        data["csrfmiddlewaretoken"] = browser.csrf_token()
        answer = browser.request(f"{base}/intake/step/{slug}/", data)
        statuses.append(answer.status)
        if answer.headers.get("Location", "").endswith("/intake/important/"):
            ack = browser.request(
                f"{base}/intake/important/", {"csrfmiddlewaretoken": browser.csrf_token(), "acknowledged": "on"}
            )
            statuses.append(ack.status)
    return statuses


def send(browser: Browser, base: str) -> Answer:
    """Press "Send" on the review page; the answer (a 302 to the done page when the intake was sent)."""
    return browser.request(f"{base}/intake/review/", {"csrfmiddlewaretoken": browser.csrf_token()})


def submit(browser: Any, base: str) -> int:
    return int(send(browser, base).status)
