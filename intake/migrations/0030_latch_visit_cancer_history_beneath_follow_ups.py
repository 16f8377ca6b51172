"""A follow-up's latch of its visit's cancer history, for the follow-ups whose answer that makes MSCC with it (clumsy
hands or poorer balance, a cauda equina sign, a leg answer) was latched before such a latch also latched that history
on the follow-up (`intake.services.answering._latch_the_history_beneath`, December 7). Without it, a review of the
visit that cleared its cancer yes taken back lowered the follow-up's MSCC at its next page, or when sent or triaged
again, though no clinician had reviewed the follow-up.

Every follow-up, sent or not, as the code does: one with an open latch on such an answer, none on the cancer history,
and a cancer history standing beneath it (its visit's answer, or the visit's open latch, `background_for`). The latch
is marked as given before (`given_before`): the history came with the visit. Nothing is triaged here: the stored
result already counts the MSCC the two make; the latch only keeps it.

It reads the live triage rules, as 0029 does (which questions make MSCC with a cancer history, which answers are
red-flag answers); on a new database it finds no follow-up and does nothing. If those names change, squash this
migration away (it is elidable) rather than edit it.
"""

from django.db import migrations
from django.utils import timezone

from intake.rules.triage import MSCC_PARTNERS, RULES, is_red_flag_answer

BATCH = 1000


def _partner_questions() -> frozenset[str]:
    return frozenset(code for rule in RULES if rule.code in MSCC_PARTNERS for code in rule.questions)


def _visit_cancer_history(apps, follow_up):
    """The cancer history beneath a follow-up (`background_for`): its visit's answer, overridden by the visit's open
    latch; the patient's latest sent intake's when the follow-up hangs off no visit."""
    Intake = apps.get_model("intake", "Intake")
    FollowUp = apps.get_model("intake", "FollowUp")
    RedFlagAnswer = apps.get_model("intake", "RedFlagAnswer")
    visit_id = FollowUp.objects.filter(invitation_id=follow_up.invitation_id).values_list("visit_id", flat=True).first()
    if visit_id is None:
        visit_id = (
            Intake.objects.filter(patient_id=follow_up.patient_id, kind="intake", status="submitted")
            .order_by("-submitted_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
    if visit_id is None:
        return None
    latched = RedFlagAnswer.objects.filter(intake_id=visit_id, code="cancer_history", cleared_at__isnull=True)
    value = latched.values_list("value", flat=True).first()
    if value is None:
        answers = Intake.objects.filter(pk=visit_id).values_list("answers", flat=True).first() or {}
        value = answers.get("cancer_history")
    return value if isinstance(value, str) and is_red_flag_answer("cancer_history", value) else None


def latch_visit_cancer_history_beneath(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    RedFlagAnswer = apps.get_model("intake", "RedFlagAnswer")
    partners = _partner_questions()
    now = timezone.now()
    open_rows = RedFlagAnswer.objects.filter(cleared_at__isnull=True)
    follow_ups = Intake.objects.filter(
        kind="follow_up", pk__in=open_rows.filter(code__in=partners).values("intake_id")
    ).only("pk", "invitation_id", "patient_id")
    last = 0
    while True:
        batch = list(follow_ups.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        latched = set(
            open_rows.filter(intake_id__in=[row.pk for row in batch], code="cancer_history").values_list(
                "intake_id", flat=True
            )
        )
        opened = []
        for follow_up in batch:
            if follow_up.pk in latched:
                continue
            value = _visit_cancer_history(apps, follow_up)
            if value is not None:
                opened.append(
                    RedFlagAnswer(
                        intake_id=follow_up.pk, code="cancer_history", value=value, answered_at=now, given_before=True
                    )
                )
        # A latch the code opened meanwhile (a page saved during the upgrade) stands: one open latch per question.
        RedFlagAnswer.objects.bulk_create(opened, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0029_latch_red_flag_answers_stored_before_latching"),
    ]

    operations = [
        migrations.RunPython(latch_visit_cancer_history_beneath, migrations.RunPython.noop, elidable=True),
    ]
