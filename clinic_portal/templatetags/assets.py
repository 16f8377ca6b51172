"""`{% asset_url 'css/portal.css' %}`: Django's `{% static %}`, with each file's address worked out once per process.

Every page links the same stylesheets and scripts (templates/base.html, templates/intake/_layout.html). `{% static %}`
asks the storage for the hashed name and joins the address anew on each page, which cost more than the rest of the
page head together (issue 16). The address only changes with the deployed files (a new process) or with the static
settings (tests), which empty the memory.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString

register = template.Library()

STATIC_SETTINGS = {"STATIC_URL", "STATIC_ROOT", "STATICFILES_DIRS", "STORAGES", "INSTALLED_APPS"}


@register.simple_tag
def asset_url(path: str) -> SafeString:
    """The address of the static file `path`, HTML-escaped as `{% static %}` writes it."""
    return _asset_url(path)


@lru_cache(maxsize=64)
def _asset_url(path: str) -> SafeString:
    return escape(static(path))


def _forget(*, setting: str, **_kwargs: Any) -> None:
    if setting in STATIC_SETTINGS:
        _asset_url.cache_clear()


setting_changed.connect(_forget, dispatch_uid="clinic-portal-asset-url")
