from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """`django.contrib.admin` with our site class as `admin.site` (see accounts/admin_site.py)."""

    default_site = "accounts.admin_site.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # every app's admin module, django-axes' included
        from django.contrib import admin

        from accounts.sign_in_records_admin import name_empty_addresses

        name_empty_addresses(admin.site)
