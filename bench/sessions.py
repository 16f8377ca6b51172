"""Signed-in browsers for the bench, made in the database the server uses; prints them as JSON.

    DATABASE_URL=postgres://.../clinic_portal_bench DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.sessions --patients 10

- a clinician's session (signed in with both factors, as the queue's users are);
- one patient per load connection, each with a confirmed session on a fresh link, and the first step's address and
  what a browser posts there (the ordinary answers of tests/intake/factories.routine_answers);
- the pages to measure: the topic with the most articles and a starter article.

Patients are made through the intake service and the patient-session helpers, and their first page is found by
asking the portal (in process, Django's test client) where `/intake/` sends a confirmed patient.
"""

# ruff: noqa: E402 - Django is set up (below) before the portal's modules are imported

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.test import Client, RequestFactory
from django.utils import timezone


def clinician_session() -> str:
    user, _ = User.objects.get_or_create(
        username="bench-clinician", defaults={"first_name": "Bench", "last_name": "Clinician"}
    )
    user.groups.add(Group.objects.get(name="Clinicians"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)  # the sign-in signal starts the staff session's clocks
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def patient(number: int) -> dict[str, object]:
    from intake import patient_session, services
    from intake.forms import as_post_data
    from intake.rules import questionnaire
    from tests.intake.factories import BIRTH_DATE, routine_answers

    # The form's pages are looked up by the slug in their address (page_by_slug; step_by_slug before issue 14).
    by_slug = getattr(questionnaire, "page_by_slug", None) or questionnaire.step_by_slug

    invitation, _token = services.create_invitation(
        patient_name=f"Bench Patient {number}",
        email="",
        date_of_birth=BIRTH_DATE,
        appointment_at=timezone.now() + datetime.timedelta(days=2),
        created_by=None,
        send_email=False,
    )
    intake = services.start_intake(invitation)
    if hasattr(services, "record_consent"):  # the consent page comes before the first question
        services.record_consent(intake, now=timezone.now())
    request = RequestFactory().get("/intake/")
    request.session = SessionStore()
    patient_session.confirm(request, invitation)
    request.session.save()
    key = request.session.session_key
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = str(key)
    step = client.get("/intake/").get("Location", "")
    slug = step.rstrip("/").rsplit("/", 1)[-1]
    try:
        page = by_slug(slug)
    except KeyError:
        raise SystemExit(f"a confirmed patient's /intake/ sent them to {step!r}, not to a page of questions") from None
    data = as_post_data(page, routine_answers())
    return {"session": key, "step": step, "post": [[name, value] for name, values in data.lists() for value in values]}


def pages() -> dict[str, str]:
    from education.models import Article, Topic

    topic = Topic.objects.annotate(n=Count("articles")).order_by("-n", "slug").values_list("slug", flat=True).first()
    starter = Article.objects.filter(slug__in=["sciatica-explained-for-runners", "back-pain-after-a-run"])
    return {"topic": topic or "", "article": starter.values_list("slug", flat=True).first() or ""}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10)
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "clinician": clinician_session(),
                "patients": [patient(n) for n in range(args.patients)],
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                **pages(),
            }
        )
    )


if __name__ == "__main__":
    main()
