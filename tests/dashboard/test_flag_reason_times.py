"""A latched flag's reason gives its times as the rest of the staff pages do ("10:02 AM"), not on the 24-hour clock it
is stored with ("answered yes at 10:02", the triage rules' words, docs/clinical/TRIAGE.md).

The reason is stored as the triage engine wrote it, and stays so: the review's "reason changed since you opened the
page" check compares stored reasons, and rows stored before this change must read right too. So the times are
rewritten where a reason is shown (`dashboard.flag_reasons.staff_reason`), for old and new rows alike."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from dashboard.flag_reasons import staff_reason
from intake.models import IntakeFlag
from intake.rules import triage
from intake.rules.questionnaire import Question
from tests.dashboard.factories import make_latched_intake

# 06:10 UTC on a January night is 1:10 AM in New York; 19:02 UTC on a July day is 3:02 PM there.
WINTER_NIGHT = datetime.datetime(2030, 1, 15, 6, 10, tzinfo=datetime.UTC)
SUMMER_AFTERNOON = datetime.datetime(2030, 7, 15, 19, 2, tzinfo=datetime.UTC)


def _section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return html[start : html.index("</section>", start)]


def _intake_page(client, clinician, said: datetime.datetime, changed: datetime.datetime):
    with time_machine.travel(changed + datetime.timedelta(minutes=1), tick=False):
        intake = make_latched_intake("ce_saddle_numbness", said_at=said, changed_at=changed)
        client.force_login(clinician)
        return intake, client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()


@pytest.mark.django_db
def test_the_intake_page_gives_a_reasons_times_as_its_red_flag_table_does(client, clinician):
    intake, html = _intake_page(client, clinician, WINTER_NIGHT, WINTER_NIGHT + datetime.timedelta(minutes=3))
    flags, table = _section(html, "flags-title"), _section(html, "red-flag-answers-title")
    assert "answered yes at 1:10 AM, changed to no at 1:13 AM" in flags
    assert "Jan 15, 1:10 AM EST" in table
    assert "Jan 15, 1:13 AM EST" in table
    assert "01:10" not in html
    assert "01:13" not in html
    # The stored reason is the engine's, unchanged (the review compares stored reasons).
    assert "answered yes at 01:10, changed to no at 01:13" in intake.flags.get(code="CE1").reason


@pytest.mark.django_db
def test_an_afternoon_answer_changed_the_next_morning_reads_with_its_days(client, clinician):
    changed = SUMMER_AFTERNOON + datetime.timedelta(hours=14, minutes=3)  # 5:05 AM EDT on Jul 16
    _intake, html = _intake_page(client, clinician, SUMMER_AFTERNOON, changed)
    flags = _section(html, "flags-title")
    assert "answered yes at Jul 15, 3:02 PM, changed to no at Jul 16, 5:05 AM" in flags
    assert "15:02" not in html


@pytest.mark.django_db
def test_a_reason_stored_before_the_change_reads_the_same_way(client, clinician):
    intake, _html = _intake_page(client, clinician, WINTER_NIGHT, WINTER_NIGHT + datetime.timedelta(minutes=3))
    # As an older version of the portal could have stored it (an afternoon yes, a no the next day).
    IntakeFlag.objects.filter(intake=intake, code="CE1").update(
        reason="Numbness or altered feeling in the saddle area or genitals "
        "(answered yes at Jan 14 13:05, changed to no at Jan 15 00:40)"
    )
    html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    assert "(answered yes at Jan 14, 1:05 PM, changed to no at Jan 15, 12:40 AM)" in _section(html, "flags-title")
    # The questionnaires list's hover text on the same page too.
    assert 'title="Numbness or altered feeling in the saddle area or genitals (answered yes at Jan 14, 1:05 PM' in html


@pytest.mark.django_db
def test_the_queue_shows_a_reason_on_hover_in_the_same_words(client, clinician):
    _intake, _html = _intake_page(client, clinician, WINTER_NIGHT, WINTER_NIGHT + datetime.timedelta(minutes=3))
    with time_machine.travel(WINTER_NIGHT + datetime.timedelta(minutes=5), tick=False):
        html = client.get(reverse("dashboard:queue")).content.decode()
    assert "(answered yes at 1:10 AM, changed to no at 1:13 AM)" in html
    assert "01:10" not in html


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Saddle (answered yes at 10:02, changed to no at 10:05)",
         "Saddle (answered yes at 10:02 AM, changed to no at 10:05 AM)"),
        ("X (answered not sure at 00:05, no longer answered)", "X (answered not sure at 12:05 AM, no longer answered)"),
        ("X (answered yes at 12:30, after Send)", "X (answered yes at 12:30 PM, after Send)"),
        ("X (answered yes at 23:59, changed to no)", "X (answered yes at 11:59 PM, changed to no)"),
        ("X (answered yes at Dec 31 23:50, changed to no at Jan 1 00:10)",
         "X (answered yes at Dec 31, 11:50 PM, changed to no at Jan 1, 12:10 AM)"),
        ("X (leg weakness answered yes before 10:09, changed to no at 10:15)",
         "X (leg weakness answered yes before 10:09 AM, changed to no at 10:15 AM)"),
        ("SP7 (fall, crash or blow: yes 10:02, no 13:05; osteoporosis: unsure before 10:02, blank)",
         "SP7 (fall, crash or blow: yes 10:02 AM, no 1:05 PM; osteoporosis: unsure before 10:02 AM, blank)"),
        ("X (cause of the pain answered “A fall” at 10:02, changed to “Lifting or bending” at 17:05)",
         "X (cause of the pain answered “A fall” at 10:02 AM, changed to “Lifting or bending” at 5:05 PM)"),
        # A choice's label, in quotes, is the questionnaire's words: a time in it is not the reason's.
        ("X (cause of the pain answered “Since 12:30” at 10:02, changed to “Mar 3 09:15” at 17:05)",
         "X (cause of the pain answered “Since 12:30” at 10:02 AM, changed to “Mar 3 09:15” at 5:05 PM)"),
        ("X (cause of the pain: “At 12:30” 10:02, “Lifting or bending” 10:05)",
         "X (cause of the pain: “At 12:30” 10:02 AM, “Lifting or bending” 10:05 AM)"),
        # Nothing else in a reason is a time: ages, counts and percentages stay as they are.
        ("First episode of back pain outside ages 20-50", "First episode of back pain outside ages 20-50"),
        ("Weekly running distance rose by more than 30% (Nielsen et al. 2014)",
         "Weekly running distance rose by more than 30% (Nielsen et al. 2014)"),
        ("Possible inflammatory back pain: 4 of 9 criteria", "Possible inflammatory back pain: 4 of 9 criteria"),
    ],
)  # fmt: skip
def test_staff_reason_writes_each_time_of_day_on_the_staff_clock(stored, shown):
    assert staff_reason(stored) == shown


def test_a_choice_label_with_a_time_in_it_is_shown_as_the_questionnaire_words_it():
    """A latched choice is named in its reason by its questionnaire label (the engine quotes it): a label holding a
    time ("After 12:30") is not one of the times the reason was built with, and was rewritten as if it were."""
    labels = {"fall_impact": "A fall at 12:30", "lifting_bending": "Lifting or bending"}
    answers = {"onset_cause": "lifting_bending"}
    earlier = {
        "onset_cause": triage.EarlierAnswer(
            "fall_impact", datetime.datetime(2030, 1, 15, 9, 2), datetime.datetime(2030, 1, 15, 13, 5)
        )
    }
    with mock.patch.object(Question, "choice_label", lambda self, code: labels.get(code, code)):
        (flag,) = triage.assess_interim(answers, today=None, earlier=earlier).flags
    assert staff_reason(flag.reason).endswith(
        "(cause of the pain answered “A fall at 12:30” at 9:02 AM, changed to “Lifting or bending” at 1:05 PM)"
    )
