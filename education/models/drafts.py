"""The editorial workflow's records: working copies, clinical reviews and the daily reminders.

- `ArticleDraft`: an article's working copy, one at most per article. It holds the editable fields as JSON
  (`EDITABLE_FIELDS`; topics and related articles by id), so the live `Article` row, and every page that reads it,
  stay exactly as they are while editors work. Its `state` says where it stands; editing it again after it was sent
  for review or approved takes it back to "being edited" (what a reviewer approved is exactly what goes live).
- `ArticleReview`: one row per reviewer decision (approved, or sent back with a comment): who (a real user, and their
  full name as it was), when, the reading grade, and the reason given for approving above the grade limit.
- `ReviewReminder`: one row per day and audience, so the daily reminder e-mail is queued once, however often the
  task or command runs. The reviewers' one also lists translations waiting for them: a new starter release, or words
  not approved yet.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from education.models.articles import Article


class ArticleDraft(models.Model):
    class State(models.TextChoices):
        EDITING = "editing", "Being edited"
        AWAITING_REVIEW = "awaiting_review", "Waiting for clinical review"
        APPROVED = "approved", "Approved, waiting for its go-live time"
        CHANGES_REQUESTED = "changes_requested", "Sent back by the reviewer"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="draft")
    content = models.JSONField(default=dict, help_text="The working copy of the article's editable fields.")
    content_sha256 = models.CharField(max_length=64, help_text="Hash of the content: what a reviewer approves.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.EDITING)
    go_live_at = models.DateTimeField(
        null=True, blank=True, help_text="When the change goes live once approved; empty: as soon as it is approved."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "go_live_at"], name="draft_state_go_live")]

    def __str__(self) -> str:
        return f"Working copy of {self.article}"


class ArticleReview(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Sent back"

    # Kept when the article is deleted (no constraint, nothing cascades): who approved which words, and when, is the
    # clinic's record, and a recovered article (the same id) finds its reviews again.
    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="reviews")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(max_length=200, help_text="The reviewer's full name when they decided.")
    decided_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64, help_text="Hash of the content that was reviewed.")
    title = models.CharField(max_length=200, help_text="The title of the reviewed content.")
    reading_grade = models.DecimalField(max_digits=4, decimal_places=1)
    grade_reason = models.TextField(blank=True, help_text="Why it was approved above the reading-grade limit.")
    comment = models.TextField(blank=True, help_text="What the reviewer wrote to the editor.")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who sent it for review (told of the decision).",
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.title} ({self.reviewer_name})"


class ReviewReminder(models.Model):
    class Audience(models.TextChoices):
        EDITORS = "editors", "Editors: articles whose medical review is due"
        REVIEWERS = "reviewers", "Reviewers: articles waiting for clinical review"

    sent_on = models.DateField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    article_ids = models.JSONField(default=list)
    # The reviewers' list: translations waiting for a clinical reviewer, a newer starter release beside approved words
    # or words not approved yet (education/reminders.py `translations_with_a_new_release`,
    # `translations_awaiting_approval`); sorted into the two when the e-mail is sent.
    translation_ids = models.JSONField(
        default=list,
        db_default=[],  # processes still on the code before it queue reminders while it migrates
        blank=True,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sent_on", "audience"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} ({self.sent_on})"
