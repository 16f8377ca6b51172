"""What the intake app tells the apps above it. They subscribe (in their AppConfig.ready); intake imports none of them.

`assessment_recorded` is sent inside the transaction that stored a triage result, so a receiver's own writes (the
alerts app queues its e-mail there) commit or roll back together with the result.
"""

from django.dispatch import Signal

# Sent with: intake (the saved Intake, new level set), previous_level (the level before, or None), reopened (True when
# the result took a reviewed intake out of "reviewed": new red flags or a higher level; intake.review_round moved on).
assessment_recorded = Signal()

# Sent with: intake (unreviewed again: a clinician undid its latest review, intake.services.review_undo), inside the
# undo's transaction; was_reviewed (False when new red flags had reopened the intake before the undo: its current
# round was never marked reviewed).
review_undone = Signal()
