"""Staff roles: which Django group may do what.

The table below is the single source of truth; the data migration creates the groups and a post_migrate hook keeps
their permissions equal to this table (permissions of apps migrated later only exist after their migrations ran).
"""

from __future__ import annotations

from typing import Any

CONTENT_EDITORS = "Content editors"
FRONT_DESK = "Front desk"
CLINICIANS = "Clinicians"
# Clinicians who sign off patient-education articles before patients see them (education/workflow.py).
CLINICAL_REVIEWERS = "Clinical reviewers"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Articles only: never any intake data.
    CONTENT_EDITORS: (
        "education.add_article",
        "education.change_article",
        "education.delete_article",
        "education.view_article",
        "education.add_topic",
        "education.change_topic",
        "education.view_topic",
        # Images for articles and translations of them (issue 15); publishing still needs a clinical reviewer.
        "education.add_articleimage",
        "education.change_articleimage",
        "education.view_articleimage",
        "education.add_articletranslation",
        "education.change_articletranslation",
        "education.view_articletranslation",
        "education.add_topictranslation",
        "education.change_topictranslation",
        "education.delete_topictranslation",
        "education.view_topictranslation",
    ),
    # Invitations, and the queue of names, appointment times and levels; no clinical answers.
    FRONT_DESK: (
        "intake.add_invitation",
        "intake.view_invitation",
        "intake.view_queue",
        # The follow-up list: names, dates and status of follow-up questionnaires, never answers or scores.
        "intake.view_follow_ups",
    ),
    # Reads articles and approves them, or changes to them, for patients (clinical sign-off); no intake data.
    CLINICAL_REVIEWERS: (
        "education.view_article",
        "education.approve_article",
        "education.view_topic",
        "education.view_articleimage",
        "education.view_articletranslation",
    ),
    # Everything clinical.
    CLINICIANS: (
        "intake.add_invitation",
        "intake.view_invitation",
        "intake.view_queue",
        "intake.view_intake",
        "intake.review_intake",
        "intake.export_intakes",
        "intake.view_follow_ups",
    ),
}

# Holding any one of these, directly or through any group, means signing in with a second factor (accounts.two_factor);
# superusers hold them all. Not the group's name: a permission given to a person or to another group counts the same.
CLINICAL_MODELS = ("intakeflag", "redflaganswer", "reviewnote", "retriage")
TWO_FACTOR_PERMISSIONS: frozenset[str] = frozenset(
    {
        # Patients' clinical answers, what the triage made of them, and clinicians' notes on them.
        "intake.view_intake",
        "intake.change_intake",
        "intake.review_intake",
        "intake.export_intakes",
        *(f"intake.{action}_{model}" for action in ("view", "change") for model in CLINICAL_MODELS),
        # Permissions that hand out the ones above (a person's or a group's permissions, superuser status), or that
        # show or replace another person's second factor (an authenticator's secret, recovery codes).
        "auth.change_user",
        "auth.change_group",
        "otp_totp.view_totpdevice",
        "otp_totp.change_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.change_staticdevice",
    }
)
# Not here: intake.view_queue, intake.view_invitation and intake.add_invitation (front desk). The queue shows names,
# appointment times and each intake's level but no answers; README.md "Security" says why that stays password-only.


def sync_role_permissions(group_model: Any, permission_model: Any) -> None:
    """Create the groups and set each one's permissions to exactly those in ROLE_PERMISSIONS that exist so far."""
    wanted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.filter(
            codename__in={name.split(".")[1] for name in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for group_name, perm_names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        group.permissions.set([existing[name] for name in perm_names if name in existing])


def _last_app_with_models() -> Any:
    """The app whose post_migrate signal comes last in a migrate or a flush (Django sends one per app with models)."""
    from django.apps import apps

    return [config for config in apps.get_app_configs() if config.models_module is not None][-1]


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Once per migrate (or test flush), after every app's permissions exist: Django sends post_migrate once per app,
    and syncing on each of them cost a test database flush about two seconds."""
    if sender is not _last_app_with_models():
        return
    from django.contrib.auth.models import Group, Permission

    sync_role_permissions(Group, Permission)
