"""Reviews made before 0012 have no `reviewed_flags`: take the red flags each reviewed intake has now as the ones its
review saw.

Left empty, every such intake counted all its flags as unseen: the next answer, a red flag sent after "Send" or a
rules upgrade (`retriage --apply`) opened it again and paged the on-call about flags a clinician had already dealt
with (review of the stop-30 commits). A flag it gained after its review and before 0012 would have opened it then.
"""

from django.db import migrations

from intake.rules.triage import FLAGS_BY_CODE

ACTIONABLE_GROUPS = frozenset({"urgent", "serious", "weak"})  # intake.services.assessment.ACTIONABLE_GROUPS


def seen_flags(apps, schema_editor):
    Intake = apps.get_model("intake", "Intake")
    IntakeFlag = apps.get_model("intake", "IntakeFlag")
    reviewed = Intake.objects.filter(is_reviewed=True, reviewed_flags=[]).values_list("pk", flat=True)
    for pk in reviewed.iterator(chunk_size=2000):
        codes = IntakeFlag.objects.filter(intake_id=pk).values_list("code", flat=True)
        seen = sorted(
            {code for code in codes if code in FLAGS_BY_CODE and FLAGS_BY_CODE[code].group in ACTIONABLE_GROUPS}
        )
        if seen:
            Intake.objects.filter(pk=pk).update(reviewed_flags=seen)


class Migration(migrations.Migration):
    dependencies = [("intake", "0012_review_round_and_emergency_kind")]

    operations = [migrations.RunPython(seen_flags, migrations.RunPython.noop)]
