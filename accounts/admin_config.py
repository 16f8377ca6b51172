from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """`django.contrib.admin` with our site class as `admin.site` (see accounts/admin_site.py)."""

    default_site = "accounts.admin_site.PortalAdminSite"
