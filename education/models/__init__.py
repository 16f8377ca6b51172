"""The education library's models: articles and topics, their working copies and reviews, images, translations."""

from education.models.articles import (
    EDITABLE_FIELDS,
    PLACEHOLDER_HELP,
    READING_GRADE_TARGET,
    Article,
    ArticleQuerySet,
    OldAddress,
    Rendered,
    StarterImport,
    Topic,
    canonical_text,
    english_sha256,
    filled_summary,
    placeholder_values,
    reading_grade_limit,
    render_body,
)
from education.models.drafts import ArticleDraft, ArticleReview, ReviewReminder
from education.models.images import ArticleImage, image_refs, image_url_prefix
from education.models.translations import SEARCH_CONFIGS, TRANSLATION_LANGUAGES, ArticleTranslation, TopicTranslation

__all__ = [
    "EDITABLE_FIELDS",
    "PLACEHOLDER_HELP",
    "READING_GRADE_TARGET",
    "SEARCH_CONFIGS",
    "TRANSLATION_LANGUAGES",
    "Article",
    "ArticleDraft",
    "ArticleImage",
    "ArticleQuerySet",
    "ArticleReview",
    "ArticleTranslation",
    "OldAddress",
    "Rendered",
    "ReviewReminder",
    "StarterImport",
    "Topic",
    "TopicTranslation",
    "canonical_text",
    "english_sha256",
    "filled_summary",
    "image_refs",
    "image_url_prefix",
    "placeholder_values",
    "reading_grade_limit",
    "render_body",
]
