"""Helpers for the security tests: authenticator devices and codes, rate limits switched back on, and one world (every
object the URL table points at) per module for the sweeps that open every URL."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import staff_personas
from tests.module_data import built_for_module
from tests.security.world import World, build_world

PASSWORD = "correct-horse-battery"


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code an authenticator app would show now for `device`."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return str(totp.token()).zfill(device.digits)


def next_totp_code(device: TOTPDevice) -> str:
    """The app's next code the portal accepts from `device`: the step it now reckons is the app's (django-otp moves the
    device's drift to the step each accepted code was made in), or the first one after the last code used. A fixed
    offset from now (`totp_code(device, offset_steps=1)`) failed a CI run: the set-up code, made just before a
    30-second boundary and checked just after it, left the drift at -1, and "now + 1" fell outside the window."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = time.time()
    now = totp.t()
    step = max(now + device.drift, device.last_t + 1)
    assert step <= now + device.drift + device.tolerance, "every code in the device's window is used: wait a step"
    totp.drift = step - now
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def authenticator(clinician):
    """The clinician's confirmed authenticator app."""
    return TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)


@pytest.fixture
def rate_limits_on(settings, db):
    settings.RATELIMIT_ENABLE = True
    caches["ratelimit"].clear()
    yield settings
    caches["ratelimit"].clear()


def sign_in_with_password(client, username: str, password: str = PASSWORD, **extra):
    """POST the password step; `extra` goes to the request (e.g. REMOTE_ADDR), not the form."""
    return client.post("/staff/sign-in/", {"username": username, "password": password}, **extra)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole module (tests/module_data.py): each test's changes are rolled back to it."""
    yield from built_for_module(django_db_blocker, lambda: build_world(**staff_personas()))


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The module's world for one test: its database changes are rolled back, its patients get fresh browsers."""
    return shared_world.for_one_test()
