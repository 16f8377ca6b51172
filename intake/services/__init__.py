"""The one door for intake writes: invitations, identity checks, saved steps, triage results, submissions, reviews.

Nothing outside this package creates or updates Invitation, Intake, IntakeFlag or ReviewNote rows
(`tests/foundation/test_layers.py` checks it). Contracts every function here keeps:

- One transaction per write, so a failure leaves nothing half-saved.
- What a patient can trigger twice at once (saving a step in two tabs, a double tap on "Send") locks the intake row
  first (`select_for_update`), and submitting claims the row with a conditional UPDATE.
- Every stored triage result sends `intake.signals.assessment_recorded` inside its transaction; the alerts app
  listens, so its alert and task rows commit with the result or not at all.
- Keyword-only arguments for anything that is not the row being written; times are passed in (`now=`), never read
  twice in one write.

The modules, by subdomain: `invitations` (links and identity), `cancellation` (a visit called off), `answering`
(consent, saving pages and steps, the emergency page),
`assessment` (triage results, submission, re-triage), `review` (clinicians' review), `review_undo` (a review
saved on the wrong patient, undone), `removal` (visits deleted by
the retention policy), `demo` (demo and test data through the same writers).
"""

from intake.services.answering import (
    PHONE,
    SAFETY_STEP,
    acknowledge_emergency,
    emergency_kind,
    has_consent,
    mark_emergency_shown,
    needs_emergency_acknowledgement,
    record_consent,
    record_red_flags,
    safety_answers_need_emergency_page,
    save_page,
    save_step,
)
from intake.services.assessment import (
    RETRIAGE_REOPENS_WITHIN,
    Assessment,
    RetriageOutcome,
    assess_intake,
    first_page_with_errors,
    flag_rows,
    record_assessment,
    retriage,
    store_assessment,
    submit_intake,
)
from intake.services.cancellation import cancel_visit
from intake.services.demo import create_assessed_intake, create_demo_invitation, create_submitted_intake_for_demo
from intake.services.errors import InvalidAnswers
from intake.services.invitations import (
    IdentityCheck,
    confirm_identity,
    create_invitation,
    discard_invitation,
    expiry_for,
    mark_opened,
    max_identity_attempts,
    renew_link,
    start_intake,
)
from intake.services.review import (
    InvalidReview,
    ReviewOutcome,
    flag_recent_reviews_before_sending,
    mark_reviewed,
    needs_outcome,
)
from intake.services.review_undo import StaleUndo, UndoOutcome, has_review_to_undo, review_token, undo_review

__all__ = [
    "PHONE",
    "RETRIAGE_REOPENS_WITHIN",
    "SAFETY_STEP",
    "Assessment",
    "IdentityCheck",
    "InvalidAnswers",
    "InvalidReview",
    "RetriageOutcome",
    "ReviewOutcome",
    "StaleUndo",
    "UndoOutcome",
    "acknowledge_emergency",
    "assess_intake",
    "cancel_visit",
    "confirm_identity",
    "create_assessed_intake",
    "create_demo_invitation",
    "create_invitation",
    "create_submitted_intake_for_demo",
    "discard_invitation",
    "emergency_kind",
    "expiry_for",
    "first_page_with_errors",
    "flag_recent_reviews_before_sending",
    "flag_rows",
    "has_consent",
    "has_review_to_undo",
    "mark_emergency_shown",
    "mark_opened",
    "mark_reviewed",
    "max_identity_attempts",
    "needs_emergency_acknowledgement",
    "needs_outcome",
    "record_assessment",
    "record_consent",
    "record_red_flags",
    "renew_link",
    "retriage",
    "review_token",
    "safety_answers_need_emergency_page",
    "save_page",
    "save_step",
    "start_intake",
    "store_assessment",
    "submit_intake",
    "undo_review",
]
