from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def starter_library(db):
    """The starter articles, loaded the way `make run` and a clinic's deploy load them."""
    call_command("load_articles", stdout=io.StringIO())


@pytest.fixture
def on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Full-text search ranking needs PostgreSQL; SQLite only has the plain fallback.")


@pytest.fixture
def reviewer(django_user_model):
    """A clinical reviewer: a real staff account in the Clinical reviewers group (accounts/roles.py)."""
    from django.contrib.auth.models import Group

    from accounts.roles import CLINICAL_REVIEWERS

    user = django_user_model.objects.create_user(
        username="reviewer",
        password="correct-horse-battery",
        first_name="Riley",
        last_name="Reviewer",
        email="reviewer@example.org",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    return user


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded images go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
