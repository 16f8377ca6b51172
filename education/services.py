"""Writes for the education library: loading the starter articles.

`load_starter_library` is safe to run on every deploy. For each starter file it remembers (in StarterImport) a hash
of the file and a hash of the article exactly as it wrote it. On a later run an article is:
- created, if it was never loaded;
- updated, if the file changed and the article is still exactly what the loader last wrote;
- kept as it is, if an editor has changed it (or unpublished it) since, or deleted it: editors always win.
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

from education.models import Article, StarterImport, Topic
from education.starter import STARTER_DIR, STARTER_TOPICS, StarterArticle, read_starter_library

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
KEPT_EDITED = "kept (changed by an editor)"
KEPT_DELETED = "kept deleted (removed by an editor)"
KEPT_NOT_LOADED = "kept (an article with this address was not made by the loader)"


@dataclass
class LoadReport:
    outcomes: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())


def content_fingerprint(article: Article) -> str:
    """A hash of everything an editor can change on an article (saved article, topics and related included)."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "sources": article.sources,
        "featured": article.featured,
        "author": article.author,
        "reviewed_by": article.reviewed_by,
        "reviewed_on": str(article.reviewed_on),
        "next_review_due": str(article.next_review_due),
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "topics": sorted(article.topics.values_list("slug", flat=True)),
        "related": sorted(article.related.values_list("slug", flat=True)),
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _ensure_topics() -> dict[str, Topic]:
    topics = {}
    for slug, (name, description) in STARTER_TOPICS.items():
        topics[slug], _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    return topics


def _decide(starter: StarterArticle, article: Article | None, record: StarterImport | None) -> str:
    if record is None:
        return CREATED if article is None else KEPT_NOT_LOADED
    if article is None:
        return KEPT_DELETED
    if content_fingerprint(article) != record.content_sha256:
        return KEPT_EDITED
    return UNCHANGED if record.source_sha256 == starter.source_sha256 else UPDATED


def _write(starter: StarterArticle, article: Article | None, topics: dict[str, Topic]) -> Article:
    article = article or Article(slug=starter.slug, status=Article.Status.PUBLISHED, published_at=timezone.now())
    article.title = starter.title
    article.summary = starter.summary
    article.body = starter.body
    article.featured = starter.featured
    article.author = starter.author
    article.reviewed_by = starter.reviewed_by
    article.reviewed_on = starter.reviewed_on
    article.next_review_due = starter.next_review_due
    article.sources = "\n".join(starter.sources)
    article.save()
    article.topics.set([topics[slug] for slug in starter.topics])
    return article


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
    with reversion.create_revision():
        reversion.set_comment("Loaded from the starter library (manage.py load_articles).")
        for starter in starters:
            outcome = _decide(starter, articles.get(starter.slug), records.get(starter.slug))
            report.outcomes[starter.slug] = outcome
            if outcome in (CREATED, UPDATED):
                written[starter.slug] = _write(starter, articles.get(starter.slug), topics)
        # Related links need every article to exist first.
        by_slug = {a.slug: a for a in Article.objects.filter(slug__in={s for st in starters for s in st.related})}
        for starter in starters:
            if starter.slug in written:
                written[starter.slug].related.set([by_slug[s] for s in starter.related if s in by_slug])
    now = timezone.now()
    for starter in starters:
        if starter.slug in written:
            StarterImport.objects.update_or_create(
                slug=starter.slug,
                defaults={
                    "source_sha256": starter.source_sha256,
                    "content_sha256": content_fingerprint(written[starter.slug]),
                    "loaded_at": now,
                },
            )
    return report
