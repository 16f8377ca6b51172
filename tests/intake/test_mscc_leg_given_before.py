"""A leg answer stored before the cancer history came is latched when the cancer "yes" comes, but the patient gave it
earlier: the flag's reason and the staff page say it was given before that time, never that it was given at it
(docs/clinical/TRIAGE.md, "Leg answers beside a cancer history"). A leg answer posted beside a standing cancer
history keeps its own time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from intake.models import Intake, RedFlagAnswer
from tests.intake.conftest import Patient, answer_up_to
from tests.intake.factories import make_invitation, routine_answers
from tests.intake.test_mscc_leg_review import SCIATICA

pytestmark = pytest.mark.django_db


def _at(hour: int, minute: int) -> datetime.datetime:
    """Tomorrow at this time of the clinic's day (the whole test runs then, so the times share one day)."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


AT_10_02, AT_10_09, AT_10_15, AT_10_20 = _at(10, 2), _at(10, 9), _at(10, 15), _at(10, 20)


def _shown(moment: datetime.datetime) -> str:
    """As the staff page shows a time: Dec 8, 10:09 AM EST."""
    return dateformat.format(timezone.localtime(moment), "M j, g:i A T")


def _patient() -> Patient:
    invitation, token = make_invitation()
    patient = Patient(Client(), token)
    patient.invitation = invitation
    patient.sign_in()
    assert patient.agree().status_code == 302
    return patient


def _staff_page(client, clinician, intake: Intake) -> tuple[str, str]:
    """The intake's staff page, and its table row of red-flag answers for leg numbness (SC3)."""
    with time_machine.travel(AT_10_20, tick=False):
        client.force_login(clinician)
        html = client.get(reverse("dashboard:intake", args=[intake.pk])).content.decode()
    start = html.index('id="red-flag-answers-title"')
    table = html[start : html.index("</table>", start)]
    [row] = [row for row in table.split("<tr")[1:] if '<span class="flag-code">SC3</span>' in row]
    return html, row


def test_leg_numbness_stored_before_the_cancer_yes_reads_as_given_before_it_in_the_reason_and_on_the_staff_page(
    client, clinician
):
    with time_machine.travel(AT_10_02, tick=False):
        patient = _patient()
        answers = routine_answers(**SCIATICA)
        answer_up_to(patient, "general_health", answers)  # the leg page: numbness yes
    with time_machine.travel(AT_10_09, tick=False):
        assert patient.post_step("general_health", {**answers, "cancer_history": "yes"})["Location"] == (
            "/intake/important/"
        )
        patient.client.post("/intake/important/", {"acknowledged": "on"})
    with time_machine.travel(AT_10_15, tick=False):
        assert patient.post_step("legs", {**answers, "leg_numbness_tingling": "no"}).status_code == 302

    intake = Intake.objects.get(invitation=patient.invitation)
    assert intake.answers["leg_numbness_tingling"] == "no"
    reason = str(intake.flags.get(code="SC3").reason)
    assert reason.endswith("(leg numbness or tingling answered yes before 10:09, changed to no at 10:15)"), reason
    assert "at 10:09" not in reason
    # The cancer yes itself was given at 10:09.
    assert not RedFlagAnswer.objects.get(intake=intake, code="cancer_history").given_before

    html, row = _staff_page(client, clinician, intake)
    assert f"before {_shown(AT_10_09)}" in row
    assert _shown(AT_10_15) in row
    assert f"at {_shown(AT_10_09)}" not in html.replace(f"before {_shown(AT_10_09)}", "")
    assert f"(first answered Yes before {_shown(AT_10_09)})" in html


def test_leg_numbness_posted_beside_a_standing_cancer_history_keeps_its_own_time(client, clinician):
    with time_machine.travel(AT_10_02, tick=False):
        patient = _patient()
        answers = routine_answers(cancer_history="yes")
        answer_up_to(patient, "general_health_infection", answers)
    with time_machine.travel(AT_10_09, tick=False):
        legs = {**answers, **SCIATICA}
        assert patient.post_step("legs", legs)["Location"] == "/intake/important/"
        patient.client.post("/intake/important/", {"acknowledged": "on"})
    with time_machine.travel(AT_10_15, tick=False):
        assert patient.post_step("legs", {**legs, "leg_numbness_tingling": "no"}).status_code == 302

    intake = Intake.objects.get(invitation=patient.invitation)
    reason = str(intake.flags.get(code="SC3").reason)
    assert reason.endswith("(leg numbness or tingling answered yes at 10:09, changed to no at 10:15)"), reason

    html, row = _staff_page(client, clinician, intake)
    assert _shown(AT_10_09) in row
    assert "before" not in row
    assert f"(first answered Yes at {_shown(AT_10_09)})" in html
