"""`{% kept "name" value ... %}...{% endkept %}`: a fragment rendered once per process for each set of values.

For the parts of a page that are the same for every visitor who shows them (the public header and footer: their
links, search box and phone number depend only on the language and the clinic's details). Django's `{% cache %}`
did the same through the cache framework, which on every page built a key (an MD5 of the values), validated it and
looked it up in the local-memory cache behind a lock, then unpickled the fragment: about a twentieth of an article
page (issue 16). Here the rendered fragment is kept in this process's memory under the values themselves.

Whatever the fragment shows must be in its values; a settings change (tests) forgets every fragment. At most
`MAX_KEPT` fragments are kept (a few languages times the clinic's details are a handful); past it, all are
forgotten and made again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MAX_KEPT = 64
_kept: dict[tuple[Any, ...], SafeString] = {}


class KeptNode(template.Node):
    # Not walked when a page that extends another looks for the blocks of the template it extends (on every render):
    # a kept fragment is the same for every page, so it holds no block for a page to fill.
    child_nodelists = ()

    def __init__(self, nodelist: NodeList, name: FilterExpression, values: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context: Context) -> SafeString:
        key = (self.name.resolve(context), *(str(value.resolve(context)) for value in self.values))
        return kept_render(key, lambda: self.nodelist.render(context))


def kept_render(key: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """What `render()` gives (HTML from the template engine), rendered once per process for `key`, a name then the
    values the fragment depends on: `{% kept %}` from Python. The addresses in a fragment depend on the prefix the
    portal is served under (a proxy's SCRIPT_NAME), which is part of every key."""
    key = (get_script_prefix(), *key)
    fragment = _kept.get(key)
    if fragment is None:
        fragment = mark_safe(render())  # noqa: S308 - rendered by the template engine
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = fragment
    return fragment


@register.tag
def kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name, then the values the fragment depends on")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])


def forget(**_kwargs: Any) -> None:
    _kept.clear()


setting_changed.connect(forget)
