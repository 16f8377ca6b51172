"""django-axes' sign-in records in the admin (attempts, logins, failures), as axes registers them, but for one thing:
their filter by address names a record with no address "(no address)". Django's filter by a field's values shows an
empty value as a link with no words, which a screen reader announces as nothing (axe: link-name; found by
tests/browser/test_admin_pages_of_the_url_table.py).

axes registers its admin after ours (INSTALLED_APPS lists `accounts` first), so the filter is put in place once every
app's admin is loaded (`accounts.admin_config.PortalAdminConfig.ready`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices

NO_ADDRESS = "(no address)"


class AddressFilter(admin.AllValuesFieldListFilter):
    """The records' addresses (`path_info`), an empty one named."""

    def choices(self, changelist: Any) -> Iterator[_ListFilterChoices]:
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = choice.copy()
                choice["display"] = NO_ADDRESS
            yield choice


def name_empty_addresses(site: admin.AdminSite) -> None:
    """Register each of axes' record pages again as a subclass of its own admin with `AddressFilter` in place of its
    plain filter by address."""
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if not site.is_registered(model):
            continue  # AXES_ENABLE_ADMIN off: nothing to mend
        axes_admin = type(site.get_model_admin(model))
        filters = [("path_info", AddressFilter) if entry == "path_info" else entry for entry in axes_admin.list_filter]
        site.unregister(model)
        site.register(model, type(axes_admin.__name__, (axes_admin,), {"list_filter": filters}))
