"""The data migration of issue 15 (education/migrations/0006): line endings cleaned in articles and their stored
versions, the demo reviewer removed, the loader's bookkeeping carried over, the Clinical reviewers group created."""

from __future__ import annotations

import importlib
import json

import pytest
import reversion
from django.apps import apps
from django.contrib.auth.models import Group
from reversion.models import Version

from accounts.roles import CLINICAL_REVIEWERS
from education.models import Article, StarterImport
from education.services import content_fingerprint
from tests.education.factories import ArticleFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("education.migrations.0006_clinical_reviewers_and_clean_text")


def test_the_clinical_reviewers_group_holds_the_approve_permission():
    perms = set(Group.objects.get(name=CLINICAL_REVIEWERS).permissions.values_list("codename", flat=True))
    assert {"approve_article", "view_article"} <= perms
    assert not any(codename.startswith(("add_", "change_", "delete_")) for codename in perms)


@pytest.mark.usefixtures("starter_library_for_class")
class TestTheLoadedStarterLibrary:
    """The two tests of the starter articles as `load_articles` leaves them share one load of all 18
    (tests/education/conftest.py); the second one's changes are rolled back after it."""

    def test_the_migrations_fingerprint_is_the_loaders(self):
        assert Article.objects.count() == 18
        for article in Article.objects.all():
            assert migration.new_fingerprint(article) == content_fingerprint(article), article.slug
            assert StarterImport.objects.get(slug=article.slug).content_sha256 == content_fingerprint(article)

    def test_an_untouched_starter_article_stays_untouched_after_the_migration(self):
        record = StarterImport.objects.get(slug="do-i-need-a-scan")
        article = Article.objects.get(slug="do-i-need-a-scan")
        # As the release before this one recorded it: the old fingerprint of the row as it was.
        StarterImport.objects.filter(pk=record.pk).update(content_sha256=migration.old_fingerprint(article))
        migration.clean_articles(apps, None)
        assert StarterImport.objects.get(pk=record.pk).content_sha256 == content_fingerprint(article)


def test_stored_text_and_versions_get_lf_line_endings_and_the_demo_reviewer_goes():
    with reversion.create_revision():
        article = ArticleFactory.create(reviewed_by="Dr. Jordan Lee, MD (demo reviewer)")
    Article.objects.filter(pk=article.pk).update(body="One.\r\n\r\nTwo.\r\n", english_sha256="")
    version = Version.objects.get_for_object(article).get()
    data = json.loads(version.serialized_data)
    data[0]["fields"]["body"] = "One.\r\n\r\nTwo.\r\n"
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))

    migration.clean_articles(apps, None)
    migration.clean_versions(apps, None)

    article.refresh_from_db()
    assert article.body == "One.\n\nTwo."
    assert (article.reviewed_by, article.reviewed_on) == ("", None)
    assert article.english_sha256 != ""
    version.refresh_from_db()
    assert json.loads(version.serialized_data)[0]["fields"]["body"] == "One.\n\nTwo."
