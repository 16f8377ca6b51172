"""Call-back promises that had already passed, unanswered, when the call-back escalation arrived (0005; their times
stored by intake 0015): recorded as not escalated, so the first sweep after the deploy does not e-mail the lead "call
the patient now" once for every serious intake never marked reviewed, weeks after its patient was seen (review of the stop-31 commits).
Staff still see each one on the queue ("Call was due ..."); promises passing from now on are escalated.
"""

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone

CALL_BACK = "call_back"  # alerts.models.Alert.Kind.CALL_BACK
CANCELLED = "cancelled"  # messaging.models.Delivery.Status.CANCELLED


def passed_before_escalation(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    Alert = apps.get_model("alerts", "Alert")
    now = timezone.now()
    passed = Intake.objects.filter(
        Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=F("submitted_at")),
        call_back_by__lte=now,
        is_reviewed=False,
        submitted_at__isnull=False,
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
    dependencies = [("alerts", "0005_call_back_escalation"), ("intake", "0015_call_back_by_of_sent_intakes")]

    operations = [migrations.RunPython(passed_before_escalation, migrations.RunPython.noop)]
