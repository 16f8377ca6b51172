"""Translations of articles, kept in step with the English they were made from.

Why a small model of our own rather than django-modeltranslation or django-parler (both considered): the English
`Article` row is the live, clinically approved version, changed only through the working copy and a reviewer's
approval. modeltranslation would add `title_es`, `body_es`... columns to that row, so the Spanish would ride along
with every English draft, approval and revision, and it has no notion of "made from which English". parler moves the
translated fields into its own table and changes every query of them, selectors and full-text search included. What
the clinic needs is small: one row per article and language, recording the English it was translated from (its hash
and its words), so that a changed English source marks the translation out of date for editors (list badge, form
banner, and what changed since) and patients are not shown stale advice (education/translation.py).

A translation is clinical advice too: patients see its words only once a clinical reviewer has approved exactly those
words (`approved_sha256` is the hash of the title, summary and body they approved; an editor's later change shows
the English, with a notice, until it is approved again, and so does recording that the words match newer English).
The approval is recorded like an article's: who, when; so is a reviewer's declining of a new starter release
(`declined_release`, with the words declined).
"""

from __future__ import annotations

from typing import Any

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models.expressions import CombinedExpression

from education.models.articles import Article, canonical_text, english_sha256, render_body
from education.models.search_text import article_vector

TRANSLATION_LANGUAGES = [("es", "Spanish (español)")]
# PostgreSQL's text-search configuration for each language: its stemming (dolor, dolores) and its stop words.
# portal_spanish is Spanish without accents (migration 0011: "ciatica" finds "ciática").
SEARCH_CONFIGS = {"es": "portal_spanish"}


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES, help_text="The language it is in.")
    title = models.CharField(max_length=200, help_text="The translated title.")
    summary = models.CharField(max_length=300, help_text="The translated summary (placeholders work here too).")
    body = models.TextField(
        help_text="The translated body, in Markdown like the English one. Keep [[get-help-now]] and the "
        "{{ placeholders }} as they are (the box and the numbers appear in the reader's language); translate "
        "the words in the brackets of ![...](image:name)."
    )
    body_html = models.TextField(editable=False, default="", help_text="Made from the body on save.")
    body_text = models.TextField(editable=False, default="", help_text="Plain text of the body.")
    word_count = models.PositiveIntegerField(default=0, editable=False, help_text="Words in the body.")
    source_sha256 = models.CharField(
        max_length=64, editable=False, help_text="Hash of the English title, summary and body it was made from."
    )
    source = models.JSONField(
        default=dict, editable=False, help_text="The English title, summary and body it was made from."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="Who last saved it.",
    )
    updated_at = models.DateTimeField(auto_now=True, help_text="When it was last saved.")
    content_sha256 = models.CharField(
        max_length=64, editable=False, default="", help_text="Hash of the translated title, summary and body."
    )
    approved_sha256 = models.CharField(
        max_length=64,
        editable=False,
        blank=True,
        default="",
        help_text="Hash of the words a clinical reviewer approved; patients see the translation while it matches.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The clinical reviewer who approved these words.",
    )
    approved_by_name = models.CharField(max_length=150, blank=True, default="", editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A newer starter release of these words, waiting for a clinical reviewer while patients read the approved ones
    # (education/services.py queues it; education/translation_approval.py puts it in place). Words changed since it
    # was queued, or made from other English, set it aside (`waiting_release`): a translator's words always win.
    new_release = models.JSONField(
        default=dict,
        db_default={},  # processes still on the code before it save translations while it migrates
        blank=True,
        editable=False,
        help_text="A newer starter release (title, summary, body) waiting for clinical review; patients read the "
        "approved words until a reviewer approves it.",
    )
    # A starter release a clinical reviewer declined (education/translation_approval.py `decline_release`): its words
    # and the English they translate, so the next `load_articles` does not queue the same words again (a newer text
    # waits as any release does), and who declined it and when, as an approval records its reviewer.
    declined_release = models.JSONField(
        default=dict,
        db_default={},  # processes still on the code before it save translations while it migrates
        blank=True,
        editable=False,
        help_text="The last starter release (title, summary, body) a clinical reviewer declined; patients kept the "
        "approved words.",
    )
    release_declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The clinical reviewer who declined it.",
    )
    release_declined_by_name = models.CharField(max_length=150, blank=True, default="", db_default="", editable=False)
    release_declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The search page for a reader of this language (education/search_results.py), as Article.search_vector for
    # English: filled on PostgreSQL only, GIN-indexed by migration 0010. Whether patients may read the words is
    # decided when searching (the approval and the English it was made from), not here.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["article__title", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_translation_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.article} ({self.get_language_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body = canonical_text(self.body)
        self.summary = canonical_text(self.summary)
        rendered = render_body(self.body)
        self.body_html = rendered.html
        self.body_text = rendered.text
        self.word_count = rendered.figures.words
        self.content_sha256 = english_sha256(self.title, self.summary, self.body)  # the same hash, of these words
        if self.new_release and self.waiting_release is None:
            self.new_release = {}  # set aside by a translator's words or other English: not to be approved over them
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"content_sha256", "body_html", "body_text", "word_count", "new_release"}
            kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)
        self.refresh_search_vector()

    def refresh_search_vector(self) -> None:
        if connection.vendor != "postgresql":
            return
        ArticleTranslation.objects.filter(pk=self.pk).update(search_vector=search_vector_for(self.language))

    def record_source(self, article: Article) -> None:
        """Say that this translation matches `article`'s English as it is now."""
        self.record_english(title=article.title, summary=article.summary, body=article.body)

    def record_english(self, *, title: str, summary: str, body: str) -> None:
        """Say which English this translation was made from (a starter file's, when the loader makes it).

        An approval was of these words as a translation of the English they were made from: saying they now match
        other English (an editor's tick, with or without changing a word) withdraws it, and patients read the English
        with its notice until a reviewer approves them again.
        """
        made_from = english_sha256(title, summary, body)
        if made_from != self.source_sha256:
            self.approved_sha256, self.approved_by, self.approved_by_name, self.approved_at = "", None, "", None
        self.source = {"title": title, "summary": summary, "body": body}
        self.source_sha256 = made_from

    @property
    def is_approved(self) -> bool:
        """A clinical reviewer approved exactly these words."""
        return bool(self.approved_sha256) and self.approved_sha256 == self.content_sha256

    @property
    def waiting_release(self) -> dict[str, str] | None:
        """The starter release queued for a clinical reviewer, while it still applies: queued over exactly these
        words, as a translation of the English they were made from (else None)."""
        release = self.new_release or {}
        if release and release.get("over") == self.content_sha256 and release.get("english") == self.source_sha256:
            return release
        return None

    def declined(self, release: dict[str, str]) -> bool:
        """A clinical reviewer declined these words of a release, as a translation of the English this one was made
        from."""
        declined = self.declined_release or {}
        return (
            bool(declined)
            and declined.get("english") == self.source_sha256
            and english_sha256(declined["title"], declined["summary"], declined["body"])
            == english_sha256(release["title"], release["summary"], release["body"])
        )

    @property
    def is_current(self) -> bool:
        """Made from the English that is live now (False: the English changed since)."""
        return self.source_sha256 == self.article.english_sha256


def search_vector_for(language: str) -> CombinedExpression:
    """A translation's words as PostgreSQL searches them, weighted as the English article's are."""
    return article_vector(SEARCH_CONFIGS.get(language, "simple"))


class TopicTranslation(models.Model):
    """A topic's name and description in another language: a label, not clinical advice, so live once saved."""

    topic = models.ForeignKey("education.Topic", on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES, help_text="The language it is in.")
    name = models.CharField(max_length=60, help_text="The topic's name in that language, e.g. “Correr”.")
    description = models.CharField(max_length=300, blank=True, help_text="The topic's one sentence in that language.")

    class Meta:
        ordering = ["topic__name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "language"], name="one_topic_translation_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_language_display()})"


# Kept with an article about to be deleted, so "Recover deleted articles" brings them back (education/recovery.py).
reversion.register(ArticleTranslation, exclude=["search_vector"])
