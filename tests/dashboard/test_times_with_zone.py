"""Staff pages say which time zone a time is in: the clinic's (TIME_ZONE, America/New_York by default), named."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.dashboard.factories import make_latched_intake

pytestmark = pytest.mark.django_db


def flags_section(html: str) -> str:
    start = html.index('id="flags-title"')
    return html[start : html.index("</section>", start)]


def test_the_times_in_a_latched_flags_reason_are_said_to_be_clinic_time(client, clinician):
    # 06:10 UTC on a January night is 1:10 AM in New York: the reason reads "1:10 AM", so the page must say whose.
    said = datetime.datetime(2030, 1, 15, 6, 10, tzinfo=datetime.UTC)
    changed = said + datetime.timedelta(minutes=3)
    with time_machine.travel(changed + datetime.timedelta(minutes=1), tick=False):
        intake = make_latched_intake("ce_saddle_numbness", said_at=said, changed_at=changed)
        client.force_login(clinician)
        html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    section = flags_section(html)
    assert "answered yes at 1:10 AM, changed to no at 1:13 AM" in section
    assert "Times in the reasons are the clinic's time (America/New_York)." in section
    assert re.search(r"assessed Jan 15, 2030, 1:13 AM EST", section)


def test_every_time_on_the_intake_page_carries_its_zone(client, clinician):
    said = datetime.datetime(2030, 7, 15, 14, 0, tzinfo=datetime.UTC)  # 10:00 EDT
    with time_machine.travel(said + datetime.timedelta(minutes=5), tick=False):
        intake = make_latched_intake(
            "ce_saddle_numbness", said_at=said, changed_at=said + datetime.timedelta(minutes=2)
        )
        client.force_login(clinician)
        html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    history = html[html.index('id="history-title"') : html.index("</section>", html.index('id="history-title"'))]
    assert "Invitation created</span> Jul 15, 2030, 10:05 AM EDT" in history
    assert "Submitted</span> Jul 15, 2030, 10:02 AM EDT" in history
    # Every "10:0x AM" on the page is followed by its zone, but in the flags' reasons (on the page and on hovering a
    # questionnaire's flag), whose zone is named once under them (the test above).
    reasons = re.compile(r'<span class="flag-reason">[^<]*</span>|title="[^"]*changed to no[^"]*"')
    assert "answered yes at 10:00 AM, changed to no at 10:02 AM" in html
    assert re.findall(r"\d:\d\d [AP]M(?! E[DS]T)", reasons.sub("", html)) == []


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        # As the other staff pages write a moment ("Jan 15, 2030, 1:10 AM EST"), with its seconds: auditors put events
        # of one minute in order and match them with the server's logs.
        (datetime.datetime(2030, 1, 15, 6, 10, 5, tzinfo=datetime.UTC), "Jan 15, 2030, 1:10:05 AM EST"),
        (datetime.datetime(2030, 7, 15, 17, 10, 5, tzinfo=datetime.UTC), "Jul 15, 2030, 1:10:05 PM EDT"),
    ],
)
def test_audit_times_show_the_clinics_zone(client, administrator, clinician, moment, shown):
    from audit.services import record

    with time_machine.travel(moment, tick=False):
        record("viewed_intake", actor=clinician, intake_id=7)
    client.force_login(administrator)
    html = client.get(reverse("dashboard:audit")).content.decode()
    assert f">{shown}</time>" in html
    assert f'datetime="{moment:%Y-%m-%dT%H:%M:%S}+00:00"' in html
    assert "Times are in the clinic's time zone (America/New_York)." in html


def test_the_audit_zone_follows_the_clinics_time_zone_setting(client, administrator, clinician, settings):
    from audit.services import record

    settings.TIME_ZONE = "America/Los_Angeles"
    with time_machine.travel(datetime.datetime(2030, 1, 15, 9, 10, tzinfo=datetime.UTC), tick=False):
        record("viewed_intake", actor=clinician, intake_id=7)
    timezone.deactivate()
    client.force_login(administrator)
    html = client.get(reverse("dashboard:audit")).content.decode()
    assert ">Jan 15, 2030, 1:10:00 AM PST</time>" in html
    assert "Times are in the clinic's time zone (America/Los_Angeles)." in html


def test_the_admins_audit_list_and_event_page_write_the_time_as_the_audit_trail_does(client, administrator, clinician):
    from audit.models import AuditEvent
    from audit.services import record

    with time_machine.travel(datetime.datetime(2030, 7, 15, 17, 10, 5, tzinfo=datetime.UTC), tick=False):
        record("viewed_intake", actor=clinician, intake_id=7)
    event = AuditEvent.objects.get()
    client.force_login(administrator)
    listed = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    for html in (listed, page):
        assert "Jul 15, 2030, 1:10:05 PM EDT" in html
        assert "p.m." not in html  # Django's own "July 15, 2030, 1:10 p.m."
    assert "2030-07-15 17:10" not in page  # the event's name in the page title and breadcrumbs: UTC, unnamed
