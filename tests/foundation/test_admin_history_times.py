"""Django's own History page (every admin model but the article, whose history is django-reversion-compare's) writes
when each change was made as the staff pages do, "Mar 20, 2030, 9:00 AM EDT" in the clinic's zone, where it said
Django's "March 20, 2030, 9 a.m." (README, "Dates and times on staff pages"; templates/admin/object_history.html)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from education.models import Topic

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM EDT


def _changed(obj, by, at: datetime.datetime) -> None:
    LogEntry.objects.create(
        action_time=at,
        user=by,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Description"]}}]',
    )


def _history(page: str) -> list[str]:
    return [when.strip() for when in re.findall(r'<th scope="row">([^<]*)</th>', page)]


def test_a_topics_history_says_when_as_the_staff_pages_do(client, editor):
    topic = Topic.objects.create(name="Back pain", slug="back-pain")
    _changed(topic, editor, AT)
    _changed(topic, editor, AT + datetime.timedelta(days=240, minutes=5))  # standard time by then: EST
    client.force_login(editor)
    page = client.get(f"/admin/education/topic/{topic.pk}/history/").content.decode()
    assert _history(page) == ["Mar 20, 2030, 9:00 AM EDT", "Nov 15, 2030, 8:05 AM EST"]
    assert not re.search(r"\d [ap]\.m\.", page)


def test_an_accounts_history_says_when_as_the_staff_pages_do(client, administrator, editor):
    _changed(editor, administrator, AT + datetime.timedelta(days=300))
    client.force_login(administrator)
    page = client.get(f"/admin/auth/user/{editor.pk}/history/").content.decode()
    assert _history(page) == ["Jan 14, 2031, 8:00 AM EST"]
