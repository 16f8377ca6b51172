"""Only a superuser gives roles and powers in the admin (accounts/admin.py): someone an administrator trusted with
`auth.change_user` to keep names and addresses up to date could tick "superuser status", or add the Clinicians group,
for anyone, themselves included (the stop-32 security audit)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import CLINICIANS

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_keeper(django_user_model):
    keeper = django_user_model.objects.create_user(username="keeper", password="x", is_staff=True)
    keeper.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    return keeper


def _change_form(user, **changes: object) -> dict[str, object]:
    return {
        "username": user.username,
        "first_name": "Kept",
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        **changes,
    }


def test_someone_who_may_change_accounts_cannot_make_themselves_superuser_or_clinician(client, account_keeper):
    client.force_login(account_keeper)
    clinicians = Group.objects.get(name=CLINICIANS)
    url = f"/admin/auth/user/{account_keeper.pk}/change/"

    response = client.post(url, _change_form(account_keeper, is_superuser="on", groups=[clinicians.pk]))

    assert response.status_code == 302  # the rest of the page is saved
    account_keeper.refresh_from_db()
    assert account_keeper.first_name == "Kept"
    assert not account_keeper.is_superuser
    assert not account_keeper.groups.exists()


def test_a_superuser_still_gives_roles(client, administrator, account_keeper):
    client.force_login(administrator)
    clinicians = Group.objects.get(name=CLINICIANS)
    url = f"/admin/auth/user/{account_keeper.pk}/change/"

    response = client.post(url, _change_form(account_keeper, is_staff="on", groups=[clinicians.pk]))

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert list(account_keeper.groups.values_list("name", flat=True)) == [CLINICIANS]
