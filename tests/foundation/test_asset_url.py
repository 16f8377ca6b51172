"""`{% asset_url %}` (clinic_portal/templatetags/assets.py): the address `{% static %}` gives, worked out once."""

from __future__ import annotations

from django.template import Context, Template


def _both(path: str) -> tuple[str, str]:
    template = Template("{% load assets static %}{% asset_url path %}|{% static path %}")
    kept, static = template.render(Context({"path": path})).split("|")
    return kept, static


def test_it_gives_the_address_static_gives():
    kept, static = _both("css/portal.css")
    assert kept == static
    assert kept.startswith("/static/css/portal")


def test_a_change_of_the_static_settings_is_followed(settings):
    _both("css/portal.css")  # remembered under the old setting
    settings.STATIC_URL = "/assets/"
    kept, static = _both("css/portal.css")
    assert kept == static
    assert kept.startswith("/assets/css/portal")
