from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_control

from education import views
from education.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article-list"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("topics/<slug:slug>/", views.article_list, name="topic-detail"),
    path("search/", views.search, name="search"),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=views.PUBLIC_MAX_AGE)(sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
]
