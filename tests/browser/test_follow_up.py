"""Issue 12 end to end in a real browser: the pre-visit intake (sent through the portal's pages), six weeks later
the follow-up the worker sends, the patient's answers on a phone, the clinician's chart of both, and a follow-up
whose cauda equina "yes" is an emergency.

The clock moves with time-machine (the live server runs in this process, so it moves too); the dispatcher and the
task worker run as `manage.py send_due_messages` and `manage.py db_worker --batch` would, in this process, so the
e-mails land in Django's test outbox where the test reads the link, as the patient would in their inbox.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from intake.models import FollowUp, Intake, Level
from intake.rules.questionnaire import PAGE_SLUGS, page_by_slug
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.browser.test_spanish_intake import answer_the_page, press_main_button, visible_errors
from tests.intake.factories import BIRTH_DATE, follow_up_answers, make_invitation, post_data, routine_answers

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}
MAX_PAGES = 40
LINK = re.compile(r"/intake/start/([A-Za-z0-9_-]+)/")

# Before the visit: high PEG (7, 6, 7 -> 6.7) and running hard (3 of 10).
INTAKE_ANSWERS = {
    "pain_week_avg": 7,
    "pain_enjoyment_interference": 6,
    "pain_interference": 7,
    "psfs_1_activity": "Running",
    "psfs_1": 3,
    "psfs_2_activity": "Sitting at work",
    "psfs_2": 5,
    "psfs_3_activity": "Lifting my child",
    "psfs_3": 4,
}
# Six weeks on: PEG 2 (a change of 4.7, well past the minimal important change), running and walking again: not yet
# back to usual running, so the staged return-to-running plan is on the reading list (docs/clinical/ARTICLES.md, 11).
FOLLOW_UP_ANSWERS = {
    "pain_week_avg": "2",
    "pain_enjoyment_interference": "2",
    "pain_interference": "2",
    "psfs_1": "8",
    "psfs_2": "8",
    "psfs_3": "7",
    "global_change": "much_better",
    "follow_up_running": "run_walk",
}


def walk_to_the_receipt(page: Any, answers: dict[str, Any], *, shots: str, screenshot: Any) -> None:
    """Answer every page as it comes (by what it asks, not by its order) until the receipt; axe and a screenshot on
    each page."""
    for number in range(MAX_PAGES):
        assert_accessible(page, context=shots)
        screenshot(page, f"{shots}-{number:02d}")
        if "/intake/done/" in page.url:
            return
        assert "/intake/important/" not in page.url, "no red flag was answered, yet the emergency page came up"
        before = page.url
        answer_the_page(page, answers)
        press_main_button(page)
        stuck = page.url == before and "/intake/review/" not in before and visible_errors(page)
        assert not stuck, f"{before} refused its answers: {visible_errors(page)}"
    pytest.fail(f"no receipt after {MAX_PAGES} pages; last page {page.url}")


def send_the_intake(token: str) -> None:
    """The patient's pre-visit intake through the portal's own pages (the test client posting each page as the form
    does; the intake in a real browser is tests/browser/test_intake*.py)."""
    patient = Client()
    assert patient.get(f"/intake/start/{token}/").status_code == 302
    assert patient.post("/intake/confirm/", {"date_of_birth": BIRTH_DATE.isoformat()}).status_code == 302
    answers = routine_answers(**INTAKE_ANSWERS)
    for slug in PAGE_SLUGS:
        response = patient.post(f"/intake/step/{slug}/", post_data(page_by_slug(slug), answers))
        assert response.status_code == 302, f"{slug}: {response.status_code}"
    assert patient.post("/intake/review/", {}).status_code == 302


def the_worker_runs() -> None:
    """What cron and the worker do: the dispatcher queues what is due, the worker sends it."""
    call_command("send_due_messages", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def follow_up_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    found = LINK.search(str(message.body))
    assert found, "the follow-up e-mail carries no link"
    assert "Pat" not in message.subject, "no name in the subject"
    assert "pain" not in message.body.lower(), "no clinical details in the e-mail"
    return found.group(0)


def open_link(open_page: Any, path: str) -> Any:
    page = open_page(path, PHONE_390)
    assert_accessible(page, context="birth-date check")
    answer_the_page(page, {"date_of_birth": BIRTH_DATE.isoformat()})
    press_main_button(page)
    return page


@pytest.mark.usefixtures("library")
def test_a_follow_up_six_weeks_on_charts_the_better_score_for_the_clinician(open_page, screenshot, clinician):
    appointment = timezone.now() + datetime.timedelta(days=2)
    _invitation, token = make_invitation(email="pat@example.org", appointment_at=appointment)
    send_the_intake(token)
    visit = Intake.objects.get(status=Intake.Status.SUBMITTED)
    assert visit.answers["pain_enjoyment_interference"] == 6

    with time_machine.travel(appointment + datetime.timedelta(weeks=6, hours=1), tick=True):
        the_worker_runs()
        follow_up = FollowUp.objects.get(visit=visit, time_point="6w")
        assert follow_up.sent_at is not None
        assert FollowUp.objects.filter(visit=visit, sent_at__isnull=False).count() == 1  # 3 and 12 months wait

        page = open_link(open_page, follow_up_link("pat@example.org"))
        walk_to_the_receipt(page, FOLLOW_UP_ANSWERS, shots="follow-up-story-answers", screenshot=screenshot)
        receipt = page.locator("main").inner_text()
        assert "Thank you" in receipt
        # Not yet back to usual running: the staged return-to-running article is on the follow-up's reading list.
        assert page.locator(".reading-list a", has_text="Back to running").count() == 1, receipt

        staff = open_page(f"/staff/patients/{visit.patient_id}/", DESKTOP, user=clinician)
        peg = staff.locator('.measure-table[data-measure="peg"]')
        staff.locator("summary", has_text="Show the PEG figures as a table").click()
        rows = peg.locator("tbody tr").all_inner_texts()
        assert len(rows) == 2, rows
        assert "6.7" in rows[0], rows
        assert "2.0" in rows[1], rows
        assert "-4.7" in rows[1].replace("\N{MINUS SIGN}", "-"), rows
        assert staff.locator(".measure-change").first.is_visible()
        screenshot(staff, "follow-up-story-patient-page")
        assert_accessible(staff, context="the patient page with two PEG points")


def test_a_new_cauda_equina_yes_at_follow_up_is_an_emergency_alerted_once_and_first_in_the_queue(
    open_page, screenshot, clinician
):
    from intake.services import create_submitted_intake_for_demo
    from tests.intake.factories import follow_up_for

    earlier = create_submitted_intake_for_demo(answers=routine_answers(), patient_name="Calm Patient")
    visit = create_submitted_intake_for_demo(answers=routine_answers(), patient_name="Casey Followup")
    assert earlier.level is not None
    assert visit.level is not None
    _invitation, token, follow_up = follow_up_for(visit)

    page = open_link(open_page, f"/intake/start/{token}/")
    for _ in range(5):
        if page.locator('input[name="ce_saddle_numbness"]').count():
            break
        assert_accessible(page, context="follow-up before the safety questions")
        press_main_button(page)
    assert_accessible(page, context="the follow-up's first safety page")
    answer_the_page(page, follow_up_answers(ce_saddle_numbness="yes"))
    press_main_button(page)
    assert "/intake/important/" in page.url, page.url
    assert page.get_by_role("heading", level=1).inner_text().strip()
    screenshot(page, "follow-up-story-emergency")
    assert_accessible(page, context="the emergency page after a follow-up's CES yes")

    follow_up.refresh_from_db()
    assert follow_up.level == Level.URGENT
    assert Alert.objects.filter(intake=follow_up).count() == 1
    page.reload()  # a second look at the page raises no second alert
    assert Alert.objects.filter(intake=follow_up).count() == 1
    assert_accessible(page, context="the emergency page again")

    queue = open_page("/staff/queue/", DESKTOP, user=clinician)
    first_row = queue.locator(".queue-table tbody tr").first.inner_text()
    assert "Casey Followup" in first_row, first_row
    assert "Follow-up" in first_row, first_row
    assert_accessible(queue, context="the queue with the follow-up first")
