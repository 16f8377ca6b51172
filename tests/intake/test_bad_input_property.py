"""Property: whatever is posted to any page (random text, NUL bytes, huge or missing fields, wrong types, lists
where one value belongs, in the question's own field or in its date and unit boxes), the patient gets a page with
messages or is moved on; never a server error, and the stored answers always still pass every check."""

from __future__ import annotations

import copy
import os

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import services
from intake.models import Intake
from intake.patient_fields import PARTS, box_name
from intake.rules import answers as answer_codec
from intake.rules import units
from intake.rules.questionnaire import PAGE_SLUGS, STEP_SLUGS, STEPS, page_by_slug
from intake.rules.questionnaire_checks import MSG_REQUIRED, validate_answers
from tests.intake.conftest import Patient
from tests.intake.factories import make_invitation, routine_answers
from tests.module_data import built_for_module

pytestmark = pytest.mark.django_db

_scalar = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from("\x00\x01\u202e<>&\"'%;\\ab1-."), max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(["", " ", "yes", "no", "not_sure", "none", "km", "mi", "on", "true", "0", "10", "11", "-1", "1e9"]),
    st.just("x" * 5000),
)
_value = st.one_of(st.none(), _scalar, st.lists(_scalar, max_size=4))
EXAMPLES_SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1

hypothesis_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


def _field_names(slug: str) -> list[str]:
    """Every name a page reads: each question's own, and the boxes of its dates and measurements."""
    names = []
    for question in page_by_slug(slug).questions:
        names.append(question.code)
        if question.kind == "date":
            names += [box_name(question.code, part) for part in PARTS]
        if question.measure is not None:
            names += [box_name(question.code, box.part) for box in units.boxes(question.measure, "us") if box.part]
    return names


def _post_strategy(slug: str):
    codes = _field_names(slug)
    fields = st.fixed_dictionaries({}, optional=dict.fromkeys(codes, _value))
    extra = st.dictionaries(st.text(min_size=1, max_size=12), _scalar, max_size=3)
    return st.tuples(fields, extra)


@pytest.fixture(scope="module")
def _finished_patient_for_module(django_db_setup, django_db_blocker):
    """One patient with every step saved, made once for the module (tests/module_data.py): each test's changes to it
    are rolled back, so the 24 tests here no longer sign a patient in and save twenty steps each."""

    def build():
        invitation, token = make_invitation()
        patient = Patient(Client(), token).sign_in()
        assert patient.agree().status_code == 302
        intake = Intake.objects.get(invitation=invitation)
        for slug in STEP_SLUGS:
            services.save_step(intake, slug, routine_answers(), now=timezone.now())
        return patient, intake

    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def finished_patient(_finished_patient_for_module, db):
    """The module's patient in a new browser holding a copy of its session cookie (a test that moves the session on
    does not hand that browser to the next test), and its intake re-read."""
    patient, intake = _finished_patient_for_module
    browser = Client()
    browser.cookies = copy.deepcopy(patient.client.cookies)
    return Patient(browser, patient.token), Intake.objects.get(pk=intake.pk)


def _reset(intake: Intake, baseline: dict[str, object]) -> None:
    # Each example starts from a complete, valid intake, so every page stays reachable.
    Intake.objects.filter(pk=intake.pk).update(
        answers=baseline, current_step=answer_codec.REVIEW, emergency_acknowledged_at=timezone.now()
    )


@pytest.mark.parametrize("slug", PAGE_SLUGS[1:])
def test_random_and_malformed_posts_to_a_page_never_cause_a_server_error_or_store_a_bad_answer(finished_patient, slug):
    patient, intake = finished_patient
    baseline = Intake.objects.get(pk=intake.pk).answers
    today = timezone.localdate()

    # 12 random posts on each of the form's pages (about 300 in all) in the suite; HYPOTHESIS_PROFILE=thorough tries ten
    # times as many.
    @settings(
        max_examples=12 * EXAMPLES_SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(_post_strategy(slug))
    def check(post):
        fields, extra = post
        _reset(intake, baseline)
        data = {key: value for key, value in {**extra, **fields}.items() if value is not None}
        response = patient.client.post(f"/intake/step/{slug}/", data)
        assert response.status_code in (200, 302, 400)
        if response.status_code == 200:
            assert "error-summary" in response.content.decode()
        stored = answer_codec.from_json(Intake.objects.get(pk=intake.pk).answers)
        for step in STEPS:
            problems = validate_answers(step.slug, stored, today=today)
            # A red-flag yes is stored even when the rest of its page is not (docs/clinical/TRIAGE.md, "Latched red
            # flags and partial pages"), so a follow-up it opens may be missing; a wrong value is never stored.
            assert set(problems.values()) <= {MSG_REQUIRED}, (step.slug, stored)
            if problems:
                assert step.slug == page_by_slug(slug).step, (step.slug, stored)
        assert "\x00" not in str(stored)

    check()


def test_a_post_larger_than_the_upload_limit_is_refused_with_400(finished_patient):
    patient, intake = finished_patient
    response = patient.client.post("/intake/step/visit/", {"worries": "x" * 3_000_000})
    assert response.status_code == 400
    assert "x" * 100 not in str(Intake.objects.get(pk=intake.pk).answers)


def test_random_birth_dates_on_the_identity_page_never_cause_a_server_error(client, settings):
    settings.INTAKE_MAX_IDENTITY_ATTEMPTS = 10_000  # keep the link open through every example
    _, token = make_invitation()
    client.get(f"/intake/start/{token}/")

    names = ["date_of_birth", *(box_name("date_of_birth", part) for part in PARTS)]

    @hypothesis_settings
    @given(st.dictionaries(st.sampled_from(names), st.one_of(_scalar, st.lists(_scalar, max_size=3)), max_size=4))
    def check(data):
        response = client.post("/intake/confirm/", data)
        assert response.status_code in (200, 302)

    check()
