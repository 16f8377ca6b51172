"""Fixtures for the message tests: the real database task backend, addresses, and running queued tasks in-process."""

from __future__ import annotations

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ALERT_EMAILS = ["on-call@clinic.example"]
    settings.FRONT_DESK_EMAILS = ["front-desk@clinic.example"]
    settings.SITE_URL = "https://portal.clinic.example"


def run_queued_tasks() -> None:
    """What `db_worker` does, in-process: claim every ready task and run it with the worker's own code, which records
    a failed task's exception and traceback in the task result table."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        worker.run_task(result)
