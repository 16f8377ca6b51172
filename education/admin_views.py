"""The workflow's own admin pages for articles: preview, clinical review, discarding a working copy, taking offline.

Each is reached through `ArticleAdmin.get_urls` (so the admin site's sign-in, two-factor and staff checks and CSRF
protection apply) and checks its own permission: previewing the form needs the right to add or change articles,
previewing a saved working copy the right to view them, reviewing `education.approve_article`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from education import selectors, workflow
from education.admin_forms import ReviewForm
from education.article_page import article_context
from education.diffs import line_changes
from education.models import (
    TRANSLATION_LANGUAGES,
    Article,
    ArticleDraft,
    ArticleTranslation,
    Topic,
    reading_grade_limit,
    render_body,
)

if TYPE_CHECKING:
    from education.admin import ArticleAdmin

APPROVE_PERMISSION = "education.approve_article"
TEXT_FIELDS = ("title", "slug", "summary", "body", "author", "sources")


# --- The panel above the change form ------------------------------------------------------------------------------


def panel_context(request: HttpRequest, model_admin: ArticleAdmin, article: Article | None) -> dict[str, Any]:
    if article is None:
        return {}
    draft = workflow.draft_of(article)
    translations = list(
        ArticleTranslation.objects.filter(article=article).only(
            "pk", "language", "source_sha256", "content_sha256", "approved_sha256", "new_release"
        )
    )
    return {
        "article": article,
        "working_copy": draft,
        # A change waiting with a go-live time that has passed goes live at once when approved, as its review page says.
        "working_copy_time_passed": draft is not None
        and draft.state != ArticleDraft.State.APPROVED
        and draft.go_live_at is not None
        and draft.go_live_at <= timezone.now(),
        "awaiting_clinical_review": article.status == Article.Status.PUBLISHED and not article.is_clinically_reviewed,
        "reviews": list(article.reviews.all()[:3]),
        "can_review": request.user.has_perm(APPROVE_PERMISSION),
        "can_edit": model_admin.has_change_permission(request, article),
        "preview_url": reverse("admin:education_article_preview", args=[article.pk]),
        "review_url": reverse("admin:education_article_review", args=[article.pk]),
        "discard_url": reverse("admin:education_article_discard", args=[article.pk]),
        # The working copy the page shows: "Throw the working copy away" throws only that away.
        "opened": workflow.working_sha256(article),
        "take_offline_url": reverse("admin:education_article_take_offline", args=[article.pk]),
        "out_of_date_translations": [
            {
                "language": translation.get_language_display(),
                "url": reverse("admin:education_articletranslation_change", args=[translation.pk]),
            }
            for translation in translations
            if translation.source_sha256 != article.english_sha256
        ],
        "translations": _translation_facts(article, translations),
    }


def _translation_facts(article: Article, translations: list[ArticleTranslation]) -> list[dict[str, str]]:
    """Each language the library speaks: where the article's translation stands, and the page to add or open it."""
    found = {translation.language: translation for translation in translations}
    facts = []
    for code, name in TRANSLATION_LANGUAGES:
        translation = found.get(code)
        if translation is None:
            add = reverse("admin:education_articletranslation_add")
            facts.append(
                {
                    "language": name,
                    "state": "None yet",
                    "link": "Add it",
                    "url": f"{add}?article={article.pk}&language={code}",
                }
            )
            continue
        if translation.source_sha256 != article.english_sha256:
            state = "Out of date"
        elif translation.is_approved and translation.waiting_release is not None:
            state = "Approved: patients read it; a new release awaits clinical review"
        elif translation.is_approved:
            state = "Approved: patients read it"
        else:
            state = "Awaiting clinical review: patients read the English"
        url = reverse("admin:education_articletranslation_change", args=[translation.pk])
        facts.append({"language": name, "state": state, "link": "Open it", "url": url})
    return facts


# --- Preview ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Listing:
    """What a template needs of a to-many relation: `.all`."""

    items: list[Any]

    def all(self) -> list[Any]:
        return self.items

    def __bool__(self) -> bool:
        return bool(self.items)


class PreviewArticle:
    """An unsaved article as the public template reads it: its own words, topics and related articles."""

    def __init__(self, article: Article, topics: list[Topic], related: list[Article]) -> None:
        self._article = article
        self.topics = _Listing(topics)
        self.related_published = related

    def __getattr__(self, name: str) -> Any:
        return getattr(self._article, name)


def preview_of(base: Article | None, content: workflow.Content) -> PreviewArticle:
    shown = Article(pk=base.pk if base else None, status=Article.Status.DRAFT)
    workflow.assign_content(shown, content)
    rendered = render_body(shown.body)
    shown.body_html, shown.body_text = rendered.html, rendered.text
    values = workflow.normalized(content)
    topics = list(Topic.objects.filter(pk__in=values["topics"]).order_by("name"))
    related: QuerySet[Article] = Article.objects.published().for_cards().filter(pk__in=values["related"])
    return PreviewArticle(shown, topics, list(related.order_by("title")))


def preview(request: HttpRequest, model_admin: ArticleAdmin, object_id: int | None = None) -> HttpResponse:
    """POST: the change form's words, unsaved, on the public article layout. GET: the saved working copy."""
    article = model_admin.get_object(request, str(object_id)) if object_id is not None else None
    if object_id is not None and article is None:
        raise Http404("No such article.")
    if request.method == "POST":
        allowed = (
            model_admin.has_change_permission(request, article)
            if article is not None
            else model_admin.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form = model_admin.get_form(request, article, change=article is not None)(
            request.POST, request.FILES, instance=article if article is not None else Article()
        )
        form.checks_other_saves = False  # a preview saves nothing: another editor's save since is no reason to refuse
        if not form.is_valid():
            response = render(
                request, "admin/education/article/preview_errors.html", {"form": form, "article": article}
            )
            add_never_cache_headers(response)
            return response
        content = workflow.normalized({name: form.cleaned_data.get(name) for name in workflow.FIELD_LABELS})
        messages.info(request, "Preview of the words in the form. Nothing has been saved, and patients cannot see it.")
    elif request.method in ("GET", "HEAD") and article is not None and request.GET.get("of") == "review":
        # The Review page's link: what an approval there would put live, never a working copy nobody sent.
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        waiting, content = under_review(article)
        messages.info(
            request,
            "Preview of the change waiting for review." if waiting else "Preview of the article as it stands.",
        )
    elif request.method in ("GET", "HEAD") and article is not None:
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        content = workflow.working_content(article)
        messages.info(request, "Preview of the working copy. Patients cannot see it until it is approved.")
    else:
        return HttpResponseNotAllowed(["POST"])
    response = render(request, "education/article_detail.html", article_context(preview_of(article, content)))
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Clinical review ----------------------------------------------------------------------------------------------


def _changes(before: workflow.Content, after: workflow.Content) -> list[dict[str, Any]]:
    rows = []
    for name, label in workflow.FIELD_LABELS.items():
        if before[name] == after[name]:
            continue
        if name in TEXT_FIELDS:
            shown = line_changes(str(before[name] or ""), str(after[name] or ""))
        elif name in ("topics", "related"):
            model = Topic if name == "topics" else Article
            names = dict(model.objects.filter(pk__in={*before[name], *after[name]}).values_list("pk", "slug"))
            shown = line_changes(
                "\n".join(sorted(names.get(pk, "?") for pk in before[name])),
                "\n".join(sorted(names.get(pk, "?") for pk in after[name])),
            )
        else:
            shown = line_changes(str(before[name]), str(after[name]))
        rows.append({"label": label, "diff": shown})
    return rows


def under_review(article: Article) -> tuple[ArticleDraft | None, workflow.Content]:
    """What the Review page decides on: the working copy sent for review, else the article as it stands."""
    draft = ArticleDraft.objects.filter(article=article, state=ArticleDraft.State.AWAITING_REVIEW).first()
    return draft, workflow.normalized(draft.content) if draft else workflow.live_content(article)


def review(request: HttpRequest, model_admin: ArticleAdmin, object_id: int) -> HttpResponse:
    """A reviewer reads what waits (the changes, the reading grade, a preview) and approves or sends it back."""
    if not request.user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    article = model_admin.get_object(request, str(object_id))
    if article is None:
        raise Http404("No such article.")
    draft = ArticleDraft.objects.filter(article=article).first()
    waiting, content = under_review(article)
    live = workflow.live_content(article)
    # Taken offline: approving the row as it stands puts it back (it read "the live version ... a periodic review").
    offline = article.status == Article.Status.DRAFT and not article.is_new
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if "_send_back" in request.POST:
                workflow.send_back(
                    article,
                    reviewer=request.user,
                    comment=form.cleaned_data["comment"],
                    shown=form.cleaned_data["shown"] or None,
                )
                messages.success(request, f"“{content['title']}” was sent back to the editor with your comment.")
            else:
                review_ = workflow.approve(
                    article,
                    reviewer=request.user,
                    grade_reason=form.cleaned_data["grade_reason"],
                    comment=form.cleaned_data["comment"],
                    shown=form.cleaned_data["shown"] or None,
                )
                messages.success(request, _approved_message(article, review_.title, waiting, was_offline=offline))
            return HttpResponseRedirect(reverse("admin:education_article_change", args=[article.pk]))
        except workflow.WorkflowError as error:
            form.add_error(error.field, str(error))
    figures = render_body(content["body"]).figures
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": f"Clinical review: {content['title']}",
        "article": article,
        "waiting": waiting,
        # A time passed while it waited is no longer "goes live on": approved now, it goes live at once.
        "goes_live_later": bool(waiting and waiting.go_live_at and waiting.go_live_at > timezone.now()),
        "other_working_copy": draft if draft is not None and waiting is None else None,
        "is_new": article.is_new,
        # A new article nobody has sent for review: nothing to decide on yet (workflow.STILL_BEING_WRITTEN).
        "not_sent": waiting is None and article.is_new,
        "offline": offline,
        "back_later": offline and article.published_at is not None and article.published_at > timezone.now(),
        "changes": _changes(live, content) if waiting and not article.is_new else [],
        "content": content,
        "shown": workflow.review_sha256(article, content, waiting.go_live_at if waiting else None),
        "grade": figures.grade,
        "words": figures.words,
        "limit": reading_grade_limit(),
        "above_limit": figures.grade > reading_grade_limit(),
        "form": form,
        # Said before they read the article, not only when they click Approve (workflow.NAME_REQUIRED).
        "name_missing": not workflow.has_full_name(request.user),
        "preview_url": reverse("admin:education_article_preview", args=[article.pk]) + "?of=review",
        "reviews": list(article.reviews.all()[:5]),
    }
    return TemplateResponse(request, "admin/education/article/review.html", context)


def _approved_message(article: Article, title: str, waiting: ArticleDraft | None, *, was_offline: bool) -> str:
    article.refresh_from_db()
    if waiting is None and was_offline:
        if article.is_scheduled:
            return f"You approved “{title}” as it is: it is back on the site at its scheduled time."
        return f"You approved “{title}” as it is: it is back on the site, and patients see it now."
    if waiting is None and article.is_scheduled:
        return f"You approved “{title}” as it is: it goes live at its scheduled time."
    if waiting is None:
        return f"You approved “{title}” as it is: patients see your name and today's date on it."
    still_waiting = ArticleDraft.objects.filter(pk=waiting.pk).first()
    if still_waiting is not None and still_waiting.go_live_at:
        return (
            f"You approved “{title}”. The change goes live at its scheduled time; patients see the current version "
            "until then."
        )
    if article.is_scheduled:
        return f"You approved “{title}”. It goes live at its scheduled time."
    return f"You approved “{title}”. Patients see it now."


# --- Working copy and live version --------------------------------------------------------------------------------


def discard(request: HttpRequest, model_admin: ArticleAdmin, object_id: int) -> HttpResponse:
    """Throw the working copy away (POST only); the live version stays as it is."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = _for_editing(request, model_admin, object_id)
    try:
        thrown_away = workflow.discard_working_copy(
            article, user=request.user, opened=request.POST.get("opened") or None
        )
    except workflow.WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        if thrown_away:
            messages.success(request, "The working copy was thrown away. The live version is unchanged.")
    return HttpResponseRedirect(reverse("admin:education_article_change", args=[article.pk]))


def take_offline(request: HttpRequest, model_admin: ArticleAdmin, object_id: int) -> HttpResponse:
    """Take a published article off the site now (POST only); only a reviewer's approval puts it back."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = _for_editing(request, model_admin, object_id)
    if article.status == Article.Status.PUBLISHED:
        workflow.take_offline(article, user=request.user)
        messages.success(
            request, f"“{article}” is offline: patients get “not found”. A reviewer's approval puts it back."
        )
        linking = selectors.articles_linking_to(article)
        if linking:
            # Their links now lead readers to "not found" ("Read next" drops it by itself; text does not).
            titles = ", ".join(f"“{title}”" for title in linking)
            messages.warning(
                request,
                f"These published articles link to it in their text: {titles}. Readers who follow those links now "
                "get “not found”: edit them, or bring this article back.",
            )
    return HttpResponseRedirect(reverse("admin:education_article_change", args=[article.pk]))


def _for_editing(request: HttpRequest, model_admin: ArticleAdmin, object_id: int) -> Article:
    article = model_admin.get_object(request, str(object_id))
    if article is None:
        raise Http404("No such article.")
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    return article
