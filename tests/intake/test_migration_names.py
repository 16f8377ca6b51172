"""intake/migrations/0026: names kept with invisible characters in them, before `normal_name` dropped those, are found
by "Find" and joined by the next invitation for the same person, typed plainly."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from intake.models import Invitation, Patient
from intake.services.patients import record_for
from tests.intake.factories import BIRTH_DATE, make_invitation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("intake.migrations.0026_names_without_invisible_characters")


def _version(model, pk: int) -> str:
    """Where the row's current version is (PostgreSQL's ctid): an UPDATE writes a new version, even of the same
    values. `updated_at` cannot tell: the migrations' bulk_update never sets it, so it stayed the same for a row
    written again."""
    if connection.vendor != "postgresql":
        pytest.skip("ctid is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ctid::text FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608 (a model's table)
        return str(cursor.fetchone()[0])


def test_a_name_kept_with_a_zero_width_space_is_written_again_and_the_next_invitation_joins_its_record():
    pasted, _ = make_invitation(name="Jordan Quill")
    plain, _ = make_invitation(name="Siobhan Quill", email="siobhan@example.org")
    nothing_visible, _ = make_invitation(name="Blank", email="blank@example.org")
    Invitation.objects.filter(pk=pasted.pk).update(patient_name="Jordan\u200b Quill\u00ad")
    Patient.objects.filter(pk=pasted.patient_id).update(name="Jordan\u200b Quill\u00ad")
    Patient.objects.filter(pk=nothing_visible.patient_id).update(name="\u200b")
    before = _version(Patient, plain.patient_id), _version(Invitation, plain.pk)

    migration.names_as_kept(apps, None)

    assert Invitation.objects.get(pk=pasted.pk).patient_name == "Jordan Quill"
    assert Patient.objects.get(pk=pasted.patient_id).name == "Jordan Quill"
    assert Patient.objects.get(pk=nothing_visible.patient_id).name == "\u200b"  # left for staff to correct
    # Untouched rows are not written.
    assert (_version(Patient, plain.patient_id), _version(Invitation, plain.pk)) == before
    assert record_for(name="Jordan Quill", date_of_birth=BIRTH_DATE, email="pat@example.org").pk == pasted.patient_id
    assert Patient.objects.count() == 3


def test_a_name_that_composing_would_make_longer_than_its_column_is_left_as_it_is():
    """Gurmukhi sha (U+0A36) composes to two characters: such a name of 101 letters would be 202, and the migration
    stopped on PostgreSQL with "value too long", holding the release back."""
    invitation, _ = make_invitation(name="Jordan Quill")
    long_name = "\u0a36" * 101
    Invitation.objects.filter(pk=invitation.pk).update(patient_name=long_name)
    Patient.objects.filter(pk=invitation.patient_id).update(name=long_name)

    migration.names_as_kept(apps, None)

    assert Invitation.objects.get(pk=invitation.pk).patient_name == long_name
    assert Patient.objects.get(pk=invitation.patient_id).name == long_name


fillers = importlib.import_module("intake.migrations.0027_names_without_hangul_fillers")


def test_a_name_kept_with_a_hangul_filler_in_it_is_written_again_and_the_next_invitation_joins_its_record():
    """The Hangul fillers are letters to Unicode and passed `normal_name` until it dropped them; a name kept with one
    would now be found by neither "Find" nor the next invitation for the same person."""
    pasted, _ = make_invitation(name="Jordan Quill")
    plain, _ = make_invitation(name="Siobhan Quill", email="siobhan@example.org")
    nothing_visible, _ = make_invitation(name="Blank", email="blank@example.org")
    Invitation.objects.filter(pk=pasted.pk).update(patient_name="Jordan\u3164 Quill\uffa0")
    Patient.objects.filter(pk=pasted.patient_id).update(name="Jor\u115fdan \u1160Quill")
    Invitation.objects.filter(pk=nothing_visible.pk).update(patient_name="\u3164")
    Patient.objects.filter(pk=nothing_visible.patient_id).update(name="\u3164\u3164")
    before = _version(Patient, plain.patient_id), _version(Invitation, plain.pk)

    fillers.names_as_kept(apps, None)

    assert Invitation.objects.get(pk=pasted.pk).patient_name == "Jordan Quill"
    assert Patient.objects.get(pk=pasted.patient_id).name == "Jordan Quill"
    # Nothing visible left: left for staff to see and correct, as 0026 left such names.
    assert Invitation.objects.get(pk=nothing_visible.pk).patient_name == "\u3164"
    assert Patient.objects.get(pk=nothing_visible.patient_id).name == "\u3164\u3164"
    # Untouched rows are not written.
    assert (_version(Patient, plain.patient_id), _version(Invitation, plain.pk)) == before
    assert record_for(name="Jordan Quill", date_of_birth=BIRTH_DATE, email="pat@example.org").pk == pasted.patient_id
    assert Patient.objects.count() == 3


def test_a_name_with_a_filler_that_composing_would_still_make_longer_than_its_column_is_left_as_it_is():
    invitation, _ = make_invitation(name="Jordan Quill")
    long_name = "\u0a36" * 101 + "\u3164"
    Invitation.objects.filter(pk=invitation.pk).update(patient_name=long_name)
    Patient.objects.filter(pk=invitation.patient_id).update(name=long_name)

    fillers.names_as_kept(apps, None)

    assert Invitation.objects.get(pk=invitation.pk).patient_name == long_name
    assert Patient.objects.get(pk=invitation.patient_id).name == long_name
