"""When the sweeper last ran (alerts.models.SweeperHeartbeat), so the queue can say when it has stopped.

A portal already in use starts the clock at this upgrade: with no row the queue counts from the first intake's arrival
(weeks ago), and would tell staff the sweeper had stopped until cron's first run after the deploy. A new database (no
intakes yet) gets no row: it needs none until an intake arrives.
"""

from typing import Any

from django.db import migrations, models
from django.utils import timezone


def start_the_clock_on_a_portal_in_use(apps: Any, schema_editor: Any) -> None:
    Intake = apps.get_model("intake", "Intake")
    SweeperHeartbeat = apps.get_model("alerts", "SweeperHeartbeat")
    if Intake.objects.exists():
        SweeperHeartbeat.objects.get_or_create(id=1, defaults={"swept_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0007_call_backs_reviewed_before_sending_passed")]

    operations = [
        migrations.CreateModel(
            name="SweeperHeartbeat",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("swept_at", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="sweeper_heartbeat_one_row")
                ],
            },
        ),
        migrations.RunPython(start_the_clock_on_a_portal_in_use, migrations.RunPython.noop),
    ]
