"""Triage results: storing them (with their flags and reading list), submitting an intake, re-running the rules.

`store_assessment` is the one function that writes a triage result; the patient's flow, re-triage and the demo data
all go through it, so what staff see is always what the rules produced. The reading list is stored again, and only it,
once staff have spoken with the patient (`share_reading_held_back_until_contact`): the articles held back until then
(docs/clinical/ARTICLES.md, article 10) join it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from clinic_portal.db_rows import quoted_column
from intake import signals, tasks
from intake.call_backs import clinic_hours
from intake.models import (
    PATIENT_REACHED_OUTCOMES,
    Intake,
    IntakeFlag,
    Level,
    Questionnaire,
    RedFlagAnswer,
    Retriage,
    ReviewNote,
    reviewed_before_sending,
)
from intake.rules import answers as answer_codec
from intake.rules.catalogue import INTAKE, Form, assess_answers, form_for
from intake.rules.follow_up import BACKGROUND_CODES, with_background
from intake.rules.patient_messages import promised_call_back
from intake.rules.questionnaire_checks import validate_answers, validate_page
from intake.rules.recommendations import recommend
from intake.rules.triage import FLAGS_BY_CODE, REASON_MAX_LENGTH, EarlierAnswer, TriageResult
from intake.services.errors import InvalidAnswers
from intake.services.latches import as_earlier, earlier_answers

BIRTH_DATE = "date_of_birth"  # confirmed when the link is opened (`first_page_with_errors`)
ACTIONABLE_GROUPS = frozenset({"urgent", "serious", "weak"})


def flag_rows(intake: Intake, result: TriageResult) -> list[IntakeFlag]:
    """The rows that show staff why an intake was flagged, one per rule that fired."""
    return [
        IntakeFlag(intake=intake, code=flag.code, short=flag.short[:40], reason=flag.reason[:REASON_MAX_LENGTH])
        for flag in result.flags
    ]


def record_assessment(
    intake: Intake,
    result: TriageResult,
    *,
    now: datetime.datetime,
    notify: bool = True,
    may_reopen: bool = False,
) -> bool:
    """Store a triage result (level, version, flags) and announce it, in one transaction; True if it reopened it.

    `notify=False` is for demo data only: a stored history, not a new event, so nobody is alerted. `may_reopen`: the
    result comes from answers the patient just gave (intake.services.answering), or from new rules for an intake
    still in play (`retriage`), so red flags a reviewed intake's last review did not see take it out of "reviewed"
    (`_needs_review_again`); a review's own reassessment or the result stored again at sending never do.
    """
    with transaction.atomic():
        previous_level, was_reviewed, reviewed_flags = (
            Intake.objects.filter(pk=intake.pk).values_list("level", "is_reviewed", "reviewed_flags").get()
        )
        previous_codes = set(IntakeFlag.objects.filter(intake=intake).values_list("code", flat=True))
        intake.level = Level.from_code(result.level)
        intake.rules_version = result.rules_version
        intake.assessed_at = now
        intake.save(update_fields=["level", "rules_version", "assessed_at", "updated_at"])
        IntakeFlag.objects.filter(intake=intake).delete()
        IntakeFlag.objects.bulk_create(flag_rows(intake, result))
        # Announced when staff have something new to act on: another level, or other red flags. Reading-list flags
        # appearing as the patient goes on (or the same result stored again at submission) are not news.
        news = previous_level != intake.level or actionable_flags(previous_codes) != actionable_flags(set(result.codes))
        reopened = notify and may_reopen and was_reviewed and _needs_review_again(intake.level, result, reviewed_flags)
        if reopened:
            Intake.objects.filter(pk=intake.pk).update(is_reviewed=False, review_round=F("review_round") + 1)
            intake.refresh_from_db(fields=["is_reviewed", "review_round"])
        if notify and (news or reopened):  # a reopened intake is always news: its new round is alerted
            signals.assessment_recorded.send(
                sender=Intake, intake=intake, previous_level=previous_level, reopened=reopened
            )
    return reopened


def _needs_review_again(level: int | None, result: TriageResult, reviewed_flags: list[str]) -> bool:
    """A reviewed intake is not reviewed any more when it is urgent or serious and has red flags it did not have when
    it was marked reviewed (`Intake.reviewed_flags`, taken after the review cleared its latches): a patient still
    answering after a clinician's call, a later page sent from another tab, a latched answer given again after a
    review cleared it. It goes back to the top of the queue, and staff are alerted again (found in the stop-28
    audit: such a flag reached nobody). A flag the review saw, gone and back (an unlatched answer changed twice),
    is not new."""
    if level not in (Level.URGENT, Level.SERIOUS):
        return False
    return bool(actionable_flags(set(result.codes)) - set(reviewed_flags))


def actionable_flags(codes: set[str]) -> set[str]:
    """The red flags among `codes` (urgent, serious and weak groups): what staff act on, and are alerted to."""
    return {code for code in codes if code in FLAGS_BY_CODE and FLAGS_BY_CODE[code].group in ACTIONABLE_GROUPS}


def form_of(intake: Intake) -> Form:
    """The form the intake is answered on (the pre-visit intake or a follow-up), from its stored version."""
    return form_for(intake.form_version)


def _sent_visits_latest_first(patient_id: int) -> QuerySet[Intake]:
    """A patient's sent pre-visit intakes, the latest first: the first is the background of their follow-ups that
    have no `FollowUp` row (`background_visit`)."""
    return Intake.objects.filter(
        patient_id=patient_id, kind=Questionnaire.INTAKE, status=Intake.Status.SUBMITTED
    ).order_by("-submitted_at", "-id")


def background_visit(intake: Intake, *, fields: tuple[str, ...] = ("pk",)) -> Intake | None:
    """The pre-visit intake a follow-up reads its background from (None for an intake): the visit of its `FollowUp`
    row, else (no row: its visit removed by the retention purge a batch before it) the patient's latest sent one.
    `follow_ups_beneath` is the same rule read from the visit's side: change both together."""
    if intake.kind != Questionnaire.FOLLOW_UP:
        return None
    return background_visit_of(intake.invitation_id, intake.patient_id, fields=fields)


def background_visit_of(invitation_id: int, patient_id: int, *, fields: tuple[str, ...] = ("pk",)) -> Intake | None:
    """`background_visit` for the follow-up of invitation `invitation_id` (of patient `patient_id`), made or not."""
    return (
        Intake.objects.filter(follow_ups__invitation_id=invitation_id).only(*fields).first()
        or _sent_visits_latest_first(patient_id).only(*fields).first()
    )


def hold_background_visit_of(invitation_id: int, patient_id: int) -> None:
    """Hold the row of `background_visit_of` (a key-share lock, until the transaction ends) while a follow-up's
    intake row is made: a review of it undone, or a cancer yes posted after "Send", holds the visit first and then
    relatches the follow-ups it finds (`follow_ups_beneath`). So the new row is either there for that relatch to
    find, or made after it commits, when every page of the follow-up reads the cancer history; made beside it, it
    was missed by both, and its leg answers went without MSCC until a later page (stop 44). A key-share lock: an
    update of the visit's other columns does not wait on it, but a review of the visit or its undo (`FOR UPDATE`)
    waits until the follow-up's row is made, a few milliseconds. SQLite, one writer at a time, needs none."""
    connection = connections[router.db_for_write(Intake)]
    if connection.vendor != "postgresql":
        return
    visit = background_visit_of(invitation_id, patient_id)
    if visit is None:
        return
    table, key = connection.ops.quote_name(Intake._meta.db_table), quoted_column(Intake, "id", connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {key} = %s FOR KEY SHARE", [visit.pk])  # noqa: S608 - names from the model


def follow_ups_beneath(visit: Intake) -> QuerySet[Intake]:
    """The follow-ups whose background is `visit` (`background_visit`, read from the visit's side): those of its
    `FollowUp` rows and, while it is its patient's latest sent pre-visit intake, every follow-up of the patient that
    has no row. What a cancer history coming back on `visit` reaches (`latch_follow_ups_beside_a_cancer_history`);
    before, the follow-ups without a row were missed."""
    beneath = Q(invitation__follow_up__visit=visit)
    if _sent_visits_latest_first(visit.patient_id).values_list("pk", flat=True).first() == visit.pk:
        beneath |= Q(patient_id=visit.patient_id, kind=Questionnaire.FOLLOW_UP, invitation__follow_up__isnull=True)
    return Intake.objects.filter(beneath)


def background_for(intake: Intake) -> dict[str, object]:
    """For a follow-up: the answers of the patient's pre-visit intake (`background_visit`: its visit's, else their
    latest sent one), read by the rules that need facts a follow-up does not ask again (``intake.rules.follow_up``).
    Empty for an intake."""
    visit = background_visit(intake, fields=("answers",))
    if visit is None:
        return {}
    background = answer_codec.from_json(visit.answers)
    # A red-flag yes the visit's answers took back but no clinician has cleared still counts (docs/clinical/TRIAGE.md,
    # "Latching"): a cancer history changed to "no" left a follow-up's clumsy hands at `serious`, not cord
    # compression (the stop-29 audit).
    latched = visit.red_flag_answers.filter(cleared_at__isnull=True, code__in=BACKGROUND_CODES)
    background.update(dict(latched.values_list("code", "value")))
    return background


def first_page_with_errors(
    answers: Mapping[str, object], *, today: datetime.date, form: Form = INTAKE
) -> tuple[str, dict[str, str]] | None:
    """The first page the patient must fix before sending, with its problems; None when every answer passes.

    Pages first (what the patient can see); then each whole step, so an answer that no page asks (the stored
    distance unit) cannot slip through: its problem is shown on the page that stores it, else the step's first page.
    """
    for slug in form.page_slugs:
        errors = validate_page(slug, answers, today=today, form=form)
        if errors:
            return slug, errors
    for step in form.step_slugs:
        errors = validate_answers(step, answers, today=today, form=form)
        # The birth date is confirmed when the link is opened, not asked on a page: the patient cannot change it, so
        # a problem with it (an age outside 12-110, from an invitation made before stop 32 checked it) sent them to a
        # page with nothing to fix, for ever (the stop-32 audit). Staff see the date on the intake.
        errors.pop(BIRTH_DATE, None)
        if errors:
            code = next(iter(errors))
            page = form.page_of(code) or next((p for p in form.pages if code in dict(p.stores)), None)
            return (page.slug if page else step), errors
    return None


@dataclass(frozen=True)
class Assessment:
    result: TriageResult
    articles: list[str]


def assess_intake(
    answers: Mapping[str, object],
    *,
    today: datetime.date,
    earlier: Mapping[str, EarlierAnswer] | None = None,
    form: Form = INTAKE,
    background: Mapping[str, object] | None = None,
    staff_contacted: bool = False,
) -> Assessment:
    """A whole form's triage result and reading list; a follow-up's read with its background facts.

    The list leaves out the articles held back until staff have spoken with the patient (article 10) unless
    `staff_contacted`: it is stored as the patient will see it, and most patients are sent it before any call.
    """
    result = assess_answers(form, answers, today=today, background=background, earlier=earlier, interim=False)
    if form.is_follow_up:
        answers = with_background(answers, background or {})
    return Assessment(
        result, recommend(answers, result, staff_contacted=staff_contacted, today=today, follow_up=form.is_follow_up)
    )


def reading_for(
    intake: Intake, answers: Mapping[str, object], result: TriageResult, *, today: datetime.date
) -> list[str]:
    """The reading list of a sent form for a triage result worked out after sending (a red flag from an old page):
    what its receipt shows under the advice for that result, with article 10 when staff have reached the patient."""
    form = form_of(intake)
    if form.is_follow_up:
        answers = with_background(answers, background_for(intake) or {})
    return recommend(
        answers, result, staff_contacted=staff_have_reached(intake), today=today, follow_up=form.is_follow_up
    )


def staff_have_reached(intake: Intake) -> bool:
    """Whether a review of this intake records that someone spoke with the patient (`PATIENT_REACHED_OUTCOMES`):
    from then on the patient may see the articles held back until that call."""
    reviews = ReviewNote.objects.filter(intake=intake, outcome__in=PATIENT_REACHED_OUTCOMES)
    return reviews.filter(undone_at__isnull=True).exists()  # a review undone (the wrong patient) reached nobody


def latched_answers_when_sent(intake: Intake) -> dict[str, EarlierAnswer]:
    """The latched answers that were open when the intake was sent, whether or not a review has cleared them since.

    A review with an outcome clears the latches; reading only the open ones would judge a later call on flags the
    patient never sent without (a cancer history taken back would lose them the cancer article, not add article 10).
    """
    sent_at = intake.submitted_at
    rows = RedFlagAnswer.objects.filter(intake=intake).filter(Q(cleared_at__isnull=True) | Q(cleared_at__gt=sent_at))
    return as_earlier({row.code: row for row in rows.order_by("answered_at", "id")}, sent_at=sent_at)


def share_reading_held_back_until_contact(
    intake: Intake, *, now: datetime.datetime, staff_contacted: bool = True
) -> bool:
    """Store a sent intake's reading list again as it stands once staff have spoken with the patient; True if changed.
    `staff_contacted=False`: as it stands when they have not (the review saying they had was undone: review_undo).

    Called when a review records that the patient was reached, so article 10 ("shown after staff have contacted the
    patient") appears on their receipt. The list is worked out as at submission (the same answers, day, latched
    answers as sent, form and background), so what changes is what the call releases (and, should the rules have
    changed since, what they now say); the triage result is not touched. The caller holds the row lock.
    """
    if intake.status != Intake.Status.SUBMITTED or intake.submitted_at is None:
        return False  # an intake still being answered gets the articles when sent (`submit_intake`)
    assessment = assess_intake(
        answer_codec.from_json(intake.answers),
        today=timezone.localdate(intake.submitted_at),
        earlier=latched_answers_when_sent(intake),
        form=form_of(intake),
        background=background_for(intake),
        staff_contacted=staff_contacted,
    )
    if assessment.articles == list(intake.recommended_articles or []):
        return False
    Intake.objects.filter(pk=intake.pk).update(recommended_articles=assessment.articles, updated_at=now)
    intake.recommended_articles = assessment.articles
    return True


def store_assessment(intake: Intake, assessment: Assessment, *, now: datetime.datetime, notify: bool = True) -> None:
    """A whole intake's result: level, flags and version (`record_assessment`) and the reading list, together."""
    with transaction.atomic():
        record_assessment(intake, assessment.result, now=now, notify=notify)
        intake.recommended_articles = assessment.articles
        intake.save(update_fields=["recommended_articles", "updated_at"])


def promise_call_back(intake: Intake, flag_codes: Iterable[str], *, sent_at: datetime.datetime) -> None:
    """Store the call-back time the receipt of an intake sent now promises (`Intake.call_back_by`), if it promises one:
    a serious intake's, from the clinic's hours. Kept as it was promised: the patient was told it and e-mailed it, and
    a level reached after sending promises nothing the patient was told (review of the stop-31 commits)."""
    by = promised_call_back(
        level=intake.level_code,
        flag_codes=flag_codes,
        sent_at_local=timezone.localtime(sent_at),
        hours=clinic_hours(),
        within_hours=settings.CLINIC_CALLBACK_HOURS,
    )
    if by is not None:
        Intake.objects.filter(pk=intake.pk).update(call_back_by=by)
        intake.call_back_by = by


def submit_intake(intake: Intake, *, now: datetime.datetime) -> Intake:
    """Send the intake: triage it, store the result and the reading list, e-mail the patient. Idempotent.

    The conditional UPDATE (status in progress -> submitted) is what makes a double tap, the back button or a
    second tab produce exactly one submission, on SQLite as on PostgreSQL; the row lock keeps a concurrent step save
    from slipping in between the checks and the claim.
    """
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        if locked.status == Intake.Status.SUBMITTED:
            return locked
        answers = answer_codec.from_json(locked.answers)
        if "date_of_birth" not in answers:  # asked once, when the link was opened (record_consent stores it)
            answers["date_of_birth"] = locked.invitation.date_of_birth
            locked.answers = answer_codec.to_json(answers)
            locked.save(update_fields=["answers", "updated_at"])
        today = timezone.localdate(now)
        form = form_of(locked)
        problem = first_page_with_errors(answers, today=today, form=form)
        if problem is not None:
            raise InvalidAnswers(*problem)
        claimed = Intake.objects.filter(pk=locked.pk, status=Intake.Status.IN_PROGRESS).update(
            status=Intake.Status.SUBMITTED,
            submitted_at=now,
            current_step=answer_codec.REVIEW,
            # A review made before now (mid-form, of the safety step's result) answers no promise the receipt makes.
            last_review_before_sending=reviewed_before_sending(locked.reviewed_at, now),
        )
        if not claimed:
            return Intake.objects.get(pk=locked.pk)
        locked.refresh_from_db()
        assessment = assess_intake(
            answers,
            today=today,
            earlier=earlier_answers(locked),
            form=form,
            background=background_for(locked),
            staff_contacted=staff_have_reached(locked),  # a patient already called before sending
        )
        store_assessment(locked, assessment, now=now)
        promise_call_back(locked, assessment.result.codes, sent_at=now)
        if locked.invitation.email:
            tasks.queue_confirmation_email(locked)
    return locked


# New rules open a reviewed intake again (new red flags its review did not see) only while it is in play: its visit
# still ahead, or sent in the last RETRIAGE_REOPENS_WITHIN. An older one's patient has been seen since; its new
# level is stored and the command names it for a clinician to look at, and nobody is paged (docs/clinical/TRIAGE.md,
# "Re-running the rules").
RETRIAGE_REOPENS_WITHIN = datetime.timedelta(days=30)


@dataclass(frozen=True)
class RetriageOutcome:
    before: int | None
    after: int
    reopened: bool = False  # opened again (without `apply`: would be)
    left_reviewed: bool = False  # a reviewed intake out of play whose new result brings flags its review did not see


def in_play(intake: Intake, *, now: datetime.datetime) -> bool:
    """Whether new rules may still call for action on this intake: its visit is ahead, or it was sent (or, unsent,
    last triaged) within RETRIAGE_REOPENS_WITHIN."""
    if intake.kind == Questionnaire.INTAKE and intake.appointment_at > now:
        return True
    last = intake.submitted_at or intake.assessed_at
    return last is not None and last >= now - RETRIAGE_REOPENS_WITHIN


def retriage(intake: Intake, *, now: datetime.datetime, apply: bool) -> RetriageOutcome:
    """The stored level and the level under the current rules for a stored intake; with `apply`, store the new result.

    A sent intake is judged as a whole (`assess`), one stopped part-way by the answers it has (`assess_interim`);
    latched red-flag answers count either way. Applying records the move (`Retriage`) with the old level and version,
    and a reviewed intake in play with red flags its review did not see is opened again and alerted (`in_play`).
    Applying reads the intake again under its row lock: judged from the command's copy, read up to 500 rows earlier,
    it wrote an older result over a red flag the patient had just sent, or brought back a latch a review had just
    cleared (the stop-30 race audit).
    """
    if not apply:
        judged = _retriage_outcome(intake, now=now)
        return judged.outcome(reopened=judged.stores and judged.unseen and judged.playing)  # what applying would do
    with transaction.atomic():
        locked = Intake.objects.select_for_update().get(pk=intake.pk)
        judged = _retriage_outcome(locked, now=now)
        if not judged.stores:
            return judged.outcome(reopened=False)
        Retriage.objects.create(
            intake=locked,
            old_level=judged.before,
            old_rules_version=locked.rules_version,
            new_level=judged.after,
            new_rules_version=judged.result.rules_version,
            at=now,
        )
        reopened = record_assessment(locked, judged.result, now=now, may_reopen=judged.playing)
        if locked.status == Intake.Status.SUBMITTED and locked.submitted_at is not None:
            # The receipt's reading list follows the new level (it kept the old one's: the stop-34 audit).
            reading = reading_for(
                locked,
                answer_codec.from_json(locked.answers),
                judged.result,
                today=timezone.localdate(locked.submitted_at),
            )
            Intake.objects.filter(pk=locked.pk).update(recommended_articles=reading)
        return judged.outcome(reopened=reopened)


@dataclass(frozen=True)
class _Judged:
    result: TriageResult
    before: int | None
    after: int
    unseen: bool  # reviewed, and the new result brings red flags its review did not see
    playing: bool
    stores: bool  # another level or rules version: applying stores the result

    def outcome(self, *, reopened: bool) -> RetriageOutcome:
        left = self.stores and self.unseen and not self.playing
        return RetriageOutcome(self.before, self.after, reopened=reopened, left_reviewed=left)


def _retriage_outcome(intake: Intake, *, now: datetime.datetime) -> _Judged:
    """The intake under the current rules, as `retriage` stores it (without `apply`: what it would do)."""
    answers = answer_codec.from_json(intake.answers)
    today = timezone.localdate(intake.submitted_at or now)
    sent = intake.status == Intake.Status.SUBMITTED
    result = assess_answers(
        form_of(intake),
        answers,
        today=today,
        background=background_for(intake),
        earlier=earlier_answers(intake),
        interim=not sent,
    )
    after = int(Level.from_code(result.level))
    unseen = intake.is_reviewed and _needs_review_again(after, result, intake.reviewed_flags)
    stores = after != intake.level or result.rules_version != intake.rules_version
    return _Judged(result, intake.level, after, unseen, in_play(intake, now=now), stores)
