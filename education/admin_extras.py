"""The admin pages of article images (upload with a required description) and translations (marked out of date when
the English changes). The articles' own admin is education/admin.py, which imports this module."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from education.admin_forms import ArticleImageForm, ArticleTranslationForm
from education.models import ArticleImage, ArticleTranslation
from education.translation import english_changes, with_out_of_date


def badge(text: str, kind: str) -> SafeString:
    return format_html('<span class="badge badge-{}">{}</span>', kind, text)


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin[ArticleImage]):
    form = ArticleImageForm
    list_display = ["name", "thumbnail", "alt_text", "size", "uploaded_at"]
    search_fields = ["name", "alt_text"]
    readonly_fields = ["thumbnail", "markdown_to_type", "size", "uploaded_by", "uploaded_at"]
    fields = ["name", "image", "alt_text", "thumbnail", "markdown_to_type", "size", "uploaded_by", "uploaded_at"]

    class Media:
        css = {"all": ["css/education-admin.css"]}

    @admin.display(description="Picture")
    def thumbnail(self, image: ArticleImage) -> SafeString:
        if not image.pk or not image.image:
            return format_html("{}", "—")
        return format_html(
            '<img class="article-image-thumb" src="{}" alt="{}" width="{}" height="{}">',
            image.image.url,
            image.alt_text,
            image.width,
            image.height,
        )

    @admin.display(description="Type this in an article")
    def markdown_to_type(self, image: ArticleImage) -> SafeString:
        if not image.pk:
            return format_html("{}", "Shown after the upload.")
        return format_html("<code>{}</code>", image.markdown)

    @admin.display(description="Size")
    def size(self, image: ArticleImage) -> str:
        return f"{image.width} by {image.height} pixels" if image.pk else ""

    def save_model(self, request: HttpRequest, obj: ArticleImage, form: Any, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(admin.ModelAdmin[ArticleTranslation]):
    form = ArticleTranslationForm
    list_display = ["article", "language", "state", "updated_at"]
    list_filter = ["language"]
    search_fields = ["title", "article__title"]
    readonly_fields = ["english_state", "updated_by", "updated_at"]
    autocomplete_fields = ["article"]
    fieldsets = [
        (None, {"fields": ["article", "language", "english_state", "matches_english"]}),
        ("Translation", {"fields": ["title", "summary", "body"]}),
        ("Record", {"classes": ["collapse"], "fields": ["updated_by", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/education-admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleTranslation]:
        return with_out_of_date(super().get_queryset(request).select_related("article"))

    @admin.display(description="Matches the English")
    def state(self, translation: ArticleTranslation) -> SafeString:
        if getattr(translation, "is_up_to_date", translation.is_current):
            return badge("Up to date", "current")
        return badge("Out of date", "overdue")

    @admin.display(description="The English article")
    def english_state(self, translation: ArticleTranslation) -> SafeString:
        if not translation.pk:
            return format_html("{}", "The translation records the English it was made from when you save it.")
        if translation.is_current:
            return format_html("{} {}", badge("Up to date", "current"), "Made from the English that is live now.")
        return format_html(
            '{} <span class="out-of-date-note">{}</span><div class="english-changes-box">{}</div>',
            badge("Out of date", "overdue"),
            "The English article changed after this translation was made. Patients reading Spanish see the "
            "English version with a notice until you update the translation and tick “matches the current "
            "English text”. What changed in the English:",
            english_changes(translation),
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        translation = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if translation is not None and not translation.is_current:
            context["out_of_date"] = True
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request: HttpRequest, obj: ArticleTranslation, form: Any, change: bool) -> None:
        if form.cleaned_data.get("matches_english"):
            obj.record_source(obj.article)
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
