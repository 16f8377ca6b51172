"""When an article's page last changed without the article being saved: `Article.page_changed_at`.

An article's page shows more than its own row: its topics' names (in the reader's language), its "Read next" list
(each listed article's title and summary, in the reader's language where patients may read its translation) and,
in its head, its versions in other languages patients may read (hreflang: its own translation approved, changed
and not yet approved, deleted). A change to any of those changes the page, and the sitemap's `lastmod` says so
(education/sitemaps.py: the later of `updated_at` and `page_changed_at`; a Spanish address also its translation's
release). Each change here is one UPDATE of the articles whose pages show what changed, found through the index of
the relation, once the change is committed (`pages_changed` says why); nothing is read, but before a clear or a
delete (the relation then gone) and before a translation is saved or deleted (whether patients may read it).

Written by signals (connected in EducationConfig.ready), as the public-page cache hears of the same changes
(education/cache.py). Not seen, as there: writes that bypass the models (`QuerySet.update()`, bulk SQL, a
migration's), and an article going live at its publish time with no save (the "Read next" lists showing it then;
its own page's `lastmod` is its publish time at least). A Spanish-only change (a topic's Spanish name, a listed
article's translation) moves the English address's `lastmod` too: one column for both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from education import cache
from education.models import Article, ArticleTranslation, Topic, TopicTranslation
from education.translation import shown_condition

CHANGING = ("post_add", "post_remove", "post_clear")


def pages_changed(showing: Q, *, before_delete: bool = False) -> None:
    """The pages of the articles `showing` selects changed now: written once the transaction commits.

    Not in the transaction making the change: its UPDATE would lock the rows of other articles (those listing the
    saved one under "Read next") while the saved one's row is locked, and two such saves, or a save beside a workflow
    holding the other article `FOR UPDATE`, waited on each other until PostgreSQL ended one ("deadlock detected").
    `before_delete`: the relation `showing` reads is about to go (a clear, a delete), so the articles are found now.
    The public-page cache's generation is changed again after the write: its own change on commit ran first, and a
    sitemap made in between would be kept with the old `lastmod`."""
    if before_delete:
        showing = Q(pk__in=list(Article.objects.filter(showing).values_list("pk", flat=True)))

    def write() -> None:
        # The time of the commit, when readers can see the change (and in the order the writes were committed).
        if Article.objects.filter(showing).update(page_changed_at=timezone.now()):
            cache.library_changed()

    transaction.on_commit(write, robust=True)


def _ids(pks: Iterable[int] | None) -> list[int]:
    return list(pks or ())


def _changed_through(relation: str) -> Callable[..., None]:
    """A receiver for an article's many-to-many `relation` (its topics, its "Read next" list): from the article's
    side (`article.topics.add(...)`) its page changed; from the other side (`topic.articles.add(...)`, a listed
    article's) the pages of the articles added or removed, or, before a clear, of all the articles it was linked to."""

    def changed(*, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **_kwargs: Any) -> None:
        if not reverse:
            if action in CHANGING and (pk_set or action == "post_clear"):
                pages_changed(Q(pk=instance.pk))
        elif action in ("post_add", "post_remove") and pk_set:
            pages_changed(Q(pk__in=_ids(pk_set)))
        elif action == "pre_clear":
            pages_changed(Q(**{relation: instance}), before_delete=True)

    return changed


_topics_changed = _changed_through("topics")
_related_changed = _changed_through("related")


def _topic_saved(*, instance: Topic, created: bool = False, **_kwargs: Any) -> None:
    if not created:
        pages_changed(Q(topics=instance))


def _topic_deleted(*, instance: Topic, **_kwargs: Any) -> None:
    """Before the topic goes: its links to articles are deleted with it, without a signal of their own."""
    pages_changed(Q(topics=instance), before_delete=True)


def _topic_name_changed(*, instance: TopicTranslation, **_kwargs: Any) -> None:
    pages_changed(Q(topics=instance.topic_id))


def _listed_article_changed(*, instance: Article, **_kwargs: Any) -> None:
    """Saved (its title, its being live): the "Read next" lists showing it change."""
    pages_changed(Q(related=instance.pk))


def _listed_article_deleted(*, instance: Article, **_kwargs: Any) -> None:
    """About to be deleted: the "Read next" lists that showed it change."""
    pages_changed(Q(related=instance.pk), before_delete=True)


def _listed_translation_changed(*, instance: ArticleTranslation, **_kwargs: Any) -> None:
    pages_changed(Q(related=instance.article_id))


def _shown_as_stored(translation: ArticleTranslation) -> bool:
    """Patients may read the translation as its row and its article's stand in the database (`is_shown`)."""
    shown = ArticleTranslation.objects.filter(shown_condition(english=F("article__english_sha256")), pk=translation.pk)
    return not translation._state.adding and shown.exists()


def _translation_about_to_change(*, instance: ArticleTranslation, **_kwargs: Any) -> None:
    """Before a translation is saved or deleted: whether patients may read it now."""
    instance._was_shown = _shown_as_stored(instance)  # type: ignore[attr-defined]


def _own_translation_saved(*, instance: ArticleTranslation, **_kwargs: Any) -> None:
    """The article's own pages name its version in the translation's language (hreflang) only while patients may
    read it: when that starts or stops (approved; words changed, not yet approved), its English page changed too.
    Not on a save that leaves it as it was (a release approved over approved words changes the translated page
    only, its `lastmod` the release's: education/sitemaps.py)."""
    if _shown_as_stored(instance) != getattr(instance, "_was_shown", False):
        pages_changed(Q(pk=instance.article_id))


def _own_translation_deleted(*, instance: ArticleTranslation, **_kwargs: Any) -> None:
    if getattr(instance, "_was_shown", False):
        pages_changed(Q(pk=instance.article_id))


def connect_signals() -> None:
    """Called by EducationConfig.ready."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    uid = "page-changed-at"
    m2m_changed.connect(_topics_changed, sender=Article.topics.through, dispatch_uid=f"{uid}-topics")
    m2m_changed.connect(_related_changed, sender=Article.related.through, dispatch_uid=f"{uid}-related")
    post_save.connect(_topic_saved, sender=Topic, dispatch_uid=f"{uid}-topic-saved")
    pre_delete.connect(_topic_deleted, sender=Topic, dispatch_uid=f"{uid}-topic-deleted")
    for what, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(_topic_name_changed, sender=TopicTranslation, dispatch_uid=f"{uid}-topic-name-{what}")
        signal.connect(
            _listed_translation_changed, sender=ArticleTranslation, dispatch_uid=f"{uid}-listed-translation-{what}"
        )
    for signal in (pre_save, pre_delete):
        signal.connect(_translation_about_to_change, sender=ArticleTranslation, dispatch_uid=f"{uid}-own-translation")
    post_save.connect(_own_translation_saved, sender=ArticleTranslation, dispatch_uid=f"{uid}-own-translation-saved")
    post_delete.connect(
        _own_translation_deleted, sender=ArticleTranslation, dispatch_uid=f"{uid}-own-translation-deleted"
    )
    post_save.connect(_listed_article_changed, sender=Article, dispatch_uid=f"{uid}-listed-article-saved")
    pre_delete.connect(_listed_article_deleted, sender=Article, dispatch_uid=f"{uid}-listed-article-deleted")
