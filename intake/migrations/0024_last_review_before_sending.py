"""`Intake.last_review_before_sending` (the sweep's call-back look-up reads through it: intake 0025). A constant
database default: PostgreSQL adds the column without rewriting or scanning the table (its lock is held for
milliseconds), and the code still running during a deploy inserts intakes without naming it. Filled in 0025, in a
migration of its own (0015: a backfill run in the transaction that added a column kept the table locked)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0023_earlier_reminder_may_have_arrived")]

    operations = [
        migrations.AddField(
            model_name="intake",
            name="last_review_before_sending",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
