"""The opted-out numbers' admin writes when a number asked for no texts as the staff pages do, "Mar 20, 2030, 9:00
AM EDT", where it said Django's "March 20, 2030, 9 a.m."; the list still sorts by it."""

from __future__ import annotations

import datetime
import re

import pytest

from messaging.models import TextOptOut

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2030, 3, 20, 13, 0, tzinfo=datetime.UTC)  # 9:00 AM EDT


def test_the_opt_out_list_and_page_write_the_time_as_the_staff_pages_do(client, administrator):
    row = TextOptOut.objects.create(number="+15550100100", at=AT)
    TextOptOut.objects.create(number="+15550100101", at=AT - datetime.timedelta(days=1))
    client.force_login(administrator)
    cells = r'<td class="field-[a-z_]+[^"]*">([^<]*)</td>'
    oldest_first = client.get("/admin/messaging/textoptout/?o=2").content.decode()  # sorted by the time column
    assert re.findall(cells, oldest_first) == ["Mar 19, 2030, 9:00 AM EDT", "Mar 20, 2030, 9:00 AM EDT"]
    newest_first = client.get("/admin/messaging/textoptout/?o=-2").content.decode()
    assert re.findall(cells, newest_first) == ["Mar 20, 2030, 9:00 AM EDT", "Mar 19, 2030, 9:00 AM EDT"]

    page = client.get(f"/admin/messaging/textoptout/{row.pk}/change/").content.decode()
    assert re.search(r'<div class="readonly">Mar 20, 2030, 9:00 AM EDT</div>', page)
    assert not re.search(r"\d [ap]\.m\.", oldest_first + page)


def test_an_opted_out_numbers_name_gives_the_clinics_day_as_the_staff_pages_write_a_date(client, administrator):
    """Its name (the page's heading, the breadcrumbs, the delete page) said "No texts since 2030-03-21" for a text
    refused at 9:30 PM on March 20, clinic time: the day in UTC, written as no other staff page writes a date."""
    evening = datetime.datetime(2030, 3, 21, 1, 30, tzinfo=datetime.UTC)  # Mar 20, 9:30 PM EDT
    row = TextOptOut.objects.create(number="+15550100100", at=evening)
    client.force_login(administrator)
    page = client.get(f"/admin/messaging/textoptout/{row.pk}/change/").content.decode()
    assert "<h2>No texts since Mar 20, 2030</h2>" in page
    assert "2030-03-21" not in page
