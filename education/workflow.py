"""Writes of the editorial workflow: working copies, clinical sign-off, publishing and scheduling.

The rules (docs/clinical/ARTICLES.md; issue 15):
- Editors change an article through its working copy (`save_working_copy`). Patients keep reading the live `Article`
  row, unchanged, until a reviewer approves; an article that was never published keeps its row in step with the
  working copy (nobody but staff can see it), so the staff preview of a draft shows the latest words.
- Nothing goes live without a clinical reviewer's approval (`approve`, permission `education.approve_article`),
  recorded as an `ArticleReview` (the reviewer, a real user, their full name and the date) and shown to patients as
  "Medically reviewed by NAME on DATE". An account with no full name may not approve (`NAME_REQUIRED`): its sign-in
  name would have been shown instead. Approval is refused while the reading grade is above
  settings.ARTICLE_MAX_READING_GRADE unless the reviewer gives a reason, which is stored. A reviewer may also approve
  the live version as it is (a periodic review, or a starter article awaiting review).
- Publishing (`publish`) copies the approved working copy onto the live row in one transaction, as one revision whose
  comment names the fields that really changed and the approval, then deletes the working copy.
- Scheduling: an approved change with a future go-live time waits. For an article that was never live, the row is
  published at once with that time as `published_at`, and the existing "published and its time has come" rule shows
  it then. For a change to a live article, the working copy waits in the "approved" state and a task queued for
  that time (`education.tasks.publish_scheduled_changes`) publishes it; `manage.py publish_scheduled_articles` (run
  every few minutes, like the sweeper) does the same for any whose task was lost.
- Reviewers are e-mailed when something waits for them, the editor when it is approved or sent back
  (education/tasks.py: through the messaging app, retried and sent once, no patient data in them). The e-mail's row
  and its task are written in the same transaction as the change they tell about.

Each function is one transaction and locks the article row, so two reviewers (or a reviewer and an editor) acting at
once cannot both win.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from education import recovery, tasks
from education.models import (
    EDITABLE_FIELDS,
    Article,
    ArticleDraft,
    ArticleReview,
    Topic,
    canonical_text,
    reading_grade_limit,
    render_body,
)

Content = dict[str, Any]
User = AbstractBaseUser | AnonymousUser

GRADE_REASON_REQUIRED = (
    "The reading grade is {grade}, above the limit of {limit}. Give a reason to approve it anyway (for example, a "
    "medical term patients need to know), or send it back to be made simpler."
)
COMMENT_REQUIRED = "Say what the editor should change."
NOTHING_TO_APPROVE = "There is nothing to approve: the article has no text yet."
STILL_BEING_WRITTEN = (
    "An editor is still changing this new article and has not sent it for review: it can be approved once they send it."
)
CHANGED_SINCE_SHOWN = (
    "The article changed after this page was opened: nothing was approved. Read it again below, then decide."
)
CHANGED_SINCE_SHOWN_NOT_SENT_BACK = (
    "The article changed after this page was opened: nothing was sent back. Read it again below, then decide."
)
CHANGED_SINCE_OPENED_NOT_DISCARDED = (
    "The working copy was changed after you opened this page, so nothing was thrown away. Read it below, then decide."
)
SLUG_TAKEN_BY_ANOTHER = "Another article now uses its address “{slug}”: change that article's address first."
NAME_REQUIRED = (
    "Add your full name to your account before approving: patients see who reviewed an article, and your account has "
    "only a sign-in name. Nothing was approved. An administrator can add it under Users in the admin."
)
SLUG_TAKEN = "Another article already uses the address “{slug}”. Change the working copy's address first."

FIELD_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "summary": "Summary",
    "body": "Body",
    "topics": "Topics",
    "related": "Related",
    "featured": "Featured",
    "author": "Author",
    "next_review_due": "Next review due",
    "sources": "Sources",
}


class WorkflowError(ValueError):
    """A step that cannot be taken; `field` names the form field the message belongs next to (or None)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Content: the editable fields as plain data ------------------------------------------------------------------


def live_content(article: Article) -> Content:
    """The editable fields of the row as it is (the live version, or a never-published article's text)."""
    return normalized(
        {
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": article.body,
            "topics": list(article.topics.values_list("pk", flat=True)) if article.pk else [],
            "related": list(article.related.values_list("pk", flat=True)) if article.pk else [],
            "featured": article.featured,
            "author": article.author,
            "next_review_due": article.next_review_due,
            "sources": article.sources,
        }
    )


def normalized(values: Mapping[str, Any]) -> Content:
    """Content in one canonical form (LF line endings, sorted ids, ISO dates), so equal words hash equal."""
    due = values.get("next_review_due")
    return {
        "title": str(values.get("title", "")).strip(),
        "slug": str(values.get("slug", "")),
        "summary": canonical_text(str(values.get("summary", ""))),
        "body": canonical_text(str(values.get("body", ""))),
        "topics": sorted(int(getattr(item, "pk", item)) for item in values.get("topics") or ()),
        "related": sorted(int(getattr(item, "pk", item)) for item in values.get("related") or ()),
        "featured": bool(values.get("featured", False)),
        "author": str(values.get("author", "")).strip(),
        "next_review_due": due.isoformat() if isinstance(due, datetime.date) else (due or None),
        "sources": canonical_text(str(values.get("sources", ""))),
    }


def content_sha256(content: Content) -> str:
    return hashlib.sha256(json.dumps(normalized(content), sort_keys=True).encode()).hexdigest()


def review_sha256(article: Article, content: Content, go_live_at: datetime.datetime | None) -> str:
    """What a reviewer's page shows, hashed: the words, the go-live time it says they go live at, and whether the
    article is on the site (`approve` takes exactly these: a time changed since, the same words sent again, was
    approved unseen and went live early; an article taken offline since was put back by an approval whose page said
    patients see it)."""
    shown = go_live_at.astimezone(datetime.UTC).isoformat() if go_live_at else None
    return hashlib.sha256(
        json.dumps(
            {"content": normalized(content), "go_live_at": shown, "status": article.status}, sort_keys=True
        ).encode()
    ).hexdigest()


def edited_sha256(
    article: Article, content: Content, go_live_at: datetime.datetime | None, *, own_time: bool = True
) -> str:
    """The words and the go-live time an editor's form holds (none given: the article's own time, scheduled or past,
    unless `own_time` is False), hashed: the editor-conflict check compares it (`ArticleForm.clean`), so another
    editor's change of the go-live time alone counts. Times count to the minute, as the form shows them."""
    when = go_live_at or (article.published_at if own_time else None)
    shown = when.astimezone(datetime.UTC).replace(second=0, microsecond=0).isoformat() if when else None
    return hashlib.sha256(
        json.dumps({"content": normalized(content), "go_live_at": shown}, sort_keys=True).encode()
    ).hexdigest()


def working_sha256(article: Article) -> str:
    """`edited_sha256` of what the editor works on now (the working copy, else the row), as a page opened now has it."""
    return edited_sha256(article, *_being_edited(article))


def working_sha256s(article: Article) -> frozenset[str]:
    """`edited_sha256` of what the editor works on now (the working copy, else the row), with the article's own time
    and without it: a page opened before an approval first gave the article a time, or before a scheduled article
    went live, matches one of them, as nobody saved over it (each was a false conflict); a time another editor set
    or moved matches neither."""
    content, go_live_at = _being_edited(article)
    return frozenset(edited_sha256(article, content, go_live_at, own_time=own_time) for own_time in (True, False))


def shown_time_spent(article: Article, opened: str, go_live_at: datetime.datetime) -> bool:
    """Whether `go_live_at`, a passed go-live time that a page opened as `opened` showed, is spent: the words that page
    showed with it are live now, having gone live at it since (a scheduled article, or a change approved to go live
    then). Sent back unchanged, it is not a time the editor typed in the past."""
    if go_live_at > timezone.now() or not article.is_live:
        return False
    return opened == edited_sha256(article, live_content(article), go_live_at)


def _being_edited(article: Article) -> tuple[Content, datetime.datetime | None]:
    """The words and go-live time the editor works on: the working copy's, else the row's words and no time."""
    draft = draft_of(article)
    return (live_content(article), None) if draft is None else (draft.content, draft.go_live_at)


def working_content(article: Article) -> Content:
    """What the editor works on: the working copy if there is one, else the row."""
    draft = draft_of(article)
    return normalized(draft.content) if draft else live_content(article)


# A working copy a reviewer has: sent for review, or approved and waiting for its go-live time.
IN_REVIEW = (ArticleDraft.State.AWAITING_REVIEW, ArticleDraft.State.APPROVED)


def draft_of(article: Article) -> ArticleDraft | None:
    if article.pk is None:
        return None
    return ArticleDraft.objects.filter(article=article).first()


def changed_fields(old: Content, new: Content) -> list[str]:
    """The labels of the fields whose value really differs (line endings and id order do not count)."""
    before, after = normalized(old), normalized(new)
    return [FIELD_LABELS[name] for name in EDITABLE_FIELDS if before[name] != after[name]]


def grade_of(content: Content) -> Decimal:
    return Decimal(str(render_body(content["body"]).figures.grade))


def assign_content(article: Article, content: Content) -> None:
    """Copy the plain fields of `content` onto the row, unsaved."""
    values = normalized(content)
    for name in ("title", "slug", "summary", "body", "featured", "author", "sources"):
        setattr(article, name, values[name])
    due = values["next_review_due"]
    article.next_review_due = datetime.date.fromisoformat(due) if due else None


def assign_relations(article: Article, content: Content) -> None:
    """Topics and related articles by id; one deleted since the working copy was saved is left out."""
    values = normalized(content)
    article.topics.set(Topic.objects.filter(pk__in=values["topics"]))
    article.related.set(Article.objects.filter(pk__in=values["related"]).exclude(pk=article.pk))


def apply_content(article: Article, content: Content) -> None:
    """Copy `content` onto the row and save it (the caller holds the lock and the revision)."""
    assign_content(article, content)
    article.save()
    assign_relations(article, content)


def full_name(user: Any) -> str:
    """A staff member's name for staff (revision notes, e-mails to editors): the sign-in name when there is no other."""
    return str(user.get_full_name() or user.get_username())


def approver_name(user: Any) -> str:
    """The name an approval shows patients ("Medically reviewed by ..."): the account's full name, never its sign-in
    name (a login published). An account without one may not approve: WorkflowError(NAME_REQUIRED)."""
    if not has_full_name(user):
        raise WorkflowError(NAME_REQUIRED)
    return str(user.get_full_name()).strip()


def has_full_name(user: Any) -> bool:
    """Whether the account may approve (`approver_name`): it has a full name, not only a sign-in name."""
    get_full_name = getattr(user, "get_full_name", None)  # an anonymous user has none
    return get_full_name is not None and bool(str(get_full_name()).strip())


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# --- Editors -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    draft: ArticleDraft | None
    changed: list[str]
    submitted: bool
    postponed_to: datetime.datetime | None = None  # a scheduled article's go-live time, moved later at once


@transaction.atomic
def save_working_copy(
    article: Article,
    content: Content,
    *,
    user: Any,
    go_live_at: datetime.datetime | None,
    submit: bool = False,
    restoring: bool = False,
) -> Saved:
    """Keep the editor's changes in the article's working copy; with `submit`, send it for clinical review.

    Changing a working copy that was waiting for review or approved takes it back to "being edited": a reviewer
    approves exact words. A working copy that says the same as the live version, with no go-live time, is not kept.
    `restoring` (an old version from History, whose page has no "send for review") over a working copy in the
    reviewers' hands sends the restored words for review in its place: the change no longer left the reviewers'
    queue without a word to them, and what they approve is still exactly what they read.
    """
    article = _locked(article)
    content = normalized(content)
    draft = ArticleDraft.objects.filter(article=article).first()
    in_review = restoring and draft is not None and draft.state in IN_REVIEW
    live = live_content(article)
    new_hash = content_sha256(content)
    postponed_to = None
    keeps_its_time = False
    if article.is_scheduled and go_live_at is not None and article.published_at is not None:
        if go_live_at.replace(second=0, microsecond=0) == article.published_at.replace(second=0, microsecond=0):
            # The time it has, as the form shows it: no change of time (saved with nothing else changed, it keeps no
            # working copy), and a change of words keeps that time when approved. An emptied field is "at once".
            go_live_at = article.published_at
            keeps_its_time = True
        elif go_live_at > article.published_at:
            # Holding approved words back needs no approval, as taking them offline needs none: the row takes the
            # later time at once (it went live at the old one while the new time waited for a reviewer: the
            # stop-34 audit). A change of words still waits for review, to go live at the new time.
            postponed_to = go_live_at
            with reversion.create_revision():
                reversion.set_user(_user_or_none(user))
                reversion.set_comment(f"Go-live moved later by {full_name(user)}.")
                article.published_at = go_live_at
                article.save()
            if content == live:
                go_live_at = None
    if draft is None and content == live and (go_live_at is None or keeps_its_time) and not submit:
        return Saved(draft=None, changed=[], submitted=False, postponed_to=postponed_to)
    draft = draft or ArticleDraft(article=article, created_by=_user_or_none(user), content_sha256="")
    changed = changed_fields(draft.content if draft.pk else live, content)
    edited = draft.content_sha256 != new_hash or draft.go_live_at != go_live_at
    submit = submit or (in_review and edited)  # the very words an approval or the queue holds need no new review
    draft.content = content
    draft.content_sha256 = new_hash
    draft.go_live_at = go_live_at
    draft.updated_by = _user_or_none(user)
    if edited and draft.state != ArticleDraft.State.EDITING:
        draft.state = ArticleDraft.State.EDITING
    newly_submitted = submit and draft.state != ArticleDraft.State.AWAITING_REVIEW
    if submit:
        draft.state = ArticleDraft.State.AWAITING_REVIEW
        draft.submitted_by = _user_or_none(user)
        draft.submitted_at = timezone.now()
    draft.save()
    if article.status == Article.Status.DRAFT and article.published_at is None:
        # Never published: nobody but staff sees the row, so it follows the working copy (staff preview, lists).
        with reversion.create_revision():
            reversion.set_user(_user_or_none(user))
            reversion.set_comment(_comment(changed, "Working copy saved (not published)."))
            apply_content(article, content)
    if newly_submitted:
        tasks.queue_waiting_email(article.pk)
    return Saved(draft=draft, changed=changed, submitted=submit, postponed_to=postponed_to)


@transaction.atomic
def discard_working_copy(article: Article, *, user: Any, opened: str | None = None) -> bool:
    """Throw the working copy away; the live version stays as it is.

    `opened` is the `working_sha256` the editor's page showed: a working copy saved or sent for review since (by
    another editor) is not thrown away unseen.
    """
    article = _locked(article)
    if opened is not None and opened not in working_sha256s(article):
        raise WorkflowError(CHANGED_SINCE_OPENED_NOT_DISCARDED)
    deleted, _ = ArticleDraft.objects.filter(article=article).delete()
    return bool(deleted)


@transaction.atomic
def take_offline(article: Article, *, user: Any) -> None:
    """Take a live article off the site now (no approval needed to remove advice). It comes back only through a
    reviewer's approval: a change approved to go live later goes back to being edited (its words kept), or its
    time would have put the article back."""
    article = _locked(article)
    ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.APPROVED).update(
        state=ArticleDraft.State.EDITING, updated_at=timezone.now()
    )
    with reversion.create_revision():
        reversion.set_user(_user_or_none(user))
        reversion.set_comment(f"Taken offline by {full_name(user)}.")
        article.status = Article.Status.DRAFT
        article.save()


RELATED_MODELS: dict[str, type[Article] | type[Topic]] = {"topics": Topic, "related": Article}


def recover(version: Any) -> Article:
    """Put back one deleted article from its stored version (a django-reversion `Version`), offline: its own row
    and its topics and related articles only (those that still exist), never the rest of the revision it was saved
    in, and the translations it had when deleted (education/recovery.py). Patients see it again once a reviewer
    approves it. Raises reversion's RevertError when the stored version no longer loads, and WorkflowError when
    another article now uses its address."""
    restored = version._object_version  # the stored row, unsaved (reversion's deserialized object)
    slug = restored.object.slug
    if Article.objects.filter(slug=slug).exclude(pk=restored.object.pk).exists():
        raise WorkflowError(SLUG_TAKEN_BY_ANOTHER.format(slug=slug))
    for name, ids in (restored.m2m_data or {}).items():  # a topic or related article deleted since is left out
        related = RELATED_MODELS.get(name)
        if related is not None:
            restored.m2m_data[name] = list(related.objects.filter(pk__in=ids).values_list("pk", flat=True))
    restored.save()  # this object alone (Revision.revert would put back every article saved with it)
    article = Article.objects.get(pk=restored.object.pk)
    article.status = Article.Status.DRAFT
    article.save()  # a full save: what is worked out from the words is worked out again, as for any change
    recovery.restore_translations(article)
    return article


# --- Reviewers -----------------------------------------------------------------------------------------------------


def _waiting_draft(article: Article) -> ArticleDraft | None:
    return ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.AWAITING_REVIEW).first()


@transaction.atomic
def approve(
    article: Article,
    *,
    reviewer: Any,
    grade_reason: str = "",
    comment: str = "",
    now: datetime.datetime | None = None,
    shown: str | None = None,
) -> ArticleReview:
    """Approve what waits for review (the working copy sent for review, else the live version as it stands).

    `shown` is the `review_sha256` of what the reviewer's page showed (the words, their go-live time, the article on
    the site or not): when given, anything else is refused (an editor saved, sent, discarded or took the article
    offline meanwhile), so a reviewer approves exactly what they read.
    """
    name = approver_name(reviewer)  # before anything is read or written
    now = now or timezone.now()
    article = _locked(article)
    draft = _waiting_draft(article)
    if draft is None and article.published_at is None:
        # A new article's row follows its working copy: "as it stands" would be words nobody sent for review (a new
        # article saved once has no working copy, nor one whose working copy was thrown away: a reviewer published
        # both, the stop-34 audit).
        raise WorkflowError(STILL_BEING_WRITTEN)
    content = normalized(draft.content) if draft else live_content(article)
    if shown is not None and review_sha256(article, content, draft.go_live_at if draft else None) != shown:
        raise WorkflowError(CHANGED_SINCE_SHOWN)
    if not content["body"].strip():
        raise WorkflowError(NOTHING_TO_APPROVE)
    grade = grade_of(content)
    if grade > reading_grade_limit() and not grade_reason.strip():
        raise WorkflowError(
            GRADE_REASON_REQUIRED.format(grade=grade, limit=reading_grade_limit()), field="grade_reason"
        )
    if Article.objects.filter(slug=content["slug"]).exclude(pk=article.pk).exists():
        raise WorkflowError(SLUG_TAKEN.format(slug=content["slug"]))
    review = ArticleReview.objects.create(
        article=article,
        decision=ArticleReview.Decision.APPROVED,
        reviewer=reviewer,
        reviewer_name=name,
        decided_at=now,
        content_sha256=content_sha256(content),
        title=content["title"],
        reading_grade=grade,
        grade_reason=grade_reason.strip() if grade > reading_grade_limit() else "",
        comment=comment.strip(),
        editor=draft.submitted_by if draft else None,
    )
    if draft is None:
        # The row as it stands: a live article's periodic review, a scheduled one's (still not live), or an offline or
        # never-published one going live.
        _stamp(article, review)
        what = "Live version approved as it is."
        if article.is_scheduled:
            what = "Approved as it is, to go live at its scheduled time."
        if article.status == Article.Status.DRAFT:
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            what = "Approved and published."
        with reversion.create_revision():
            reversion.set_user(reviewer)
            reversion.set_comment(_approval_note(review, what))
            article.save()
    elif draft.go_live_at and draft.go_live_at > now and article.is_live:
        draft.state = ArticleDraft.State.APPROVED
        draft.save(update_fields=["state", "updated_at"])
        tasks.schedule_publication(draft.go_live_at)
    else:
        publish(article, draft, review, now=now)
    tasks.queue_decision_email(review.pk)
    return review


@transaction.atomic
def send_back(
    article: Article,
    *,
    reviewer: Any,
    comment: str,
    now: datetime.datetime | None = None,
    shown: str | None = None,
) -> ArticleReview:
    """Return what waits for review to the editor with a comment (required); nothing changes for patients.

    `shown`, as for `approve`: words sent since the reviewer's page opened are not sent back unread (they left the
    reviewers' queue with a comment about other words).
    """
    if not comment.strip():
        raise WorkflowError(COMMENT_REQUIRED, field="comment")
    now = now or timezone.now()
    article = _locked(article)
    draft = _waiting_draft(article)
    content = normalized(draft.content) if draft else live_content(article)
    if shown is not None and review_sha256(article, content, draft.go_live_at if draft else None) != shown:
        raise WorkflowError(CHANGED_SINCE_SHOWN_NOT_SENT_BACK)
    review = ArticleReview.objects.create(
        article=article,
        decision=ArticleReview.Decision.CHANGES_REQUESTED,
        reviewer=reviewer,
        reviewer_name=full_name(reviewer),
        decided_at=now,
        content_sha256=content_sha256(content),
        title=content["title"],
        reading_grade=grade_of(content),
        comment=comment.strip(),
        editor=draft.submitted_by if draft else None,
    )
    if draft is not None:
        draft.state = ArticleDraft.State.CHANGES_REQUESTED
        draft.save(update_fields=["state", "updated_at"])
    tasks.queue_decision_email(review.pk)
    return review


def _stamp(article: Article, review: ArticleReview) -> None:
    """Record the approval on the row; a review date that is due (or about to be) moves a review interval on."""
    article.reviewer = review.reviewer
    article.reviewed_by = review.reviewer_name
    article.reviewed_on = timezone.localdate(review.decided_at)
    window = datetime.timedelta(days=settings.ARTICLE_REVIEW_REMINDER_DAYS)
    if article.next_review_due is None or article.next_review_due <= article.reviewed_on + window:
        article.next_review_due = article.reviewed_on + datetime.timedelta(days=settings.ARTICLE_REVIEW_INTERVAL_DAYS)


def publish(article: Article, draft: ArticleDraft, review: ArticleReview, *, now: datetime.datetime) -> None:
    """The approved working copy becomes the live version (inside the caller's transaction, row locked)."""
    changed = changed_fields(live_content(article), draft.content)
    was_live = article.is_live
    with reversion.create_revision():
        reversion.set_user(review.reviewer)
        reversion.set_comment(_approval_note(review, _comment(changed, "No change to the text.")))
        assign_content(article, draft.content)
        _stamp(article, review)
        if not was_live:
            article.status = Article.Status.PUBLISHED
            article.published_at = draft.go_live_at if draft.go_live_at and draft.go_live_at > now else now
        article.save()
        assign_relations(article, draft.content)
    draft.delete()


def publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish every approved change whose go-live time has come; returns how many. Safe to run at any time."""
    now = now or timezone.now()
    published = 0
    due = ArticleDraft.objects.filter(state=ArticleDraft.State.APPROVED, go_live_at__lte=now)
    for draft_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            draft = (
                ArticleDraft.objects.select_for_update(skip_locked=True)
                .filter(pk=draft_id, state=ArticleDraft.State.APPROVED)
                .select_related("article")
                .first()
            )
            if draft is None:
                continue
            article = _locked(draft.article)
            review = (
                ArticleReview.objects.filter(
                    article=article,
                    decision=ArticleReview.Decision.APPROVED,
                    content_sha256=draft.content_sha256,
                )
                .order_by("-decided_at", "-pk")
                .first()
            )
            if review is None:  # cannot happen through the workflow; never publish unapproved words
                draft.state = ArticleDraft.State.EDITING
                draft.save(update_fields=["state", "updated_at"])
                continue
            publish(article, draft, review, now=now)
            published += 1
    return published


def _comment(changed: list[str], nothing: str) -> str:
    return f"Changed {_and_join(changed)}." if changed else nothing


def _approval_note(review: ArticleReview, what: str) -> str:
    when = timezone.localdate(review.decided_at)
    note = f"{what} Approved by {review.reviewer_name} on {when:%b %-d, %Y}."
    if review.grade_reason:
        note += f" Reading grade {review.reading_grade} approved because: {review.grade_reason}"
    return note


def _and_join(items: list[str]) -> str:
    items = [items[0], *(item.lower() for item in items[1:])] if items else items
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
