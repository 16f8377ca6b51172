"""Public pages of the education library. Views connect request, selector and template; queries live in selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control

from education import selectors
from education.models import Topic
from education.search import clean_query

PUBLIC_MAX_AGE = 300  # seconds: long enough to absorb a rush, short enough that a correction shows quickly
PAGE_SIZE = 20
PREVIEW_PERMISSION = "education.change_article"

P = ParamSpec("P")


def _shared_cache_allowed(request: HttpRequest) -> bool:
    # A page is the same for every visitor only when nobody is signed in and no one-off message is waiting.
    return not request.user.is_authenticated and len(messages.get_messages(request)) == 0


def public_page(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous responses may be kept by a proxy for a few minutes; anything personal is never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if _shared_cache_allowed(request):
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            else:
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
        return response

    return wrapped


@public_page
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "featured": selectors.featured_articles(),
        "topics": selectors.topics_with_articles(),
    }
    return render(request, "education/home.html", context)


@public_page
def article_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if slug is None and request.GET.get("topic"):
        # One address per topic (the canonical one); ?topic= is accepted for old links and simple forms.
        return redirect(get_object_or_404(Topic, slug=request.GET["topic"]), permanent=True)
    topic = get_object_or_404(Topic, slug=slug) if slug else None
    page = Paginator(selectors.published_articles(topic=topic), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"topic": topic, "page": page, "topics": selectors.topics_with_articles()}
    return render(request, "education/article_list.html", context)


@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    can_preview = request.user.is_authenticated and request.user.has_perm(PREVIEW_PERMISSION)
    article = selectors.article_for_page(slug, can_preview=can_preview)
    response = render(request, "education/article_detail.html", {"article": article})
    if not article.is_live:
        # A staff preview of a draft or scheduled article: never stored anywhere, never indexed.
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_page
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    context: dict[str, Any] = {"query": query, "hits": [], "page": None}
    if query:
        page = Paginator(selectors.search_articles(query), PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["hits"] = selectors.search_hits(list(page.object_list), query)
    else:
        context["topics"] = selectors.topics_with_articles()
    response = render(request, "education/search.html", context)
    # Result pages are thin, changing content: keep them out of search engines.
    response["X-Robots-Tag"] = "noindex"
    return response
