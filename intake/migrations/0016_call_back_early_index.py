"""The index the call-back escalation reads for intakes reviewed before they were sent, whose receipt's promise no
review of the sent form has answered yet (alerts.services._escalate_missed_call_backs; review of the stop-32 commits:
without it the every-minute sweep read the whole table). Few rows: the index is small and quick to build.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0015_call_back_by_of_sent_intakes")]

    operations = [
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(
                    call_back_by__isnull=False, is_reviewed=True, reviewed_at__lt=models.F("submitted_at")
                ),
                fields=["call_back_by"],
                name="intake_call_back_early",
            ),
        ),
    ]
