"""`Intake.call_back_by`: the call-back time a serious intake's receipt promised, stored when it is sent; and the
index the call-back escalation reads. Schema only: the times of intakes sent before it are 0015's, so the column's
ACCESS EXCLUSIVE lock on PostgreSQL is not held while they are worked out (review of the stop-31 commits).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0013_reviewed_flags_of_earlier_reviews")]

    operations = [
        migrations.AddField(
            model_name="intake", name="call_back_by", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(call_back_by__isnull=False, is_reviewed=False),
                fields=["call_back_by"],
                name="intake_call_back_waiting",
            ),
        ),
    ]
