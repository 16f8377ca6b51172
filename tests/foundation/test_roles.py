"""The three staff roles exist with exactly the permissions their work needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.roles import CLINICIANS, CONTENT_EDITORS, FRONT_DESK, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def perms_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_content_editors_manage_articles_and_nothing_clinical():
    perms = perms_of(CONTENT_EDITORS)
    assert {"education.add_article", "education.change_article", "education.view_article"} <= perms
    assert not any(p.startswith("intake.") for p in perms)


def test_front_desk_handles_invitations_and_queue_but_not_clinical_answers():
    perms = perms_of(FRONT_DESK)
    assert {"intake.add_invitation", "intake.view_queue"} <= perms
    assert "intake.view_intake" not in perms
    assert "intake.export_intakes" not in perms
    assert not any(p.startswith("education.") for p in perms)


def test_clinicians_see_review_and_export_intakes():
    perms = perms_of(CLINICIANS)
    assert {"intake.view_intake", "intake.review_intake", "intake.export_intakes", "intake.view_queue"} <= perms


def test_staff_sign_in_page_signs_in_and_sends_front_desk_to_the_queue(client, front_desk):
    # Clinicians add a two-factor code after the password: tests/security/test_two_factor.py.
    response = client.post(
        "/staff/sign-in/", {"username": "frontdesk", "password": "correct-horse-battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/staff/queue/"
    assert response.wsgi_request.user == front_desk


def test_a_wrong_password_gets_a_clear_message(client, clinician):
    response = client.post("/staff/sign-in/", {"username": "clinician", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_sign_out_ends_the_session(client, clinician):
    client.force_login(clinician)
    client.post("/staff/sign-out/")
    response = client.get("/staff/queue/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in/")


def test_content_editor_cannot_open_the_intake_queue(client, editor):
    client.force_login(editor)
    assert client.get("/staff/queue/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_after_a_database_flush_every_role_has_exactly_its_permissions_again():
    # A flush (each transactional test's teardown) empties the tables and sends post_migrate once per app: the roles
    # come back whole, with permissions of apps that come after accounts, synced once rather than once per app.
    from django.core.management import call_command

    from accounts import roles

    calls = []
    original = roles.sync_role_permissions

    def counted(*args):
        calls.append(args)
        original(*args)

    roles.sync_role_permissions = counted
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        roles.sync_role_permissions = original

    assert len(calls) == 1
    for group_name, wanted in roles.ROLE_PERMISSIONS.items():
        assert perms_of(group_name) == set(wanted), group_name


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_every_table_empty_but_the_ones_post_migrate_fills_again(clinician):
    # tests/conftest.py flushes PostgreSQL with a DELETE of each table instead of one TRUNCATE: what it leaves must be
    # what Django's flush leaves, with rows that point at each other (an intake, its invitation, a staff member).
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from audit.services import record
    from tests.intake.factories import submitted_intake

    submitted_intake()
    record("exported_intakes", intakes=[1, 2])  # the audit trail's tables, whose triggers refuse a DELETE
    Group.objects.get(name=CLINICIANS).permissions.clear()  # the roles come back whole too
    refilled = {ContentType, Permission, Group, Group.permissions.through}
    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed]
    assert any(model._default_manager.exists() for model in models if model not in refilled)

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)  # as a transactional test's end

    left = {model._meta.label: model._default_manager.count() for model in models if model not in refilled}
    assert not {label: count for label, count in left.items() if count}, left
    assert all(model._default_manager.exists() for model in (ContentType, Permission, Group))
    for _twice in range(2):  # the second flush finds the roles as the first left them
        for group_name, wanted in ROLE_PERMISSIONS.items():
            assert perms_of(group_name) == set(wanted), group_name
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
