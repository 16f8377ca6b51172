"""The review round of each note saved before notes recorded it (intake 0022, `ReviewNote.review_round`), read from
the rounds' alerts: every round after the first began with the on-call alert that new red flags sent (Alert.round,
created in the same locked transaction that opened the round), so a note belongs to the latest round with an alert no
later than the note, or to round 0. Here, not in intake: only the alerts know when a round began.

What it is for: undoing a review marks undone only the notes of that review's round (intake.services.review_undo); a
failed call logged after new red flags reopened the intake stays a call that counts for the escalation.
"""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def rounds_of_earlier_notes(apps: Any, schema_editor: Any) -> None:
    ReviewNote = apps.get_model("intake", "ReviewNote")
    Alert = apps.get_model("alerts", "Alert")
    # An alert of a round is never older than the round: the latest round with an alert by the note's time had begun.
    begun = (
        Alert.objects.filter(intake=OuterRef("intake"), round__gte=1, created_at__lte=OuterRef("created_at"))
        .order_by("-round")
        .values("round")[:1]
    )
    ReviewNote.objects.filter(review_round__isnull=True).update(review_round=Coalesce(Subquery(begun), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0009_worker_heartbeat"),
        ("intake", "0022_review_note_round"),
    ]

    operations = [migrations.RunPython(rounds_of_earlier_notes, migrations.RunPython.noop)]
