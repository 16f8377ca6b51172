"""The forms of the library's admin: an article's working copy, a clinical review, an image upload, a translation.

Text fields take what browsers send (CR LF line endings) and keep LF (`LineEndingsField`), so a form whose text was not
touched is not "changed": history names only the fields an editor really changed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.utils import timezone

from clinic_portal.staff_times import staff_moment
from education import images
from education.models import EDITABLE_FIELDS, Article, ArticleDraft, ArticleImage, ArticleTranslation
from education.models.images import IMAGE_FOLDER
from education.rendering import body_problems, image_names_in, normalize_newlines
from education.translation_approval import shown_sha256
from education.workflow import (
    FIELD_LABELS,
    draft_of,
    edited_sha256,
    shown_time_spent,
    working_content,
    working_sha256,
    working_sha256s,
)

GO_LIVE_HELP = (
    "When the article (or this change to it) goes live, once a clinical reviewer has approved it. Leave empty for as "
    "soon as it is approved; set a future time to schedule it. Patients keep seeing the live version until then."
)


class LineEndingsField(forms.CharField):
    """A CharField that stores LF line endings whatever the browser sent."""

    def to_python(self, value: Any) -> str:
        return normalize_newlines(str(super().to_python(value)))


# The summary, one or two sentences (up to 300 characters), in a box that shows all of it: a one-line box showed an
# editor "Most back pain after a run is a muscle st". Three lines hold it at desktop width; the CSS lets the box grow
# with its words on a phone (static/css/education-admin.css: field-sizing).
SUMMARY_BOX = forms.Textarea(attrs={"rows": 3, "class": "summary-box"})


def image_problems(body: str) -> list[str]:
    names = set(ArticleImage.objects.filter(name__in=image_names_in(body)).values_list("name", flat=True))
    return body_problems(body, image_names=names)


MSG_SAVED_BY_SOMEONE_ELSE = (
    "Someone else saved this article after you opened it, so your changes were not saved. They are still in the form "
    "below. Open the article in a new tab to see what changed, then save again to keep your version."
)
MSG_WENT_LIVE_SINCE_OPENED = (
    "The approved change went live at its scheduled time ({when}) after you opened this page, so your changes were not "
    "saved: patients see the approved change now. Your changes are still in the form below, with “Go live” emptied: "
    "save again to keep them as a new change."
)
MSG_GO_LIVE_TOO_FAR = "Choose a time within the next 5 years."
MSG_GO_LIVE_PASSED = (
    "This time has passed. Leave it empty for the article to go live as soon as it is approved, or choose a time ahead."
)
# A time typed a little in the past (the minute it was typed) means "now"; a mistyped year or day does not.
GO_LIVE_PAST_GRACE = datetime.timedelta(hours=1)
SHOWN_TO = datetime.timedelta(minutes=1)
MSG_REVIEW_DUE_RANGE = "Choose a date from today to 10 years ahead."
LONGEST_SCHEDULE = datetime.timedelta(days=5 * 366)
LONGEST_REVIEW_INTERVAL = datetime.timedelta(days=10 * 366)


def go_live_shown(article: Article, draft: ArticleDraft | None) -> datetime.datetime | None:
    """The go-live time the change form shows: the working copy's, else a scheduled article's own."""
    if draft is not None:
        return draft.go_live_at
    return article.published_at if article.is_scheduled else None


class ArticleForm(forms.ModelForm[Article]):
    """The article's working copy. Opened on an article with a working copy, it shows the working copy's words."""

    # Set per request by ArticleAdmin.get_form: False on the "restore this version" page, which shows the version.
    use_working_copy = True
    # False for the preview, which saves nothing (`clean` refuses a save over another editor's save since).
    checks_other_saves = True
    # The "restore this version" page: "Go live", "Next review due" and `opened` as the change form shows them now
    # (read by ArticleAdmin.revision_view before the page puts the old version in the row).
    shown_elsewhere: dict[str, Any] = {}
    # The go-live time the page showed, passed since because its words went live at it (`clean_go_live_at`).
    spent_go_live_at: datetime.datetime | None = None

    go_live_at = forms.SplitDateTimeField(
        label="Go live", required=False, widget=AdminSplitDateTime, help_text=GO_LIVE_HELP
    )
    # The working copy's words and go-live time when the page was opened: a save over someone else's save since is
    # refused once (two editors at once: the later save silently undid the earlier one; the stop-30 forms audit).
    opened = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = list(EDITABLE_FIELDS)
        field_classes = {"summary": LineEndingsField, "body": LineEndingsField, "sources": LineEndingsField}
        help_texts = {
            "author": "Who wrote the article: a person's name, shown as typed, or the clinic's team, typed as “Spine "
            "Clinic education team”, which pages in Spanish show in Spanish (“el equipo educativo de Spine Clinic”).",
        }
        widgets = {"summary": SUMMARY_BOX}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None and instance.pk and self.use_working_copy:
            draft = draft_of(instance)
            content = working_content(instance)
            initial = {**content, **kwargs.get("initial", {})}
            due = initial.get("next_review_due")
            if isinstance(due, str) and due:
                # The working copy keeps the date as text; given as text, the form would count it changed on every
                # save ("Changed Next review due" in the history when nobody touched it).
                initial["next_review_due"] = datetime.date.fromisoformat(due)
            initial["go_live_at"] = go_live_shown(instance, draft)
            initial["opened"] = edited_sha256(instance, content, draft.go_live_at if draft else None)
            kwargs["initial"] = initial
        elif instance is not None and instance.pk and self.shown_elsewhere:
            kwargs["initial"] = {**kwargs.get("initial", {}), **self.shown_elsewhere}
        super().__init__(*args, **kwargs)

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"])
        problems = image_problems(body)
        if problems:
            raise ValidationError(problems)
        return body

    def clean_go_live_at(self) -> datetime.datetime | None:
        # 9999-12-31 was a 500 on SQLite, and on PostgreSQL a date psycopg cannot read back (every page of it a 500).
        when = self.cleaned_data.get("go_live_at")
        if when is not None and when > timezone.now() + LONGEST_SCHEDULE:
            raise ValidationError(MSG_GO_LIVE_TOO_FAR)
        # A time already kept (a live article's is when it went live) is left alone; a new one in the past was taken
        # without a word and the change went live at once on approval (the stop-32 audit of the library).
        kept = self.initial.get("go_live_at")
        # As the form shows it (to the second or the minute, without the stored microseconds).
        changed = not isinstance(kept, datetime.datetime) or when is None or abs(when - kept) >= SHOWN_TO
        opened = str(self["opened"].data or "")
        if when is not None and self.instance.pk and opened and shown_time_spent(self.instance, opened, when):
            # The time this page showed, and its words went live at it since: spent, not typed in the past (it was
            # refused as "This time has passed" an hour on). `clean` says what happened.
            self.spent_go_live_at = when
            return None
        if when is not None and changed and when < timezone.now() - GO_LIVE_PAST_GRACE:
            raise ValidationError(MSG_GO_LIVE_PASSED)
        return when

    def clean_next_review_due(self) -> datetime.date | None:
        due = self.cleaned_data.get("next_review_due")
        today = timezone.localdate()
        changed = due != self.initial.get("next_review_due")  # a date already kept, passed since, is left alone
        if due is not None and changed and not today <= due <= today + LONGEST_REVIEW_INTERVAL:
            raise ValidationError(MSG_REVIEW_DUE_RANGE)
        return due

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        opened = self.cleaned_data.get("opened")
        if self.instance.pk and self.use_working_copy and self.checks_other_saves and opened:
            now = working_sha256s(self.instance)
            posted = edited_sha256(
                self.instance, {name: cleaned.get(name) for name in FIELD_LABELS}, cleaned.get("go_live_at")
            )
            if not now & {opened, posted}:  # the same form saved twice (a double click) is no conflict
                spent = self.spent_go_live_at
                if spent is not None and draft_of(self.instance) is None:
                    # Nobody saved: the approved change the page showed went live at its time (the editor was told
                    # "Someone else saved this article"), and editing it no longer holds it back.
                    self.add_error(None, MSG_WENT_LIVE_SINCE_OPENED.format(when=staff_moment(spent)))
                else:
                    self.add_error(None, MSG_SAVED_BY_SOMEONE_ELSE)
                # Shown again with the words saved meanwhile as the ones seen: the next save is a choice, and goes.
                data = QueryDict(mutable=True)
                data.update(self.data)  # the POST as sent, every value of a list (topics) too
                data["opened"] = working_sha256(self.instance)
                if spent is not None:
                    data["go_live_at_0"] = data["go_live_at_1"] = ""
                self.data = data
        return cleaned


class ReviewForm(forms.Form):
    """A clinical reviewer's decision: approve (a reason needed above the grade limit) or send back (a comment)."""

    grade_reason = forms.CharField(
        label="Reason for approving above the reading-grade limit",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only needed when the reading grade is above the limit. It is kept with the approval.",
    )
    comment = forms.CharField(
        label="Comment to the editor",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you send it back: say what to change. Optional when you approve.",
    )
    # What the page showed (the words, their go-live time, the article on the site or not: workflow.review_sha256): a
    # decision is on exactly those.
    shown = forms.CharField(required=False, widget=forms.HiddenInput)


NO_ALT_TEXT = (
    "Describe what the picture shows, for people who cannot see it (for example “A runner lying on their back lifts "
    "their hips”). An image without a description cannot be saved."
)


class ArticleImageForm(forms.ModelForm[ArticleImage]):
    class Meta:
        model = ArticleImage
        fields = ["name", "image", "alt_text"]
        error_messages = {"alt_text": {"required": NO_ALT_TEXT}}

    def clean_alt_text(self) -> str:
        text = " ".join(str(self.cleaned_data.get("alt_text") or "").split())
        if not text:
            raise ValidationError(NO_ALT_TEXT, code="required")
        return text

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if upload is None or not hasattr(upload, "content_type"):
            return upload  # unchanged on an edit
        prepared = images.prepare_upload(upload)
        path = f"{IMAGE_FOLDER}/{prepared.name}"
        if default_storage.exists(path):
            return path  # the same picture was uploaded before: its stored file is reused
        return prepared


MSG_ENGLISH_CHANGED_SINCE_OPENED = (
    "The English article changed again after you opened this page, so nothing was saved. Your words are still in the "
    "form: read what changed in the English now (above), update the translation, then tick this again and save."
)


MSG_TRANSLATION_SAVED_BY_SOMEONE_ELSE = (
    "Someone else saved this translation after you opened it, so your changes were not saved. They are still in the "
    "form below. Open the translation in a new tab to see what changed, then save again to keep your version."
)


class ArticleTranslationForm(forms.ModelForm[ArticleTranslation]):
    # The English the page showed (its `english_sha256`): "matches the current English" records the English of the
    # moment of saving, so a tick on a page opened before the English changed again said a translation of older
    # English matched the newer one (rendered by the change form's template, outside the fieldsets).
    english_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    # The translation as the page showed it (`shown_sha256`): a save over another editor's save since is refused once.
    opened = forms.CharField(required=False, widget=forms.HiddenInput)
    matches_english = forms.BooleanField(
        label="This translation matches the current English text",
        required=False,
        help_text="Tick it once the translation says what the English article says now. Until then it is marked "
        "out of date and patients who read it are shown the English version with a notice.",
    )

    class Meta:
        model = ArticleTranslation
        fields = ["article", "language", "title", "summary", "body", "matches_english"]
        field_classes = {"summary": LineEndingsField, "body": LineEndingsField}
        widgets = {"summary": SUMMARY_BOX}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A clinical reviewer's view of the page (view permission only) has no editable fields at all.
        if self.instance.pk is None and "matches_english" in self.fields:
            self.fields["matches_english"].initial = True
        if self.instance.pk is not None:
            for name in ("article", "language"):
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["english_shown"].initial = self.instance.article.english_sha256
            self.fields["opened"].initial = shown_sha256(self.instance)

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"])
        problems = image_problems(body)
        if problems:
            raise ValidationError(problems)
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        opened = cleaned.get("opened")
        if self.instance.pk is not None and opened and opened != shown_sha256(self.instance):
            self.add_error(None, MSG_TRANSLATION_SAVED_BY_SOMEONE_ELSE)
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["opened"] = shown_sha256(self.instance)  # shown again as saved now: the next save is a choice
            self.data = data
        shown = cleaned.get("english_shown")
        article = cleaned.get("article") or (self.instance.article if self.instance.pk else None)
        if cleaned.get("matches_english") and shown and article is not None and shown != article.english_sha256:
            self.add_error("matches_english", MSG_ENGLISH_CHANGED_SINCE_OPENED)
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["english_shown"] = article.english_sha256  # shown again with the English of now: the next tick goes
            self.data = data
        return cleaned
