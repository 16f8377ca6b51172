"""Fixtures for the intake tests: tasks run at once (so e-mails land in the outbox), a spy on the alerts hook, and a
patient's browser session opened through the real link and date-of-birth pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from intake.models import Invitation
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
from tests.intake.factories import BIRTH_DATE, make_invitation, post_data


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.FRONT_DESK_EMAILS = ["front-desk@clinic.example"]


@pytest.fixture
def alert_calls(monkeypatch) -> list[tuple[int, Any, Any]]:
    """Every call of alerts.services.intake_level_changed: (intake id, level then, previous_level)."""
    from alerts import services as alert_services

    calls: list[tuple[int, Any, Any]] = []

    def spy(intake, *, previous_level, reopened=False):
        calls.append((intake.pk, intake.level, previous_level))

    monkeypatch.setattr(alert_services, "intake_level_changed", spy)
    return calls


class Patient:
    """A patient's browser: opens their link, confirms their birth date, agrees to share the answers, posts pages
    from typed answers (one value per question, as `as_post_data` writes them)."""

    invitation: Invitation | None = None

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.token = token

    def open_link(self):
        return self.client.get(f"/intake/start/{self.token}/")

    def confirm(self, date_of_birth: str = BIRTH_DATE.isoformat()):
        return self.client.post("/intake/confirm/", {"date_of_birth": date_of_birth})

    def sign_in(self) -> Patient:
        self.open_link()
        response = self.confirm()
        assert response.status_code == 302, response.content[:500]
        return self

    def agree(self):
        return self.client.post("/intake/step/consent/", {"consent": "yes"})

    def post_step(self, slug: str, answers: dict[str, object], **extra: str):
        data: dict[str, object] = {**post_data(page_by_slug(slug), answers)}
        for key, value in extra.items():
            data[key] = value
        return self.client.post(f"/intake/step/{slug}/", data)

    def answer_all(self, answers: dict[str, object]) -> None:
        for slug in PAGE_SLUGS:
            response = self.post_step(slug, answers)
            assert response.status_code == 302, (slug, response.content.decode()[:3000])
            if response["Location"].endswith("/intake/important/"):
                self.client.post("/intake/important/", {"acknowledged": "on"})

    def save_all(self, answers: dict[str, object]) -> None:
        """Store every step's answers through the service layer (intake.services.save_step), as posting every page
        with answer_all does (the same stored answers, the resume point on the review page), without its twenty-odd
        requests: for tests about what comes after the pages (review, sending, the receipt), not about the pages.
        Answers without an emergency only (answer_all is the one that goes through the emergency page)."""
        from django.utils import timezone

        from intake import services
        from intake.models import Intake
        from intake.rules import answers as answer_codec
        from intake.rules.questionnaire import STEP_SLUGS

        assert self.invitation is not None, "save_all needs the patient's invitation (the signed_in fixture sets it)"
        intake = Intake.objects.get(invitation=self.invitation)
        assert services.has_consent(intake), "save_all stores the questions' answers: agree first (the patient fixture)"
        for slug in STEP_SLUGS:
            intake = services.save_step(intake, slug, answers, now=timezone.now())
        assert services.emergency_kind(intake) is None, "answers with an emergency: use answer_all"
        assert intake.current_step == answer_codec.REVIEW, intake.current_step


def answer_up_to(patient: Patient, slug: str, answers: dict[str, object]) -> None:
    """Post every page before `slug` (the ones asked given `answers`), acknowledging an emergency page on the way."""
    for earlier in PAGE_SLUGS[: PAGE_SLUGS.index(slug)]:
        response = patient.post_step(earlier, answers)
        assert response.status_code == 302, (earlier, response.content.decode()[:3000])
        if response["Location"].endswith("/intake/important/"):
            patient.client.post("/intake/important/", {"acknowledged": "on"})


@pytest.fixture
def signed_in(client) -> Patient:
    """A patient whose birth date is confirmed, on the consent page: nothing answered, nothing agreed."""
    invitation, token = make_invitation()
    patient = Patient(client, token)
    patient.invitation = invitation
    return patient.sign_in()


@pytest.fixture
def patient(signed_in) -> Patient:
    """A patient who has agreed to share their answers, on the first question page."""
    assert signed_in.agree().status_code == 302
    return signed_in
