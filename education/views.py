"""Public pages of the education library. Views connect request, selector and template; queries live in selectors.

Every public page is kept for anonymous readers by education/cache.py (`shared_page`); none carries a CSRF token
(the language switcher does without: clinic_portal.language_choice). Each may name its language in its address
(`?lang=es`, clinic_portal.languages.language_in_address, outermost so that the cache's key reads that language), and
names its versions in the other languages in its head (education.alternates).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sitemaps.views import index as index_view
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from clinic_portal.languages import address_in, address_language, language_in_address
from education import search_results, selectors
from education.alternates import every_language, page_addresses
from education.article_page import article_context, hit_context
from education.cache import may_share, shared_page
from education.search import clean_query
from education.sitemaps import written_out
from education.translation import TRANSLATED, language_code, localized, shown_words

# Browsers and proxies may keep a public page but must ask again before showing it (`no-cache`): with `max-age=300`
# an article taken offline (a clinical error found) stayed on readers' screens and in a CDN for five minutes, against
# "offline at once" (the stop-30 audit). The server's own cache (education/cache.py) answers the asking quickly.
PUBLIC_CACHE_CONTROL = {"public": True, "no_cache": True}
PREVIEW_PERMISSION = "education.change_article"
ENGLISH = "en"

P = ParamSpec("P")


def public_page(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous responses may be kept by a browser or proxy, asked again before each use; anything personal is never
    cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            if may_share(request):
                patch_cache_control(response, **PUBLIC_CACHE_CONTROL)
            else:
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
        return response

    return wrapped


def _shown(language: str | None) -> str:
    """The language a page is in, as its address names it."""
    code = language_code(language)
    return code if code in every_language() else ENGLISH


def _in_named_language(request: HttpRequest, to: Any) -> str:
    """Where a list's redirect goes (a model or a URL name), in the language the page's address named, as a moved
    article's redirect keeps it: a search engine keeps no cookie, so a Spanish address it listed (a later page's
    canonical, `?after=...&lang=es`) must not lead to the English page."""
    named = address_language(request)
    onward = resolve_url(to)
    return address_in(onward, named) if named else onward


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


@language_in_address
@shared_page
@public_page
def home(request: HttpRequest) -> HttpResponse:
    language = get_language()
    context = {
        "featured": selectors.featured_articles(language=language),
        "topics": selectors.topics_with_articles(language),
        **page_addresses(request, reverse("home"), shown=_shown(language), languages=every_language()),
    }
    return render(request, "education/home.html", context)


@language_in_address
@shared_page
@public_page
def article_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if slug is None and request.GET.get("topic"):
        # One address per topic (the canonical one); ?topic= is accepted for old links and simple forms.
        return redirect(_in_named_language(request, selectors.topic_or_404(request.GET["topic"])), permanent=True)
    language = get_language()
    topic = selectors.topic_or_404(slug, language) if slug else None
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    page = selectors.article_page(
        topic=topic, after=after, before=before, number=_page_number(request), language=language
    )
    if (after or before) and not page.articles:
        # The article the link starts from is gone (unpublished, renamed): start from the beginning.
        return redirect(_in_named_language(request, topic or "article-list"))
    # Its other languages only where it has something to read in them (selectors.list_languages); else its first
    # page's address is the English one, as an article's is while it is shown in English. A later page keeps its own
    # (its place is in its language's order: clinic_portal.languages.LIST_PLACE).
    languages = selectors.list_languages(topic)
    query = urlencode({"after": after}) if after else urlencode({"before": before}) if before else ""
    shown = _shown(language) if query or _shown(language) in languages else ENGLISH
    context = {
        "topic": topic,
        "page": page,
        "topics": selectors.topics_with_articles(language),
        **page_addresses(
            request,
            topic.get_absolute_url() if topic else reverse("article-list"),
            shown=shown,
            languages=languages,
            query=query,
        ),
    }
    return render(request, "education/article_list.html", context)


@language_in_address
@shared_page
@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    can_preview = request.user.is_authenticated and request.user.has_perm(PREVIEW_PERMISSION)
    language = get_language()
    try:
        article = selectors.article_for_page(slug, can_preview=can_preview, language=language)
    except Http404:
        moved = selectors.moved_article_url(slug)
        if moved is None:
            raise
        # An address an editor changed: old links keep working. Browsers ask again each time (no-cache), so a later
        # change of address, or an article made at this one, is never hidden behind a redirect they kept.
        # A language the old address named goes along (a search engine's Spanish result, a link sent to a patient).
        named = address_language(request)
        onward = redirect(address_in(moved, named) if named else moved, permanent=True)
        patch_cache_control(onward, **PUBLIC_CACHE_CONTROL)
        return onward
    # The reader's language: an up-to-date translation, else the English with a notice (education/translation.py).
    article = localized(article, language)
    # Its other languages only where patients may read it in them (selectors.article_for_page: `shown_languages`).
    languages = [ENGLISH, *getattr(article, "shown_languages", ())]
    in_language = getattr(article, "translation_notice", None) is None and _shown(language) in languages
    addresses = page_addresses(
        request, article.get_absolute_url(), shown=_shown(language) if in_language else ENGLISH, languages=languages
    )
    response = render(request, "education/article_detail.html", {**article_context(article), **addresses})
    if not article.is_live:
        # A staff preview of a draft or scheduled article: never stored anywhere, never indexed.
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@language_in_address
@shared_page
@public_page
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    context: dict[str, Any] = {"query": query, "hits": [], "page": None}
    if query:
        language = get_language()
        page = search_results.search_page(query, number=_page_number(request), language=language_code(language))
        context["page"] = page
        words = shown_words([hit.article for hit in page.hits], language)
        fallback = "en" if language_code(language) in TRANSLATED else ""
        context["hits"] = [hit_context(hit, words.get(hit.article.pk), fallback_lang=fallback) for hit in page.hits]
    else:
        context["topics"] = selectors.topics_with_articles(get_language())
    response = render(request, "education/search.html", context)
    # Result pages are thin, changing content: keep them out of search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


# The sitemap (education/sitemaps.py) is a public page too: at a hundred thousand articles it is the costliest one.
# `/sitemap.xml` is the index of its sections (`sitemap-articles.xml?p=2`...), read from counts already known.
sitemap = shared_page(cache_control(**PUBLIC_CACHE_CONTROL)(written_out(sitemap_view)))
sitemap_index = shared_page(cache_control(**PUBLIC_CACHE_CONTROL)(index_view))


# Pages no search engine should list: the patient's form, staff pages, the admin, search results (endless, thin) and
# the FHIR definitions; and where the sitemap is. No page depends on the visitor: kept a day by browsers and proxies.
ROBOTS_DISALLOWED = ("/intake/", "/staff/", "/admin/", "/search/", "/fhir/")


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED),
        f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
