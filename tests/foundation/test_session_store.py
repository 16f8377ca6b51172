"""The portal's session store (clinic_portal.session_store): Django's database sessions read by a plain statement."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from clinic_portal.session_store import SessionStore

pytestmark = pytest.mark.django_db


def test_the_portal_uses_it():
    assert settings.SESSION_ENGINE == "clinic_portal.session_store"


def test_a_saved_session_loads_in_a_new_request():
    first = SessionStore()
    first["intake_patient"] = {"invitation": 7, "confirmed": True}
    first.save()

    again = SessionStore(session_key=first.session_key)

    assert again["intake_patient"] == {"invitation": 7, "confirmed": True}
    assert again.session_key == first.session_key


def test_an_expired_session_loads_empty_and_gets_a_new_key_when_saved():
    old = SessionStore()
    old["intake_patient"] = {"invitation": 7, "confirmed": True}
    old.save()
    a_second_ago = timezone.now() - datetime.timedelta(seconds=1)
    Session.objects.filter(session_key=old.session_key).update(expire_date=a_second_ago)

    again = SessionStore(session_key=old.session_key)

    assert dict(again.items()) == {}
    again["x"] = 1
    again.save()
    assert again.session_key != old.session_key


def test_an_unknown_key_loads_empty():
    assert dict(SessionStore(session_key="no-such-session-key-0123456789").items()) == {}
