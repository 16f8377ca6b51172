from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from accounts import signals  # noqa: F401  (audit receivers for sign-in and sign-out)
        from accounts.roles import sync_roles_after_migrate
        from accounts.staff_status import staff_status_with_admin_roles

        # Permissions of apps migrated after the roles migration only exist once post_migrate has run.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
        # Content editors and clinical reviewers work in the admin: put in the group, they get staff status.
        m2m_changed.connect(
            staff_status_with_admin_roles,
            sender=get_user_model().groups.through,
            dispatch_uid="accounts.staff_status_with_admin_roles",
        )
