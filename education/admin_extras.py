"""The admin pages of article images (upload with a required description) and translations (marked out of date when
the English changes, and approved by a clinical reviewer before patients read them: education/translation_approval.py).
The articles' own admin is education/admin.py, which imports this module."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from clinic_portal.staff_times import admin_moment
from education.admin_forms import ArticleImageForm, ArticleTranslationForm
from education.models import ArticleImage, ArticleTranslation
from education.translation import english_changes, release_changes, with_out_of_date
from education.translation_approval import (
    APPROVE_PERMISSION,
    approve_release,
    approve_translation,
    can_reopen,
    decline_release,
    declined_last,
    declined_words,
    reopen_release,
    shown_sha256,
)
from education.workflow import WorkflowError, has_full_name


def badge(text: str, kind: str) -> SafeString:
    return format_html('<span class="badge badge-{}">{}</span>', kind, text)


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin[ArticleImage]):
    form = ArticleImageForm
    list_display = ["name", "thumbnail", "alt_text", "size", "uploaded"]
    search_fields = ["name", "alt_text"]
    readonly_fields = ["thumbnail", "markdown_to_type", "size", "uploaded_by", "uploaded", "to_use_another"]
    uploaded = admin_moment("uploaded_at", "Uploaded at")  # "Mar 20, 2030, 9:00 AM EDT", as the staff pages
    fields = [
        "name",
        "image",
        "alt_text",
        "thumbnail",
        "markdown_to_type",
        "size",
        "uploaded_by",
        "uploaded",
        "to_use_another",
    ]

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

    def get_readonly_fields(self, request: HttpRequest, obj: ArticleImage | None = None) -> list[str]:
        # An uploaded picture is never swapped or renamed under an approved article: another picture is a new image,
        # and the article's change to use it goes to a clinical reviewer like any other.
        fixed = ["name", "image"] if obj is not None and obj.pk else []
        return [*fixed, *self.readonly_fields]

    @admin.display(description="To show another picture")
    def to_use_another(self, image: ArticleImage) -> str:
        if not image.pk:
            return "Once saved, a picture is not replaced or renamed: upload another picture as a new image."
        return (
            "Upload it as a new image and change the article to use its name. Articles show exactly the picture "
            "a clinical reviewer approved, so an uploaded picture is not replaced or renamed."
        )

    def save_model(self, request: HttpRequest, obj: ArticleImage, form: Any, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(admin.ModelAdmin[ArticleTranslation]):
    form = ArticleTranslationForm
    list_display = ["article", "language", "state", "clinical_review", "updated"]
    list_filter = ["language"]
    search_fields = ["title", "article__title"]
    readonly_fields = ["english_state", "updated_by", "updated"]
    updated = admin_moment("updated_at", "Updated at")  # "Mar 20, 2030, 9:00 AM EDT", as the staff pages
    autocomplete_fields = ["article"]
    fieldsets = [
        (None, {"fields": ["article", "language", "english_state", "matches_english"]}),
        ("Translation", {"fields": ["title", "summary", "body"]}),
        ("Record", {"classes": ["collapse"], "fields": ["updated_by", "updated"]}),
    ]

    class Media:
        css = {"all": ["css/education-admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleTranslation]:
        return with_out_of_date(super().get_queryset(request).select_related("article"))

    def get_fieldsets(self, request: HttpRequest, obj: ArticleTranslation | None = None) -> Any:
        """Without the editors' "matches the English" tick box for one who may only view (a clinical reviewer): a form
        field with nothing stored, it read "Matches english: None"."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "matches_english"]})
            for name, options in fieldsets
        ]

    @admin.display(description="Matches the English")
    def state(self, translation: ArticleTranslation) -> SafeString:
        if getattr(translation, "is_up_to_date", translation.is_current):
            return badge("Up to date", "current")
        return badge("Out of date", "overdue")

    @admin.display(description="Clinical review")
    def clinical_review(self, translation: ArticleTranslation) -> SafeString:
        if not translation.is_approved:
            return badge("Awaiting review", "overdue")
        if translation.waiting_release is not None and getattr(translation, "is_up_to_date", translation.is_current):
            return format_html("{} {}", badge("Approved", "current"), badge("New release awaiting review", "waiting"))
        return badge("Approved", "current")

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
        if translation is not None:
            context["out_of_date"] = not translation.is_current
            context["approved"] = translation.is_approved
            context["approved_by_name"] = translation.approved_by_name
            context["approved_at"] = translation.approved_at
            context["can_approve"] = request.user.has_perm(APPROVE_PERMISSION) and not translation.is_approved
            context["name_missing"] = not has_full_name(request.user)  # an approval is refused then
            context["approve_url"] = reverse("admin:education_articletranslation_approve", args=[translation.pk])
            context["shown_sha256"] = shown_sha256(translation)  # the words and English shown: what an approval means
            context["shown_words"] = translation.content_sha256  # of the words shown (approve_release: a repeat)
            if translation.waiting_release is not None and translation.is_current:
                context["release_changes"] = release_changes(translation)
                context["can_approve_release"] = request.user.has_perm(APPROVE_PERMISSION)
                url = reverse("admin:education_articletranslation_approve_release", args=[translation.pk])
                context["approve_release_url"] = url
                url = reverse("admin:education_articletranslation_decline_release", args=[translation.pk])
                context["decline_release_url"] = url
            elif translation.declined_release and declined_last(translation):
                context["release_declined_by_name"] = translation.release_declined_by_name
                context["release_declined_at"] = translation.release_declined_at
                if request.user.has_perm(APPROVE_PERMISSION) and can_reopen(translation):
                    url = reverse("admin:education_articletranslation_reopen_release", args=[translation.pk])
                    context["reopen_release_url"] = url
                    context["shown_declined"] = declined_words(translation)
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        approve = self.admin_site.admin_view(require_POST(self.approve_view))
        approve_new = self.admin_site.admin_view(require_POST(self.approve_release_view))
        decline_new = self.admin_site.admin_view(require_POST(self.decline_release_view))
        reopen = self.admin_site.admin_view(require_POST(self.reopen_release_view))
        return [
            path("<int:pk>/approve/", approve, name="education_articletranslation_approve"),
            path("<int:pk>/approve-release/", approve_new, name="education_articletranslation_approve_release"),
            path("<int:pk>/decline-release/", decline_new, name="education_articletranslation_decline_release"),
            path("<int:pk>/reopen-release/", reopen, name="education_articletranslation_reopen_release"),
            *super().get_urls(),
        ]

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A clinical reviewer's "Approve this translation" (its own form on the change page): the words as stored."""
        return self._approve(
            request, pk, approve_translation, "Approved: patients who read this language now see this translation."
        )

    def approve_release_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A clinical reviewer's "Approve the new release for patients": the starter release waiting beside the
        approved words takes their place, approved (education/translation_approval.py)."""
        # The words the page showed, beside its hash: a second click finds the release in their place, approved.
        approve = functools.partial(approve_release, shown_words=request.POST.get("shown_words", ""))
        return self._approve(request, pk, approve, "Approved: patients who read this language now see the new release.")

    def decline_release_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A clinical reviewer's "Decline this release": the starter release waiting beside the approved words is set
        aside, and patients keep the approved words (education/translation_approval.py)."""
        return self._approve(
            request,
            pk,
            decline_release,
            "Declined: patients keep reading the approved words, and the next load of the starter library does not "
            "bring this release back.",
        )

    def reopen_release_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A clinical reviewer's "Bring this release back for review": a release declined by mistake waits for review
        again, beside the approved words patients keep reading (education/translation_approval.py)."""
        reopen = functools.partial(reopen_release, shown_declined=request.POST.get("shown_declined", ""))
        return self._approve(
            request,
            pk,
            reopen,
            "Brought back: the new release waits for clinical review again. Patients keep reading the approved words "
            "until a clinical reviewer approves it.",
        )

    def _approve(
        self, request: HttpRequest, pk: int, approve: Callable[..., ArticleTranslation], done: str
    ) -> HttpResponse:
        """A reviewer's decision (either approval, declining a release, or bringing a declined one back), by a
        clinical reviewer only, on what their page showed (`shown`); back to the page."""
        if not request.user.has_perm(APPROVE_PERMISSION):
            raise PermissionDenied
        translation = ArticleTranslation.objects.filter(pk=pk).select_related("article").first()
        if translation is None:
            raise Http404
        try:
            approve(translation, reviewer=request.user, shown=request.POST.get("shown", ""), request=request)
        except WorkflowError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(reverse("admin:education_articletranslation_change", args=[pk]))

    def save_model(self, request: HttpRequest, obj: ArticleTranslation, form: Any, change: bool) -> None:
        if form.cleaned_data.get("matches_english"):
            obj.record_source(obj.article)
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
