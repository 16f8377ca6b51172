"""The retriage and demo-invitation management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intake import tokens
from intake.models import Intake, IntakeFlag, Invitation, Level, Retriage
from tests.intake.factories import submitted_intake

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _pretend_an_old_rule_said(intake: Intake, level: Level) -> None:
    Intake.objects.filter(pk=intake.pk).update(level=level, rules_version="2025.9")


def test_retriage_reports_changed_levels_by_id_only_and_stores_nothing(alert_calls):
    changed = submitted_intake(weight_loss="yes")
    unchanged = submitted_intake()
    _pretend_an_old_rule_said(changed, Level.ROUTINE)
    before = len(alert_calls)
    output = _run("retriage")
    assert f"intake {changed.pk}: routine -> serious" in output
    assert f"intake {unchanged.pk}:" not in output
    assert "2 stored intake(s) checked, 1 would change level" in output
    assert "Pat" not in output
    changed.refresh_from_db()
    assert changed.level == Level.ROUTINE
    assert changed.rules_version == "2025.9"
    assert len(alert_calls) == before


def test_retriage_with_apply_stores_the_new_level_flags_and_version(alert_calls):
    intake = submitted_intake(weight_loss="yes")
    _pretend_an_old_rule_said(intake, Level.ROUTINE)
    IntakeFlag.objects.filter(intake=intake).delete()
    output = _run("retriage", "--apply")
    assert "1 changed level" in output
    intake.refresh_from_db()
    assert intake.level == Level.SERIOUS
    assert intake.rules_version == "2027.1"
    assert "SP2" in set(intake.flags.values_list("code", flat=True))
    assert alert_calls[-1] == (intake.pk, Level.SERIOUS, Level.ROUTINE)


def test_retriage_with_apply_gives_the_receipt_the_reading_list_of_the_new_level(alert_calls):
    """A form moved from routine to serious kept the routine reading ("usually a muscle strain", article 1: level
    routine only, docs/clinical/ARTICLES.md) on its receipt (the stop-34 audit)."""
    intake = submitted_intake(weight_loss="yes")
    _pretend_an_old_rule_said(intake, Level.ROUTINE)
    Intake.objects.filter(pk=intake.pk).update(recommended_articles=["back-pain-after-a-run"])
    _run("retriage", "--apply")
    intake.refresh_from_db()
    assert intake.level == Level.SERIOUS
    assert intake.recommended_articles
    assert "back-pain-after-a-run" not in intake.recommended_articles


def test_retriage_leaves_intakes_in_progress_without_a_level_alone():
    intake = submitted_intake()
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.IN_PROGRESS, level=None)
    assert "0 stored intake(s) checked" in _run("retriage", "--apply")


def test_retriage_with_apply_records_the_old_level_and_version_of_each_moved_intake():
    moved = submitted_intake(cancer_history="yes", night_rest_pain="yes")
    Intake.objects.filter(pk=moved.pk).update(level=Level.URGENT, rules_version="2026.1")
    current = submitted_intake()
    _run("retriage", "--apply")
    [record] = Retriage.objects.all()
    assert (record.intake_id, record.old_level, record.old_rules_version) == (moved.pk, Level.URGENT, "2026.1")
    assert (record.new_level, record.new_rules_version) == (Level.SERIOUS, "2027.1")
    assert not Retriage.objects.filter(intake=current).exists()
    assert "0 would change" in _run("retriage")  # a second run finds everything on the current rules


def test_retriage_moves_an_unsent_intake_stopped_after_a_red_flag():
    intake = submitted_intake(ce_saddle_numbness="yes", ce_onset="within_14_days")
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.IN_PROGRESS, rules_version="2026.1")
    assert "1 stored intake(s) checked" in _run("retriage", "--apply")
    assert Intake.objects.get(pk=intake.pk).rules_version == "2027.1"


def test_demo_invitations_print_working_links_and_can_be_loaded_again(client, settings):
    settings.DEBUG = True
    first = _run("load_demo_invitations")
    second = _run("load_demo_invitations")
    assert first == second
    assert Invitation.objects.count() == 3
    link = next(line for line in first.splitlines() if "/intake/start/" in line).split()[0]
    token = link.rsplit("/", 2)[-2]
    assert token == tokens.demo_token("demo-runner")
    assert client.get(f"/intake/start/{token}/")["Location"] == "/intake/confirm/"


def test_demo_invitations_refuse_to_load_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _run("load_demo_invitations")
