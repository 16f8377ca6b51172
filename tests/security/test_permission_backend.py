"""Staff permissions, read in one query per request (accounts/backends.py), grant exactly what Django's would."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import OneQueryPermissionsBackend

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads them: nothing cached."""
    return type(user).objects.get(pk=user.pk)


def test_a_group_members_permissions_are_their_groups_and_their_own_read_in_one_query(clinician):
    clinician.user_permissions.add(Permission.objects.get(codename="view_article"))
    user = fresh(clinician)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("intake.view_intake")  # from the Clinicians group
        assert user.has_perm("education.view_article")  # given to this person
        assert not user.has_perm("education.change_article")
        assert user.has_perms(["intake.view_queue", "intake.review_intake"])
    assert len(queries) == 1
    assert OneQueryPermissionsBackend().get_all_permissions(fresh(clinician)) == ModelBackend().get_all_permissions(
        fresh(clinician)
    )


def test_front_desk_staff_cannot_open_intakes(front_desk):
    user = fresh(front_desk)
    assert user.has_perm("intake.view_queue")
    assert not user.has_perm("intake.view_intake")


def test_an_inactive_account_holds_no_permission(clinician):
    clinician.is_active = False
    clinician.save()
    assert not fresh(clinician).has_perm("intake.view_intake")
    assert OneQueryPermissionsBackend().get_all_permissions(fresh(clinician)) == set()


def test_a_superuser_holds_every_permission_and_an_object_check_answers_nothing(administrator, clinician):
    assert fresh(administrator).has_perm("education.approve_article")
    backend = OneQueryPermissionsBackend()
    assert backend.get_all_permissions(fresh(administrator)) == {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert backend.get_all_permissions(fresh(clinician), obj=clinician) == set()
