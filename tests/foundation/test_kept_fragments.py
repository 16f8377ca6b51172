"""`{% kept %}` (clinic_portal/templatetags/fragments.py): a fragment rendered once per process for each set of its
values, as the public header and footer use it; what the values do not name is not looked at again."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from clinic_portal.templatetags import fragments

TEMPLATE = Template('{% load fragments %}{% kept "greeting" language %}{{ language }}: {{ name }}{% endkept %}')


@pytest.fixture(autouse=True)
def _nothing_kept():
    fragments.forget()
    yield
    fragments.forget()


def render(**values: object) -> str:
    return TEMPLATE.render(Context(values))


def test_a_fragment_is_rendered_once_for_each_set_of_its_values():
    assert render(language="en", name="Riverside") == "en: Riverside"
    assert render(language="en", name="Elsewhere") == "en: Riverside"  # the kept one: `name` is not one of its values
    assert render(language="es", name="Elsewhere") == "es: Elsewhere"


def test_a_settings_change_forgets_every_fragment(settings):
    assert render(language="en", name="Riverside") == "en: Riverside"
    settings.CLINIC_NAME = "Another clinic"
    assert render(language="en", name="Elsewhere") == "en: Elsewhere"


def test_no_more_than_the_limit_is_kept():
    for number in range(fragments.MAX_KEPT * 2):
        render(language=str(number), name="x")
    assert len(fragments._kept) <= fragments.MAX_KEPT


def test_the_tag_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        Template("{% load fragments %}{% kept %}x{% endkept %}")


def test_a_fragment_is_kept_apart_for_each_prefix_the_portal_is_served_under():
    from django.urls import get_script_prefix, set_script_prefix

    linked = Template('{% load fragments %}{% kept "exit" %}{% url "intake:exit" %}{% endkept %}')
    before = get_script_prefix()
    try:
        set_script_prefix("/portal/")
        assert linked.render(Context()) == "/portal/intake/exit/"
        set_script_prefix("/")
        assert linked.render(Context()) == "/intake/exit/"
    finally:
        set_script_prefix(before)


def test_a_page_still_fills_a_block_of_the_layout_it_extends_beside_kept_fragments():
    from django.template import Engine

    engine = Engine.get_default()
    layout = '{% load fragments %}{% kept "top" %}<header>{% endkept %}{% block content %}empty{% endblock %}'
    page = engine.from_string("{% extends layout %}{% block content %}filled{% endblock %}")
    assert page.render(Context({"layout": engine.from_string(layout)})) == "<header>filled"
    assert engine.from_string(layout).render(Context()) == "<header>empty"
