"""Invitations and assessed intakes, built from real answers run through the triage rules (no hand-made levels)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

import factory
from django.utils import timezone

from dashboard.demo import answers_for, follow_up_answers
from intake.models import Intake, IntakeFlag, Invitation, Patient
from intake.services import create_assessed_intake


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    name = factory.Faker("name")
    email = factory.Faker("email")
    date_of_birth = factory.LazyFunction(lambda: datetime.date(1985, 6, 15))


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    """An invitation on its own patient record (same name, birth date and e-mail)."""

    class Meta:
        model = Invitation

    patient = factory.LazyAttribute(
        lambda o: PatientFactory.create(name=o.patient_name, email=o.email, date_of_birth=o.date_of_birth)
    )
    patient_name = factory.Faker("name")
    email = factory.Faker("email")
    date_of_birth = factory.LazyFunction(lambda: datetime.date(1985, 6, 15))
    appointment_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyAttribute(lambda o: o.appointment_at)


def make_intake(
    profile: str = "routine_plain",
    *,
    name: str | None = None,
    appointment_at: datetime.datetime | None = None,
    submitted_at: datetime.datetime | None = None,
    safety_only: bool = False,
    seed: int = 0,
    phone: str = "",
    **fields,
) -> Intake:
    """An intake whose level and flags come from `triage.assess` on the profile's answers."""
    today = timezone.localdate()
    answers = answers_for(profile, rng=random.Random(seed), today=today)
    invitation_fields = {"date_of_birth": answers["date_of_birth"]}
    if name:
        invitation_fields["patient_name"] = name

    if appointment_at:
        invitation_fields["appointment_at"] = appointment_at
    invitation = InvitationFactory.create(**invitation_fields)
    if phone:
        Patient.objects.filter(pk=invitation.patient_id).update(phone=phone)
    if safety_only:
        answers = {k: v for k, v in answers.items() if k.startswith("ce_")}
    return create_assessed_intake(
        invitation=invitation,
        answers=answers,
        today=today,
        submitted_at=None if safety_only else (submitted_at or timezone.now() - datetime.timedelta(hours=1)),
        safety_only=safety_only,
        **fields,
    )


def make_latched_intake(
    code: str = "ce_saddle_numbness",
    *,
    said_at: datetime.datetime,
    changed_at: datetime.datetime,
    name: str = "Lee Latched",
    profile: str = "routine_plain",
) -> Intake:
    """A patient who answered a red-flag question yes at `said_at`, changed it to no at `changed_at` and sent the
    form: the live flow's own writers (`record_red_flags` acts on the yes at once; `save_step` records the no)."""
    from intake.rules.questionnaire import STEP_SLUGS
    from intake.services import (
        acknowledge_emergency,
        create_invitation,
        needs_emergency_acknowledgement,
        record_red_flags,
        save_step,
        start_intake,
        submit_intake,
    )

    # Sent through the flow, which asks for a phone number (the demo answers leave it to the invitation's).
    answers = {**answers_for(profile, rng=random.Random(0), today=timezone.localdate(said_at)), "phone": "+12015550123"}
    invitation, _ = create_invitation(
        patient_name=name,
        email="",
        date_of_birth=answers["date_of_birth"],
        appointment_at=timezone.now() + datetime.timedelta(days=3),
        created_by=None,
        send_email=False,
    )
    intake = start_intake(invitation)
    record_red_flags(intake, {code: "yes"}, now=said_at)
    for slug in STEP_SLUGS:
        save_step(intake, slug, answers, now=changed_at)
    if needs_emergency_acknowledgement(intake):
        acknowledge_emergency(intake, now=changed_at)
    return submit_intake(intake, now=changed_at)


def make_follow_up(
    visit: Intake,
    time_point: str = "6w",
    *,
    trend: str = "better",
    sent_days_ago: int | None = 3,
    answered: bool = True,
    seed: int = 0,
):
    """A follow-up of `visit` through the demo service: scheduled only (`sent_days_ago=None`), sent and waiting
    (`answered=False`), or answered with PEG and the PSFS moved by `trend` from the visit's answers."""
    from intake.rules.answers import from_json
    from intake.services.demo import create_demo_follow_up

    now = timezone.now()
    sent_at = now - datetime.timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    rng = random.Random(seed)
    return create_demo_follow_up(
        visit=visit,
        time_point=time_point,
        due_at=sent_at or now + datetime.timedelta(days=30),
        sent_at=sent_at,
        answers=follow_up_answers(from_json(visit.answers), rng=rng, steps=1, trend=trend) if answered else None,
        submitted_at=(sent_at + datetime.timedelta(hours=5)) if answered and sent_at else None,
    )


def bulk_assessed_intakes(
    count: int,
    *,
    flags: tuple[tuple[str, str], ...] = (("SC1", "Below knee"),),
    answers: Callable[[int], dict[str, int]] | None = None,
) -> None:
    """`count` more sent, assessed intakes, each on a patient of its own, with `flags` ((code, short) pairs) and the
    `answers` of the n-th, inserted in bulk: for tests of how a page's cost grows with the number of intakes."""
    now = timezone.now()
    start = Patient.objects.count()
    patients = Patient.objects.bulk_create(
        [Patient(name=f"Patient {n}", date_of_birth=datetime.date(1980, 1, 1)) for n in range(start, start + count)]
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                patient=patient,
                patient_name=patient.name,
                date_of_birth=patient.date_of_birth,
                appointment_at=now + datetime.timedelta(hours=n),
                token_hash=f"bulk{patient.pk:060d}",
                expires_at=now + datetime.timedelta(days=30),
            )
            for n, patient in enumerate(patients)
        ]
    )
    intakes = Intake.objects.bulk_create(
        [
            Intake(
                invitation=invitation,
                patient_id=invitation.patient_id,
                appointment_at=invitation.appointment_at,
                level=1 + n % 4,
                submitted_at=now - datetime.timedelta(days=n % 100),
                status="submitted",
                is_reviewed=n % 3 == 0,
                answers=answers(n) if answers else {},
            )
            for n, invitation in enumerate(invitations)
        ]
    )
    IntakeFlag.objects.bulk_create(
        [IntakeFlag(intake=intake, code=code, short=short, reason="r") for intake in intakes for code, short in flags]
    )
