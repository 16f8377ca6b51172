"""`Intake.call_back_by`: the call-back time a serious intake's receipt promised, stored when it is sent.

Intakes sent serious before this migration get the time their receipt worked out then (from when they were sent, the
clinic's hours in settings now, and their flags: none when the flags call for the emergency advice). One that became
serious after it was sent cannot be told apart here and gets one too; from now on such an intake has none.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from intake.rules.callback import parse_clinic_hours
from intake.rules.patient_messages import promised_call_back

SERIOUS = 2  # intake.models.Level.SERIOUS


def promises_of_sent_intakes(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    IntakeFlag = apps.get_model("intake", "IntakeFlag")
    hours = parse_clinic_hours(settings.CLINIC_HOURS)
    sent = Intake.objects.filter(level=SERIOUS, submitted_at__isnull=False).values_list("pk", "submitted_at")
    for pk, submitted_at in sent.iterator(chunk_size=2000):
        by = promised_call_back(
            level="serious",
            flag_codes=IntakeFlag.objects.filter(intake_id=pk).values_list("code", flat=True),
            sent_at_local=timezone.localtime(submitted_at),
            hours=hours,
            within_hours=settings.CLINIC_CALLBACK_HOURS,
        )
        if by is not None:
            Intake.objects.filter(pk=pk).update(call_back_by=by)


class Migration(migrations.Migration):
    dependencies = [("intake", "0013_reviewed_flags_of_earlier_reviews")]

    operations = [
        migrations.AddField(
            model_name="intake", name="call_back_by", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.RunPython(promises_of_sent_intakes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(call_back_by__isnull=False, is_reviewed=False),
                fields=["call_back_by"],
                name="intake_call_back_waiting",
            ),
        ),
    ]
