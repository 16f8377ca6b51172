"""Links in e-mails and in printed output start with SITE_URL, and `make run PORT=...` sets SITE_URL to match."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
ELSEWHERE = "http://127.0.0.1:8123"


@pytest.fixture
def elsewhere(settings):
    settings.SITE_URL = ELSEWHERE
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.FRONT_DESK_EMAILS = ["desk@example.org"]


@pytest.mark.django_db
def test_the_printed_demo_links_use_site_url(elsewhere, settings):
    settings.DEBUG = True  # the demo loaders refuse to run otherwise
    out = StringIO()
    call_command("load_demo_staff", stdout=out)
    call_command("load_demo_invitations", stdout=out)
    printed = out.getvalue()
    assert f"sign in at {ELSEWHERE}/staff/sign-in/" in printed
    assert len(re.findall(rf"^  {re.escape(ELSEWHERE)}/intake/start/\S+/   date of birth", printed, re.M)) == 3
    assert "8000" not in printed


@pytest.mark.django_db
def test_the_invitation_and_lockout_emails_link_to_site_url(elsewhere):
    from intake import services
    from intake.models import Invitation

    invitation, token = services.create_invitation(
        patient_name="Jo Quill",
        email="jo@example.org",
        date_of_birth=datetime.date(1980, 1, 2),
        appointment_at=timezone.now() + datetime.timedelta(days=2),
        created_by=None,
        send_email=True,
    )
    assert f"{ELSEWHERE}/intake/start/{token}/" in mail.outbox[0].body
    for _ in range(5):
        services.confirm_identity(invitation, datetime.date(1999, 9, 9), now=timezone.now())
    assert Invitation.objects.get(pk=invitation.pk).locked_at is not None
    assert f"{ELSEWHERE}/staff/invitations/{invitation.pk}/" in mail.outbox[-1].body


APP_CODE = [
    "accounts",
    "alerts",
    "audit",
    "clinic_portal",
    "dashboard",
    "education",
    "intake",
    "messaging",
    "templates",
]


def test_no_link_in_the_portals_code_names_a_host_or_port_of_its_own():
    """Links are SITE_URL + reverse(...): a literal "127.0.0.1:8000" would be wrong on any other port or host. The
    one default is SITE_URL's own (settings.py), and run_dev's default port."""
    allowed = {ROOT / "clinic_portal" / "settings.py"}
    found = []
    for folder in APP_CODE:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or path in allowed or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"(127\.0\.0\.1|localhost):\d+", line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


MAKE = shutil.which("make")


def _dry_run(*args: str, **env: str) -> list[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SITE_URL"} | env
    result = subprocess.run(  # noqa: S603 - our own Makefile, printed (--dry-run), never run
        [MAKE or "make", "--dry-run", "--always-make", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_on_another_port_sets_site_url_to_match_unless_the_environment_sets_it():
    lines = _dry_run("run", "PORT=8123")
    assert any("load_demo" in line for line in lines)
    assert all("SITE_URL=http://127.0.0.1:8123 " in line for line in lines), lines
    assert any("run_dev --host 127.0.0.1 --port 8123" in line for line in lines)
    assert all("SITE_URL=http://127.0.0.1:8000 " in line for line in _dry_run("run"))
    behind_a_proxy = _dry_run("run", "PORT=8123", SITE_URL="https://portal.clinic.example")
    assert all("SITE_URL=https://portal.clinic.example " in line for line in behind_a_proxy), behind_a_proxy
