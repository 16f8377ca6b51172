"""Saving the patient's answers one page at a time (or a whole step, for demo data and scripts), the consent that
comes before them, and acting at once on any red-flag answer.

docs/clinical/TRIAGE.md, "Latched red flags and partial pages": a red-flag answer (yes or not sure, or a red-flag
choice: the fall behind SP7) is stored,
triaged and alerted the moment it is posted, whatever else on the page is missing or wrong (`record_red_flags`,
called before the page is validated); a later "no" never erases it (`RedFlagAnswer` rows are given to the engine as
the earlier answers until a clinician's review clears them). Where a cancer history stands (`has_cancer_history`: the
stored answer, its latch, or a follow-up's background), the leg answers that make MSCC with it (SC1-SC4, CE8) are
red-flag answers too: acted on at once and latched; the stored ones are latched when the cancer history is given (or
counts again: a review undone, on the intake and on its follow-ups, sent or not; a yes posted after "Send" on a
pre-visit intake, on its follow-ups, sent or not: `_after_sending`). A follow-up's latch beside its
visit's cancer history latches that history on the follow-up too (`_latch_the_history_beneath`), so a review of the
visit never lowers the follow-up's MSCC.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from intake.models import Intake, Level, RedFlagAnswer
from intake.rules import answers as answer_codec
from intake.rules.catalogue import Form, assess_answers
from intake.rules.follow_up import with_background
from intake.rules.questionnaire import (
    CONSENT_PAGE,
    QUESTIONS,
    Page,
    Step,
    on_day,
    questions_that_apply,
    ruled_out_by_page,
)
from intake.rules.questionnaire_checks import validate_answers, validate_page
from intake.rules.triage import (
    LATCHED_QUESTIONS,
    MSCC_PARTNERS,
    RULES,
    EarlierAnswer,
    TriageResult,
    acts_at_once,
    cancer_history_stands,
    emergency_for_codes,
    is_red_flag_answer,
    mscc_leg_answers,
)
from intake.services.assessment import (
    background_for,
    follow_ups_beneath,
    form_of,
    reading_for,
    record_assessment,
)
from intake.services.errors import InvalidAnswers
from intake.services.latches import as_earlier, latch, open_latches
from intake.services.patients import use_phone_given_on_the_form
from intake.services.unlocked_write import store_if_unchanged

SAFETY_STEP = "safety"
# The questions behind the flags that make MSCC with a cancer history (`MSCC_PARTNERS`).
_MSCC_PARTNER_QUESTIONS = frozenset(code for rule in RULES if rule.code in MSCC_PARTNERS for code in rule.questions)
PHONE = "phone"  # the number staff call (docs/clinical/INTAKE.md, "About you"): also the patient record's
MSG_ALREADY_SENT = "This form has already been sent."


def _lock(intake: Intake, rows: QuerySet[Intake] | None = None) -> None:
    """Read the intake's row again, locked until the transaction ends, into the caller's object: the service works
    on it and the caller sees the stored result without reading it once more."""
    # Only the intake's row (`of`): a join (its invitation) locked under it would take the invitation after the intake,
    # where staff's new link takes the invitation first, and the two deadlocked (the stop-30 race audit).
    rows = rows if rows is not None else Intake.objects.all()
    intake.refresh_from_db(from_queryset=rows.select_for_update(of=("self",)))
    intake.__dict__.pop(_READ_BEFORE_THE_LOCK, None)  # under the lock, the background is read as it stands now


_READ_BEFORE_THE_LOCK = "_background_read_before_the_lock"


def _background_before_the_lock(intake: Intake, *, now: datetime.datetime) -> dict[str, object]:
    """A follow-up's background (`background_for`) as this request reads it before any row lock: read once (`now`, the
    request's moment, names the request), for the look for a cancer history beside a leg answer (`record_red_flags`)
    and for judging a page saved without the lock (`_saved_as_read`). Issue 16: a follow-up's leg page without a
    cancer history read the visit twice, two statements more. Under the lock it is read afresh (`_lock` drops it): a
    review undone on the visit meanwhile may have brought a cancer history back. Empty, and no read, for an intake."""
    read = intake.__dict__.get(_READ_BEFORE_THE_LOCK)
    if read is not None and read[0] == now:
        return dict(read[1])
    background = background_for(intake)
    intake.__dict__[_READ_BEFORE_THE_LOCK] = (now, background)
    return dict(background)


def _reassess(intake: Intake, *, earlier: Mapping[str, EarlierAnswer], now: datetime.datetime) -> None:
    """Triage the answers so far, with the latches; store the result when it flags or changes what staff see.

    An intake with nothing worrying keeps no level until it is sent (the queue shows sent intakes and flagged ones).
    """
    answers = answer_codec.from_json(intake.answers)
    result: TriageResult = assess_answers(
        form_of(intake),
        answers,
        today=timezone.localdate(now),
        background=background_for(intake),
        earlier=earlier,
        interim=True,
    )
    if result.level not in ("urgent", "serious") and intake.level is None:
        return
    shown = set(intake.flags.values_list("code", "reason"))
    if intake.level_code != result.level or shown != {(flag.code, flag.reason) for flag in result.flags}:
        record_assessment(intake, result, now=now, may_reopen=True)


def has_cancer_history(
    intake: Intake,
    answers: Mapping[str, object],
    latches: Mapping[str, RedFlagAnswer] | None = None,
    *,
    background: Mapping[str, object] | None = None,
) -> bool:
    """A cancer history stands for the intake as the engine sees it: SP1 on `answers` (a yes or not sure), an open
    latch (`latches`, else the stored ones, read only when the intake has a level), or a follow-up's background (the
    pre-visit intake's answer or latch: `background`, else read)."""
    if form_of(intake).is_follow_up:
        answers = with_background(answers, background if background is not None else background_for(intake))
    if cancer_history_stands(answers):
        return True
    if latches is None:
        if intake.level is None:
            # An open latch on the cancer history raises SP1, which stores a level (serious) in the same transaction
            # (`_reassess`): without one, a sciatica patient's leg page reads no latches (issue 16's few statements).
            return False
        latches = open_latches(intake)
    return cancer_history_stands(answers, earlier=as_earlier(latches))


def _latch_with_history(
    intake: Intake,
    answers: Mapping[str, object],
    codes: set[str],
    *,
    latches: dict[str, RedFlagAnswer],
    now: datetime.datetime,
    before: Mapping[str, object] | None = None,
) -> dict[str, RedFlagAnswer]:
    """`latch`, with the leg answers that make MSCC beside a standing cancer history: this page's, and every stored
    one that counts (`mscc_leg_answers`) when this page's cancer history opens its latch (docs/clinical/TRIAGE.md,
    "Latched red flags and partial pages")."""
    cancer = has_cancer_history(intake, answers, latches)
    stored: set[str] = set()
    if cancer and "cancer_history" in codes and "cancer_history" not in latches:
        stored = set(mscc_leg_answers(answers)) - codes  # given before now: the reason must not say "at" now
        codes = codes | stored
    latches = latch(
        intake, answers, codes, latches=latches, now=now, before=before, cancer_history=cancer, stored=stored
    )
    return _latch_the_history_beneath(intake, latches, now=now)


def _latch_the_history_beneath(
    intake: Intake, latches: dict[str, RedFlagAnswer], *, now: datetime.datetime
) -> dict[str, RedFlagAnswer]:
    """A follow-up's answer that makes MSCC with a cancer history (a leg answer, clumsy hands, a cauda equina sign:
    `_MSCC_PARTNER_QUESTIONS`), latched beside its visit's cancer history (the background): that history is latched on
    the follow-up too (as given before now), so the MSCC the two make stands until a review of the follow-up, whatever
    a review of the visit clears beneath it later: a latch is cleared only by a clinician's review of its own intake
    (a visit's review that cleared a cancer yes taken back lowered its follow-ups' MSCC at their next page, or when
    sent or triaged again). Nothing for an intake, a follow-up without such a latch, or one whose own latch stands."""
    if "cancer_history" in latches or not latches.keys() & _MSCC_PARTNER_QUESTIONS or not form_of(intake).is_follow_up:
        return latches
    value = background_for(intake).get("cancer_history")
    if not isinstance(value, str) or not is_red_flag_answer("cancer_history", value):
        return latches
    row = RedFlagAnswer.objects.create(
        intake=intake, code="cancer_history", value=value, answered_at=now, given_before=True
    )
    return {**latches, "cancer_history": row}


def latch_leg_answers_beside_a_cancer_history(intake: Intake, *, now: datetime.datetime) -> None:
    """The stored leg answers that make MSCC, latched where a cancer history stands again without the patient giving
    it again: undoing a review opens its cleared latches again (`review_undo`), the cancer history's too, and the leg
    answers given since then (ordinary answers, without a cancer history) make MSCC with it; unlatched, a later "no"
    took MSCC away after the emergency page. A form still being answered only (a sent one's answers stay as sent).
    The caller holds the row lock and triages after."""
    if intake.status != Intake.Status.IN_PROGRESS:
        return
    answers = answer_codec.from_json(intake.answers)
    latches = open_latches(intake)
    if has_cancer_history(intake, answers, latches):
        stored = set(mscc_leg_answers(answers))  # all given before now
        latches = latch(intake, answers, stored, latches=latches, now=now, cancer_history=True, stored=stored)
        _latch_the_history_beneath(intake, latches, now=now)


def latch_follow_ups_beside_a_cancer_history(visit: Intake, *, now: datetime.datetime) -> None:
    """The same for the follow-ups whose background is `visit` (a pre-visit intake whose cancer-history latch a
    review undone opened again, or a yes posted after "Send" opened: `_after_sending`): `follow_ups_beneath`, those
    of its `FollowUp` rows and those without a row that read it as the patient's latest sent one (these were missed
    before). Their background has a cancer history (again), so their stored leg answers that make MSCC with it are
    latched (given before now) and each is triaged again, alerting through the usual signal. One still being
    answered is judged as the patient goes (`_reassess`); one sent already as sent (`_judge_sent`: its answers stay
    as sent, its day is its sending day), and opened again if reviewed without the MSCC this brings. The caller
    holds `visit`'s row lock; the follow-ups' rows are locked after it, in id order (nothing locks a follow-up's row
    and then its visit's)."""
    rows = follow_ups_beneath(visit).order_by("pk")
    for follow_up in rows.select_for_update(of=("self",)):
        if follow_up.status == Intake.Status.IN_PROGRESS:
            latch_leg_answers_beside_a_cancer_history(follow_up, now=now)
            _reassess(follow_up, earlier=as_earlier(open_latches(follow_up)), now=now)
            # A page of it read before this commits was judged without the cancer history: its write without the
            # row lock (`store_if_unchanged`) waits for this row, finds it written, and takes the locked path.
            Intake.objects.filter(pk=follow_up.pk).update(updated_at=_later_than(F("updated_at"), now))
            continue
        answers = answer_codec.from_json(follow_up.answers)
        latches = open_latches(follow_up)
        if not has_cancer_history(follow_up, answers, latches):
            continue
        stored = set(mscc_leg_answers(answers))  # sent before now
        latches = latch(follow_up, answers, stored, latches=latches, now=now, cancer_history=True, stored=stored)
        _judge_sent(follow_up, answers, _latch_the_history_beneath(follow_up, latches, now=now), now=now)


def _later_than(stored: F, now: datetime.datetime) -> Greatest:
    """`now`, or a microsecond after `stored` where that is later (a frozen clock): a value the row never held."""
    return Greatest(stored + datetime.timedelta(microseconds=1), Value(now))


def record_red_flags(intake: Intake, posted: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """Act on the red-flag answers of a posted page before anything else about the page is checked.

    `posted` maps this page's field codes to what was posted. Only red-flag answers to the latched questions are taken
    (`is_red_flag_answer`: exactly yes or not sure, or a choice that raises a flag on its own, `RED_FLAG_CHOICES`: a
    fall as the cause); they are stored into the answers (so the page shows them again), latched, and triaged, and
    the result alerts staff through the usual signal. Nothing else on the page is saved here. A form already sent (a
    page from another tab) keeps the answers it was sent with: the yes (the fall) is latched beside them and the sent
    form triaged again with it, which alerts staff and opens a reviewed one again (`_after_sending`).
    """
    raised = {code: value for code, value in posted.items() if acts_at_once(code, value, cancer_history=True)}
    if not raised:
        return intake
    if not raised.keys() & LATCHED_QUESTIONS and not has_cancer_history(
        intake, answer_codec.from_json(intake.answers), background=_background_before_the_lock(intake, now=now)
    ):
        return intake  # leg answers alone, no cancer history: the page is saved whole or not at all, as before
    with transaction.atomic():
        _lock(intake)
        answers = answer_codec.from_json(intake.answers)
        latched = open_latches(intake)
        cancer = has_cancer_history(intake, {**answers, **raised}, latched)
        raised = {code: value for code, value in raised.items() if acts_at_once(code, value, cancer_history=cancer)}
        if not raised:
            return intake
        if intake.status == Intake.Status.SUBMITTED:
            _after_sending(intake, posted, answers, raised, cancer_history=cancer, now=now)
            return intake
        # A follow-up the page's own answers rule out (hidden beside its parent's "no", sent anyway) is no answer.
        today = timezone.localdate(now)
        raised = {
            code: value for code, value in raised.items() if not ruled_out_by_page(code, posted, answers, today=today)
        }
        if not raised:
            return intake
        if any(answers.get(code) != value for code, value in raised.items()):
            intake.answers = answer_codec.to_json({**answers, **raised})
            intake.save(update_fields=["answers", "updated_at"])
        latches = _latch_with_history(intake, {**answers, **raised}, set(raised), latches=latched, now=now)
        _reassess(intake, earlier=as_earlier(latches), now=now)
    return intake


def _after_sending(
    intake: Intake,
    posted: Mapping[str, object],
    answers: Mapping[str, object],
    raised: Mapping[str, object],
    *,
    cancer_history: bool,
    now: datetime.datetime,
) -> None:
    """Red-flag answers sent from a page of a form already sent: latched and triaged with the form as it was sent.

    Before stop 30 they were dropped: the patient got the advice and the clinic heard nothing (review of the stop-30
    commits). The sent answers stay as sent (the receipt and the record say what was sent); the latch says when the
    yes came ("after Send" in the flag's reason). `cancer_history`: one stands, so a leg answer that makes MSCC with
    it is latched too. A cancer history latched here on a pre-visit intake stands beneath its follow-ups too (their
    background): their stored leg answers that make MSCC with it are latched and each is triaged again, as when a
    review undone brings it back (`latch_follow_ups_beside_a_cancer_history`); before, a follow-up's leg numbness
    stayed without MSCC and nobody was alerted until its next page (a sent one's: never). The caller holds the row
    lock (the visit's, taken before its follow-ups').
    """
    sent_day = timezone.localdate(intake.submitted_at or now)
    raised = {
        code: value for code, value in raised.items() if not ruled_out_by_page(code, posted, answers, today=sent_day)
    }
    # A latch still open already holds this answer (and its flag stands until a review): left as it is, so its
    # record of a change to "no" before sending is not wiped by a yes from an old page (review of stop 30).
    latched = open_latches(intake)
    raised = {code: value for code, value in raised.items() if code not in latched}
    if not raised:
        return
    latches = latch(intake, raised, set(raised), latches=latched, now=now, cancer_history=cancer_history)
    _judge_sent(intake, answers, _latch_the_history_beneath(intake, latches, now=now), now=now)
    if "cancer_history" in raised and not form_of(intake).is_follow_up:
        latch_follow_ups_beside_a_cancer_history(intake, now=now)


def _judge_sent(
    intake: Intake, answers: Mapping[str, object], latches: Mapping[str, RedFlagAnswer], *, now: datetime.datetime
) -> None:
    """A sent form judged again with its latches: as sent (its answers, its sending day, the whole form), stored and
    alerted as the patient's own answers are (a reviewed one opened again by red flags its review did not see). The
    caller holds the row lock."""
    sent_day = timezone.localdate(intake.submitted_at or now)
    result = assess_answers(
        form_of(intake),
        answers,
        today=sent_day,
        background=background_for(intake),
        earlier=as_earlier(latches, sent_at=intake.submitted_at),
        interim=False,
    )
    record_assessment(intake, result, now=now, may_reopen=True)
    # The receipt's reading list follows: it still offered a routine form's ("usually a muscle strain", a plan to run
    # again) under the emergency advice, without the cauda equina article (the stop-34 audit).
    reading = reading_for(intake, answers, result, today=sent_day)
    if reading != list(intake.recommended_articles or []):
        intake.recommended_articles = reading
        intake.save(update_fields=["recommended_articles", "updated_at"])


def _merged(
    group: Step | Page,
    current: Mapping[str, object],
    answers: Mapping[str, object],
    *,
    codes: set[str],
    stores: Mapping[str, object],
    today: datetime.date,
) -> dict[str, object]:
    """The answers so far with this page's (or step's) replaced; answers to questions not asked are not kept."""
    merged = {code: value for code, value in current.items() if code not in codes}
    merged.update({code: value for code, value in answers.items() if code in codes and value is not None})
    merged.update(stores)
    # Answers to questions that are not asked (a hidden follow-up) are not kept.
    with on_day(today):
        asked = {question.code for question in questions_that_apply(group, merged)}
        asked |= {code for code in stores if QUESTIONS[code].applies_to(merged)}
    return {code: value for code, value in merged.items() if code not in codes or code in asked}


def _saved_as_read(
    intake: Intake,
    merged: Mapping[str, object],
    current_step: str,
    *,
    form: Form,
    codes: set[str],
    now: datetime.datetime,
) -> bool:
    """Store a page of ordinary answers in one statement, without the row lock; False leaves it to the locked path.

    Most pages have nothing to latch or flag: the intake has no level yet (nothing flagged: the caller checks), this
    page has no yes to a red-flag question, the answers so far flag nothing, and no latch is open (the statement
    checks). Then the answers
    and the resume point are written on condition that the row still holds what the request read (the same answers
    and resume point, still open, still no level). Anything else (another tab's save, a red flag or "Send" meanwhile,
    an answer to flag) writes nothing here, and `_stored_answers` does it all again under the row lock. Issue 16: the
    locked path's transaction took five statements on every "Next".
    """
    if any(is_red_flag_answer(code, merged.get(code)) for code in codes & LATCHED_QUESTIONS):
        return False
    background = _background_before_the_lock(intake, now=now)  # read once with `record_red_flags`'s look
    result = assess_answers(
        form, merged, today=timezone.localdate(now), background=background, earlier={}, interim=True
    )
    if result.level in ("urgent", "serious"):
        return False
    return store_if_unchanged(intake, answer_codec.to_json(merged), current_step, now=now)


def _stored_answers(
    intake: Intake,
    group: Step | Page,
    answers: Mapping[str, object],
    *,
    validate: Callable[..., dict[str, str]],
    next_place: Callable[[Mapping[str, object]], str],
    now: datetime.datetime,
) -> Intake:
    """Replace the answers of one page or one step (all or nothing), move the resume point on, latch and triage."""
    today = timezone.localdate(now)
    form = form_of(intake)
    stores = dict(group.stores) if isinstance(group, Page) else {}
    codes = {question.code for question in group.questions} | set(stores)
    if intake.status == Intake.Status.IN_PROGRESS and intake.level is None and PHONE not in codes:
        # The answers as this request read them; anything wrong, or anything changed meanwhile, and the locked path
        # below works from the row as it is stored (and says what is wrong).
        merged = _merged(
            group, answer_codec.from_json(intake.answers), answers, codes=codes, stores=stores, today=today
        )
        place = answer_codec.furthest(intake.current_step, next_place(merged), form)
        if not validate(group.slug, merged, today=today, form=form) and _saved_as_read(
            intake, merged, place, form=form, codes=codes, now=now
        ):
            return intake
    with transaction.atomic():
        _lock(intake)
        if intake.status == Intake.Status.SUBMITTED:
            raise InvalidAnswers(group.slug, {"__all__": MSG_ALREADY_SENT})
        current = answer_codec.from_json(intake.answers)
        merged = _merged(group, current, answers, codes=codes, stores=stores, today=today)
        errors = validate(group.slug, merged, today=today, form=form)
        if errors:
            raise InvalidAnswers(group.slug, errors)
        intake.answers = answer_codec.to_json(merged)
        intake.current_step = answer_codec.furthest(intake.current_step, next_place(merged), form)
        intake.save(update_fields=["answers", "current_step", "updated_at"])
        if PHONE in codes:
            use_phone_given_on_the_form(intake.patient_id, merged.get(PHONE))
        latches = _latch_with_history(intake, merged, codes, latches=open_latches(intake), now=now, before=current)
        _reassess(intake, earlier=as_earlier(latches), now=now)
    return intake


def save_page(intake: Intake, page_slug: str, answers: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """Replace one page's answers (all or nothing) and move the resume point to the next page that is asked.

    `answers` are typed values for this page's questions. If any fails the questionnaire's checks, InvalidAnswers is
    raised and nothing is stored (red-flag answers were already acted on by `record_red_flags`). The page's
    `stores` are written with them. Red-flag answers are latched, and the answers so far are triaged: a flag stores
    the intake's level at once.
    """
    form = form_of(intake)
    page = form.page_by_slug(page_slug)
    today = timezone.localdate(now)
    return _stored_answers(
        intake,
        page,
        answers,
        validate=validate_page,
        next_place=lambda merged: answer_codec.next_place(page_slug, merged, today=today, form=form),
        now=now,
    )


def save_step(intake: Intake, step_slug: str, answers: Mapping[str, object], *, now: datetime.datetime) -> Intake:
    """The same for a whole step of docs/clinical/INTAKE.md at once (demo data, tests and scripts); the resume point
    moves to the step after it."""
    form = form_of(intake)
    return _stored_answers(
        intake,
        form.step_by_slug(step_slug),
        answers,
        validate=validate_answers,
        next_place=lambda merged: answer_codec.after_step(step_slug, form),
        now=now,
    )


def has_consent(intake: Intake) -> bool:
    """The patient agreed to share their answers. A follow-up asks no consent of its own: the one given at the
    pre-visit intake covers it (``intake.rules.follow_up``)."""
    return form_of(intake).consent_page is None or intake.answers.get("consent") is True


def record_consent(intake: Intake, *, now: datetime.datetime) -> Intake:
    """The patient agreed to share their answers: the first thing stored, before any question is asked.

    The birth date confirmed when the link was opened is stored with it, as the answer to ``date_of_birth`` (asked
    once, on the birth-date check, never again), so the age rules of triage and the inflammatory questions see it.
    An answer already there (given on the form before 2027) is kept.
    """
    with transaction.atomic():
        _lock(intake, Intake.objects.select_related("invitation"))
        if intake.status == Intake.Status.SUBMITTED or has_consent(intake):
            return intake
        answers = answer_codec.from_json(intake.answers)
        answers["consent"] = True
        answers.setdefault("date_of_birth", intake.invitation.date_of_birth)
        intake.answers = answer_codec.to_json(answers)
        intake.current_step = answer_codec.furthest(
            intake.current_step, answer_codec.next_place(CONSENT_PAGE, answers, today=timezone.localdate(now))
        )
        intake.save(update_fields=["answers", "current_step", "updated_at"])
    return intake


def emergency_kind(intake: Intake) -> str | None:
    """Which emergency page the stored flags call for: "ces", "mscc" or None."""
    return emergency_for_codes(set(intake.flags.values_list("code", flat=True)))


def safety_answers_need_emergency_page(intake: Intake) -> bool:
    """Whether the stored triage result calls for an emergency page (kept name: the safety step is one way in)."""
    # Only an urgent intake can have one: spare every other page the query for its flags.
    return intake.level == Level.URGENT and emergency_kind(intake) is not None


def needs_emergency_acknowledgement(intake: Intake) -> bool:
    """An emergency page waits to be read: the stored flags call for one, and the patient has not read that one (a
    cauda equina answer after the cord compression page was read opens the cauda equina page; the reverse does not,
    as cauda equina's page comes first whenever both apply), or read it before a clinician's review that did not see
    the emergency flag now raised (a new cauda equina sign after a call that judged the first one)."""
    if intake.level != Level.URGENT:
        return False  # spares every other page the query for its flags
    read_at = intake.emergency_acknowledged_at
    reviewed_since = read_at is not None and intake.reviewed_at is not None and intake.reviewed_at > read_at
    if read_at is not None and intake.emergency_acknowledged_kind in ("ces", "") and not reviewed_since:
        return False  # cauda equina's page read (or one, before the kind was kept): nothing outranks it; no query
    codes = set(intake.flags.values_list("code", flat=True))
    kind = emergency_for_codes(codes)
    if kind is None:
        return False
    if read_at is None:
        return True
    if reviewed_since and emergency_for_codes(codes - set(intake.reviewed_flags or ())) is not None:
        # A clinician reviewed the intake after the page was read (and may have told the patient it was no
        # emergency): a cauda equina or cord compression flag that review did not see calls for the page again.
        return True
    read = intake.emergency_acknowledged_kind
    return read != "" and read != kind


def mark_emergency_shown(intake: Intake, *, now: datetime.datetime) -> None:
    Intake.objects.filter(pk=intake.pk, emergency_shown_at__isnull=True).update(emergency_shown_at=now)


def acknowledge_emergency(intake: Intake, *, now: datetime.datetime, kind: str | None = None) -> None:
    """The patient ticked "I have read this" on the `kind` emergency page (by default the one the flags call for)."""
    read = kind if kind is not None else (emergency_kind(intake) or "")
    Intake.objects.filter(pk=intake.pk).update(emergency_acknowledged_at=now, emergency_acknowledged_kind=read)
    intake.refresh_from_db()
