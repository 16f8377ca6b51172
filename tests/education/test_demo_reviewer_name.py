"""`make run`'s demo approves the starter library as the demo reviewer: an approval needs the full name patients read
(education/workflow.py), so the demo accounts have one, even in a database that held them without a name."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from education.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True


def test_every_demo_staff_account_has_a_full_name(demo):
    call_command("load_demo_staff", stdout=io.StringIO())
    nameless = [user.username for user in get_user_model().objects.all() if not user.get_full_name().strip()]
    assert nameless == []


def test_a_demo_reviewer_made_without_a_name_gets_one_and_the_demo_still_approves_the_library(demo):
    get_user_model().objects.create_user(username="reviewer")  # as an older demo database, or one made by hand
    call_command("load_demo_staff", stdout=io.StringIO())
    call_command("load_articles", stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo_reviews", stdout=out, stderr=out)
    assert "not approved" not in out.getvalue()
    article = Article.objects.published().order_by("slug").first()
    assert article is not None
    assert article.reviewed_by == "Dr. Riley Reviewer"
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Medically reviewed by Dr. Riley Reviewer on" in " ".join(page.split())


def test_the_demo_reviews_refuse_to_run_as_a_reviewer_with_no_name(demo):
    call_command("load_demo_staff", stdout=io.StringIO())
    get_user_model().objects.filter(username="reviewer").update(first_name="", last_name="")
    with pytest.raises(CommandError, match="no full name"):
        call_command("load_demo_reviews", stdout=io.StringIO())
