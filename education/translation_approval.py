"""A clinical reviewer's approval of a translation's words: what lets patients read them (education/translation.py).

The English article is approved through its working copy (education/workflow.py); a translation is approved as it
stands, in the admin, by someone with the same permission (`education.approve_article`). The approval holds for
exactly the words approved (`approved_sha256`): an editor's later change puts the English back in front of patients,
with a notice, until a reviewer approves the new words.

A newer starter release of a translation patients read waits beside its approved words (`new_release`, queued by
`load_articles`); `approve_release` puts it in place of them and approves it, in one step, so patients go from the
approved words to the approved new ones and never read the English meanwhile. A reviewer who disagrees with it
declines it instead (`decline_release`): the approved words stay, the release leaves their lists, and the translation
records who declined which words and when, so the next `load_articles` does not bring the same words back.

A release declined by mistake is brought back (`reopen_release`): it waits for clinical review again, exactly as it
did before the decline, beside the same approved words, and the decline's record is cleared. Brought back to wait,
not approved at once: undoing a decline is then never itself a clinical decision patients would see (the words they
read do not change), and the release is approved, if at all, as any release is, from the page that shows what it
changes, with the same checks (the words shown, the English current). Only while the release still applies: the
English it translates is the article's live English, and patients read the words it was declined beside (a
translator's words since always win).

Each decision is in the audit trail too (audit.AuditEvent `approved_translation`, `approved_release`,
`declined_release` and `reopened_release`: who, when, from which address, which article and language), written in
the decision's own transaction, once: a repeat answered as done (a double click, a colleague's decision) and a
refused one add no row.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit import services as audit
from education.models import ArticleTranslation, canonical_text, english_sha256
from education.workflow import WorkflowError, approver_name, full_name

APPROVE_PERMISSION = "education.approve_article"
MSG_NOT_CURRENT = (
    "This translation was made from an older English text. Update it to say what the English article says now (and "
    "tick “matches the current English text”) before approving it."
)
MSG_NOT_A_REVIEWER = "Only a clinical reviewer can approve a translation."
MSG_CHANGED_SINCE_SHOWN = (
    "This translation was changed after you opened it, so it was not approved. Read the words as they are now, then "
    "approve them."
)


MSG_NO_RELEASE = (
    "This new release no longer waits for review: the translation's words or the English they translate changed "
    "since it was queued, or it was approved or declined already."
)
# Declining, refused for a page that showed something else: not "it was not approved ... approve them" (a colleague
# may have approved the release meanwhile, and this reviewer wanted it declined).
MSG_DECLINE_CHANGED_SINCE_SHOWN = (
    "This translation or its new release changed after you opened it, so nothing was declined. Read the page as it "
    "is now, then decide again."
)


def shown_sha256(translation: ArticleTranslation, release: dict[str, str] | None = None) -> str:
    """What a reviewer's page shows of a translation, hashed: its words and the English they were made from (an
    approval is of the words as a translation of that English: `ArticleTranslation.record_english`), and a new
    release waiting for review, when there is one (or `release`: the page as it was while that one waited)."""
    shown = f"{translation.content_sha256}:{translation.source_sha256}"
    release = release or translation.waiting_release
    if release is not None:
        shown += ":" + english_sha256(release["title"], release["summary"], release["body"])
    return hashlib.sha256(shown.encode()).hexdigest()


def approve_translation(
    translation: ArticleTranslation,
    *,
    reviewer: Any,
    shown: str | None = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ArticleTranslation:
    """Approve the translation's words as they are stored now; refused for words made from older English, and, with
    `shown` (the `shown_sha256` of what the reviewer's page showed), for words changed since, or said since to match
    other English: an editor's save (or tick) between opening and clicking was approved unseen (the stop-30 forms
    audit). Callers without a page pass None."""
    if not reviewer.has_perm(APPROVE_PERMISSION):
        raise WorkflowError(MSG_NOT_A_REVIEWER)
    name = approver_name(reviewer)  # patients read it under the translation: never a sign-in name
    with transaction.atomic():
        locked = ArticleTranslation.objects.select_for_update().select_related("article").get(pk=translation.pk)
        if shown is not None and shown != shown_sha256(locked):
            raise WorkflowError(MSG_CHANGED_SINCE_SHOWN)
        if not locked.is_current:
            raise WorkflowError(MSG_NOT_CURRENT)
        if locked.is_approved:
            return locked  # approved already, these very words (a double click): the first approval's record kept
        locked.approved_sha256 = locked.content_sha256
        locked.approved_by = reviewer
        locked.approved_by_name = name
        locked.approved_at = now or timezone.now()
        # A save, not an update: the public-page cache hears of it (education/cache.py) and drops the pages.
        locked.save(update_fields=["approved_sha256", "approved_by", "approved_by_name", "approved_at"])
        audit.record("approved_translation", actor=reviewer, request=request, detail=audit_detail(locked))
    return locked


def approve_release(
    translation: ArticleTranslation,
    *,
    reviewer: Any,
    shown: str | None = None,
    shown_words: str | None = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ArticleTranslation:
    """Put the new release waiting on a translation in place of its words, approved: what patients read from now on.
    Refused, as `approve_translation` is, for a page that showed something else (`shown`) and for a translation of
    older English; and when no release waits any more (a translator's words set it aside). A page that showed the
    release now in place of the words it showed (`shown_words`, their `content_sha256`), approved, is answered as
    approved (a double click, a colleague's approval), the first approval's record kept."""
    if not reviewer.has_perm(APPROVE_PERMISSION):
        raise WorkflowError(MSG_NOT_A_REVIEWER)
    name = approver_name(reviewer)  # patients read it under the translation: never a sign-in name
    with transaction.atomic():
        locked = ArticleTranslation.objects.select_for_update().select_related("article").get(pk=translation.pk)
        if shown is not None and shown != shown_sha256(locked):
            if _approved_as_shown(locked, shown, shown_words):
                return locked  # approved already, exactly the release this page showed
            raise WorkflowError(MSG_CHANGED_SINCE_SHOWN)
        release = locked.waiting_release
        if release is None:
            raise WorkflowError(MSG_NO_RELEASE)
        if not locked.is_current:
            raise WorkflowError(MSG_NOT_CURRENT)
        locked.title = release["title"]
        locked.summary = canonical_text(release["summary"])
        locked.body = canonical_text(release["body"])
        locked.new_release = {}
        locked.approved_sha256 = english_sha256(locked.title, locked.summary, locked.body)  # as save() hashes them
        locked.approved_by = reviewer
        locked.approved_by_name = name
        locked.approved_at = now or timezone.now()
        locked.save()  # the words and the approval at once: patients never read the English in between
        audit.record("approved_release", actor=reviewer, request=request, detail=audit_detail(locked))
    return locked


def _approved_as_shown(translation: ArticleTranslation, shown: str, shown_words: str | None) -> bool:
    """Whether the translation holds, approved, exactly the release a page showed waiting over `shown_words` (the
    `content_sha256` of the words it showed) and the same English: the page's `shown_sha256` as it was then, with
    the release's words the ones stored now. Not once the English changed since: patients read the English then, not
    the release ("Approved: patients ... now see the new release" would be false)."""
    if not shown_words or translation.waiting_release is not None or not translation.is_approved:
        return False
    if not translation.is_current:
        return False
    then = f"{shown_words}:{translation.source_sha256}:{translation.content_sha256}"
    return shown == hashlib.sha256(then.encode()).hexdigest()


def decline_release(
    translation: ArticleTranslation,
    *,
    reviewer: Any,
    shown: str | None = None,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> ArticleTranslation:
    """Set aside the new release waiting on a translation: patients keep reading the approved words, and the release
    no longer waits for anyone (the reviewers' lists and e-mail). Kept on the translation: the words declined, of which
    English, so that `load_articles` does not queue them again (education/services.py `_queue_release`), and who
    declined them and when. Refused, as `approve_release` is, for a page that showed something else and when no
    release waits any more; a page that showed the release declined since (a double click, a colleague's decline) is
    answered as declined, the first decline's record kept."""
    if not reviewer.has_perm(APPROVE_PERMISSION):
        raise WorkflowError(MSG_NOT_A_REVIEWER)
    with transaction.atomic():
        # The article is read for the audit row's detail, not locked: an editor's save of it need not wait.
        locked = (
            ArticleTranslation.objects.select_for_update(of=("self",)).select_related("article").get(pk=translation.pk)
        )
        if shown is not None and shown != shown_sha256(locked):
            declined = locked.declined_release or {}
            if locked.waiting_release is None and locked.declined(declined) and shown == shown_sha256(locked, declined):
                return locked  # declined already, exactly as this page showed it
            raise WorkflowError(MSG_DECLINE_CHANGED_SINCE_SHOWN)
        release = locked.waiting_release
        if release is None:
            raise WorkflowError(MSG_NO_RELEASE)
        locked.declined_release = {field: release[field] for field in ("title", "summary", "body", "english")}
        locked.new_release = {}
        locked.release_declined_by = reviewer
        locked.release_declined_by_name = full_name(reviewer)
        locked.release_declined_at = now or timezone.now()
        # An update of these columns alone: nothing patients read changes, nor who last saved the words (as
        # `_queue_release` queues it).
        ArticleTranslation.objects.filter(pk=locked.pk).update(
            declined_release=locked.declined_release,
            new_release={},
            release_declined_by=reviewer,
            release_declined_by_name=locked.release_declined_by_name,
            release_declined_at=locked.release_declined_at,
        )
        audit.record("declined_release", actor=reviewer, request=request, detail=audit_detail(locked))
    return locked


MSG_NOTHING_TO_REOPEN = (
    "This translation changed after you opened it, so nothing was brought back: the declined release no longer "
    "applies (the English or the translation's words changed since, or a release waits or was approved already). "
    "Read the page as it is now."
)


def declined_last(translation: ArticleTranslation) -> bool:
    """The reviewers' last word on the translation was declining a release: not once they approved words since (a
    newer release, or an editor's words), which patients now read instead of the ones the note said they keep."""
    declined_at, approved_at = translation.release_declined_at, translation.approved_at
    return declined_at is not None and (approved_at is None or declined_at >= approved_at)


def can_reopen(translation: ArticleTranslation) -> bool:
    """Whether the release declined last could wait for review again as it did: no release waits, it translates the
    article's live English, and patients read the words it was declined beside (approved before the decline and
    unchanged since: a translator's words since, or an approval since, and it no longer applies)."""
    declined = translation.declined_release or {}
    return (
        bool(declined)
        and translation.waiting_release is None
        and declined_last(translation)
        and translation.is_approved
        and translation.is_current
        and declined.get("english") == translation.source_sha256
    )


def declined_words(translation: ArticleTranslation) -> str:
    """The declined release's words, hashed (empty: none declined): what a page offering to bring it back showed."""
    declined = translation.declined_release or {}
    if not declined:
        return ""
    return english_sha256(declined["title"], declined["summary"], declined["body"])


def reopen_release(
    translation: ArticleTranslation,
    *,
    reviewer: Any,
    shown: str | None = None,
    shown_declined: str | None = None,
    request: HttpRequest | None = None,
) -> ArticleTranslation:
    """Bring the release declined last back to wait for clinical review, as it waited before the decline: beside the
    approved words patients keep reading, the decline's record cleared (so a later `load_articles` leaves it waiting
    rather than skipping it). Refused for a page that showed other words or English (`shown`) or another declined
    release (`shown_declined`, its `declined_words`), and when it no longer applies (`can_reopen`); a page whose
    release waits already, brought back (a double click, a colleague), is answered as brought back."""
    if not reviewer.has_perm(APPROVE_PERMISSION):
        raise WorkflowError(MSG_NOT_A_REVIEWER)
    with transaction.atomic():
        locked = (
            ArticleTranslation.objects.select_for_update(of=("self",)).select_related("article").get(pk=translation.pk)
        )
        release = locked.waiting_release
        if release is not None and shown is not None and shown_declined:
            words = english_sha256(release["title"], release["summary"], release["body"])
            page = hashlib.sha256(f"{locked.content_sha256}:{locked.source_sha256}".encode()).hexdigest()
            if shown == page and words == shown_declined and locked.is_current:
                return locked  # brought back already, exactly the release this page showed declined
        if shown is not None and shown != shown_sha256(locked):
            raise WorkflowError(MSG_NOTHING_TO_REOPEN)
        if shown_declined is not None and shown_declined != declined_words(locked):
            raise WorkflowError(MSG_NOTHING_TO_REOPEN)
        if not can_reopen(locked):
            raise WorkflowError(MSG_NOTHING_TO_REOPEN)
        declined = locked.declined_release
        locked.new_release = {
            "title": declined["title"],
            "summary": declined["summary"],
            "body": declined["body"],
            "over": locked.content_sha256,  # queued as `_queue_release` queues it (education/services.py)
            "english": locked.source_sha256,
        }
        locked.declined_release = {}
        locked.release_declined_by = None
        locked.release_declined_by_name = ""
        locked.release_declined_at = None
        # An update of these columns alone, as a decline: nothing patients read changes, nor who last saved the words.
        ArticleTranslation.objects.filter(pk=locked.pk).update(
            new_release=locked.new_release,
            declined_release={},
            release_declined_by=None,
            release_declined_by_name="",
            release_declined_at=None,
        )
        audit.record("reopened_release", actor=reviewer, request=request, detail=audit_detail(locked))
    return locked


def audit_detail(translation: ArticleTranslation) -> str:
    """Which translation a decision was on, for the audit trail: the article's number and address, the language."""
    article = translation.article
    return f"article #{article.pk} {article.slug}, {translation.get_language_display()} translation #{translation.pk}"
