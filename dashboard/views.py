"""Staff screens: the queue, one intake, marking reviewed, the CSV export and the audit trail. Views stay thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import staff_permission_required
from audit import services as audit
from audit.models import AuditEvent
from dashboard import chart, export, presenters, selectors
from dashboard.forms import NameSearchForm, QueueFilterForm, ReviewForm
from education.models import Article
from intake.models import Intake, Level
from intake.services import mark_reviewed

PAGE_SIZE = 50
# The name search is kept in the session, not the URL: a patient's name must not end up in access logs or history.
NAME_SEARCH_KEY = "dashboard_queue_name"


def _filters(request: HttpRequest, *, clinical: bool) -> tuple[QueueFilterForm, selectors.QueueFilters]:
    form = QueueFilterForm(request.GET, clinical=clinical)
    form.is_valid()
    return form, form.filters(name=request.session.get(NAME_SEARCH_KEY, ""))


@never_cache
@require_GET
@staff_permission_required("intake.view_queue")
def queue(request: HttpRequest) -> HttpResponse:
    clinical = request.user.has_perm("intake.view_intake")
    form, filters = _filters(request, clinical=clinical)
    page = Paginator(selectors.with_row_data(selectors.queue_intakes(filters)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.level_counts()
    today = timezone.localdate()
    weeks = selectors.weekly_counts(today=today)
    columns, ticks = chart.layout(weeks)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/queue.html",
        {
            "form": form,
            "name_form": NameSearchForm(initial={"name": filters.name}),
            "name_search": filters.name,
            "page": page,
            "rows": [
                (
                    intake,
                    presenters.age_on(intake.invitation.date_of_birth, today),
                    Level(intake.level or Level.ROUTINE),
                )
                for intake in page
            ],
            "counts": counts,
            "urgent_waiting": counts[0].unreviewed,
            "weeks": weeks,
            "columns": columns,
            "ticks": ticks,
            "chart": chart,
            "filter_query": query.urlencode(),
            "clinical": clinical,
            "can_export": request.user.has_perm("intake.export_intakes"),
        },
    )


@require_POST
@staff_permission_required("intake.view_queue")
def queue_search(request: HttpRequest) -> HttpResponse:
    form = NameSearchForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() and "clear" not in request.POST else ""
    if name:
        request.session[NAME_SEARCH_KEY] = name
    else:
        request.session.pop(NAME_SEARCH_KEY, None)
    return redirect("dashboard:queue")


@never_cache
@require_GET
@staff_permission_required("intake.view_queue", "intake.view_intake", "intake.export_intakes")
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request, clinical=True)
    intakes = selectors.with_row_data(selectors.queue_intakes(filters))
    today = timezone.localdate()
    audit.record("exported_intakes", request=request, detail=f"{intakes.count()} rows; {filters.describe()}")
    response = StreamingHttpResponse(
        export.stream(intakes.iterator(chunk_size=2000), today=today), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="intakes-{today.isoformat()}.csv"'
    return response


def _intake_or_404(intake_id: int) -> Intake:
    return get_object_or_404(
        Intake.objects.select_related("invitation", "reviewed_by"), pk=intake_id, level__isnull=False
    )


@never_cache
@require_GET
@staff_permission_required("intake.view_queue", "intake.view_intake")
def intake_detail(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = _intake_or_404(intake_id)
    audit.record("viewed_intake", request=request, intake_id=intake.pk)
    return _render_detail(request, intake, ReviewForm())


def _render_detail(request: HttpRequest, intake: Intake, review_form: ReviewForm, status: int = 200) -> HttpResponse:
    answers = intake.answers or {}
    slugs = list(intake.recommended_articles or [])
    titles = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "title"))
    return render(
        request,
        "dashboard/intake_detail.html",
        {
            "intake": intake,
            "invitation": intake.invitation,
            "level": Level(intake.level or Level.ROUTINE),  # never None: unassessed intakes are 404 here
            "age": presenters.age_on(intake.invitation.date_of_birth, timezone.localdate()),
            "flags": list(intake.flags.all()),
            "sections": presenters.answer_sections(answers),
            "pain": presenters.pain_scores(answers),
            "running": presenters.running_summary(answers),
            "articles": [(slug, titles.get(slug, slug.replace("-", " ").capitalize())) for slug in slugs],
            "notes": list(intake.review_notes.select_related("author")),
            "review_form": review_form,
            "can_review": request.user.has_perm("intake.review_intake"),
        },
        status=status,
    )


@require_POST
@staff_permission_required("intake.view_queue", "intake.view_intake", "intake.review_intake")
def review(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = _intake_or_404(intake_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, intake, form, status=400)
    outcome = mark_reviewed(intake, by=request.user, note=form.cleaned_data["note"], request=request)
    if outcome.newly_reviewed:
        messages.success(
            request, f"Intake #{intake.pk} marked reviewed." + (" Your note was saved." if outcome.note else "")
        )
    else:
        who = intake.reviewed_by.get_full_name() if intake.reviewed_by else "someone else"
        messages.info(
            request,
            f"Intake #{intake.pk} was already reviewed by {who}." + (" Your note was added." if outcome.note else ""),
        )
    return redirect("dashboard:intake", intake_id=intake.pk)


def _is_superuser(user) -> bool:  # type: ignore[no-untyped-def]
    if not user.is_authenticated:
        return False
    if not user.is_superuser:
        raise PermissionDenied
    return True


@never_cache
@require_GET
@user_passes_test(_is_superuser)
def audit_trail(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.all()
    intake_id = request.GET.get("intake", "").strip()
    if intake_id.isdigit():
        events = events.filter(intake_id=int(intake_id))
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/audit_trail.html",
        {
            "page": page,
            "actions": AuditEvent.Action.choices,
            "action": action,
            "intake_filter": intake_id if intake_id.isdigit() else "",
            "filter_query": query.urlencode(),
        },
    )
