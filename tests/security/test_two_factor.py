"""Clinicians and administrators sign in with a password and a code; front desk and editors with a password."""

from __future__ import annotations

import re
import time
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import issue_recovery_codes
from tests.security.conftest import next_totp_code, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_clinician_with_an_app_is_asked_for_a_code_and_is_not_signed_in_by_the_password_alone(
    client, clinician, authenticator
):
    response = sign_in_with_password(client, "clinician")
    assert response.headers["Location"] == "/staff/sign-in/code/"
    assert signed_in_user_id(client) is None
    # Staff pages stay closed between the two steps.
    assert client.get("/staff/queue/").status_code == 302


def test_the_right_code_signs_the_clinician_in_and_sends_them_to_the_queue(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/queue/"
    assert signed_in_user_id(client) == str(clinician.pk)


def test_a_wrong_code_gets_a_message_and_no_session(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    wrong = str((int(totp_code(authenticator)) + 1) % 1_000_000).zfill(6)
    response = client.post("/staff/sign-in/code/", {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_the_code_step_cannot_be_used_without_the_password_step(client, clinician, authenticator):
    response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)})
    assert response.headers["Location"] == "/staff/sign-in/"
    assert signed_in_user_id(client) is None


def test_the_same_app_code_cannot_be_used_twice(client, clinician, authenticator):
    code = totp_code(authenticator)
    sign_in_with_password(client, "clinician")
    client.post("/staff/sign-in/code/", {"code": code})
    client.post("/staff/sign-out/")
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": code})
    assert signed_in_user_id(client) is None
    assert response.status_code == 200


def test_a_recovery_code_works_once_and_is_refused_the_second_time(client, clinician, authenticator):
    codes = issue_recovery_codes(clinician)
    sign_in_with_password(client, "clinician")
    assert client.post("/staff/sign-in/code/", {"code": codes[0]}).status_code == 302
    assert signed_in_user_id(client) == str(clinician.pk)
    client.post("/staff/sign-out/")

    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": codes[0]})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert StaticToken.objects.filter(device__user=clinician).count() == len(codes) - 1


def test_wrong_codes_count_towards_the_lockout(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    for _ in range(5):
        response = client.post("/staff/sign-in/code/", {"code": "000000"})
    assert response.status_code == 429
    # Locked: even the right code is refused now, and the password step too.
    response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)})
    assert response.status_code in {302, 429}
    assert signed_in_user_id(client) is None
    assert sign_in_with_password(client, "clinician").status_code == 429


def test_first_sign_in_sets_up_the_app_with_a_qr_code_then_shows_recovery_codes_once(client, clinician):
    response = sign_in_with_password(client, "clinician")
    assert response.headers["Location"] == "/staff/sign-in/set-up/"

    page = client.get("/staff/sign-in/set-up/")
    html = page.content.decode()
    assert "<svg" in html
    assert "QR code for your authenticator app" in html
    assert " style=" not in html
    # Reloading shows the same secret: the app the person already scanned keeps working.
    assert client.get("/staff/sign-in/set-up/").content.decode().count(page.context["secret"]) == 1
    device = TOTPDevice.objects.get(user=clinician)
    assert not device.confirmed

    response = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    assert response.status_code == 200
    shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(shown) == 10
    assert set(shown) == set(StaticToken.objects.filter(device__user=clinician).values_list("token", flat=True))
    assert signed_in_user_id(client) == str(clinician.pk)
    device.refresh_from_db()
    assert device.confirmed
    # Shown once: nothing in the session holds them.
    assert not any(code in str(dict(client.session)) for code in shown)


CODES_SHOWN = r"<li><code>([a-z0-9]+)</code></li>"


def _busy() -> OperationalError:
    """A statement timeout, as Django raises it from the driver's error (the busy page's case)."""
    error = OperationalError("canceling statement due to statement timeout")
    error.__cause__ = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    return error


def _saved_codes(client, page) -> HttpResponse:
    """Press "I have saved them: continue" on a recovery codes page."""
    form = page.content.decode().split('action="/staff/sign-in/recovery-codes/"')[1].split("</form>")[0]
    (next_url,) = re.findall(r'name="next" value="([^"]*)"', form)
    return client.post("/staff/sign-in/recovery-codes/", {"next": next_url})


def test_recovery_codes_the_database_kept_from_the_set_up_page_are_shown_at_the_next_sign_in(clinician):
    """The app was confirmed and the recovery codes made, then the database was busy before the page with the codes
    was sent. The next sign-in asks only for the app's code: it shows the codes then, until they are saved."""
    client = Client(raise_request_exception=False)
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    with mock.patch("accounts.views.auth_login", side_effect=_busy()):
        response = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    assert response.status_code == 503
    codes = set(StaticToken.objects.filter(device__user=clinician).values_list("token", flat=True))
    assert len(codes) == 10
    assert not re.findall(CODES_SHOWN, response.content.decode())

    assert sign_in_with_password(client, "clinician").headers["Location"] == "/staff/sign-in/code/"
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert signed_in_user_id(client) == str(clinician.pk)
    page = client.get(response.headers["Location"])
    assert set(re.findall(CODES_SHOWN, page.content.decode())) == codes
    assert _saved_codes(client, page).headers["Location"] == "/staff/welcome/"

    # Saved: the next sign-in goes straight on, and the page no longer shows them.
    client.logout()
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert response.headers["Location"] == "/staff/welcome/"
    assert not re.findall(CODES_SHOWN, client.get("/staff/sign-in/recovery-codes/", follow=True).content.decode())


def test_recovery_codes_saved_from_the_set_up_page_are_not_shown_again(client, clinician):
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    page = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    assert len(re.findall(CODES_SHOWN, page.content.decode())) == 10
    assert _saved_codes(client, page).headers["Location"] == "/staff/welcome/"
    client.logout()
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert response.headers["Location"] == "/staff/welcome/"


def test_recovery_codes_not_yet_saved_are_not_shown_to_a_session_without_the_second_step(client, clinician):
    """Only a session signed in with the app's code sees codes not yet saved: not one signed in
    some other way (a password alone, before the account needed a second factor)."""
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    with mock.patch("accounts.views.auth_login", side_effect=_busy()), pytest.raises(OperationalError):
        client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    other = Client()
    other.force_login(clinician)
    response = other.get("/staff/sign-in/recovery-codes/", follow=True)
    assert not re.findall(CODES_SHOWN, response.content.decode())


def test_set_up_refuses_a_wrong_code_and_keeps_the_person_signed_out(client, clinician):
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    response = client.post("/staff/sign-in/set-up/", {"code": "12345"})
    assert "That code did not work" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not TOTPDevice.objects.get(user=clinician).confirmed


def test_an_administrator_needs_a_code_too(client, administrator):
    response = sign_in_with_password(client, "administrator")
    assert response.headers["Location"] == "/staff/sign-in/set-up/"
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("persona", ["front_desk", "editor"])
def test_front_desk_and_editors_sign_in_with_a_password_only(client, persona, request):
    user = request.getfixturevalue(persona)
    response = sign_in_with_password(client, user.username)
    assert response.headers["Location"] == "/staff/welcome/"
    assert signed_in_user_id(client) == str(user.pk)


def test_the_admin_login_goes_through_the_staff_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in/?next=/admin/"
    assert client.get("/admin/").headers["Location"].startswith("/admin/login/")


def test_a_signed_in_person_without_admin_access_gets_403_from_the_admin_not_a_loop(client, front_desk):
    client.force_login(front_desk)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/login/").status_code == 403


def test_sign_in_ignores_a_next_address_on_another_site(client, front_desk):
    response = sign_in_with_password(client, "frontdesk", **{"QUERY_STRING": "next=https://evil.example/"})
    assert response.headers["Location"] == "/staff/welcome/"


# --- Who needs the second step: whoever holds a permission to clinical answers, however it was given ---------------


def grant(user, *perm_names: str) -> None:
    from django.contrib.auth.models import Permission

    for perm_name in perm_names:
        app_label, codename = perm_name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.mark.parametrize(
    "perm_name",
    [
        "intake.view_intake",
        "intake.review_intake",
        "intake.export_intakes",
        "intake.view_reviewnote",
        # Hands out the rest: a person's permissions or superuser status, a group's permissions.
        "auth.change_user",
        "auth.change_group",
        # Shows another person's authenticator secret.
        "otp_totp.view_totpdevice",
    ],
)
def test_a_permission_given_to_the_person_directly_needs_the_second_step(client, front_desk, perm_name):
    grant(front_desk, perm_name)
    response = sign_in_with_password(client, "frontdesk")
    assert response.headers["Location"] == "/staff/sign-in/set-up/"
    assert signed_in_user_id(client) is None


def test_clinical_permissions_through_another_group_need_the_second_step(client, django_user_model):
    from django.contrib.auth.models import Group, Permission

    physios = Group.objects.create(name="Physiotherapists")
    physios.permissions.add(*Permission.objects.filter(codename__in=["view_queue", "view_intake", "review_intake"]))
    physio = django_user_model.objects.create_user(username="physio", password="correct-horse-battery")
    physio.groups.add(physios)
    response = sign_in_with_password(client, "physio")
    assert response.headers["Location"] == "/staff/sign-in/set-up/"
    assert signed_in_user_id(client) is None


def test_the_front_desk_queue_permission_alone_stays_password_only(client, django_user_model):
    person = django_user_model.objects.create_user(username="reception", password="correct-horse-battery")
    grant(person, "intake.view_queue", "intake.view_invitation", "intake.add_invitation")
    assert sign_in_with_password(client, "reception").headers["Location"] == "/staff/welcome/"


def test_a_password_only_session_given_clinical_access_is_ended_at_its_next_page(client, front_desk):
    sign_in_with_password(client, "frontdesk")
    assert client.get("/staff/queue/").status_code == 200
    grant(front_desk, "intake.view_intake")

    response = client.get("/staff/queue/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in/?next=/staff/queue/"
    assert signed_in_user_id(client) is None
    page = client.get(response.headers["Location"]).content.decode()
    assert "now needs a code from an authenticator app" in page
    # Signing in again goes through both steps.
    assert sign_in_with_password(client, "frontdesk").headers["Location"] == "/staff/sign-in/set-up/"


def test_the_admin_follows_the_same_rule(client, editor):
    """An editor may use the admin with a password; given a permission that needs a second factor, no longer."""
    sign_in_with_password(client, "editor")
    assert client.get("/admin/").status_code == 200
    grant(editor, "auth.change_user")

    response = client.get("/admin/auth/user/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in/?next=/admin/auth/user/"
    assert signed_in_user_id(client) is None
    assert sign_in_with_password(client, "editor").headers["Location"] == "/staff/sign-in/set-up/"


def test_a_password_only_session_made_superuser_is_ended_by_the_admin_login_too(client, editor):
    sign_in_with_password(client, "editor")
    editor.is_superuser = True
    editor.save(update_fields=["is_superuser"])
    response = client.get("/admin/login/")
    assert response.headers["Location"].startswith("/staff/sign-in/")
    assert signed_in_user_id(client) is None


def test_a_password_only_session_made_superuser_cannot_read_the_audit_trail(client, front_desk):
    sign_in_with_password(client, "frontdesk")
    assert client.get("/staff/audit/").status_code == 403
    front_desk.is_superuser = True
    front_desk.save(update_fields=["is_superuser"])
    response = client.get("/staff/audit/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in/?next=/staff/audit/"
    assert signed_in_user_id(client) is None


def test_a_session_signed_in_with_both_steps_is_not_asked_again(client, clinician, authenticator):
    sign_in_with_password(client, "clinician")
    client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)})
    grant(clinician, "auth.change_user")
    assert client.get("/staff/queue/").status_code == 200


def test_signing_in_again_with_both_steps_in_the_same_browser_clears_the_password_only_mark(client, clinician):
    clinician.groups.clear()
    sign_in_with_password(client, "clinician")  # no clinical permission yet: a password is enough
    from django.contrib.auth.models import Group

    clinician.groups.add(Group.objects.get(name="Clinicians"))
    assert sign_in_with_password(client, "clinician").headers["Location"] == "/staff/sign-in/set-up/"
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    assert client.post("/staff/sign-in/set-up/", {"code": totp_code(device)}).status_code == 200
    assert signed_in_user_id(client) == str(clinician.pk)
    assert client.get("/staff/queue/").status_code == 200


def test_signing_in_with_one_recovery_code_does_not_show_the_others(clinician):
    """Each recovery code works once. Someone who has the password and one code (copied from the set-up page the
    owner left without pressing "I have saved them") signed in with it and was shown every other unused code: one
    sign-in became nine more. The codes not yet saved are shown after a sign-in with the app's code only."""
    client = Client()
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    page = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    codes = re.findall(CODES_SHOWN, page.content.decode())
    assert len(codes) == 10
    client.logout()  # the owner left without pressing "I have saved them: continue"

    other = Client()
    sign_in_with_password(other, "clinician")
    response = other.post("/staff/sign-in/code/", {"code": codes[0]})
    assert signed_in_user_id(other) == str(clinician.pk)
    assert response.headers["Location"] == "/staff/welcome/"
    shown = other.get("/staff/sign-in/recovery-codes/", follow=True).content.decode()
    assert not set(re.findall(CODES_SHOWN, shown)) & set(codes)

    # The owner's next sign-in with the app still shows them, until saved.
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    page = client.get(response.headers["Location"])
    assert set(re.findall(CODES_SHOWN, page.content.decode())) == set(codes[1:])


def _left_unsaved(client, clinician) -> tuple[TOTPDevice, list[str]]:
    """First sign-in: the app set up and the recovery codes shown, then the person signs out without pressing "I have
    saved them: continue"."""
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    codes = re.findall(CODES_SHOWN, client.post("/staff/sign-in/set-up/", {"code": totp_code(device)}).content.decode())
    assert len(codes) == 10
    client.logout()
    return device, codes


def test_recovery_codes_not_yet_saved_are_shown_right_after_the_sign_in_only(client, clinician):
    """Codes not yet saved are shown once, right after each sign-in with the app's code. A computer left signed in
    does not show them to whoever opens the page (or reloads it, or goes back to it) later in that session."""
    device, codes = _left_unsaved(client, clinician)

    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    page = client.get(response.headers["Location"])
    assert set(re.findall(CODES_SHOWN, page.content.decode())) == set(codes)
    assert "no-store" in page.headers["Cache-Control"]

    # Later in the same session: reloaded, or opened from the address bar after other pages.
    later = client.get(response.headers["Location"])
    assert later.status_code == 302
    assert later.headers["Location"] == "/staff/welcome/"
    client.get("/staff/queue/")
    later = client.get("/staff/sign-in/recovery-codes/", follow=True)
    assert not re.findall(CODES_SHOWN, later.content.decode())
    assert signed_in_user_id(client) == str(clinician.pk)

    # Still not saved: the next sign-in with the app shows them again, and "I have saved them" works from there.
    client.logout()
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    page = client.get(response.headers["Location"])
    assert set(re.findall(CODES_SHOWN, page.content.decode())) == set(codes)
    assert _saved_codes(client, page).headers["Location"] == "/staff/welcome/"
    client.logout()
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert response.headers["Location"] == "/staff/welcome/"


def test_recovery_codes_are_not_shown_by_a_session_that_did_not_open_them_right_after_its_sign_in(client, clinician):
    """The page after the sign-in never arrived (a busy database) or was not followed: opening it ten minutes later,
    the session still signed in, does not show the codes although this session was signed in with the app's code."""
    device, _codes = _left_unsaved(client, clinician)
    sign_in_with_password(client, "clinician")
    response = client.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert response.headers["Location"].startswith("/staff/sign-in/recovery-codes/")

    ten_minutes_later = time.time() + 10 * 60  # the staff session's idle limit is 30 minutes
    with mock.patch("time.time", return_value=ten_minutes_later):
        page = client.get(response.headers["Location"], follow=True)
        assert signed_in_user_id(client) == str(clinician.pk)
    assert not re.findall(CODES_SHOWN, page.content.decode())
    assert page.redirect_chain[0][0] == "/staff/welcome/"
