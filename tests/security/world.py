"""One of everything the URL table points at, and a signed-in (or patient) client per persona.

A module builds it once with the `world` fixture of tests/security/conftest.py (the per-URL sweeps read it many times
and change nothing that outlives a test), or per test with `build_world`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from audit.services import record


@dataclass
class World:
    users: dict[str, Any]
    group: Any
    user_content_type: Any
    task_result: Any
    audit_event: Any
    access_attempt: Any
    access_log: Any
    access_failure_log: Any
    totp_device: Any
    static_device: Any
    # Two patients, each with their own invitation, a confirmed browser session and an intake in progress.
    patients: dict[str, Any]
    topic: Any
    article: Any
    article_version: Any
    deleted_article_version: Any
    # A submitted urgent intake (with its alert) for the staff pages.
    submitted: Any
    alert: Any
    # A number that asked for no text messages (messaging.TextOptOut).
    text_opt_out: Any

    def for_one_test(self) -> World:
        """This world with fresh patient browsers, for a world built once and shared by a module's tests.

        Each test's database changes are rolled back after it, but a browser's cookies live in Python: a test that
        moves a patient's session on (e.g. by opening another link) must not hand that browser to the next test.
        """
        return dataclasses.replace(self, patients={persona: link.fresh() for persona, link in self.patients.items()})


def build_world(*, editor, front_desk, clinician, administrator, reviewer=None) -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult

    from messaging.models import TextOptOut

    now = timezone.now()
    topic, article, version, deleted_version = _library()
    submitted, alert = _submitted_intake()
    return World(
        users={
            "editor": editor,
            "front_desk": front_desk,
            "clinician": clinician,
            "administrator": administrator,
            **({"reviewer": reviewer} if reviewer is not None else {}),
        },
        group=Group.objects.first(),
        user_content_type=ContentType.objects.get(app_label="auth", model="user"),
        task_result=DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="alerts.tasks.example",
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        ),
        audit_event=record("viewed_intake", actor=clinician, intake_id=1),
        text_opt_out=TextOptOut.objects.create(number="+15550100199", at=now),
        access_attempt=AccessAttempt.objects.create(
            username="someone", ip_address="192.0.2.1", user_agent="ua", failures_since_start=1, attempt_time=now
        ),
        access_log=AccessLog.objects.create(username="someone", ip_address="192.0.2.1", attempt_time=now),
        access_failure_log=AccessFailureLog.objects.create(
            username="someone", ip_address="192.0.2.1", attempt_time=now, locked_out=False
        ),
        totp_device=TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True),
        static_device=StaticDevice.objects.create(user=clinician, name="Recovery codes", confirmed=True),
        patients={"patient_a": _patient("Alex Able"), "patient_b": _patient("Blair Baker")},
        topic=topic,
        article=article,
        article_version=version,
        deleted_article_version=deleted_version,
        submitted=submitted,
        alert=alert,
    )


def _submitted_intake() -> tuple[Any, Any]:
    from alerts.models import Alert
    from tests.intake.factories import submitted_intake

    intake = submitted_intake(ce_saddle_numbness="yes", ce_onset="within_14_days")
    alert = Alert.objects.filter(intake=intake).first() or Alert.objects.create(
        intake=intake, kind=Alert.Kind.URGENT, next_attempt_at=timezone.now()
    )
    return intake, alert


@dataclass
class PatientLink:
    invitation: Any
    token: str
    client: Client

    def fresh(self) -> PatientLink:
        """The same patient in a new browser holding a copy of this one's cookies, with the invitation re-read."""
        client = Client()
        client.cookies = copy.deepcopy(self.client.cookies)
        return PatientLink(type(self.invitation).objects.get(pk=self.invitation.pk), self.token, client)


def _patient(name: str) -> PatientLink:
    """An invitation, opened and confirmed through the real pages, so the client holds the patient's session."""
    from tests.intake.factories import BIRTH_DATE, make_invitation

    invitation, token = make_invitation(name=name, email="")
    client = Client()
    client.get(f"/intake/start/{token}/")
    response = client.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()})
    assert response.status_code == 302, response.content[:300]
    invitation.refresh_from_db()
    return PatientLink(invitation, token, client)


def _library() -> tuple[Any, Any, Any, Any]:
    import reversion
    from reversion.models import Version

    from education.models import Article, Topic

    topic = Topic.objects.create(name="Running", slug="running")
    with reversion.create_revision():
        article = Article.objects.create(
            slug="back-pain-basics",
            title="Back pain basics",
            summary="What helps.",
            body="Keep moving.",
            status=Article.Status.PUBLISHED,
        )
    article.topics.add(topic)
    # The editorial workflow's admin rows (issue 15) open an uploaded image and a translation of the article.
    from tests.security.url_table import editorial_objects

    editorial_objects(article)
    # An article deleted since, for "Recover deleted articles" (which refuses a version whose article exists).
    with reversion.create_revision():
        deleted = Article.objects.create(slug="old-advice", title="Old advice", summary="Gone.", body="Gone.")
    deleted_version = Version.objects.get_for_object(deleted).first()
    deleted.delete()
    return topic, article, Version.objects.get_for_object(article).first(), deleted_version


def client_for(persona: str, world: World, **client_kwargs: Any) -> Client:
    """A browser for `persona`: staff signed in (as after both sign-in steps), patients holding their own link."""
    if persona in world.patients:
        if not client_kwargs:
            return world.patients[persona].client
        client = Client(**client_kwargs)
        client.cookies = world.patients[persona].client.cookies
        return client
    client = Client(**client_kwargs)
    if persona in world.users:
        client.force_login(world.users[persona])
    return client


class Browsers(dict):
    """One client per persona, made on first use (signing in costs more than the page itself)."""

    def __init__(self, world: World, **client_kwargs: Any) -> None:
        super().__init__()
        self.world = world
        self.client_kwargs = client_kwargs

    def __missing__(self, persona: str) -> Client:
        client = self[persona] = client_for(persona, self.world, **self.client_kwargs)
        return client
