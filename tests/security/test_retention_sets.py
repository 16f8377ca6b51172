"""The retention purge removes a batch of visits in set-based statements, and leaves nothing of a purged patient.

A purge of 1,000 visits with three follow-ups each sent about 12,000 statements, nearly all of them one
`DELETE FROM messaging_outboundmessage` per removed invitation, intake, reminder and one-time code (the delete signals
of intake.tasks), and took minutes on a busy database (bench/purge_bench.py).
"""

from __future__ import annotations

import collections
import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert
from audit.models import AuditEvent
from audit.services import record
from intake.models import (
    DeviceCode,
    EarlierReminder,
    FollowUp,
    Intake,
    Invitation,
    Patient,
    RedFlagAnswer,
    Reminder,
    Retriage,
    ReviewNote,
)
from intake.retention import purge_old_intakes
from messaging import channels
from messaging.models import OutboundMessage, TextOptOut
from tests.dashboard.factories import make_follow_up, make_intake

pytestmark = pytest.mark.django_db

MONTHS = 12
FOLLOW_UPS = (("6w", 558), ("3m", 510), ("6m", 420))  # sent this many days ago: all past a 12-month period


def _visit_with_everything(
    n: int, *, name: str, email: str, phone: str, days_ago: int = 600, follow_ups=FOLLOW_UPS
) -> Patient:
    """A visit with its follow-ups, and on every invitation and intake of it each kind of row that hangs on one: the
    e-mails and texts about it, a one-time code, reminders (and the record of one sent before the visit moved), flags,
    a note, a retriage, a cleared red-flag answer, an alert, a "no texts" number; the audit trail's viewing entry."""
    now = timezone.now()
    visit = make_intake(
        "sciatica_below_knee", name=name, appointment_at=now - dt.timedelta(days=days_ago), seed=n, phone=phone
    )
    Patient.objects.filter(pk=visit.patient_id).update(email=email)
    for point, sent_days_ago in follow_ups:
        make_follow_up(visit, point, sent_days_ago=sent_days_ago, seed=n)
    invitations = list(Invitation.objects.filter(patient_id=visit.patient_id))
    Invitation.objects.filter(patient_id=visit.patient_id).update(email=email, code_email=email)
    Kind = OutboundMessage.Kind
    for invitation in invitations:
        code = DeviceCode.objects.create(
            invitation=invitation, link_version=1, code_hash="x", created_at=now, expires_at=now
        )
        reminder = Reminder.objects.create(invitation=invitation, which="1", created_at=now)
        EarlierReminder.objects.create(
            invitation=invitation, which="7d", appointment_at=now, channel=channels.EMAIL, sent_at=now
        )
        link = Kind.INVITATION if invitation.kind == "intake" else Kind.FOLLOW_UP
        for kind, about in ((link, invitation.pk), (Kind.LOCKOUT, invitation.pk), (Kind.DEVICE_CODE, code.pk)):
            OutboundMessage.objects.create(kind=kind, about_id=about, recipients=[email], next_attempt_at=now)
        OutboundMessage.objects.create(
            kind=Kind.FOLLOW_UP_REMINDER,
            about_id=reminder.pk,
            recipients=[phone],
            channel=channels.SMS,
            next_attempt_at=now,
        )
    for intake in Intake.objects.filter(patient_id=visit.patient_id):
        OutboundMessage.objects.create(
            kind=Kind.CONFIRMATION, about_id=intake.pk, recipients=[email], next_attempt_at=now
        )
        ReviewNote.objects.create(intake=intake, text=f"{name} called back")
        Retriage.objects.create(intake=intake, new_level=intake.level or 4, new_rules_version="9", at=now)
        RedFlagAnswer.objects.create(
            intake=intake, code="ce_bowel_control", value="yes", answered_at=now, cleared_at=now
        )
        Alert.objects.create(intake=intake, kind=Alert.Kind.SERIOUS, next_attempt_at=now, delivered_to=["a@b.org"])
        record("viewed_intake", intake_id=intake.pk)
    TextOptOut.objects.create(number=phone, at=now)
    return Patient.objects.get(pk=visit.patient_id)


def _purge_statements(visits: int) -> list[str]:
    """The statements of a purge of `visits` old visits (one batch), each with three follow-ups and everything."""
    for n in range(visits):
        _visit_with_everything(n, name=f"Old Patient {n}", email=f"old{n}@example.org", phone=f"+1201555{n:04d}")
    batches = AuditEvent.objects.filter(action="retention_purge").count()
    with CaptureQueriesContext(connection) as captured:
        result = purge_old_intakes(months=MONTHS)
    assert result.invitations == result.intakes == visits * 4
    assert AuditEvent.objects.filter(action="retention_purge").count() == batches + 1, "one batch"
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    """A statement without its values (ids, a list of them: one `?`), cut short: what the failure message counts."""
    return re.sub(r"'[^']*'|\d+", "?", sql).replace("?, ", "")[:100]


def test_a_batch_of_thirty_visits_sends_as_many_statements_as_a_batch_of_three():
    """Every row deleted sent its own statements (the delete signals forgot its messages one row at a time, and
    Django deleted by lists of a hundred ids): a batch now sends the same statements whatever it holds."""
    kept = _visit_with_everything(
        99, name="Recent Patient", email="recent@example.org", phone="+12015559999", days_ago=30, follow_ups=()
    )
    three = _purge_statements(3)
    thirty = _purge_statements(30)
    difference = collections.Counter(map(_shape, thirty))
    difference.subtract(collections.Counter(map(_shape, three)))
    assert len(thirty) == len(three), {shape: n for shape, n in difference.items() if n}
    assert Patient.objects.get() == kept


PURGED = {"name": "Zelda Purgewell", "email": "zelda.purgewell@example.org", "phone": "+12015550177"}
KEPT = {"name": "Kim Keepsake", "email": "kim.keepsake@example.org", "phone": "+12015550188"}


def _every_row() -> dict[str, list[dict[str, object]]]:
    return {
        model._meta.label: list(model._base_manager.values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def test_nothing_of_a_purged_patient_remains_in_any_table_but_the_trails_ids():
    """Every table the portal has is read after the purge: no row names the patient (name, e-mail, phone, a note
    about them), points to a row of theirs, or is a message about one; the audit trail keeps its entries, which hold
    intake ids and never patient data, as it did."""
    purged = _visit_with_everything(1, days_ago=600, **PURGED)
    kept = _visit_with_everything(2, days_ago=30, follow_ups=(), **KEPT)
    ids: dict[type, set[int]] = {
        Patient: {purged.pk},
        Invitation: set(Invitation.objects.filter(patient=purged).values_list("pk", flat=True)),
        Intake: set(Intake.objects.filter(patient=purged).values_list("pk", flat=True)),
        Reminder: set(Reminder.objects.filter(invitation__patient=purged).values_list("pk", flat=True)),
        DeviceCode: set(DeviceCode.objects.filter(invitation__patient=purged).values_list("pk", flat=True)),
        FollowUp: set(FollowUp.objects.filter(patient=purged).values_list("pk", flat=True)),
    }
    assert len(ids[Intake]) == len(ids[Reminder]) == 4
    trail = sorted(AuditEvent.objects.values_list("pk", "action", "intake_id", "detail"))

    purge_old_intakes(months=MONTHS)

    rows = _every_row()
    words = [*PURGED.values(), f"{PURGED['name']} called back"]
    named = [(label, row) for label, table in rows.items() for row in table if any(w in str(row) for w in words)]
    assert named == []
    assert any(KEPT["name"] in str(row) for row in rows["intake.Patient"]), "the scan reads the rows"
    pointing = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.related_model in ids:
                values = set(model._base_manager.values_list(field.attname, flat=True))
                pointing += [f"{model._meta.label}.{field.name}"] if values & ids[field.related_model] else []
    assert pointing == []
    kinds = {
        Invitation: ("invitation", "lockout", "follow_up"),
        Intake: ("confirmation",),
        Reminder: ("follow_up_reminder", "pre_visit_reminder"),
        DeviceCode: ("device_code",),
    }
    about = [(m["kind"], m["about_id"]) for m in rows["messaging.OutboundMessage"]]
    assert [(kind, pk) for kind, pk in about for model, ks in kinds.items() if kind in ks and pk in ids[model]] == []
    recipients = {address for m in rows["messaging.OutboundMessage"] for address in m["recipients"]}  # type: ignore[attr-defined]
    assert recipients == {KEPT["email"], KEPT["phone"]}
    assert [row["number"] for row in rows["messaging.TextOptOut"]] == [KEPT["phone"]]
    assert Patient.objects.get() == kept
    # The trail as it was (its viewing entries of the purged intakes too), and the purge's own entry.
    after = sorted(
        AuditEvent.objects.exclude(action="retention_purge").values_list("pk", "action", "intake_id", "detail")
    )
    assert after == trail


def _django_would_delete(rows) -> tuple[set[tuple[str, int]], set[tuple[str, str, int]]]:
    """The rows Django's `rows.delete()` deletes, and those whose field it sets to NULL, read off its Collector."""
    from django.db.models.deletion import Collector

    collector = Collector(using="default")
    collector.collect(rows)
    deleted = {(model._meta.label, obj.pk) for model, objs in collector.data.items() for obj in objs}
    deleted |= {(qs.model._meta.label, pk) for qs in collector.fast_deletes for pk in qs.values_list("pk", flat=True)}
    emptied = set()
    for (field, _value), groups in collector.field_updates.items():
        for group in groups:
            # A queryset, or the instances collected (Django keeps either).
            pks = group.values_list("pk", flat=True) if hasattr(group, "values_list") else [obj.pk for obj in group]  # type: ignore[attr-defined]
            emptied |= {(field.model._meta.label, field.name, pk) for pk in pks}
    return deleted, emptied


def _plan_deletes(rows) -> tuple[set[tuple[str, int]], set[tuple[str, str, int]]]:
    from clinic_portal import set_delete

    going = set_delete.plan(rows)
    deleted = {(qs.model._meta.label, pk) for qs in going.deleted for pk in qs.values_list("pk", flat=True)}
    emptied = {
        (qs.model._meta.label, field, pk) for qs, field in going.emptied for pk in qs.values_list("pk", flat=True)
    }
    return deleted, emptied


def test_the_purge_deletes_and_empties_the_very_rows_djangos_delete_would():
    """The set-based delete follows the models' relations as Django's delete does: the same rows go (an alert, a
    note, a follow-up's row... of every intake), and a follow-up's invitation removed without its visit leaves the
    follow-up's row with no invitation (on_delete=SET_NULL), as before."""
    patient = _visit_with_everything(1, days_ago=600, **PURGED)
    other = _visit_with_everything(2, days_ago=600, **KEPT)
    lone = FollowUp.objects.filter(patient=other).exclude(invitation=None).earliest("pk")
    invitations = Invitation.objects.filter(Q(patient=patient) | Q(pk=lone.invitation_id))
    expected, expected_emptied = _django_would_delete(invitations)
    deleted, emptied = _plan_deletes(invitations)
    assert {label for label, _ in expected} >= {"alerts.Alert", "intake.ReviewNote", "intake.FollowUp"}
    assert ("intake.FollowUp", "invitation", lone.pk) in expected_emptied
    assert deleted == expected
    assert emptied == expected_emptied
    assert _plan_deletes(Patient.objects.filter(pk=patient.pk)) == _django_would_delete(
        Patient.objects.filter(pk=patient.pk)
    )


def test_every_delete_signal_the_purge_does_not_send_is_one_whose_work_it_does_itself():
    """The purge deletes without sending delete signals (one statement per table, not per row), and forgets the
    messages about what it removes itself (intake.tasks.MESSAGES_ABOUT). A receiver connected later to a model it
    removes would be skipped silently: do its work in intake.services.removal for the whole set, and list it here."""
    from django.db.models.signals import post_delete, pre_delete

    from clinic_portal import set_delete
    from intake import tasks

    removed = set_delete.plan(Invitation.objects.all()).models | set_delete.plan(Patient.objects.all()).models
    receivers = {
        (signal_name, model._meta.label, getattr(receiver, "__qualname__", repr(receiver)))
        for signal_name, signal in (("pre_delete", pre_delete), ("post_delete", post_delete))
        for model in removed
        for receiver in signal._live_receivers(model)[0]
    }
    done_by_the_purge = {("post_delete", label, "_forget_messages") for label in tasks.MESSAGES_ABOUT}
    assert receivers == done_by_the_purge
