"""Patient-education articles and their topics.

An `Article` row is the live version: what patients see (selectors read it and nothing else). Editors change a live
article through its working copy (education.models.drafts.ArticleDraft), which reaches this row only when a clinical
reviewer approves it (education/workflow.py). Saving renders the Markdown to sanitised HTML, extracts the plain text,
measures its reading grade and (on PostgreSQL) refreshes the stored full-text search vector. Pages only read these
stored columns, filling in the clinic placeholders ({{ emergency_number }} and friends) and the "When to get help
now" box (`[[get-help-now]]`) from the current settings as they are shown (education/rendering.py,
education/snippets.py): `Article.display_html`, `Article.display_summary`, and the search snippets.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from clinic_portal.links import slug_url
from education import snippets
from education.models.images import image_refs, image_url_prefix
from education.models.search_text import article_vector
from education.rendering import (
    Readability,
    fill_html,
    fill_text,
    fill_typed,
    has_markers,
    has_plain_quotes,
    has_typed_placeholders,
    image_names_in,
    mark_help_now_boxes,
    normalize_newlines,
    plain_text,
    readability,
    render_markdown,
)

# The default of settings.ARTICLE_MAX_READING_GRADE: US grade 8 (docs/clinical/ARTICLES.md: grade 6-8).
READING_GRADE_TARGET = 8


def reading_grade_limit() -> Decimal:
    """The highest reading grade a reviewer may approve without giving a reason (settings.ARTICLE_MAX_READING_GRADE)."""
    return Decimal(str(getattr(settings, "ARTICLE_MAX_READING_GRADE", READING_GRADE_TARGET)))


PLACEHOLDER_HELP = (
    "Never type the emergency number or the clinic's phone number or name: type {{ emergency_number }}, "
    "{{ clinic_phone }} or {{ clinic_name }} and the page shows the clinic's current setting, so a change of number "
    "reaches every article at once."
)


def placeholder_values() -> dict[str, str]:
    """What each clinic placeholder shows now (read from settings on every call, so a changed setting applies).

    The boxes are here too, as plain text, so search snippets and the reading grade read what the patient reads.
    """
    return {
        "emergency_number": str(settings.CLINIC_EMERGENCY_NUMBER),
        "clinic_phone": str(settings.CLINIC_PHONE),
        "clinic_name": str(settings.CLINIC_NAME),
        **snippets.texts(),
    }


def filled_summary(summary: str) -> str:
    """A summary with the clinic placeholders filled in; plain text, escaped by the template as usual."""
    if not has_typed_placeholders(summary):
        return summary  # the settings are read only for a summary that needs them
    return fill_typed(summary, placeholder_values())


@dataclass(frozen=True)
class Rendered:
    """A Markdown body made ready to store: sanitised HTML, its plain text, and what a patient would read."""

    html: str
    text: str
    figures: Readability


def render_body(body: str) -> Rendered:
    """Render and measure a body (an article's, a working copy's, a translation's) the way saving does."""
    html = render_markdown(body, images=image_refs(image_names_in(body)), image_prefix=image_url_prefix())
    # A typed box is marked as it is saved too, and keeps its mark: a change of the heading's words in the catalogue
    # must not turn the approved words patients read, in the heading's old words, into a plain quote until new words
    # are approved (the headings known are the catalogue's and every release's: snippets.RELEASED_HELP_NOW_HEADINGS).
    html = mark_help_now_boxes(html, snippets.help_now_headings())
    text = plain_text(html)
    # Placeholders are measured as the words a patient will read, not as their names.
    return Rendered(html=html, text=text, figures=readability(fill_text(text, placeholder_values())))


def canonical_text(text: str) -> str:
    """How a text field is stored: LF line endings, no blank lines or spaces around it (what a form's field keeps)."""
    return normalize_newlines(text).strip()


def english_sha256(title: str, summary: str, body: str) -> str:
    """The hash a translation records of the English it was made from (the words a translator translates)."""
    words = [canonical_text(part) for part in (title, summary, body)]
    return hashlib.sha256(json.dumps(words).encode()).hexdigest()


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="Shown to patients, e.g. “Running”. Keep it short.")
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="The last part of the topic's web address (/topics/running/). Changing it breaks old links.",
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="One plain sentence shown at the top of the topic's page."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("topic-detail", self.slug)


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        """What patients may see now: published, with a publish time that has come (future = scheduled)."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_cards(self) -> ArticleQuerySet:
        """Lists only show title, summary and topics: leave the long text columns in the database."""
        return self.defer("body", "body_html", "body_text", "search_vector", "sources").prefetch_related("topics")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200, help_text="The headline patients see. Plain words, under 70 characters.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the article's web address (/articles/back-pain-after-a-run/). Filled in from the "
        "title; do not change it once published, or links sent to patients stop working.",
    )
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences saying what the reader will learn. Shown under the title, in lists, and to "
        "search engines. The clinic placeholders ({{ emergency_number }}, {{ clinic_phone }}, {{ clinic_name }}) "
        "work here too.",
    )
    body = models.TextField(
        help_text="The article in Markdown: ## for section headings, - for bullet points, **bold**, [text](link). "
        "Type [[get-help-now]] on a line of its own for the red “When to get help now” box (the same box in "
        "every article, with the clinic's numbers). Show an uploaded image with ![what the picture shows]"
        "(image:its-name): the words in brackets are read aloud to people who cannot see it and are required. "
        "HTML is not allowed and is shown as plain text. " + PLACEHOLDER_HELP + " Placeholders work in the text, "
        "not inside a link address; any other {{ ... }} is shown exactly as typed."
    )
    body_html = models.TextField(editable=False, default="", help_text="Made from the body on save.")
    body_text = models.TextField(editable=False, default="", help_text="Plain text of the body, for search.")
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="articles", help_text="Where patients find the article. Pick one to three."
    )
    featured = models.BooleanField(default=False, help_text="Show the article on the home page.")
    related = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        help_text="Two or three articles to read next, listed at the end. Only published ones are shown.",
    )
    sources = models.TextField(
        blank=True,
        help_text="The references the article is based on, one per line. They are listed at the end as “Sources”.",
    )
    author = models.CharField(max_length=200, blank=True, help_text="Who wrote the article, e.g. a team name.")
    # Clinical sign-off of the live version (education/workflow.py): set only by a reviewer's approval.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The clinical reviewer who approved the live version (empty: awaiting clinical review).",
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The reviewer's full name as shown to patients (“Medically reviewed by …”), kept as it was when "
        "they approved.",
    )
    reviewed_on = models.DateField(
        null=True, blank=True, editable=False, help_text="The date the reviewer approved the live version."
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the facts must be checked again (usually a year after the review). Overdue articles can "
        "be found with the “Review” filter.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Drafts are only visible to staff. Published articles are public from their publish time.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the article goes live. Leave empty to publish now; set a future time to schedule it.",
    )
    reading_grade = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=0,
        editable=False,
        help_text="US school grade needed to read the body (Flesch-Kincaid). Aim for 8 or below.",
    )
    word_count = models.PositiveIntegerField(default=0, editable=False, help_text="Words in the body.")
    english_sha256 = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the title, summary and body: a translation made from other words is out of date.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the article was first saved.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When the article was last saved.")
    # What else its page shows, changed without a save of the article: its topics (added, removed, renamed, in any
    # language, deleted) and its "Read next" list (changed, or a listed article saved). Written by
    # education/page_changes.py; the sitemap's `lastmod` is the later of the two (education/sitemaps.py).
    page_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When its topics or its “Read next” list (or the names they show) last changed.",
    )
    # Filled only on PostgreSQL (title weighted above summary above body) and GIN-indexed by migration 0003, which
    # creates the index on PostgreSQL only: the model stays portable, and SQLite keeps an always-empty column.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_published"),
            # Issue 16: the public lists page through published articles by title (education/selectors.py), and
            # the home page shows the newest featured ones: one range of an index each, at any library size.
            models.Index(fields=["status", "title", "id"], name="article_status_title"),
            models.Index(
                fields=["-published_at", "title"],
                name="article_featured_live",
                condition=models.Q(featured=True, status="published"),
            ),
        ]
        permissions = [("approve_article", "Can approve articles and changes to them (clinical sign-off)")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever sent the text (a browser's CR LF, an old import), it is stored with LF line endings.
        self.body = canonical_text(self.body)
        self.summary = canonical_text(self.summary)
        self.sources = canonical_text(self.sources)
        rendered = render_body(self.body)
        self.body_html = rendered.html
        self.body_text = rendered.text
        self.reading_grade = Decimal(str(rendered.figures.grade))
        self.word_count = rendered.figures.words
        self.english_sha256 = english_sha256(self.title, self.summary, self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"body_html", "body_text", "reading_grade", "word_count", "english_sha256"}
            kwargs["update_fields"] = {*update_fields, *derived}
        before = Article.objects.filter(pk=self.pk).values_list("slug", flat=True).first() if self.pk else None
        super().save(*args, **kwargs)
        if self.status == self.Status.PUBLISHED:
            # Published at this address, however it came here: the address is this article's from now on, never an
            # old one leading elsewhere when this one is taken offline. A draft saved here takes nothing: the live
            # article's old links keep working (reviews of the stop-33 commits).
            OldAddress.objects.filter(slug=self.slug).delete()
        if before is not None and before != self.slug:
            OldAddress.objects.update_or_create(slug=before, defaults={"article": self})
        self.refresh_search_vector()

    def get_absolute_url(self) -> str:
        return slug_url("article-detail", self.slug)

    @property
    def display_html(self) -> SafeString:
        """The stored, sanitised body HTML with the clinic placeholders (values HTML-escaped) and boxes filled in, and
        a typed box recognised by its heading (also in a body stored before its heading's words were known)."""
        html = self.body_html
        if has_plain_quotes(html):
            html = mark_help_now_boxes(html, snippets.help_now_headings())
        if has_markers(html):
            html = fill_html(html, placeholder_values(), snippets.blocks())
        return mark_safe(html)  # noqa: S308

    @property
    def display_summary(self) -> str:
        return filled_summary(self.summary)

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_new(self) -> bool:
        """Never approved to go live: a first draft. One taken offline, or approved to go live later, is an existing
        article (a change to it is "a change to this article" on the review page and in the reviewers' e-mail)."""
        return self.published_at is None

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_live

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def grade_above_target(self) -> bool:
        return Decimal(self.reading_grade) > reading_grade_limit()

    @property
    def is_clinically_reviewed(self) -> bool:
        """A clinician's name and date are on the live version; otherwise it is awaiting clinical review."""
        return bool(self.reviewed_by and self.reviewed_on)

    def refresh_search_vector(self) -> None:
        if connection.vendor != "postgresql":
            return
        Article.objects.filter(pk=self.pk).update(search_vector=article_vector("english"))


# Every save keeps a version (django-reversion). The search vector is derived data, rebuilt on save.
reversion.register(Article, exclude=["search_vector"])

# What an editor changes, in the order the admin shows it; the working copy keeps these (education/workflow.py).
EDITABLE_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "topics",
    "related",
    "featured",
    "author",
    "next_review_due",
    "sources",
)


class OldAddress(models.Model):
    """An address an article had before an editor changed it (`/articles/<slug>/`): the old address sends readers to
    the article's new one (a permanent redirect), so links in patients' e-mails, printouts and other sites keep
    working. An article using the address now always wins; the row goes when an article takes the address again."""

    slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return self.slug


class StarterImport(models.Model):
    """What `load_articles` last wrote for one starter article, so a later run can tell an editor's change from its own.

    Kept apart from Article so it survives an editor deleting the article (the loader then leaves it deleted) and
    so restoring an old revision cannot restore stale bookkeeping.
    """

    slug = models.SlugField(max_length=200, unique=True)
    source_sha256 = models.CharField(max_length=64, help_text="Hash of the Markdown file that was loaded.")
    content_sha256 = models.CharField(max_length=64, help_text="Hash of the article's fields right after loading.")
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.slug
