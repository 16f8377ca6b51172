from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts and roles"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (audit receivers for sign-in and sign-out)
        from accounts.roles import sync_roles_after_migrate

        # Permissions of apps migrated after the roles migration only exist once post_migrate has run.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
