"""Latches for the red-flag answers that forms still being answered stored before those answers were latched: every
yes before 0004 (latches), a fall as the cause before the fall was latched (December 6), and the leg answers that
make MSCC beside a cancer history before they were latched (December 7). Without one, such a form's later "no" took the flag
away, after the emergency page and the staff alert: the level dropped as if the answer had never been given.

Only forms in progress, triaged (a stored level: the flag staff were shown and alerted for) and not reviewed: a sent
form's answers no longer change (a page from another tab after "Send" takes only a yes), a latch on a form with no
level would keep it from the retention purge without putting it in the queue, and a review with an outcome is what
clears a latch. An answer whose question has a latch
row already, open or cleared by a review, is left as it is. The latch is marked as given before the upgrade
(`given_before`): the answer's own time is not known (docs/clinical/TRIAGE.md, "Latched red flags and partial
pages"). Nothing is triaged here: the stored result already counts the answers as given; the latch only keeps it when
one is taken back.

It reads the triage rules of the code it ships with (which answers are red-flag answers, whether a cancer history
stands), not a frozen copy as 0027 does: the three kinds of answer need the whole rules engine (a fall as the cause,
a follow-up's background). On a new database it finds no form and does nothing; if those functions are ever renamed,
squash this migration away (it is elidable) rather than edit it.
"""

from django.db import migrations
from django.utils import timezone

from intake.rules.triage import LATCHED_QUESTIONS, cancer_history_stands, is_red_flag_answer, mscc_leg_answers

BATCH = 1000


def _background(apps, intake):
    """A follow-up's pre-visit cancer history (its visit's answer or open latch; `background_for` as of now)."""
    Intake = apps.get_model("intake", "Intake")
    FollowUp = apps.get_model("intake", "FollowUp")
    RedFlagAnswer = apps.get_model("intake", "RedFlagAnswer")
    visit_id = FollowUp.objects.filter(invitation_id=intake.invitation_id).values_list("visit_id", flat=True).first()
    if visit_id is None:
        visit_id = (
            Intake.objects.filter(patient_id=intake.patient_id, kind="intake", status="submitted")
            .order_by("-submitted_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
    if visit_id is None:
        return {}
    answers = Intake.objects.filter(pk=visit_id).values_list("answers", flat=True).first() or {}
    background = {"cancer_history": answers.get("cancer_history")}
    latched = RedFlagAnswer.objects.filter(intake_id=visit_id, code="cancer_history", cleared_at__isnull=True)
    background.update(dict(latched.values_list("code", "value")))
    return background


def latch_stored_red_flag_answers(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    RedFlagAnswer = apps.get_model("intake", "RedFlagAnswer")
    now = timezone.now()
    forms = Intake.objects.filter(status="in_progress", is_reviewed=False, level__isnull=False).only(
        "pk", "answers", "kind", "invitation_id", "patient_id"
    )
    last = 0
    while True:
        batch = list(forms.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        rows = RedFlagAnswer.objects.filter(intake_id__in=[intake.pk for intake in batch])
        latched: dict[int, set[str]] = {}
        for intake_id, code in rows.values_list("intake_id", "code"):
            latched.setdefault(intake_id, set()).add(code)
        opened = []
        for intake in batch:
            answers = dict(intake.answers or {})
            codes = {code for code in LATCHED_QUESTIONS if is_red_flag_answer(code, answers.get(code))}
            history = {**(_background(apps, intake) if intake.kind == "follow_up" else {}), **answers}
            if "cancer_history" in latched.get(intake.pk, set()):
                open_history = RedFlagAnswer.objects.filter(
                    intake_id=intake.pk, code="cancer_history", cleared_at__isnull=True
                ).values_list("value", flat=True)
                history["cancer_history"] = next(iter(open_history), history.get("cancer_history"))
            if cancer_history_stands(history):
                codes |= set(mscc_leg_answers(answers))
            for code in sorted(codes - latched.get(intake.pk, set())):
                opened.append(
                    RedFlagAnswer(
                        intake_id=intake.pk, code=code, value=answers[code], answered_at=now, given_before=True
                    )
                )
        # A page saved while the upgrade runs may open the same latch first (one open latch per question): it stands.
        RedFlagAnswer.objects.bulk_create(opened, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0028_red_flag_answer_given_before"),
    ]

    operations = [
        migrations.RunPython(latch_stored_red_flag_answers, migrations.RunPython.noop, elidable=True),
    ]
