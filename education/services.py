"""Writes for the education library: loading the starter articles.

`load_starter_library` is safe to run on every deploy. For each starter file it remembers (in StarterImport) a hash
of the file and a hash of the article exactly as it wrote it. On a later run an article is:
- created, if it was never loaded: published, and "awaiting clinical review" (no reviewer) until one of the clinic's
  clinical reviewers approves it (education/workflow.py); the admin shows a banner, and reviewers get it in their
  daily list;
- updated, if the file changed and the article is still exactly what the loader last wrote and nobody has approved
  it yet;
- given a working copy "waiting for clinical review" with the new text, if the file changed and the article is as
  loaded but a reviewer has approved it since: approved words never change without a new approval;
- kept as it is, if an editor has changed it (or unpublished it, or has a working copy of it) since, or deleted it:
  editors always win.

Each article's starter translations (`es/<file>`) are added when the article has none in that language. One already
there is replaced by the file only while it still has the words of an earlier starter release (`es/released.txt`),
patients are not reading it, and the article's English is the starter file's; anything else keeps it
(`_load_translations`). One that patients read, otherwise alike, gets the file's words as a new release waiting for a
clinical reviewer beside the approved words patients keep reading (`_queue_release`), unless a reviewer declined
those very words before.

Approving an article does not count as changing it: the hash covers what editors write, not the review stamp or the
next review date.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.db import transaction
from django.utils import timezone

from education import workflow
from education.models import (
    Article,
    ArticleDraft,
    ArticleTranslation,
    StarterImport,
    Topic,
    TopicTranslation,
    english_sha256,
)
from education.starter import (
    STARTER_DIR,
    STARTER_TOPIC_TRANSLATIONS,
    STARTER_TOPICS,
    StarterArticle,
    StarterTranslation,
    read_released_translations,
    read_starter_library,
    read_starter_translations,
)
from education.translation import is_shown

CREATED = "created (awaiting clinical review)"
UPDATED = "updated"
UNCHANGED = "unchanged"
PROPOSED = "new version waiting for clinical review"
KEPT_EDITED = "kept (changed by an editor)"
KEPT_DRAFT = "kept (an editor has a working copy)"
KEPT_DELETED = "kept deleted (removed by an editor)"
KEPT_NOT_LOADED = "kept (an article with this address was not made by the loader)"

LOADER_COMMENT = "Loaded from the starter library (manage.py load_articles)."


TRANSLATION_ADDED = "added"
TRANSLATION_UPDATED = "updated (an earlier release's words, which nobody had changed; awaiting clinical review)"
TRANSLATION_KEPT = "kept (already this release's words)"
TRANSLATION_KEPT_CHANGED = "kept (a translator has changed it: translators' changes always win)"
TRANSLATION_KEPT_READ = (
    "kept for now (patients read its approved words; a later load brings the new ones once the new English is live)"
)
TRANSLATION_KEPT_OTHER_ENGLISH = (
    "kept (the article's live English is not this release's: the new words do not translate it)"
)
TRANSLATION_NO_ARTICLE = "not loaded (no starter article with this address)"
TRANSLATION_RELEASE_WAITING = (
    "new release waiting for clinical review (patients read the approved words until a reviewer approves it)"
)
TRANSLATION_RELEASE_STILL_WAITING = "kept (its new release already waits for clinical review)"
TRANSLATION_RELEASE_DECLINED = "kept (a clinical reviewer declined this release: patients read the approved words)"


@dataclass
class LoadReport:
    outcomes: dict[str, str] = field(default_factory=dict)
    translations: dict[str, str] = field(default_factory=dict)  # "<slug> (<language>)" -> outcome

    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())


def fingerprint(content: workflow.Content, *, status: str, published_at: str | None) -> str:
    """A hash of everything an editor can change on an article: its editable fields (topics and related by slug, so
    the hash means the same in every database), its status and publish time."""
    values = workflow.normalized(content)
    slugs = dict(Article.objects.filter(pk__in=values["related"]).values_list("pk", "slug"))
    topics = dict(Topic.objects.filter(pk__in=values["topics"]).values_list("pk", "slug"))
    values["related"] = sorted(slugs[pk] for pk in values["related"] if pk in slugs)
    values["topics"] = sorted(topics[pk] for pk in values["topics"] if pk in topics)
    values.pop("next_review_due")  # moved on by each approval, never written by the loader
    payload = {**values, "status": status, "published_at": published_at}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def content_fingerprint(article: Article) -> str:
    published_at = article.published_at.isoformat() if article.published_at else None
    return fingerprint(workflow.live_content(article), status=article.status, published_at=published_at)


def keep_links_untouched(sender: type[Article], instance: Article, **kwargs: object) -> None:
    """`instance` is about to be deleted (a pre_delete receiver): a starter article that links to it, and that nobody
    has edited, keeps its record's fingerprint as it will be without the link, so later starter releases still reach
    it. The link going with a deleted article made every article listing it "kept (changed by an editor)" (the
    stop-34 README audit)."""
    deleted = instance
    linking = list(Article.objects.filter(related=deleted))
    records = {record.slug: record for record in StarterImport.objects.filter(slug__in=[a.slug for a in linking])}
    for article in linking:
        record = records.get(article.slug)
        if record is None or content_fingerprint(article) != record.content_sha256:
            continue  # not the loader's, or an editor's changes: nothing to keep
        content = workflow.live_content(article)
        content["related"] = [pk for pk in content["related"] if pk != deleted.pk]
        published_at = article.published_at.isoformat() if article.published_at else None
        record.content_sha256 = fingerprint(content, status=article.status, published_at=published_at)
        record.save(update_fields=["content_sha256"])


def _ensure_topics() -> dict[str, Topic]:
    """The starter topics, each with its names in the other languages where it has none yet (never replaced)."""
    topics = {}
    for slug, (name, description) in STARTER_TOPICS.items():
        topics[slug], _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for language, names in STARTER_TOPIC_TRANSLATIONS.items():
        for slug, (name, description) in names.items():
            TopicTranslation.objects.get_or_create(
                topic=topics[slug], language=language, defaults={"name": name, "description": description}
            )
    return topics


def _starter_content(starter: StarterArticle, article: Article, topics: dict[str, Topic]) -> workflow.Content:
    related = Article.objects.filter(slug__in=starter.related).values_list("pk", flat=True)
    return workflow.normalized(
        {
            "title": starter.title,
            "slug": starter.slug,
            "summary": starter.summary,
            "body": starter.body,
            "topics": [topics[slug].pk for slug in starter.topics],
            "related": list(related),
            "featured": starter.featured,
            "author": starter.author,
            "next_review_due": article.next_review_due,
            "sources": "\n".join(starter.sources),
        }
    )


def _decide(starter: StarterArticle, article: Article | None, record: StarterImport | None) -> str:
    if record is None:
        return CREATED if article is None else KEPT_NOT_LOADED
    if article is None:
        return KEPT_DELETED
    draft = ArticleDraft.objects.filter(article=article).first()
    if draft is not None:
        return PROPOSED if record.source_sha256 == starter.source_sha256 and draft.created_by is None else KEPT_DRAFT
    if content_fingerprint(article) != record.content_sha256:
        return KEPT_EDITED
    if record.source_sha256 == starter.source_sha256:
        return UNCHANGED
    return PROPOSED if article.is_clinically_reviewed else UPDATED


def _write(starter: StarterArticle, article: Article | None, topics: dict[str, Topic]) -> Article:
    article = article or Article(slug=starter.slug, status=Article.Status.PUBLISHED, published_at=timezone.now())
    article.title = starter.title
    article.summary = starter.summary
    article.body = starter.body
    article.featured = starter.featured
    article.author = starter.author
    article.sources = "\n".join(starter.sources)
    article.save()
    article.topics.set([topics[slug] for slug in starter.topics])
    return article


def _propose(starter: StarterArticle, article: Article, topics: dict[str, Topic]) -> str:
    """The new release of an approved article, as a working copy sent for clinical review. Returns the hash the
    article will have once it is approved and published."""
    content = _starter_content(starter, article, topics)
    ArticleDraft.objects.create(
        article=article,
        content=content,
        content_sha256=workflow.content_sha256(content),
        state=ArticleDraft.State.AWAITING_REVIEW,
        submitted_at=timezone.now(),
    )
    published_at = article.published_at.isoformat() if article.published_at else None
    return fingerprint(content, status=article.status, published_at=published_at)


def _why_kept(
    found: ArticleTranslation, translation: StarterTranslation, source: StarterArticle, released: frozenset[str]
) -> str | None:
    """Why a starter translation already in the database keeps its words (the report's line), or None when it may take
    the file's new words, which is when:
    - its words are exactly one earlier release's (`released`): no translator has changed them;
    - patients are not reading it (never approved, or made from English that has changed since): approved words stay
      in front of patients until a reviewer approves new ones, as an approved English article does (`_propose`;
      `_queue_release` puts the new words in front of a reviewer);
    - the article's live English is the starter file's, which the new words translate: not an editor's own English,
      nor the last release's while a new one waits for clinical review (a later load brings the translation then).
    """
    words = english_sha256(found.title, found.summary, found.body)
    if words == english_sha256(translation.title, translation.summary, translation.body):
        return TRANSLATION_KEPT
    if words not in released:
        return TRANSLATION_KEPT_CHANGED
    if is_shown(found, found.article):
        return TRANSLATION_KEPT_READ
    if found.article.english_sha256 != english_sha256(source.title, source.summary, source.body):
        return TRANSLATION_KEPT_OTHER_ENGLISH
    return None


def _queue_release(found: ArticleTranslation, translation: StarterTranslation) -> str:
    """The file's words as a new release of a translation patients read (an earlier release's words, untouched, of the
    English live now), waiting for a clinical reviewer: the approved words stay in front of patients until one
    approves the new ones (education/translation_approval.py). Queued once: a later load finds it waiting. Words a
    reviewer declined (`decline_release`) are not queued again; a newer text is."""
    if found.declined({"title": translation.title, "summary": translation.summary, "body": translation.body}):
        return TRANSLATION_RELEASE_DECLINED
    release = {
        "title": translation.title,
        "summary": translation.summary,
        "body": translation.body,
        "over": found.content_sha256,
        "english": found.source_sha256,
    }
    if found.waiting_release == release:
        return TRANSLATION_RELEASE_STILL_WAITING
    # An update, not a save: nothing patients read changes, nor who last saved the words.
    ArticleTranslation.objects.filter(pk=found.pk).update(new_release=release)
    return TRANSLATION_RELEASE_WAITING


def _load_translations(
    translations: list[StarterTranslation],
    starters: list[StarterArticle],
    released: dict[tuple[str, str], frozenset[str]],
) -> dict[str, str]:
    """Add each starter translation to its article when the article has none in that language yet, or bring an
    earlier release's untouched words up to date (`_why_kept` says when not).

    A translation records the starter file's English as the English it was made from, so an article whose English an
    editor has changed shows it with the "older English" notice until a translator brings it up to date. One whose
    words a translator changed is never replaced (the words are compared with every release's, `es/released.txt`).
    A replaced translation waits for a clinical reviewer's approval, as a new one does; one that patients read keeps
    its words and gets the file's as a new release for a reviewer (`_queue_release`) when the English is the file's.
    """
    english = {starter.slug: starter for starter in starters}
    articles = {a.slug: a for a in Article.objects.filter(slug__in=[t.slug for t in translations if t.slug in english])}
    existing = {
        (found.article.slug, found.language): found
        for found in ArticleTranslation.objects.filter(article__in=articles.values()).select_related("article")
    }
    outcomes = {}
    for translation in translations:
        key = f"{translation.slug} ({translation.language})"
        article = articles.get(translation.slug)
        found = existing.get((translation.slug, translation.language))
        if article is None:
            outcomes[key] = TRANSLATION_NO_ARTICLE
            continue
        source = english[translation.slug]
        if found is None:
            made = ArticleTranslation(article=article, language=translation.language)
            outcomes[key] = TRANSLATION_ADDED
        else:
            kept = _why_kept(
                found, translation, source, released.get((translation.language, translation.slug), frozenset())
            )
            if kept == TRANSLATION_KEPT_READ and found.article.english_sha256 == english_sha256(
                source.title, source.summary, source.body
            ):
                outcomes[key] = _queue_release(found, translation)
                continue
            if kept is not None:
                outcomes[key] = kept
                continue
            made = found
            outcomes[key] = TRANSLATION_UPDATED
        made.title, made.summary, made.body = translation.title, translation.summary, translation.body
        made.record_english(title=source.title, summary=source.summary, body=source.body)
        made.save()
    return outcomes


@transaction.atomic
def load_starter_library(directory: Path = STARTER_DIR) -> LoadReport:
    """Create or refresh the starter articles (all or nothing); see the module docstring for the rules."""
    starters = read_starter_library(directory)
    topics = _ensure_topics()
    slugs = [starter.slug for starter in starters]
    articles = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    records = {r.slug: r for r in StarterImport.objects.filter(slug__in=slugs)}
    report = LoadReport()
    written: dict[str, Article] = {}
    proposed: dict[str, str] = {}
    with reversion.create_revision():
        reversion.set_comment(LOADER_COMMENT)
        for starter in starters:
            outcome = _decide(starter, articles.get(starter.slug), records.get(starter.slug))
            if (
                outcome == PROPOSED
                and starter.slug in records
                and records[starter.slug].source_sha256 != (starter.source_sha256)
            ):
                proposed[starter.slug] = _propose(starter, articles[starter.slug], topics)
            report.outcomes[starter.slug] = outcome
            if outcome in (CREATED, UPDATED):
                written[starter.slug] = _write(starter, articles.get(starter.slug), topics)
        # Related links need every article to exist first.
        by_slug = {a.slug: a for a in Article.objects.filter(slug__in={s for st in starters for s in st.related})}
        for starter in starters:
            if starter.slug in written:
                written[starter.slug].related.set([by_slug[s] for s in starter.related if s in by_slug])
        report.translations = _load_translations(
            read_starter_translations(directory), starters, read_released_translations(directory)
        )
    now = timezone.now()
    for starter in starters:
        if starter.slug in written or starter.slug in proposed:
            content_sha256 = proposed.get(starter.slug) or content_fingerprint(written[starter.slug])
            StarterImport.objects.update_or_create(
                slug=starter.slug,
                defaults={"source_sha256": starter.source_sha256, "content_sha256": content_sha256, "loaded_at": now},
            )
    return report
