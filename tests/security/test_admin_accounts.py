"""Staff accounts and the admin outside the articles (the stop-34 audit): the admin's "Change password" is the staff
page with its lockout and audit; someone trusted with names and addresses cannot take over a more powerful account;
the roles' permissions are read-only in the admin; content editors put in their group reach the admin; the audit
trail finds a username's failed sign-ins and says which try was made while locked; the opted-out numbers are found
as people type them; a date link out of range is no server error."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.roles import CLINICAL_REVIEWERS, CLINICIANS, CONTENT_EDITORS
from audit.models import AuditEvent
from messaging.models import TextOptOut
from tests.security.conftest import PASSWORD, sign_in_with_password

pytestmark = pytest.mark.django_db

NEW = "a-longer-walk-by-the-river"


# --- 1. The admin's own "Change password" page skipped the lockout and the audit trail ---------------------------


def test_the_admins_change_password_page_is_the_staff_page_with_its_lockout_and_audit(client, editor):
    """README: a wrong current password counts towards the lockout, and the audit trail records the change. The admin
    header's "Change password" (every content editor works in the admin) was Django's own page: guesses without
    limit, and no audit entry."""
    sign_in_with_password(client, "editor")
    assert client.get("/admin/password_change/")["Location"] == "/staff/password/"
    sent = client.post(
        "/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert sent["Location"] == "/staff/password/"
    editor.refresh_from_db()
    assert not editor.check_password(NEW)  # nothing is changed but on the staff page
    assert client.get("/admin/password_change/done/")["Location"] == "/staff/password/"
    admin_page = client.get("/admin/").content.decode()
    assert 'href="/admin/password_change/"' in admin_page  # the header's link, which now leads there


# --- 2. Someone trusted with names and addresses can set a superuser's password ---------------------------------


@pytest.fixture
def account_keeper(django_user_model):
    keeper = django_user_model.objects.create_user(username="keeper", password="x", is_staff=True)
    keeper.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    return keeper


def test_someone_who_may_change_accounts_cannot_set_a_superusers_password(client, account_keeper, administrator):
    """accounts/admin.py: auth.change_user may be handed out "to keep names and addresses up to date", and roles and
    powers are then read-only. But the admin's "Reset password" page for any account, a superuser's included, is
    open to them: they pick the administrator's password and sign in as the administrator."""
    client.force_login(account_keeper)
    response = client.post(
        f"/admin/auth/user/{administrator.pk}/password/",
        {"password1": "chosen-by-the-keeper-2026", "password2": "chosen-by-the-keeper-2026", "usable_password": "true"},
    )
    administrator.refresh_from_db()
    assert not administrator.check_password("chosen-by-the-keeper-2026")
    assert response.status_code == 403


# --- 3. A role's permissions edited in the admin come back at the next deploy -----------------------------------


def test_a_permission_an_administrator_removes_from_a_role_stays_removed_after_migrate(client, administrator):
    """The admin lets an administrator untick "Can export intakes" for Clinicians and says it is saved. The next
    `manage.py migrate` (every deploy) silently gives it back (accounts.roles.sync_roles_after_migrate). Either the
    admin must not offer the change, or the change must last: what the admin showed as saved is what holds."""
    clinicians = Group.objects.get(name=CLINICIANS)
    kept = [p.pk for p in clinicians.permissions.all() if p.codename != "export_intakes"]
    client.force_login(administrator)
    client.post(f"/admin/auth/group/{clinicians.pk}/change/", {"name": CLINICIANS, "permissions": kept})
    after_save = set(clinicians.permissions.values_list("codename", flat=True))

    call_command("migrate", verbosity=0)  # a deploy

    after_deploy = set(clinicians.permissions.values_list("codename", flat=True))
    assert after_deploy == after_save, f"given back at the deploy: {sorted(after_deploy - after_save)}"


# --- 4. A person put in Content editors, as the README says, cannot reach the admin ------------------------------


def test_a_person_added_to_content_editors_as_the_readme_says_reaches_the_admin(django_user_model):
    """README, Deploying 6: "add people to the groups Content editors, Front desk or Clinicians in the admin". An
    account made in the admin and put in Content editors (staff status left unticked, as the README does not
    mention it) signs in and lands on the public home page; /admin/ answers 403 "Not allowed"."""
    person = django_user_model.objects.create_user(username="neweditor", password=PASSWORD)
    person.groups.add(Group.objects.get(name=CONTENT_EDITORS))
    client = Client()
    welcome = sign_in_with_password(client, "neweditor")
    landing = client.get(welcome["Location"])
    assert landing.status_code == 302
    assert landing["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- 5. The audit trail's username filter never finds that username's failed sign-ins -----------------------------


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        client.post("/staff/sign-in/", {"username": username, "password": "wrong-password"}, REMOTE_ADDR="198.51.100.7")


def test_filtering_the_trail_by_username_finds_that_usernames_failed_sign_ins(client, administrator, front_desk):
    """ "What happened to frontdesk's account?": five failed sign-ins locked it, but the trail filtered by username
    frontdesk and "Sign-in failed" answers "No events" (failed sign-ins keep the username only in the detail)."""
    _fail(Client(), "frontdesk", 5)
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 5
    client.force_login(administrator)
    html = client.get("/staff/audit/", {"who": "frontdesk", "action": "sign_in_failed"}).content.decode()
    assert "No events." not in html
    assert html.count('data-label="What">Sign-in failed</td>') == 5


def test_the_try_that_causes_the_lock_is_recorded_as_a_wrong_password_not_as_a_try_while_locked(client, front_desk):
    """Five wrong passwords: the fifth was checked and wrong (it is what locked the account), yet the trail says it
    was made "while locked out", so an administrator reads four wrong passwords and one try during the pause."""
    _fail(client, "frontdesk", 5)
    details = list(AuditEvent.objects.filter(action="sign_in_failed").values_list("detail", flat=True))
    assert len(details) == 5
    assert [d for d in details if d.startswith("while locked out")] == []


# --- 6. Opted-out numbers: the admin's search finds a number only when typed in E.164 ------------------------------

FIND = "/admin/messaging/textoptout/find/"


def test_the_opt_out_search_finds_a_number_typed_as_people_write_it(client, administrator):
    """A patient phones: "I replied START, please send my reminders again". The administrator types their number as
    the patient says it, (555) 010-0100, and the admin answers "0 numbers that asked for no texts": they conclude
    the number is not blocked, and the patient goes on getting nothing."""
    row = TextOptOut.objects.create(number="+15550100100", at=timezone.now())
    client.force_login(administrator)
    for typed in ("(555) 010-0100", "555-010-0100", "5550100100", "+15550100100"):
        found = client.post(FIND, {"number": typed})
        assert found["Location"] == f"/admin/messaging/textoptout/{row.pk}/change/", typed
        assert "+15550100100" in client.get(found["Location"]).content.decode(), typed
    missing = client.post(FIND, {"number": "(555) 010-0199"}, follow=True)
    assert missing.redirect_chain[-1][0] == "/admin/messaging/textoptout/"
    assert "No number that asked for no texts matches" in missing.content.decode()


def test_the_opt_out_search_is_posted_so_a_patients_number_never_lands_in_an_address(client, administrator):
    """A phone number is patient data: it must not reach an access log or the browser's history, as a name in the
    queue's or the invitations' search never does. The admin's own search box is a GET form (?q=+15550100100), and
    every link of its result page carries the number on (?_changelist_filters=q%3D...)."""
    TextOptOut.objects.create(number="+15550100100", at=timezone.now())
    client.force_login(administrator)
    page = client.get("/admin/messaging/textoptout/").content.decode()
    assert 'name="q"' not in page  # the admin's GET search box
    assert f'method="post" action="{FIND}"' in page
    found = client.post(FIND, {"number": "(555) 010-0100"}, follow=True)
    assert found.redirect_chain
    assert not [url for url, _status in found.redirect_chain if "0100" in url]
    assert "0100" not in str(found.request)
    assert "+15550100100" in found.content.decode()


# --- 7. The audit trail's admin list: a date link crafted for year 9999 is a 500 -------------------------------------


@pytest.mark.parametrize(
    "query", ["at__year=9999", "at__year=9999&at__month=12", "at__year=9999&at__month=12&at__day=31"]
)
def test_the_audit_trail_admin_answers_an_out_of_range_date_without_a_server_error(administrator, query):
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    response = client.get(f"/admin/audit/auditevent/?{query}")
    assert response.status_code in (200, 302, 400)


@pytest.fixture
def reviewer_on_leave(django_user_model):
    person = django_user_model.objects.create_user(
        username="onleave", password="their-own-password", is_staff=True, is_active=False
    )
    person.groups.add(Group.objects.get(name=CLINICAL_REVIEWERS))
    return person


def test_keeper_cannot_set_the_password_of_a_deactivated_account_with_more_powers(
    client, account_keeper, reviewer_on_leave
):
    """Django gives an inactive account no permissions, so it outranked nobody: its password could be set and the
    account ticked active again (review of the stop-34 commits)."""
    client.force_login(account_keeper)
    response = client.post(
        f"/admin/auth/user/{reviewer_on_leave.pk}/password/",
        {"password1": "chosen-by-the-keeper-2026", "password2": "chosen-by-the-keeper-2026", "usable_password": "true"},
    )
    reviewer_on_leave.refresh_from_db()
    assert not reviewer_on_leave.check_password("chosen-by-the-keeper-2026"), (
        "the keeper set a clinical reviewer's password"
    )
    assert response.status_code == 403


def test_keeper_cannot_reactivate_a_deactivated_account_with_more_powers(client, account_keeper, reviewer_on_leave):
    client.force_login(account_keeper)
    page = client.get(f"/admin/auth/user/{reviewer_on_leave.pk}/change/").content.decode()
    assert 'name="is_active"' not in page, "'Active' is editable on an account with more powers than the keeper's"


def test_a_try_on_a_locked_account_typed_with_a_trailing_space_is_recorded_as_while_locked_out(front_desk):
    """A phone's keyboard adds a space after the username; the lock reads it without (review of the stop-34 commits)."""
    client = Client()
    for _ in range(5):
        client.post("/staff/sign-in/", {"username": "frontdesk", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    client.post(
        "/staff/sign-in/", {"username": "frontdesk ", "password": "correct-horse-battery"}, REMOTE_ADDR="198.51.100.7"
    )
    last = AuditEvent.objects.filter(action="sign_in_failed").order_by("-pk").first()
    assert last is not None
    front_desk.refresh_from_db()
    assert last.detail.startswith("while locked out"), last.detail


@pytest.mark.parametrize("username", ["front\x00desk", "x" * 151])
def test_a_username_the_form_refuses_never_reaches_the_lockout(client, username):
    """The lock check before signing in took the username as typed: PostgreSQL refused a NUL byte in the lockout's
    lookup, a 500 (the hypothesis test of tests/security/test_bad_input.py found it on PostgreSQL)."""
    response = client.post("/staff/sign-in/", {"username": username, "password": "whatever"})
    assert response.status_code == 200
