from __future__ import annotations

import datetime
import re

import factory
from django.utils import timezone

from education.models import Article, ArticleTranslation, Topic


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary of what you will learn."
    body = "## A heading\n\nSome plain words about backs. Walk a little every day.\n\n- Rest.\n- Move.\n"
    sources = "First source.\nSecond source."
    author = "Education team"
    reviewed_by = "Dr. Sam Rivera, MD"
    # Reviewed two months ago, due in ten months, whenever the suite runs: fixed dates (due 2027-10-01) made every
    # article overdue from then on, with a badge, a "next review due" change in its history and the public page
    # leaving the due date out.
    reviewed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    next_review_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=305))
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def related(self, create, extracted, **kwargs):
        if create and extracted:
            self.related.set(extracted)


def approve_translations() -> None:
    """Every translation made from its article's live English approved by a clinical reviewer, as a clinic's reviewer
    would before patients read them (education/translation_approval.py)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import CLINICAL_REVIEWERS
    from education.models import ArticleTranslation
    from education.translation_approval import approve_translation

    reviewer, _ = get_user_model().objects.get_or_create(
        username="translation-reviewer", defaults={"first_name": "Tess", "last_name": "Reviewer"}
    )
    reviewer.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    reviewer = get_user_model().objects.get(pk=reviewer.pk)  # permissions read afresh
    for translation in ArticleTranslation.objects.select_related("article"):
        if translation.is_current and not translation.is_approved:
            approve_translation(translation, reviewer=reviewer)


def edit_translation_after_approval(article: Article, body: str = "Palabras cambiadas después de aprobarlas.") -> None:
    """An editor changes the words of the article's approved translation: patients read the English until a reviewer
    approves the new words."""
    from education.models import ArticleTranslation

    translation = ArticleTranslation.objects.get(article=article)
    translation.body = body
    translation.save()


def change_english_after_translation(article: Article, summary: str = "Words changed after the translation.") -> None:
    """The article's live English changes: its translation is of older English, and patients read the English."""
    article.summary = summary
    article.save()


def spanish_with_a_new_release(article: Article, title: str = "Señales de alarma") -> ArticleTranslation:
    """The article's Spanish, approved and read by patients, with a newer starter release of it queued for a clinical
    reviewer the way `load_articles` queues one (education/services.py): patients keep reading the approved words."""
    from education.services import _queue_release
    from education.starter import StarterTranslation

    translation = ArticleTranslation(
        article=article, language="es", title=title, summary="Resumen.", body="## Otros\n\nPalabras aprobadas."
    )
    translation.record_source(article)
    translation.save()
    approve_translations()
    release = StarterTranslation("es", article.slug, title, "Resumen.", "## Vaya ahora\n\nLo urgente primero.")
    _queue_release(ArticleTranslation.objects.get(pk=translation.pk), release)
    found = ArticleTranslation.objects.select_related("article").get(pk=translation.pk)
    assert found.waiting_release is not None
    return found


def spanish_awaiting_approval(article: Article, title: str = "Ciática") -> ArticleTranslation:
    """The article's Spanish, of the English live now, that no clinical reviewer has approved yet: patients read the
    English, with a notice, until one does (education/translation.py)."""
    translation = ArticleTranslation(
        article=article, language="es", title=title, summary="Resumen.", body="## Otros\n\nPalabras sin aprobar."
    )
    translation.record_source(article)
    translation.save()
    found = ArticleTranslation.objects.select_related("article").get(pk=translation.pk)
    assert found.is_current
    assert not found.is_approved
    return found


def admin_form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the translation page's form posting to `action` ("approve-release", "decline-release",
    "reopen-release"), as the browser posts them, the CSRF token left out."""
    form = re.search(rf'<form method="post" action="/admin/[^"]*/{action}/">(.*?)</form>', page, re.S)
    assert form is not None, action
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))
    fields.pop("csrfmiddlewaretoken", None)
    return fields
