"""Data retention: patient records are removed INTAKE_RETENTION_MONTHS after the appointment they were made for (a
visit's follow-ups with it, after the last of them: `expired_invitations`); the patient's own record (name, birth
date, contact details) with the last of their visits.

Removal is deletion, not anonymisation: an intake's free text cannot be reliably scrubbed of identifying details, and
the clinic's own record of the visit lives in its EHR. The audit trail is kept (it stores intake ids, never patient
data, and has no foreign key to intakes), and the purge itself is recorded in it.

A red flag no clinician has reviewed is never purged (`waiting_red_flags`): its visit, with its follow-ups, stays past
the period until a review, and the next purge after that removes it. A short period (or `--months 1`) deleted urgent
intakes nobody had looked at.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.services import record
from intake.models import FollowUp, Intake, Invitation, Level, RedFlagAnswer
from intake.services.removal import remove_invitations, remove_records_without_visits

# Visits deleted in one transaction, each with its follow-ups: up to 600 invitations with the default schedule (a
# visit and three follow-ups), about the 500 a batch held when batches were cut by invitation; a few MB of rows and
# a few seconds of locks.
BATCH = 150


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    invitations: int
    intakes: int
    dry_run: bool
    # Intakes past the period kept for their red flags no clinician has reviewed (`waiting_red_flags`); their visits'
    # other intakes are kept with them and counted in neither number.
    kept_for_review: int = 0
    # Visits past the period (none waiting for a review) still here after the purge: a row of theirs was held when
    # their batch came (a page being saved, a message being sent), and they are left for the next purge.
    left_busy: int = 0


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Calendar months back; the 31st becomes the last day of a shorter month."""
    year, month = divmod(moment.year * 12 + (moment.month - 1) - months, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def expired_invitations(*, months: int, now: datetime.datetime) -> QuerySet[Invitation]:
    """Invitations whose visit is past the period. A follow-up's invitation carries its visit's appointment time, and
    a visit with its follow-ups is one record (the patient page charts them together): the period of a visit runs
    from the latest of its appointment, its follow-ups' due dates (one cancelled before it was sent aside) and the
    last day of their links, so a 12-month follow-up is never removed while it can still be, or was just, answered."""
    cutoff = months_before(now, months)
    within = FollowUp.objects.filter(
        Q(cancelled_at__isnull=True, due_at__gte=cutoff) | Q(invitation__expires_at__gte=cutoff)
    )
    return (
        Invitation.objects.filter(appointment_at__lt=cutoff)
        .exclude(Exists(within.filter(visit__invitation=OuterRef("pk"))))
        .exclude(Exists(within.filter(visit=OuterRef("follow_up__visit"))))
    )


def waiting_red_flags() -> QuerySet[Intake]:
    """Intakes with red flags no clinician has reviewed: not reviewed, and urgent or serious (the levels a review must
    answer with an outcome, `intake.services.review.needs_outcome`) or with a red-flag answer still latched (which
    makes the level one of those; only a review with an outcome clears it). Sent ones and those stopped at the safety
    step alike, as the queue shows them, and those reopened by red flags their review did not see
    (`intake.services.assessment`). "Could not reach" leaves an intake unreviewed, so it stays too."""
    open_latch = RedFlagAnswer.objects.filter(intake=OuterRef("pk"), cleared_at__isnull=True)
    return Intake.objects.filter(Q(level__in=(Level.URGENT, Level.SERIOUS)) | Exists(open_latch), is_reviewed=False)


def _visit_waits_for_review() -> Q:
    """The invitation's visit (the visit's own invitation or one of its follow-ups') has an intake in
    `waiting_red_flags`: the retention unit is the visit, so all of it stays."""
    return _visit_has(waiting_red_flags())


def _visit_has(intakes: QuerySet[Intake]) -> Q:
    """The invitation's visit (the visit's own invitation or one of its follow-ups') has one of `intakes`."""
    return (
        Q(Exists(intakes.filter(invitation=OuterRef("pk"))))
        # A visit's invitation: one of its follow-ups.
        | Q(Exists(intakes.filter(invitation__follow_up__visit__invitation=OuterRef("pk"))))
        # A follow-up's invitation: its visit, or another follow-up of the visit.
        | Q(Exists(intakes.filter(pk=OuterRef("follow_up__visit"))))
        | Q(Exists(intakes.filter(invitation__follow_up__visit=OuterRef("follow_up__visit"))))
    )


def purge_old_intakes(*, months: int, now: datetime.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete what is past the period, `BATCH` invitations at a time, each batch in a transaction of its own with its
    own entry in the audit trail: a first purge of years of history holds neither all of it in memory nor its locks
    for minutes, and a purge stopped half-way keeps (and has recorded) what it removed. Two purges at once share the
    work (rows another one has locked are skipped, on PostgreSQL) and each records only what it removed.

    Visits with a red flag no clinician has reviewed are kept (`waiting_red_flags`), and counted: each batch looks
    again, so one reviewed while the purge runs goes in a later batch, and looks once more at what it chose with its
    visits' intakes locked (`_still_to_remove`), so a red flag posted meanwhile keeps its visit too. A batch is cut
    by visits, each with all its follow-ups (`_purge_batch`). Visits left because a row of theirs was held (a page
    being saved) are counted (`left_busy`), so the operator knows to run it again."""
    now = now or timezone.now()
    cutoff = months_before(now, months)
    expired = expired_invitations(months=months, now=now)
    invitations = expired.exclude(_visit_waits_for_review())
    if dry_run:
        return PurgeResult(
            cutoff=cutoff,
            invitations=invitations.count(),
            intakes=Intake.objects.filter(invitation__in=invitations).count(),
            dry_run=True,
            kept_for_review=waiting_red_flags().filter(invitation__in=expired).count(),
        )
    removed_invitations = removed_intakes = 0
    passed_over: set[int] = set()  # chosen, then kept by the look under the locks: not chosen again by this purge
    while (batch := _purge_batch(invitations.exclude(pk__in=passed_over), cutoff=cutoff, months=months)) is not None:
        removed_invitations += batch.invitations
        removed_intakes += batch.intakes
        passed_over |= batch.passed_over
    remove_records_without_visits()
    return PurgeResult(
        cutoff=cutoff,
        invitations=removed_invitations,
        intakes=removed_intakes,
        dry_run=False,
        # Counted after the batches: what is kept now (one reviewed meanwhile went in a later batch).
        kept_for_review=waiting_red_flags().filter(invitation__in=expired).count(),
        # Still due to go, as read now (one given a red flag meanwhile waits for a review, and is counted above):
        # left by a batch for a row held, or never chosen, its visit's own invitation held at every batch.
        left_busy=_visits(invitations).count(),
    )


def _visits(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """The visits among `invitations`, by their own invitation: every one but a follow-up's (a follow-up whose
    `FollowUp` row went with its visit is one of its own)."""
    return invitations.filter(follow_up__isnull=True)


@dataclass(frozen=True)
class _Batch:
    invitations: int
    intakes: int
    passed_over: set[int]  # the chosen invitations it kept


def _purge_batch(invitations: QuerySet[Invitation], *, cutoff: datetime.datetime, months: int) -> _Batch | None:
    """Delete the next batch of expired invitations with all that hangs on them: how many invitations and intakes,
    or None when there is none left to look at. The batch is `BATCH` visits, each with all its follow-ups
    (`_with_follow_ups`): cut by invitation id, a visit went in one batch and its follow-ups, made long after it
    (their ids later than other visits'), in a later one, and a purge stopped in between left them without their
    visit. It is chosen, then looked at again once its visits' intakes are locked (`_still_to_remove`), and only
    what still goes is deleted."""
    with transaction.atomic():
        visits = list(
            _visits(invitations)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not visits:
            return None
        chosen, held = _with_follow_ups(invitations, visits)
        ids = _still_to_remove(invitations, chosen)
        passed_over = set(chosen) - set(ids) | held
        if not ids:
            return _Batch(0, 0, passed_over)
        removed = remove_invitations(ids)
        if removed.invitations:
            record(
                "retention_purge",
                detail=(
                    f"removed {removed.intakes} intakes and {removed.invitations} invitations with appointments "
                    f"before {cutoff:%Y-%m-%d} ({months}-month retention)"
                ),
            )
        return _Batch(removed.invitations, removed.intakes, passed_over)


def _with_follow_ups(invitations: QuerySet[Invitation], visits: list[int]) -> tuple[list[int], set[int]]:
    """The visits' own invitations (`visits`, locked) and their follow-ups' among `invitations`, locked here; and the
    visits left out, as one of their follow-ups' invitations is held now (its reminder being sent, say): skipped,
    not waited for (the one holding it may wait for the visit's), and left for the next purge with all of it."""
    follow_ups = invitations.filter(follow_up__visit__invitation__in=visits)
    visit_of = dict(follow_ups.values_list("pk", "follow_up__visit__invitation"))
    locked = set(follow_ups.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True))
    held = {visit_of[pk] for pk in visit_of.keys() - locked}
    chosen = [pk for pk in visits if pk not in held]
    return chosen + sorted(pk for pk in locked if visit_of[pk] not in held), held


def _still_to_remove(invitations: QuerySet[Invitation], chosen: list[int]) -> list[int]:
    """The chosen invitations (locked) that still go, looked at again with every intake of their visits locked.

    The batch was chosen by one statement and deleted by later ones: a red-flag answer a patient posted in between
    (from a tab still open on a link past a short period: `--months` under the browser's trust), or a review undone,
    was deleted with its intake, its latch and its alert. Every write that makes an intake wait for a review holds
    its row lock (`intake.services.answering._lock`, the review's and its undo's), so with the rows of the visits'
    intakes locked here, one committed before is seen by this look (PostgreSQL's READ COMMITTED: each statement
    reads what is committed when it starts) and keeps its visit, and one that comes after waits for the purge and
    finds the intake gone (its page says nothing was taken). A new intake cannot start on a locked invitation.

    A visit with an intake whose row is held right now (a page being saved) is skipped, not waited for, and left for
    the next purge: the patient's commit takes its invitation (FOR KEY SHARE, checking the intake's foreign key once
    the row was written twice) after the intake, where the purge holds the invitation and waited for the intake, and
    PostgreSQL broke the deadlock by failing one of them (the patient's red flag, or the purge)."""
    own = set(Intake.objects.filter(invitation_id__in=chosen).values_list("pk", flat=True))
    # The visits: the chosen invitations' own intakes and the visits of chosen follow-ups; and all their follow-ups.
    visits = own | set(FollowUp.objects.filter(invitation_id__in=chosen).values_list("visit_id", flat=True))
    follow_ups = FollowUp.objects.filter(visit_id__in=visits, invitation__intake__isnull=False)
    intakes = visits | set(follow_ups.values_list("invitation__intake", flat=True))
    locked = Intake.objects.filter(pk__in=intakes).select_for_update(skip_locked=True).order_by("pk")
    busy = intakes - set(locked.values_list("pk", flat=True))
    still = invitations.filter(pk__in=chosen)
    if busy:
        still = still.exclude(_visit_has(Intake.objects.filter(pk__in=busy)))
    return list(still.order_by("pk").values_list("pk", flat=True))
