"""Query counts and timings of the library's public pages as the number of articles grows.

    DATABASE_URL=postgres://... .venv/bin/python bench/articles.py [--sizes 10 100 1000] [--repeat 20]

Builds a throw-away database (`bench_<name>`), loads N articles (copies of a starter article, each with two topics and
three related articles), then requests each page `--repeat` times through Django's test client and prints the number
of SQL queries and the median and 95th-percentile time. The query count must not grow with N.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_portal.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGES = [
    ("home", "/"),
    ("list", "/articles/"),
    ("topic", "/topics/running/"),
    ("article", "/articles/bench-article-0/"),
    ("search", "/search/?q=sciatica+leg"),
    ("sitemap", "/sitemap.xml"),
]


def load_articles(count: int) -> None:
    from django.contrib.postgres.search import SearchVector

    from education.models import Article, StarterImport, Topic
    from education.services import load_starter_library

    Article.objects.all().delete()
    StarterImport.objects.all().delete()
    load_starter_library()
    template = Article.objects.get(slug="sciatica-explained-for-runners")
    topics = list(Topic.objects.filter(slug__in=["running", "sciatica"]))
    Article.objects.all().delete()
    now = timezone.now()
    articles = Article.objects.bulk_create(
        [
            Article(
                title=f"{template.title} ({n})",
                slug=f"bench-article-{n}",
                summary=template.summary,
                body=template.body,
                body_html=template.body_html,
                body_text=template.body_text,
                sources=template.sources,
                reviewed_by=template.reviewed_by,
                reviewed_on=template.reviewed_on,
                next_review_due=template.next_review_due,
                reading_grade=template.reading_grade,
                word_count=template.word_count,
                featured=n % 10 == 0,
                status=Article.Status.PUBLISHED,
                published_at=now,
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    Through = Article.topics.through
    Through.objects.bulk_create(
        [Through(article_id=a.pk, topic_id=t.pk) for a in articles for t in topics], batch_size=1000
    )
    Related = Article.related.through
    Related.objects.bulk_create(
        [
            Related(from_article_id=a.pk, to_article_id=articles[(i + k) % count].pk)
            for i, a in enumerate(articles)
            for k in (1, 2, 3)
            if count > 3
        ],
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        Article.objects.update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body_text", weight="C", config="english")
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE education_article")


def measure(client: Client, path: str, repeat: int) -> tuple[int, float, float]:
    # Django empties the query log at each request start; begin from an empty log so the capture sees them all.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    query_count = len(queries)  # read now: the next request empties the log the capture points into
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return query_count, statistics.median(timings), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"bench_{Path(str(db['NAME'])).stem}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor}; {args.repeat} requests per page; times in ms")
        print(f"{'articles':>8}  {'page':<8} {'queries':>7} {'median':>8} {'p95':>8}")
        for size in args.sizes:
            load_articles(size)
            client = Client()
            for name, path in PAGES:
                count, median, p95 = measure(client, path, args.repeat)
                print(f"{size:>8}  {name:<8} {count:>7} {median:>8.1f} {p95:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
