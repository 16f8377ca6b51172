from django.urls import path

from education import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("search/", views.ArticleListView.as_view(), name="search"),
]
