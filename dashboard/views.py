"""Staff screens: the queue, one intake, marking reviewed, the CSV export, the outcome report and the audit trail.

Views stay thin."""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import administrator_required, staff_permission_required
from audit import services as audit
from audit.models import AuditEvent, EventIntake
from clinic_portal import phones
from clinic_portal.errors import busy_page_says
from dashboard import (
    chart,
    export,
    export_rows,
    outcome_chart,
    patient_page,
    presenters,
    queue_counts,
    queue_rows,
    selectors,
)
from dashboard.forms import (
    FLAG_CHOICES,
    LEVEL_CHOICES,
    REVIEWED_CHOICES,
    AuditFilterForm,
    NameSearchForm,
    QueueFilterForm,
    ReviewForm,
)
from dashboard.outcome_report import outcome_counts
from dashboard.templatetags.dashboard_tags import staff_name
from education.models import Article
from intake.call_backs import call_owed, promised_call
from intake.models import Intake, Level, RedFlagAnswer, ReviewNote
from intake.references import intake_id_for
from intake.rules.catalogue import form_for
from intake.rules.triage import RULES_VERSION
from intake.services import (
    InvalidReview,
    StaleUndo,
    has_review_to_undo,
    mark_reviewed,
    needs_outcome,
    review_token,
    undo_review,
)
from intake.services.review import review_basis
from intake.staff_forms import language_choices
from intake.tasks import STAFF_LANGUAGE, e164
from messaging import selectors as message_reads

MSG_REVIEW_NOT_SAVED = "Nothing was saved: see the message in the review form."
MSG_REVIEW_UNDONE = (
    "The review of intake #{intake} by {who} is undone: it is back in the queue as not reviewed{escalation}. Its notes "
    "stay on the page, marked undone."
)
MSG_UNDO_ESCALATES = ", and escalates again if nobody reviews it in time"
MSG_REOPENED_REVIEW_UNDONE = (
    "The review of intake #{intake} by {who} is undone: the red-flag answers it cleared count again and its outcome is "
    "not counted. New red flags had put the intake back in the queue already. Its notes stay on the page, marked "
    "undone."
)
MSG_UNDO_NOTHING = (
    "Intake #{intake} has no review to undo now (its review was undone already, perhaps from another tab): nothing was "
    "changed."
)
MSG_REVIEW_SENT_TWICE = (
    "Your review of intake #{intake} was already saved (it was sent twice from the same page): nothing more was added."
)

# The CSV export's permissions: the outcome report is given to the same people.
REPORT_PERMISSIONS = ("intake.view_queue", "intake.view_intake", "intake.export_intakes")
# The name search is kept in the session, never in the URL: a patient's name must not end up in access logs or history.
# The URL carries only a random id for it (`?search=...`), so the search holds while the staff member pages and filters
# and lets go when they leave the queue: opening the queue again (its menu link, "Clear") shows every intake.
NAME_SEARCH_KEY = "dashboard_queue_name"
SEARCH_PARAM = "search"
MSG_SEARCH_ENDED = (
    "The name search of this list has ended (a newer search, or “Clear name”, perhaps in another tab), so every intake "
    "is listed. To narrow the list again, search for the name again."
)
MSG_EXPORT_SEARCH_ENDED = (
    "The export was not made. The name search of that list has ended (a newer search, or “Clear name”, perhaps in "
    "another tab): search again, then export."
)
# The queue an intake page was opened from (its filters and page) rides along in the intake page's links as `?queue=`,
# so "Back to the queue", and the page after a review, return to it. The queue's own parameters only: filter values
# and the name search's random id, never a name.
QUEUE_STATE_PARAM = "queue"
QUEUE_STATE_KEYS = ("level", "flag", "reviewed", "appointment_from", "appointment_to", SEARCH_PARAM, "page")
FILTER_CHOICES = {"level": LEVEL_CHOICES, "flag": FLAG_CHOICES, "reviewed": REVIEWED_CHOICES}


def _name_search(request: HttpRequest) -> tuple[str, str]:
    """The id and name of the search this URL asks for, or two empty strings (no search, or an old one)."""
    wanted = request.GET.get(SEARCH_PARAM, "")
    saved = request.session.get(NAME_SEARCH_KEY)
    if wanted and isinstance(saved, dict) and saved.get("id") == wanted:
        return wanted, str(saved.get("name", ""))
    return "", ""


def _search_ended(request: HttpRequest) -> bool:
    """The URL names a name search the session no longer holds (a newer search or "Clear name", perhaps in another
    tab, or a new session): the list is no longer narrowed by it."""
    return bool(request.GET.get(SEARCH_PARAM)) and not _name_search(request)[0]


def _filters(request: HttpRequest, *, clinical: bool) -> tuple[QueueFilterForm, selectors.QueueFilters]:
    form = QueueFilterForm(request.GET, clinical=clinical)
    form.is_valid()
    filters = form.filters(name=_name_search(request)[1])
    # A reference the patient quotes (intake.references) finds their intake; any other text is a name.
    reference = intake_id_for(filters.name) if filters.name else None
    if reference is not None and selectors.assessed_intakes().filter(pk=reference).exists():
        filters = dataclasses.replace(filters, reference=reference)
    return form, filters


def _queue_state(query: QueryDict) -> str:
    """The queue's filters and page in `query`, as a query string of the queue's own parameters ("" for none)."""
    return urlencode([(key, query[key][:40]) for key in QUEUE_STATE_KEYS if query.get(key)])


def _state_from(request: HttpRequest) -> str:
    """The queue an intake page was opened from, as the queue's query string ("" when it was not)."""
    return _queue_state(QueryDict(request.GET.get(QUEUE_STATE_PARAM, "")[:1000]))


def _with_state(url: str, state: str) -> str:
    return f"{url}?{urlencode({QUEUE_STATE_PARAM: state})}" if state else url


def _intake_urls(state: str = "") -> Callable[[int], str]:
    """An intake page's address from its id, carrying the queue's `state`: reversed once per page, not once per row
    (only the id differs)."""
    sample = _with_state(reverse("dashboard:intake", args=[987654321]), state)
    return lambda intake_id: sample.replace("987654321", str(intake_id), 1)


@never_cache
@require_GET
@staff_permission_required("intake.view_queue")
def queue(request: HttpRequest) -> HttpResponse:
    clinical = request.user.has_perm("intake.view_intake")
    form, filters = _filters(request, clinical=clinical)
    search_id = _name_search(request)[0]
    today, now = timezone.localdate(), timezone.now()
    counted = queue_counts.queue_now(today=today, now=now)
    counts = queue_counts.level_counts(counted)
    page = selectors.queue_page(filters, page=request.GET.get("page"), counts=counts)
    weeks = queue_counts.weekly_counts(counted)
    columns, ticks = chart.layout(weeks)
    query = request.GET.copy()
    query.pop("page", None)
    search_ended = _search_ended(request)
    if search_ended:
        query.pop(SEARCH_PARAM, None)  # this page lists everyone: its export link must not name the ended search
    choices = {name: options for name, options in FILTER_CHOICES.items() if name in form.fields}
    here = query.copy()
    if page.number > 1:
        here["page"] = str(page.number)
    intake_url = _intake_urls(_queue_state(here)) if clinical else None
    rows = queue_rows.queue_rows(page.entries, today=today, now=now, intake_url=intake_url)
    fields = queue_rows.filter_fields(form, choices)
    return render(
        request,
        "dashboard/queue.html",
        {
            "filters": fields,
            "filter_errors": any(field.errors for field in fields),
            "search_id": search_id,
            "search_ended": MSG_SEARCH_ENDED if search_ended else "",
            "name_search": filters.name,
            "reference_search": filters.reference is not None,
            "page": page,
            "rows": rows,
            "rows_html": queue_rows.table_body(rows),
            "counts": counts,
            "urgent_waiting": counts[0].unreviewed,
            "urgent_contacts": _contacts(page, intake_url) if counts[0].unreviewed else [],
            "late_alerts": counted.late_alerts,
            "sweeper_late": counted.sweeper_late,
            "worker_late": counted.worker_late,
            "weeks": weeks,
            "chart_svg": chart.svg(columns, ticks),
            "chart_table_rows": chart.table_rows(weeks),
            "chart": chart,
            "filter_query": query.urlencode(),
            "clinical": clinical,
            "can_export": request.user.has_perm("intake.export_intakes"),
            "can_see_report": request.user.has_perms(REPORT_PERMISSIONS),
        },
    )


def _contacts(
    page: selectors.QueuePage, intake_url: Callable[[int], str] | None
) -> list[tuple[selectors.Contact, phones.Phone | None, str, str]]:
    """The banner's urgent patients to call today: name, phone, (for clinicians) their page, and the language of
    their form when it is not English ("Spanish"), so the caller knows before they phone."""
    return [
        (
            contact,
            phones.phone(contact.phone),
            intake_url(contact.intake_id) if intake_url else "",
            "" if contact.language == STAFF_LANGUAGE else translation.get_language_info(contact.language)["name"],
        )
        for contact in selectors.urgent_contacts(page=page)
    ]


@busy_page_says("search")  # nothing to check before sending it again
@require_POST
@staff_permission_required("intake.view_queue")
def queue_search(request: HttpRequest) -> HttpResponse:
    form = NameSearchForm(request.POST)
    if "clear" not in request.POST and not form.is_valid():
        # Longer than any name (the field's maxlength stops a browser first), or a character no name has: say which,
        # rather than clear the search.
        problem = " ".join(str(error) for error in form.errors.get("name", []))
        messages.error(request, f"{problem or 'The name could not be read.'} The search was not made.")
        # Back to the list the clinician had (the search made before, if any), not the whole queue (stop-32 audit).
        saved = request.session.get(NAME_SEARCH_KEY)
        if isinstance(saved, dict) and saved.get("id"):
            return redirect(f"{reverse('dashboard:queue')}?{urlencode({SEARCH_PARAM: saved['id']})}")
        return redirect("dashboard:queue")
    name = form.cleaned_data["name"] if "clear" not in request.POST else ""
    if not name:
        request.session.pop(NAME_SEARCH_KEY, None)
        return redirect("dashboard:queue")
    search_id = secrets.token_urlsafe(6)
    request.session[NAME_SEARCH_KEY] = {"id": search_id, "name": name}
    audit.record("searched_patients", request=request, detail="queue")  # never the name typed
    return redirect(f"{reverse('dashboard:queue')}?{urlencode({SEARCH_PARAM: search_id})}")


@busy_page_says("download")
@never_cache
@require_GET
@staff_permission_required(*REPORT_PERMISSIONS)
def export_csv(request: HttpRequest) -> HttpResponseBase:
    form, filters = _filters(request, clinical=True)
    if form.errors:
        # A CSV cannot carry a message, and exporting without the filter asked for would export too much.
        problems = " ".join(
            f"{form.fields[name].label}: {' '.join(str(error) for error in errors)}"
            for name, errors in form.errors.items()
        )
        return HttpResponseBadRequest(f"The export was not made. {problems}", content_type="text/plain; charset=utf-8")
    if _search_ended(request):
        # Without the name search the list was made with, the export would hold every patient instead.
        return HttpResponseBadRequest(MSG_EXPORT_SEARCH_ENDED, content_type="text/plain; charset=utf-8")
    today = timezone.localdate()
    count = selectors.queue_intakes(filters).count()
    event = audit.record("exported_intakes", request=request, detail=f"{count} rows; {filters.describe()}")
    # Streamed in keyset pages (dashboard.export_rows): 50,000 rows in a few seconds, in little memory. Which intakes,
    # not only how many: each page's are added to the event as it is read, so the trail's filter by intake finds
    # this export for exactly the lines it sent.
    entries = export_rows.export_entries(filters, on_page=lambda ids: audit.add_intakes(event, ids))
    response = StreamingHttpResponse(export.stream(entries, today=today), content_type=export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="intakes-{today.isoformat()}.csv"'
    return response


def _intake_or_404(intake_id: int) -> Intake:
    return get_object_or_404(
        Intake.objects.select_related("invitation", "reviewed_by", "patient"), pk=intake_id, level__isnull=False
    )


def _outcome_required(intake: Intake, latches: list[RedFlagAnswer]) -> bool:
    """The form asks for an outcome when the service would refuse a review without one."""
    return needs_outcome(
        intake.level,
        reviewed=intake.is_reviewed and not call_owed(intake),
        latches_open=any(row.cleared_at is None for row in latches),
    )


@never_cache
@require_GET
@staff_permission_required("intake.view_queue", "intake.view_intake")
def intake_detail(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = _intake_or_404(intake_id)
    return _detail_page(request, intake)


LARGEST_ID = 2**63 - 1


@never_cache
@require_GET
@staff_permission_required("intake.view_queue", "intake.view_intake")
def patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient page opened on the patient's latest questionnaire the rules have assessed."""
    if patient_id > LARGEST_ID:  # a foreign key's lookup skips Django's own check: SQLite overflowed (a 500)
        raise Http404
    latest = selectors.assessed_intakes().filter(patient_id=patient_id).order_by("-created_at", "-id").first()
    if latest is None:
        raise Http404
    return _detail_page(request, _intake_or_404(latest.pk))


def _detail_page(request: HttpRequest, intake: Intake) -> HttpResponse:
    record = patient_page.record(intake, now=timezone.now())
    _audit_viewing(request, intake, record)
    latches = selectors.red_flag_answers(intake)
    review_form = ReviewForm(outcome_required=_outcome_required(intake, latches))
    return _render_detail(request, intake, review_form, latches, record=record)


def _audit_viewing(request: HttpRequest, intake: Intake, record: patient_page.PatientRecord, *, note: str = "") -> None:
    """The page shows the patient's other questionnaires too (levels and flags; the visit's scores): each is added to
    the event, so the trail's filter by any of them finds this viewing, not only the detail's words."""
    scored = ", ".join(str(pk) for pk in record.scored_intake_ids if pk != intake.pk)
    detail = "; ".join(part for part in (note, f"patient page; scores of intakes {scored}" if scored else "") if part)
    others = [pk for pk in record.shown_intake_ids if pk != intake.pk]
    audit.record("viewed_intake", request=request, intake_id=intake.pk, intakes=others, detail=detail)


def _render_detail(
    request: HttpRequest,
    intake: Intake,
    review_form: ReviewForm,
    latches: list[RedFlagAnswer],
    status: int = 200,
    record: patient_page.PatientRecord | None = None,
) -> HttpResponse:
    record = record or patient_page.record(intake, now=timezone.now())
    flags = list(intake.flags.all())
    notes = list(intake.review_notes.select_related("author", "undone_by"))
    last_note = max((note.pk for note in notes), default=0)
    reasons = {flag.code: flag.reason for flag in flags}
    review_form.shows(review_basis(intake.level, reasons, intake.review_round, last_note, reasons=reasons))
    answers = intake.answers or {}
    slugs = list(intake.recommended_articles or [])
    titles = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "title"))
    # Calls that failed since the last review (one before it was followed by reaching the patient).
    not_reached = [
        note
        for note in notes
        if note.outcome == ReviewNote.Outcome.COULD_NOT_REACH
        and note.undone_at is None  # undone with a review: logged on the wrong chart, no call to this patient
        and (intake.reviewed_at is None or note.created_at > intake.reviewed_at)
    ]
    sent_on = timezone.localdate(intake.submitted_at) if intake.submitted_at else None
    now = timezone.now()
    call = promised_call(
        intake.call_back_by,
        submitted_at=intake.submitted_at,
        reviewed_at=intake.reviewed_at,
        is_reviewed=intake.is_reviewed,
        now=now,
    )
    return render(
        request,
        "dashboard/intake_detail.html",
        {
            "intake": intake,
            "invitation": intake.invitation,
            "level": Level(intake.level or Level.ROUTINE),  # never None: unassessed intakes are 404 here
            "age": presenters.age_on(intake.invitation.date_of_birth, timezone.localdate()),
            "flags": flags,
            "ce_onset": presenters.ce_onset_text(answers, (flag.code for flag in flags)),
            "red_flag_answers": presenters.red_flag_answer_rows(latches, answers),
            "time_zone": timezone.get_current_timezone_name(),
            "sections": presenters.answer_sections(
                answers, latches, today=sent_on, steps=form_for(intake.form_version).steps
            ),
            "pain": presenters.pain_scores(answers),
            "running": presenters.running_summary(answers),
            "articles": [(slug, titles.get(slug, slug.replace("-", " ").capitalize())) for slug in slugs],
            "notes": [(note, presenters.outcome_text(note.outcome)) for note in notes],
            "not_reached": not_reached,
            "call": call,
            # Real time, as the queue counts it: the `timesince` filter subtracts clock readings (an hour out across a
            # change of the clocks).
            "call_overdue_for": queue_rows.time_since(call.by, now) if call is not None and call.overdue else "",
            # A review before the form was sent leaves the receipt's call owed: the sent form still needs one.
            "review_action": "Mark reviewed" if call is not None or not intake.is_reviewed else "Add a note",
            "escalate_minutes": settings.ESCALATE_AFTER_MINUTES,
            "review_form": review_form,
            "queue_state": _state_from(request),
            "review_url": _with_state(reverse("dashboard:review", args=[intake.pk]), _state_from(request)),
            "can_review": request.user.has_perm("intake.review_intake"),
            # "Undo review" names the review it is for: one sent from a page opened before a newer review is refused.
            # Also once new red flags have reopened the intake: the review still cleared latches and its outcome counts.
            "undo_token": review_token(intake) if has_review_to_undo(intake) else "",
            "undo_url": _with_state(reverse("dashboard:undo-review", args=[intake.pk]), _state_from(request)),
            "record": record,
            "chart_size": (outcome_chart.WIDTH, outcome_chart.HEIGHT),
            "phone": phones.phone(intake.patient.phone),
            # Whoever phones the patient (the urgent alert's link opens this page) knows which language they read.
            "language_name": dict(language_choices()).get(intake.invitation.language, intake.invitation.language),
            # The patient replied STOP to a text: no link or reminder goes to them by text (messaging.TextOptOut).
            "texts_refused_since": message_reads.texts_refused_since(e164(intake.patient.phone)),
        },
        status=status,
    )


@require_POST
@staff_permission_required("intake.view_queue", "intake.view_intake", "intake.review_intake")
def review(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = _intake_or_404(intake_id)
    latches = selectors.red_flag_answers(intake)
    form = ReviewForm(request.POST, outcome_required=_outcome_required(intake, latches))
    if not form.is_valid():
        return _review_not_saved(request, intake, form, latches, status=400)
    outcome, level_before = form.cleaned_data["outcome"], intake.level
    try:
        result = mark_reviewed(
            intake,
            by=request.user,
            note=form.cleaned_data["note"],
            outcome=outcome,
            request=request,
            seen=form.cleaned_data["seen"] or None,
        )
    except InvalidReview as error:
        if error.field == "__all__":  # changed since the page was opened: shown again as it is now, note kept
            intake = _intake_or_404(intake_id)
            latches = selectors.red_flag_answers(intake)
            form = ReviewForm(request.POST, outcome_required=_outcome_required(intake, latches))
            form.is_valid()
        form.add_error(None if error.field == "__all__" else error.field, str(error))
        return _review_not_saved(request, intake, form, latches, status=409 if error.field == "__all__" else 400)
    if result.repeated:
        messages.info(request, MSG_REVIEW_SENT_TWICE.format(intake=intake.pk))
        return redirect(_with_state(reverse("dashboard:intake", args=[intake.pk]), _state_from(request)))
    _say_what_happened(request, intake, outcome=outcome, result_note=result.note, newly=result.newly_reviewed)
    if intake.level != level_before and intake.level is not None:
        messages.info(
            request,
            f"The red-flag answers the patient changed to “no” no longer count: the level is now "
            f"{Level(intake.level).label.lower()}.",
        )
    return redirect(_with_state(reverse("dashboard:intake", args=[intake.pk]), _state_from(request)))


@require_POST
@staff_permission_required("intake.view_queue", "intake.view_intake", "intake.review_intake")
def undo_review_view(request: HttpRequest, intake_id: int) -> HttpResponse:
    """A review saved on the wrong patient, undone (intake.services.review_undo): the intake waits again."""
    intake = _intake_or_404(intake_id)
    try:
        result = undo_review(intake, by=request.user, review=request.POST.get("review", "")[:100], request=request)
    except StaleUndo as refused:
        # Shown as it is now (the newer review, its own Undo button), as a stale review is: audited as a viewing.
        intake = _intake_or_404(intake_id)
        record = patient_page.record(intake, now=timezone.now())
        _audit_viewing(request, intake, record, note="undo refused: reviewed again")
        who = staff_name(intake.reviewed_by)
        # As the page's own "Reviewed by" line writes it, the clinic's zone with it.
        when = dateformat.format(timezone.localtime(intake.reviewed_at), "M j, g:i A T") if intake.reviewed_at else ""
        messages.error(request, f"{refused} It is now reviewed by {who}{f', {when}' if when else ''}.")
        latches = selectors.red_flag_answers(intake)
        form = ReviewForm(outcome_required=_outcome_required(intake, latches))
        return _render_detail(request, intake, form, latches, status=409, record=record)
    if not result.undone:
        messages.info(request, MSG_UNDO_NOTHING.format(intake=intake.pk))
    elif not result.was_reviewed:
        who = staff_name(result.reviewed_by)
        messages.success(request, MSG_REOPENED_REVIEW_UNDONE.format(intake=intake.pk, who=who))
    else:
        who = staff_name(result.reviewed_by)
        urgent = intake.level == Level.URGENT
        escalation = MSG_UNDO_ESCALATES if urgent else ""
        messages.success(request, MSG_REVIEW_UNDONE.format(intake=intake.pk, who=who, escalation=escalation))
    return redirect(_with_state(reverse("dashboard:intake", args=[intake.pk]), _state_from(request)))


def _review_not_saved(
    request: HttpRequest, intake: Intake, form: ReviewForm, latches: list[RedFlagAnswer], *, status: int
) -> HttpResponse:
    """The intake page again, with the review form's messages: it shows the whole intake, so it is audited as a
    viewing is (the stop-28 audit found these pages left no trace)."""
    record = patient_page.record(intake, now=timezone.now())
    _audit_viewing(request, intake, record, note="review not saved")
    messages.error(request, MSG_REVIEW_NOT_SAVED)
    return _render_detail(request, intake, form, latches, status=status, record=record)


def _say_what_happened(
    request: HttpRequest, intake: Intake, *, outcome: str, result_note: ReviewNote | None, newly: bool
) -> None:
    if outcome == ReviewNote.Outcome.COULD_NOT_REACH:
        if intake.is_reviewed:
            messages.info(request, f"Your attempt to reach the patient of intake #{intake.pk} was added to the notes.")
        else:
            messages.warning(
                request,
                f"Intake #{intake.pk} stays unreviewed: your attempt to reach the patient is recorded, and an urgent "
                "intake escalates again if nobody reviews it in time. Try again, or hand over to a colleague.",
            )
        return
    what = f" Outcome: {presenters.outcome_text(outcome)}." if outcome else ""
    if newly:
        messages.success(
            request,
            f"Intake #{intake.pk} marked reviewed.{what}" + (" Your note was saved." if result_note else ""),
        )
    else:
        who = intake.reviewed_by.get_full_name() if intake.reviewed_by else "someone else"
        messages.info(
            request,
            f"Intake #{intake.pk} was already reviewed by {who}."
            + (" Your note was added." if result_note else "")
            + what,
        )


@never_cache
@require_GET
@staff_permission_required(*REPORT_PERMISSIONS)
def outcome_report(request: HttpRequest) -> HttpResponse:
    versions = presenters.outcome_report(outcome_counts())
    reviewed = sum(version.everyone.reviewed for version in versions)
    audit.record(
        "viewed_outcome_report",
        request=request,
        detail=f"{reviewed} reviewed intakes, {len(versions)} rules versions",
    )
    return render(
        request,
        "dashboard/outcome_report.html",
        {
            "versions": versions,
            "outcomes": [
                (code, presenters.OUTCOME_SHORT[code], presenters.outcome_text(code))
                for code in presenters.OUTCOME_COLUMNS
            ],
            "current_version": RULES_VERSION,
        },
    )


@never_cache
@require_GET
@administrator_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, actions=AuditEvent.Action.choices)
    page = Paginator(audit_events(form.valid()), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "dashboard/audit_trail.html", {"form": form, "page": page, "filter_query": query.urlencode()}
    )


def audit_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The trail, newest first, narrowed by AuditFilterForm's valid filters (days in the clinic's time zone)."""
    events = AuditEvent.objects.all()
    if "intake" in filters:
        # The events about the intake and the exports and lists that held it: two index lookups, then the events by
        # key (an OR of both in one query read the whole trail newest first when few events matched).
        intake_id = int(filters["intake"])
        about = AuditEvent.objects.filter(intake_id=intake_id).values_list("pk", flat=True)
        held = EventIntake.objects.filter(intake_id=intake_id).values_list("event_id", flat=True)
        events = events.filter(pk__in=[*about, *held])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "who" in filters:
        events = events.filter(actor_username__iexact=filters["who"])
    if "date_from" in filters:
        events = events.filter(at__gte=_start_of(filters["date_from"]))
    if "date_to" in filters:
        events = events.filter(at__lt=_start_of(filters["date_to"] + datetime.timedelta(days=1)))
    return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
