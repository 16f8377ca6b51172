"""The call-back time of intakes sent serious before `Intake.call_back_by` existed (0014): the time their receipt
worked out then (from when they were sent, the clinic's hours in settings now, and their flags: none when the flags
call for the emergency advice). One that became serious after it was sent cannot be told apart here and gets one too;
from now on such an intake has none.

A migration of its own, in batches (one query for a batch's flags, one update for its times): run in 0014's
transaction, one query per intake for its flags and one to store its time, it kept the intake table locked on
PostgreSQL (ACCESS EXCLUSIVE, from adding the column) while patients sent their forms (review of the stop-31 commits).
"""

from collections import defaultdict

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from intake.rules.callback import parse_clinic_hours
from intake.rules.patient_messages import promised_call_back

SERIOUS = 2  # intake.models.Level.SERIOUS
BATCH = 1000


def promises_of_sent_intakes(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    IntakeFlag = apps.get_model("intake", "IntakeFlag")
    # Read as settings.py checks them at start-up (closed dates, last-call minutes): with the default last call this
    # refused a day open under 30 minutes that CLINIC_LAST_CALL_MINUTES allows, and `migrate` failed on a new database.
    hours = parse_clinic_hours(
        settings.CLINIC_HOURS,
        closed_dates=settings.CLINIC_CLOSED_DATES,
        last_call_minutes=settings.CLINIC_LAST_CALL_MINUTES,
    )
    sent = (
        Intake.objects.filter(level=SERIOUS, submitted_at__isnull=False, call_back_by__isnull=True)
        .order_by("pk")
        .values_list("pk", "submitted_at")
    )
    last = 0
    while batch := list(sent.filter(pk__gt=last)[:BATCH]):
        last = batch[-1][0]
        codes = defaultdict(list)
        flags = IntakeFlag.objects.filter(intake_id__in=[pk for pk, _ in batch]).values_list("intake_id", "code")
        for intake_id, code in flags:
            codes[intake_id].append(code)
        promised = []
        for pk, submitted_at in batch:
            by = promised_call_back(
                level="serious",
                flag_codes=codes[pk],
                sent_at_local=timezone.localtime(submitted_at),
                hours=hours,
                within_hours=settings.CLINIC_CALLBACK_HOURS,
            )
            if by is not None:
                promised.append(Intake(pk=pk, call_back_by=by))
        Intake.objects.bulk_update(promised, ["call_back_by"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("intake", "0014_call_back_by")]

    operations = [migrations.RunPython(promises_of_sent_intakes, migrations.RunPython.noop)]
