"""Rows of hand-written statements read back as the ORM reads them (clinic_portal.db_rows), shown on the one that
every patient page sends: the patient's intake with its invitation (intake.selectors.intake_by_invitation_id)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Model
from django.utils import timezone

from intake.models import Intake, Invitation
from intake.selectors import intake_by_invitation_id
from tests.intake.factories import submitted_intake

pytestmark = pytest.mark.django_db


def field_values(instance: Model) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_patients_intake_reads_as_the_orm_reads_it_with_its_invitation_linked_both_ways(
    django_assert_num_queries,
):
    made = submitted_intake(pain_now=7)
    expected = Intake.objects.select_related("invitation").get(pk=made.pk)

    with django_assert_num_queries(1):
        intake = intake_by_invitation_id(made.invitation_id, now=timezone.now())
        assert intake is not None
        invitation = intake.invitation
        assert invitation.intake is intake

    assert field_values(intake) == field_values(expected)
    assert field_values(invitation) == field_values(expected.invitation)
    assert intake.answers["pain_now"] == 7  # JSON decoded, as the ORM decodes it
    assert isinstance(intake.submitted_at, datetime.datetime)
    assert intake.submitted_at.tzinfo is not None
    assert not intake._state.adding
    intake.current_step = "review"
    intake.save(update_fields=["current_step"])  # an instance the ORM can save
    assert Intake.objects.get(pk=made.pk).current_step == "review"


def test_no_intake_for_an_unknown_expired_or_locked_link():
    made = submitted_intake()
    now = timezone.now()
    assert intake_by_invitation_id(made.invitation_id + 1000, now=now) is None
    assert intake_by_invitation_id(str(made.invitation_id), now=now) is None
    Invitation.objects.filter(pk=made.invitation_id).update(expires_at=now - datetime.timedelta(seconds=1))
    assert intake_by_invitation_id(made.invitation_id, now=now) is None
    Invitation.objects.filter(pk=made.invitation_id).update(expires_at=now + datetime.timedelta(days=1), locked_at=now)
    assert intake_by_invitation_id(made.invitation_id, now=now) is None
