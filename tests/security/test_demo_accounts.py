"""`make run` users can still sign in as the demo clinician and admin: a fixed demo key and printed recovery codes."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.load_demo_staff import DEMO_PASSWORD
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_output(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_staff", stdout=out)
    return out.getvalue()


def test_the_demo_clinician_signs_in_with_a_printed_recovery_code(client, demo_output):
    found = re.search(r"^  clinician +((?:[a-z0-9]{8} ?)+)$", demo_output, re.MULTILINE)
    assert found is not None, demo_output
    codes = found.group(1).split()
    assert len(codes) == 10
    client.post("/staff/sign-in/", {"username": "clinician", "password": DEMO_PASSWORD})
    response = client.post("/staff/sign-in/code/", {"code": codes[0]})
    assert response.headers["Location"] == "/staff/welcome/"


def test_the_demo_admin_signs_in_with_the_demo_authenticator_key(client, demo_output):
    device = TOTPDevice.objects.get(user__username="admin")
    client.post("/staff/sign-in/", {"username": "admin", "password": DEMO_PASSWORD})
    response = client.post("/staff/sign-in/code/", {"code": totp_code(device)})
    assert response.headers["Location"] == "/staff/welcome/"
    assert "GEZD GNBV GY3T QOJQ" in demo_output


def test_front_desk_and_editor_stay_password_only(client, demo_output):
    assert not TOTPDevice.objects.filter(user__username__in=["frontdesk", "editor"]).exists()
    response = client.post("/staff/sign-in/", {"username": "frontdesk", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/staff/welcome/"


def test_running_it_again_keeps_one_device_and_issues_fresh_codes(settings, demo_output):
    call_command("load_demo_staff", stdout=StringIO())
    assert TOTPDevice.objects.filter(user__username="clinician").count() == 1
