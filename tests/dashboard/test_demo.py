"""Demo intakes: every profile is a valid questionnaire that lands on its level; the loader is safe to repeat."""

from __future__ import annotations

import datetime
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from dashboard import follow_ups
from dashboard.demo import PROFILES, answers_for
from dashboard.management.commands.load_demo_intakes import FOLLOW_UP_STORIES
from intake.models import Intake, IntakeFlag, Level
from intake.rules import triage
from intake.rules.questionnaire import STEP_SLUGS
from intake.rules.questionnaire_checks import validate_answers
from outcomes import registry
from outcomes.instruments.scoring import score

TODAY = datetime.date(2026, 11, 21)


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_demo_profile_passes_validation_and_gets_the_level_it_is_named_for(profile, seed):
    answers = answers_for(profile, rng=random.Random(seed), today=TODAY)
    problems = {step: validate_answers(step, answers, today=TODAY) for step in STEP_SLUGS}
    assert {step: errors for step, errors in problems.items() if errors} == {}
    assert triage.assess(answers, today=TODAY).level == PROFILES[profile][0]


@pytest.mark.django_db
def test_demo_loader_covers_every_level_and_most_flags_and_runs_twice_safely(settings, client, clinician):
    settings.DEBUG = True
    call_command("load_demo_intakes", verbosity=0)
    call_command("load_demo_intakes", verbosity=0)
    assert Intake.objects.filter(kind="intake").count() == 40 + len(FOLLOW_UP_STORIES)
    assert set(Intake.objects.values_list("level", flat=True)) == set(Level.values)
    codes = set(IntakeFlag.objects.values_list("code", flat=True))
    assert len(codes) >= 0.75 * len(triage.FLAGS_BY_CODE)
    client.force_login(clinician)
    first = client.get(reverse("dashboard:queue")).context["rows"][0]
    assert (first.patient_name, first.level_code, first.is_reviewed) == ("Maria Delgado", Level.URGENT.code, False)


@pytest.mark.django_db
def test_demo_loader_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_intakes")
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_demo_patients_have_answered_follow_ups_mostly_better_one_worse_and_one_overdue(settings):
    settings.DEBUG = True
    call_command("load_demo_intakes", verbosity=0)
    answered = Intake.objects.filter(kind="follow_up", status="submitted")
    per_patient = Counter(answered.values_list("patient_id", flat=True))
    assert sorted(per_patient.values(), reverse=True)[:4] == [3, 2, 2, 2]
    peg = registry.instrument("peg")
    changes = []
    for patient_id in per_patient:
        intakes = Intake.objects.filter(patient_id=patient_id).order_by("appointment_at", "submitted_at")
        values = [s.value for s in (score(peg, i.answers) for i in intakes) if s is not None]
        changes.append(values[-1] - values[0])
    assert sum(change < 0 for change in changes) >= 3  # PEG lower: better
    assert sum(change > 0 for change in changes) == 1  # one worse
    statuses = Counter(
        # `status` is an annotation of the list's query, which the type checker cannot see.
        follow_ups.listed(follow_ups.FollowUpFilters(), now=timezone.now()).values_list("status", flat=True)  # type: ignore[misc]
    )
    assert statuses["overdue"] == 1
    assert statuses["answered"] == 9
    assert statuses["sent"] >= 1
