"""Settings and personas shared by the whole suite."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.roles import CLINICIANS, CONTENT_EDITORS, FRONT_DESK


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    # Argon2 costs ~0.13 s a check here (PITFALLS.md); tests use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tests run over plain http; production keeps SSL redirect on.
    settings.SECURE_SSL_REDIRECT = False
    # Rate limits would make unrelated tests depend on how many requests they make; tests/security turns them on.
    settings.RATELIMIT_ENABLE = False


def _staff(django_user_model, username: str, group: str | None, *, is_staff: bool = False, superuser: bool = False):
    user = django_user_model.objects.create_user(
        username=username,
        password="correct-horse-battery",
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.org",
        is_staff=is_staff or superuser,
        is_superuser=superuser,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return _staff(django_user_model, "editor", CONTENT_EDITORS, is_staff=True)


@pytest.fixture
def front_desk(django_user_model):
    return _staff(django_user_model, "frontdesk", FRONT_DESK)


@pytest.fixture
def clinician(django_user_model):
    return _staff(django_user_model, "clinician", CLINICIANS)


@pytest.fixture
def administrator(django_user_model):
    return _staff(django_user_model, "administrator", None, superuser=True)
