from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from education.starter import RELEASED_FILE, STARTER_DIR
from tests.module_data import built_for_module


def starter_files(target: Path, *slugs: str) -> Path:
    """The starter library's files for the articles at `slugs` alone, with their translations and the list of released
    translations, copied into `target` (over what is there). For a test of what the loader does with one or two
    articles: a load of the whole library renders and grades all 18 (about 0.6 s here, several loads a test), a load of
    three about a sixth of that. A test about every starter article loads them all."""
    (target / "es").mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        [english] = STARTER_DIR.glob(f"[0-9][0-9]-{slug}.md")
        shutil.copy(english, target / english.name)
        shutil.copy(STARTER_DIR / "es" / english.name, target / "es" / english.name)
    shutil.copy(STARTER_DIR / "es" / RELEASED_FILE, target / "es" / RELEASED_FILE)
    return target


@pytest.fixture
def starter_library(db):
    """The starter articles, loaded the way `make run` and a clinic's deploy load them."""
    call_command("load_articles", stdout=io.StringIO())


@pytest.fixture(scope="class")
def starter_library_for_class(django_db_setup, django_db_blocker):
    """The starter articles loaded once for a test class whose tests only read them (about 0.6 s a load): the class
    shares one load (tests/module_data.py), each test's changes are rolled back to it, and the tests after the class
    never see it."""
    yield from built_for_module(django_db_blocker, lambda: call_command("load_articles", stdout=io.StringIO()))


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


@pytest.fixture
def editor_client(client, editor):
    """The test's browser, signed in as a content editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    """A second browser, signed in as a clinical reviewer."""
    browser = Client()
    browser.force_login(reviewer)
    return browser


@pytest.fixture
def nameless(django_user_model):
    """A clinical reviewer whose account has a username and no full name (approvals by such an account stored the
    username as the name patients read)."""
    from django.contrib.auth.models import Group

    from accounts.roles import CLINICAL_REVIEWERS

    user = django_user_model.objects.create_user(username="rjones", email="rjones@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    return django_user_model.objects.get(pk=user.pk)
