"""Background tasks (django-tasks, database backend). Run them with `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task

from alerts import services


@task()
def send_alert(alert_id: int) -> str:
    """Carries only the alert's id: what to send, and whether it was sent already, is read from the Alert row."""
    return services.send(alert_id)
