"""Demo intakes: every profile is a valid questionnaire that lands on its level; the loader is safe to repeat."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from dashboard.demo import PROFILES, answers_for
from intake.models import Intake, IntakeFlag, Level
from intake.rules import triage
from intake.rules.questionnaire import STEP_SLUGS
from intake.rules.questionnaire_checks import validate_answers

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
    assert Intake.objects.count() == 40
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
