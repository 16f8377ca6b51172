"""Call-back promises made after a review before sending, already passed when their escalation arrived (stop 32: until
then such a promise, the intake still marked reviewed, was never escalated): recorded as not escalated, as 0006 did for
the unreviewed ones, so the first sweep after the deploy does not e-mail the lead "call the patient now" for each,
weeks on. Staff see each on the queue ("Call was due ..."); promises passing from now on are escalated.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

CALL_BACK = "call_back"  # alerts.models.Alert.Kind.CALL_BACK
CANCELLED = "cancelled"  # messaging.models.Delivery.Status.CANCELLED


def reviewed_before_sending_and_passed(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    Alert = apps.get_model("alerts", "Alert")
    now = timezone.now()
    passed = Intake.objects.filter(
        reviewed_at__lt=F("submitted_at"), call_back_by__lte=now, is_reviewed=True, submitted_at__isnull=False
    ).values_list("pk", "review_round")
    Alert.objects.bulk_create(
        (
            Alert(intake_id=pk, kind=CALL_BACK, round=round_, attempt=0, status=CANCELLED, next_attempt_at=now)
            for pk, round_ in passed.iterator(chunk_size=2000)
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0006_call_backs_passed_before_escalation")]

    operations = [migrations.RunPython(reviewed_before_sending_and_passed, migrations.RunPython.noop)]
