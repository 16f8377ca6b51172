"""The editors' side of the library: Django admin with revisions (history, compare, restore) and a readability check."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from reversion_compare.admin import CompareVersionAdmin

from education.models import READING_GRADE_TARGET, Article, Topic

DUE_SOON_DAYS = 60
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


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Review overdue"),
            ("soon", f"Due in the next {DUE_SOON_DAYS} days"),
            ("missing", "No review date"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
            )
        if self.value() == "missing":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(_VersionedArticleAdmin):
    list_display = [
        "title",
        "publication",
        "topic_names",
        "featured",
        "review_due",
        "grade",
        "words",
    ]
    list_filter = ["status", "topics", ReviewDueFilter, "featured"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    autocomplete_fields = ["related"]
    readonly_fields = ["readability", "word_count", "created_at", "updated_at"]
    list_per_page = 50
    save_on_top = True

    class Media:
        css = {"all": ["css/education-admin.css"]}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body" and field is not None:
            field.widget.attrs["rows"] = 28
        return field

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "readability", "topics"]}),
        ("Publishing", {"fields": ["status", "published_at", "featured"]}),
        ("Medical review", {"fields": ["author", "reviewed_by", "reviewed_on", "next_review_due", "sources"]}),
        (
            "Related articles and record",
            {"classes": ["collapse"], "fields": ["related", "word_count", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description="Status", ordering="published_at")
    def publication(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft"
        if article.is_scheduled and article.published_at:
            return f"Scheduled for {timezone.localtime(article.published_at):%b %-d, %Y %H:%M}"
        return "Published"

    @admin.display(description="Topics")
    def topic_names(self, article: Article) -> str:
        return ", ".join(topic.name for topic in article.topics.all())

    @admin.display(description="Next review due", ordering="next_review_due")
    def review_due(self, article: Article) -> str:
        if article.next_review_due is None:
            return "No date"
        due = f"{article.next_review_due:%b %-d, %Y}"
        return (
            format_html("{} <strong>(overdue)</strong>", due) if article.next_review_due < timezone.localdate() else due
        )

    @admin.display(description="Grade", ordering="reading_grade")
    def grade(self, article: Article) -> str:
        if article.grade_above_target:
            return format_html("<strong>{}</strong> (above {})", article.reading_grade, READING_GRADE_TARGET)
        return str(article.reading_grade)

    @admin.display(description="Words", ordering="word_count")
    def words(self, article: Article) -> int:
        return article.word_count

    @admin.display(description="Reading grade")
    def readability(self, article: Article) -> str:
        if not article.pk:
            return "Shown after the first save."
        figures = format_html(
            "Flesch-Kincaid grade <strong>{}</strong> · {} words", article.reading_grade, article.word_count
        )
        if article.grade_above_target:
            warning = GRADE_WARNING.format(grade=article.reading_grade, target=READING_GRADE_TARGET)
            return format_html('{}<br><span class="errornote grade-warning">{}</span>', figures, warning)
        return figures

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.grade_above_target:
            messages.warning(request, GRADE_WARNING.format(grade=obj.reading_grade, target=READING_GRADE_TARGET))
        if obj.is_scheduled and obj.published_at:
            when = timezone.localtime(obj.published_at)
            messages.info(request, f"“{obj}” is scheduled: it goes live on {when:%b %-d, %Y at %H:%M}.")

    def view_on_site(self, article: Article) -> str:
        # Drafts and scheduled articles open as a staff-only preview on the public layout.
        return article.get_absolute_url()
