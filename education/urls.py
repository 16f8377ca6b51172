from django.urls import path

from education import images, views
from education.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("topics/<slug:slug>/", views.article_list, name="topic-detail"),
    path("search/", views.search, name="search"),
    # Uploaded article images (education/images.py): named by their content's hash, cached for a year.
    path("media/articles/<str:name>", images.article_image, name="article-image"),
    # An index of the sections' sitemaps (a sitemap holds at most 50,000 addresses: education/sitemaps.py).
    path(
        "sitemap.xml",
        views.sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
