"""The sweeper records when it ran, so the queue can say when it has stopped (dashboard.queue_counts)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import services
from alerts.models import SweeperHeartbeat

pytestmark = pytest.mark.django_db


def test_a_sweep_records_when_it_ran_and_the_next_one_moves_it_on():
    now = timezone.now()
    services.sweep(now=now)
    assert SweeperHeartbeat.objects.get().swept_at == now
    services.sweep(now=now + datetime.timedelta(minutes=1))
    assert SweeperHeartbeat.objects.get().swept_at == now + datetime.timedelta(minutes=1)  # still one row


def test_the_sweep_command_records_when_it_ran():
    before = timezone.now()
    call_command("alerts_sweep")
    assert SweeperHeartbeat.objects.get().swept_at >= before


def test_a_sweep_that_fails_before_checking_escalations_records_nothing(monkeypatch):
    """Escalations were not checked: the queue must go on saying so."""

    def broken(now):  # type: ignore[no-untyped-def]
        raise RuntimeError("escalations could not be checked")

    monkeypatch.setattr(services, "_escalate_missed_call_backs", broken)
    with pytest.raises(RuntimeError):
        services.sweep()
    assert not SweeperHeartbeat.objects.exists()
