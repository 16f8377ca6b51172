from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "education/home.html"


class ArticleListView(TemplateView):
    template_name = "education/placeholder.html"
