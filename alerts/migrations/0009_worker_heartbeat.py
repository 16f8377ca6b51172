"""Whether the task worker answers (alerts.models.WorkerHeartbeat), so the queue can say when it has stopped.

No row to start with, on a new database or one in use: the first sweep after this upgrade queues the first ping, and
the queue says nothing until a ping has waited a few minutes (alerts.selectors.WORKER_LATE_AFTER).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0008_sweeper_heartbeat"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("ping_task_id", models.CharField(blank=True, max_length=64)),
                ("waiting_since", models.DateTimeField(blank=True, null=True)),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, help_text="When the worker last answered a ping.", null=True),
                ),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="worker_heartbeat_one_row")],
            },
        ),
    ]
