"""The editors' and reviewers' side of the library: the Django admin.

Articles (Wagtail's model, education/workflow.py): the change form edits the article's working copy, never the live
version; "Save and send for clinical review" asks the Clinical reviewers, whose Review page approves (the change goes
live, now or at its go-live time) or sends it back with a comment. "Preview" shows the form's words, saved or not,
on the public layout. History (django-reversion) keeps every published version: compare shows the fields that really
changed, and "restore" copies an old version into the working copy, to be approved like any change. The list puts
first the articles whose medical review is due (30 days or overdue), then those waiting for a reviewer (a translation's
new starter release, or its words not approved yet, too), with badges.

Images (uploaded, checked and resized; a description is required) and translations (marked out of date when the
English changes) have their own pages.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models as db
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import Combinable
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from reversion_compare.admin import CompareVersionAdmin

from clinic_portal.staff_times import admin_moment, staff_moment
from education import admin_views, workflow

# Images and translations have their own pages; importing the module registers them.
from education.admin_extras import badge
from education.admin_forms import ArticleForm, go_live_shown
from education.models import (
    TRANSLATION_LANGUAGES,
    Article,
    ArticleDraft,
    ArticleTranslation,
    Topic,
    TopicTranslation,
    reading_grade_limit,
    render_body,
)
from education.reminders import due_by
from education.translation import approval_waiting, awaiting_approval, release_waiting, with_waiting_release

GRADE_WARNING = (
    "Reading grade {grade} is above the target of {target}. Try shorter sentences and everyday words, so that "
    "every patient can follow the article."
)

if TYPE_CHECKING:
    # reversion-compare has no type hints, so mypy would see its admin as Any and check nothing below. Its
    # CompareVersionAdmin is a reversion VersionAdmin, itself a ModelAdmin: the type checker treats it as one.
    _VersionedArticleAdmin = admin.ModelAdmin[Article]
else:
    _VersionedArticleAdmin = CompareVersionAdmin

# Attention order of the list: reviews due first, then articles waiting for a reviewer, then the rest.
REVIEW_DUE, AWAITING_REVIEW, SETTLED = 0, 1, 2


class _ShownOnly(Exception):
    """Rolls back a recovery that was only shown (a GET, or a form with mistakes), carrying its page out."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("due", f"Overdue or due in the next {settings.ARTICLE_REVIEW_REMINDER_DAYS} days"),
            ("overdue", "Review overdue"),
            ("missing", "No review date"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.filter(next_review_due__lte=due_by(today))
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "missing":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


class SignOffFilter(admin.SimpleListFilter):
    title = "clinical sign-off"
    parameter_name = "signoff"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("waiting", "Waiting for clinical review"),
            ("unreviewed", "Live, awaiting clinical review"),
            ("working", "Has a working copy"),
            ("sent_back", "Sent back by the reviewer"),
            ("release", "New release of a translation waiting for clinical review"),
            ("translation", "Translation waiting for clinical review"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        if self.value() == "waiting":
            return queryset.filter(draft__state=ArticleDraft.State.AWAITING_REVIEW)
        if self.value() == "unreviewed":
            return queryset.filter(status=Article.Status.PUBLISHED).filter(
                db.Q(reviewed_by="") | db.Q(reviewed_on__isnull=True)
            )
        if self.value() == "working":
            return queryset.filter(draft__isnull=False)
        if self.value() == "sent_back":
            return queryset.filter(draft__state=ArticleDraft.State.CHANGES_REQUESTED)
        if self.value() == "release":
            return queryset.filter(release_waiting())
        if self.value() == "translation":
            return queryset.filter(approval_waiting())
        return queryset


class TopicTranslationInline(admin.StackedInline[TopicTranslation, Topic]):
    """The topic's name in each other language the library speaks (the article cards and menus show it). Stacked, so
    each box has its own label: a tabular inline's boxes had none, only the column headings (axe: label, select-name;
    tests/browser/test_admin_pages_of_the_url_table.py)."""

    model = TopicTranslation
    extra = 1
    max_num = len(TRANSLATION_LANGUAGES)
    fields = ["language", "name", "description"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [TopicTranslationInline]


@admin.register(Article)
class ArticleAdmin(_VersionedArticleAdmin):
    form = ArticleForm
    list_display = ["title", "publication", "sign_off", "topic_names", "review_due", "grade", "spanish"]
    list_filter = [ReviewDueFilter, SignOffFilter, "status", "topics", "featured"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    autocomplete_fields = ["related"]
    readonly_fields = ["readability", "clinical_review", "word_count", "created", "updated"]
    # The record's times as the staff pages write them ("Mar 20, 2030, 9:00 AM EDT"), not Django's "9 a.m.".
    created = admin_moment("created_at", "Created at")
    updated = admin_moment("updated_at", "Updated at")
    list_per_page = 50
    # What the list's column headers show as its sort; the list itself puts reviews due first (get_ordering).
    ordering = ["next_review_due", "title"]
    revision_form_template = "admin/education/article/revision_form.html"
    # Compare shows what an editor wrote: not what is made from it on save, nor the review stamp (the history
    # comment names the approval).
    compare_exclude = [
        "body_html",
        "body_text",
        "reading_grade",
        "word_count",
        "english_sha256",
        "search_vector",
        "created_at",
        "updated_at",
        "page_changed_at",  # the sitemap's (education/page_changes.py): a listed article or topic changed
        "reviewer",
        "reviewed_by",
        "reviewed_on",
    ]

    class Media:
        css = {"all": ["css/education-admin.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "readability", "topics", "opened"]}),
        ("Going live", {"fields": ["go_live_at", "featured"]}),
        ("Medical review", {"fields": ["clinical_review", "author", "next_review_due", "sources"]}),
        (
            "Related articles and record",
            {"classes": ["collapse"], "fields": ["related", "word_count", "created", "updated"]},
        ),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body" and field is not None:
            field.widget.attrs["rows"] = 28
        return field

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)
        form.use_working_copy = not getattr(request, "_showing_old_version", False)
        form.shown_elsewhere = getattr(request, "_shown_now", {})
        return form

    # --- The list ------------------------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        today = timezone.localdate()
        unreviewed_live = db.Q(status=Article.Status.PUBLISHED) & (
            db.Q(reviewed_by="") | db.Q(reviewed_on__isnull=True)
        )
        spanish = ArticleTranslation.objects.filter(article=OuterRef("pk"), language="es")
        # Annotated before ordering (ModelAdmin.get_queryset would order first): the list orders by `attention`.
        articles = (
            Article.objects.all()
            .select_related("draft")
            .prefetch_related("topics")
            .annotate(
                attention=db.Case(
                    db.When(next_review_due__lte=due_by(today), then=db.Value(REVIEW_DUE)),
                    db.When(draft__state=ArticleDraft.State.AWAITING_REVIEW, then=db.Value(AWAITING_REVIEW)),
                    db.When(unreviewed_live, then=db.Value(AWAITING_REVIEW)),
                    db.When(release_waiting(), then=db.Value(AWAITING_REVIEW)),  # a translation's new release
                    db.When(approval_waiting(), then=db.Value(AWAITING_REVIEW)),  # a translation's words, unapproved
                    default=db.Value(SETTLED),
                    output_field=db.IntegerField(),
                ),
                has_spanish=Exists(spanish),
                spanish_current=Exists(spanish.filter(source_sha256=OuterRef("english_sha256"))),
                spanish_release=Exists(with_waiting_release(spanish).filter(source_sha256=OuterRef("english_sha256"))),
                spanish_unapproved=Exists(awaiting_approval(spanish).filter(source_sha256=OuterRef("english_sha256"))),
            )
        )
        return articles.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[str | Combinable]:
        if getattr(request, "_article_changelist", False):
            return ["attention", "next_review_due", "title"]
        return ["title"]  # other lists of articles (the related-articles choices) have no `attention`

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        request._article_changelist = True  # type: ignore[attr-defined]
        response: HttpResponse = super().changelist_view(request, extra_context)
        return response

    @admin.display(description="Status", ordering="published_at")
    def publication(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft" if article.published_at is None else "Offline"
        if article.is_scheduled and article.published_at:
            return f"Scheduled for {staff_moment(article.published_at)}"
        return "Published"

    @admin.display(description="Clinical sign-off")
    def sign_off(self, article: Article) -> SafeString:
        badges = []
        draft = getattr(article, "draft", None)
        if draft is not None:
            kinds = {
                ArticleDraft.State.AWAITING_REVIEW: "waiting",
                ArticleDraft.State.CHANGES_REQUESTED: "sent-back",
                ArticleDraft.State.APPROVED: "scheduled",
                ArticleDraft.State.EDITING: "working",
            }
            label = draft.get_state_display()
            if draft.state == ArticleDraft.State.APPROVED and draft.go_live_at:
                label = f"Approved, goes live {staff_moment(draft.go_live_at, year=False)}"
            badges.append(badge(f"Working copy: {label}", kinds[ArticleDraft.State(draft.state)]))
        if article.status == Article.Status.PUBLISHED and not article.is_clinically_reviewed:
            badges.append(badge("Awaiting clinical review", "waiting"))
        elif article.is_clinically_reviewed and article.reviewed_on:
            badges.append(format_html("Reviewed by {} on {}", article.reviewed_by, f"{article.reviewed_on:%b %-d, %Y}"))
        return format_html_join(" ", "{}", ((item,) for item in badges)) if badges else format_html("{}", "—")

    @admin.display(description="Topics")
    def topic_names(self, article: Article) -> str:
        return ", ".join(topic.name for topic in article.topics.all())

    @admin.display(description="Next review due", ordering="next_review_due")
    def review_due(self, article: Article) -> SafeString:
        if article.next_review_due is None:
            return format_html("{}", "No date")
        due = f"{article.next_review_due:%b %-d, %Y}"
        today = timezone.localdate()
        if article.next_review_due < today:
            return format_html("{} {}", due, badge("Review overdue", "overdue"))
        if article.next_review_due <= due_by(today):
            return format_html("{} {}", due, badge("Review due soon", "due"))
        return format_html("{}", due)

    @admin.display(description="Grade", ordering="reading_grade")
    def grade(self, article: Article) -> str:
        if article.grade_above_target:
            return format_html("<strong>{}</strong> (above {})", article.reading_grade, reading_grade_limit())
        return str(article.reading_grade)

    @admin.display(description="Spanish")
    def spanish(self, article: Article) -> SafeString:
        if not getattr(article, "has_spanish", False):
            return format_html("{}", "—")
        if getattr(article, "spanish_release", False):  # a starter release waits for a clinical reviewer
            return format_html("{} {}", badge("Up to date", "current"), badge("New release awaiting review", "waiting"))
        if getattr(article, "spanish_unapproved", False):  # patients read the English until a reviewer approves it
            return format_html("{} {}", badge("Up to date", "current"), badge("Awaiting review", "waiting"))
        if getattr(article, "spanish_current", False):
            return badge("Up to date", "current")
        return badge("Out of date", "overdue")

    # --- The form ------------------------------------------------------------------------------------------------

    @admin.display(description="Reading grade")
    def readability(self, article: Article) -> str:
        if not article.pk:
            return "Shown after the first save."
        figures_of = render_body(workflow.working_content(article)["body"]).figures
        figures = format_html("Flesch-Kincaid grade <strong>{}</strong> · {} words", figures_of.grade, figures_of.words)
        if figures_of.grade > reading_grade_limit():
            warning = GRADE_WARNING.format(grade=figures_of.grade, target=reading_grade_limit())
            return format_html('{}<br><span class="errornote grade-warning">{}</span>', figures, warning)
        return figures

    @admin.display(description="Clinical review")
    def clinical_review(self, article: Article) -> str:
        if not article.pk:
            return "A clinical reviewer approves the article before it goes live."
        if article.is_clinically_reviewed and article.reviewed_on:
            return format_html(
                "Live version medically reviewed by <strong>{}</strong> on {}.",
                article.reviewed_by,
                f"{article.reviewed_on:%b %-d, %Y}",
            )
        return "Not approved by a clinical reviewer yet (awaiting clinical review)."

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        article = self.get_object(request, object_id)
        context = {**(extra_context or {}), **admin_views.panel_context(request, self, article)}
        return super().change_view(request, object_id, form_url, context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "preview_url": reverse("admin:education_article_preview_new")}
        return super().add_view(request, form_url, context)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if not change:
            # A new article: its row is not public (a draft until a reviewer approves), and starts as the text typed.
            obj.status = Article.Status.DRAFT
            obj.published_at = None
            obj.save()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        article = form.instance
        if not change:
            form.save_m2m()
        content = workflow.normalized({name: form.cleaned_data.get(name) for name in workflow.FIELD_LABELS})
        saved = workflow.save_working_copy(
            article,
            content,
            user=request.user,
            go_live_at=form.cleaned_data.get("go_live_at"),
            submit="_submit_review" in request.POST,
            restoring=getattr(request, "_restoring_old_version", False),
        )
        request._working_copy_saved = saved  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: Article, post_url_continue: str | None = None) -> HttpResponse:
        self._tell(request, obj, added=True)
        return HttpResponseRedirect(reverse("admin:education_article_change", args=[obj.pk]))

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        self._tell(request, obj)
        if "_continue" in request.POST or "_submit_review" in request.POST:
            return HttpResponseRedirect(reverse("admin:education_article_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:education_article_changelist"))

    def _tell(self, request: HttpRequest, article: Article, *, added: bool = False) -> None:
        saved = getattr(request, "_working_copy_saved", None)
        if saved is None:
            return
        if saved.postponed_to is not None:
            messages.success(
                request,
                f"“{article}” now goes live on {staff_moment(saved.postponed_to)}, not before: moving it later needs "
                "no new approval.",
            )
            if saved.draft is None:
                return
        if saved.draft is None and added:
            # A new article is its own draft (never published): nothing else to keep.
            messages.success(
                request,
                f"The draft “{article}” was saved. Patients cannot see it until it is sent for clinical review and "
                "approved.",
            )
            return
        if saved.draft is None:
            if not getattr(request, "_showing_old_version", False):  # a recovery says what it did itself
                messages.info(request, f"No changes to “{article}”: there is nothing new to save.")
            return
        live = "Patients still see the live version." if article.is_live else "Patients cannot see it yet."
        if saved.submitted:
            messages.success(
                request,
                f"The working copy of “{saved.draft.content['title']}” was sent for clinical review. {live} The "
                "Clinical reviewers have been e-mailed.",
            )
        else:
            messages.success(request, f"The working copy of “{saved.draft.content['title']}” was saved. {live}")
        grade = render_body(saved.draft.content["body"]).figures.grade
        if grade > reading_grade_limit():
            messages.warning(request, GRADE_WARNING.format(grade=grade, target=reading_grade_limit()))
        if saved.draft.go_live_at and saved.draft.go_live_at > timezone.now():
            messages.info(request, f"Once approved, it goes live on {staff_moment(saved.draft.go_live_at)}.")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """An article's translations go with it without their own delete permission: they are kept in its last
        version and come back with "Recover deleted articles" (education/recovery.py). Editors may not delete a
        translation on its own (review of the stop-34 commits: nothing would keep it)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(str(ArticleTranslation._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def view_on_site(self, article: Article) -> str:
        # Drafts and scheduled articles open as a staff-only preview on the public layout.
        return article.get_absolute_url()

    # --- History: restoring goes through the working copy ---------------------------------------------------------

    def revision_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            # Never revert the live row: the version's words (as shown and perhaps adjusted on the page) become the
            # working copy, which a reviewer approves like any change (still in their queue if it was there).
            request._restoring_old_version = True  # type: ignore[attr-defined]
            current = self.get_object(request, object_id)
            extra_context = {
                **(extra_context or {}),
                "working_copy": workflow.draft_of(current) if current is not None else None,
            }
            with self.create_revision(request):  # type: ignore[attr-defined]
                posted: HttpResponse = self.changeform_view(request, object_id, request.path, extra_context)
            if isinstance(posted, TemplateResponse) and posted.status_code == 200:
                # A mistake in the form: shown again as the restore page, not as the change form (whose panel said
                # "Never published" and whose Preview, addressed to this page, saved the restore).
                posted.template_name = self.revision_form_template
            return posted
        request._showing_old_version = True  # type: ignore[attr-defined]
        # "Go live", "Next review due" and `opened` as the change form shows them, read before the page puts the old
        # version in the row (rolled back): a restore keeps a scheduled article's time (it went live once approved,
        # days early) and the medical review date (the clinic's schedule, not the old words: the old version's date,
        # passed, refused the save on a field nobody touched), and one over another editor's save since is refused
        # once (it replaced their working copy).
        current = self.get_object(request, object_id)
        draft = workflow.draft_of(current) if current is not None else None
        if current is not None:
            due = workflow.working_content(current)["next_review_due"]
            request._shown_now = {  # type: ignore[attr-defined]
                "go_live_at": go_live_shown(current, draft),
                "next_review_due": datetime.date.fromisoformat(due) if due else None,
                "opened": workflow.working_sha256(current),
            }
        # A working copy there before the page opened (a colleague's change waiting for review): the page says that
        # saving replaces its words (they went without a word; a live article's working copy has no history).
        extra_context = {**(extra_context or {}), "working_copy": draft}
        response: HttpResponse = super().revision_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        return response

    def recover_view(
        self, request: HttpRequest, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A deleted article comes back alone and offline, to be approved before patients see it again.

        Not django-reversion's recover view: it reverts the version's whole revision, and the starter library is
        loaded as one, so recovering one article put every starter article back as it was loaded (approvals,
        approved changes and articles taken offline undone). Here only the version's own row comes back, in a
        transaction that a GET (or a form with mistakes) rolls back; the page is reversion's.
        """
        from reversion.errors import RevertError
        from reversion.models import Version

        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_model(Article), pk=version_id)
        to_list = HttpResponseRedirect(reverse("admin:education_article_recoverlist"))
        if Article.objects.filter(pk=version.object_id).exists():
            messages.error(request, f"“{version.object_repr}” was not deleted: open it from the list to change it.")
            return HttpResponseRedirect(reverse("admin:education_article_changelist"))
        request._showing_old_version = True  # type: ignore[attr-defined]
        context = {"title": f"Recover {version.object_repr}", "recover": True, **(extra_context or {})}
        try:
            with transaction.atomic(), self.create_revision(request):  # type: ignore[attr-defined]
                workflow.recover(version)  # saved in this revision: the history says it came back, offline
                response: HttpResponse = self.changeform_view(request, version.object_id, request.path, context)
                if request.method == "POST" and response.status_code == 302:
                    reversion.set_comment("Recovered after it was deleted; offline until a reviewer approves it.")
                    messages.success(
                        request,
                        f"“{version.object_repr}” is back, offline: patients see it again once a clinical "
                        "reviewer approves it.",
                    )
                    return response
                if isinstance(response, TemplateResponse):  # rendered now, from the rows about to be rolled back
                    response.template_name = self.recover_form_template or self._reversion_get_template_list(  # type: ignore[attr-defined]
                        "recover_form.html"
                    )
                    response.render()
                raise _ShownOnly(response)
        except _ShownOnly as shown:
            return shown.response
        except workflow.WorkflowError as refused:
            messages.error(request, f"“{version.object_repr}” was not recovered. {refused}")
            return to_list
        except RevertError:
            messages.error(
                request, f"“{version.object_repr}” cannot be recovered: its stored version no longer fits the articles."
            )
            return to_list

    # --- Pages of the workflow ------------------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self._view(admin_views.preview)), name="education_article_preview_new"),
            path("<int:object_id>/preview/", view(self._view(admin_views.preview)), name="education_article_preview"),
            path("<int:object_id>/review/", view(self._view(admin_views.review)), name="education_article_review"),
            path("<int:object_id>/discard/", view(self._view(admin_views.discard)), name="education_article_discard"),
            path(
                "<int:object_id>/take-offline/",
                view(self._view(admin_views.take_offline)),
                name="education_article_take_offline",
            ),
            *super().get_urls(),
        ]

    def _view(self, function: Any) -> Any:
        def bound(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            response: HttpResponse = function(request, self, **kwargs)
            return response

        return bound
