"""What "Recover deleted articles" brings back with an article: its translations (the stop-34 audit: an approved
Spanish translation was deleted with its article and never came back, as translations kept no version).

Just before an article is deleted (the admin's delete page or its bulk action), one last version of it is stored
with every translation of it, as they are, in one revision (`keep_before_delete`, a pre_delete receiver).
`workflow.recover` puts the article back, then its translations from the newest such revision (`restore_translations`):
their words, and their approval, which holds while the English is the English it approved, as it is for any
translation.
"""

from __future__ import annotations

import contextvars
from typing import Any

import reversion
from django.contrib.auth import get_user_model
from reversion import revisions
from reversion.models import Version

from education.models import Article, ArticleTranslation


def keep_before_delete(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    # A revision of its own, saved now. Inside another one (the admin's list page runs its "Delete selected" in one)
    # it would join it, and that one is saved after the rows are gone, when django-reversion keeps no version of
    # them: nothing was kept (review of the stop-34 commits). So it runs where no revision is open.
    contextvars.copy_context().run(_keep, instance)


def _keep(instance: Article) -> None:
    revisions._stack.set([])  # django-reversion's stack of open revisions (this context's copy only)
    translations = list(ArticleTranslation.objects.filter(article=instance))
    with reversion.create_revision():
        reversion.set_comment("Deleted (kept with its translations, to be recovered).")
        reversion.add_to_revision(instance)
        for translation in translations:
            reversion.add_to_revision(translation)


def restore_translations(article: Article) -> int:
    """The translations kept when `article` was last deleted, back on it (those in a language it has no translation
    in now); returns how many."""
    newest = Version.objects.get_for_object_reference(Article, article.pk).order_by("-revision__date_created").first()
    if newest is None:
        return 0
    kept = Version.objects.get_for_model(ArticleTranslation).filter(revision=newest.revision)
    have = set(ArticleTranslation.objects.filter(article=article).values_list("language", flat=True))
    restored = 0
    for version in kept:
        translation = version._object_version.object  # the stored row, unsaved
        if translation.article_id != article.pk or translation.language in have:
            continue
        approver = translation.approved_by_id
        if approver is not None and not get_user_model().objects.filter(pk=approver).exists():
            translation.approved_by_id = None  # the account is gone; the name stays on it
        translation.pk = None
        translation.save()  # the model's save: its page text and search words are made again from the words
        have.add(translation.language)
        restored += 1
    return restored
