"""django-axes' sign-in records in the admin: the filter by address names a record that has none (accounts/
sign_in_records_admin.py). Django's filter listed it as a link with no words, which a screen reader reads as
nothing; the browser test of every admin page found it (tests/browser/test_admin_pages_of_the_url_table.py)."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import timezone

from accounts.sign_in_records_admin import NO_ADDRESS, AddressFilter

pytestmark = pytest.mark.django_db


def _attempt(path: str, username: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="ua",
        failures_since_start=1,
        attempt_time=timezone.now(),
        path_info=path,
    )


def test_the_address_filter_names_a_record_with_no_address_and_lists_the_others_as_they_are(client, administrator):
    _attempt("", "someone")
    _attempt("/staff/sign-in/", "someone-else")
    client.force_login(administrator)

    html = client.get("/admin/axes/accessattempt/").content.decode()

    links = re.findall(r'<a href="\?path_info=[^"]*"[^>]*>([^<]*)</a>', html)
    assert NO_ADDRESS in links
    assert "/staff/sign-in/" in links
    assert "" not in [link.strip() for link in links]


@pytest.mark.parametrize("model", [AccessAttempt, AccessLog, AccessFailureLog])
def test_each_of_axes_record_pages_filters_by_address_with_the_named_filter(model):
    filters = admin.site.get_model_admin(model).list_filter
    assert ("path_info", AddressFilter) in filters
    assert "path_info" not in filters
