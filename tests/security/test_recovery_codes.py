"""The recovery codes not yet saved: "I have saved them" works only from the page that just showed them, and a person
whose codes are gone (removed by an administrator, or every one used) is told so and how to get new ones."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.conftest import next_totp_code, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

CODES_SHOWN = r"<li><code>([a-z0-9]+)</code></li>"
SAVED_BUTTON = "I have saved them: continue"
NOT_SAVED = "Your recovery codes are not marked as saved"


class Owner:
    """The clinician at their first sign-in: the app set up and the recovery codes shown, then signed out without
    pressing "I have saved them: continue". Each later sign-in with the app uses the app's next code."""

    def __init__(self, clinician) -> None:
        client = Client()
        sign_in_with_password(client, "clinician")
        client.get("/staff/sign-in/set-up/")
        self.device = TOTPDevice.objects.get(user=clinician)
        page = client.post("/staff/sign-in/set-up/", {"code": totp_code(self.device)})
        self.codes = re.findall(CODES_SHOWN, page.content.decode())
        assert len(self.codes) == 10
        client.logout()

    def signs_in_with_the_app(self, client: Client) -> str:
        """The password and the app's code; where the code step sends the browser."""
        sign_in_with_password(client, "clinician")
        response = client.post("/staff/sign-in/code/", {"code": next_totp_code(self.device)})
        assert client.session.get("_auth_user_id") is not None
        return str(response.headers["Location"])

    def signs_in_with_a_recovery_code(self, code: str) -> bool:
        client = Client()
        sign_in_with_password(client, "clinician")
        client.post("/staff/sign-in/code/", {"code": code})
        return client.session.get("_auth_user_id") == str(self.device.user_id)

    def uses_every_recovery_code(self) -> None:
        for code in self.codes:
            assert self.signs_in_with_a_recovery_code(code)

    def is_shown_the_codes_at_the_next_sign_in(self) -> bool:
        client = Client()
        page = client.get(self.signs_in_with_the_app(client))
        return set(re.findall(CODES_SHOWN, page.content.decode())) == set(self.codes)


def seen(response) -> str:
    """The page as read: its HTML with each run of spaces and line breaks as one space."""
    return " ".join(response.content.decode().split())


def press_saved(client, page) -> HttpResponse:
    """Press "I have saved them: continue" on a page that shows the codes."""
    form = page.content.decode().split('action="/staff/sign-in/recovery-codes/"')[1].split("</form>")[0]
    (next_url,) = re.findall(r'name="next" value="([^"]*)"', form)
    return client.post("/staff/sign-in/recovery-codes/", {"next": next_url})


def test_saved_them_from_a_session_that_was_not_just_shown_the_codes_says_so_and_changes_nothing(clinician):
    """Someone at a computer left signed in with the app (it never opened the codes: it went to the queue) pressed "I
    have saved them" from an old form: the codes were marked saved and never shown to their owner again."""
    owner = Owner(clinician)
    left_signed_in = Client()
    owner.signs_in_with_the_app(left_signed_in)
    left_signed_in.get("/staff/queue/")

    response = left_signed_in.post("/staff/sign-in/recovery-codes/", {"next": "/staff/queue/"})
    html = seen(response)
    assert response.status_code == 409
    assert NOT_SAVED in html
    assert "only on the page that showed you the codes" in html
    assert "Nothing has changed" in html
    assert "shown again right after your next sign-in with your authenticator app" in html
    assert 'href="/staff/queue/"' in html  # the way on
    assert not re.findall(CODES_SHOWN, html)
    assert owner.is_shown_the_codes_at_the_next_sign_in()


def test_saved_them_from_another_browser_while_the_owner_has_the_codes_open_leaves_the_owners_page_working(clinician):
    owner = Owner(clinician)
    at_the_desk = Client()
    page = at_the_desk.get(owner.signs_in_with_the_app(at_the_desk))
    assert set(re.findall(CODES_SHOWN, page.content.decode())) == set(owner.codes)

    elsewhere = Client()
    owner.signs_in_with_the_app(elsewhere)  # its own sign-in, its codes page never opened
    assert NOT_SAVED in elsewhere.post("/staff/sign-in/recovery-codes/", {"next": ""}).content.decode()

    assert press_saved(at_the_desk, page).headers["Location"] == "/staff/welcome/"
    assert not owner.is_shown_the_codes_at_the_next_sign_in()


def test_saved_them_from_a_session_signed_in_with_a_recovery_code_says_so_and_changes_nothing(clinician):
    owner = Owner(clinician)
    other = Client()
    sign_in_with_password(other, "clinician")
    other.post("/staff/sign-in/code/", {"code": owner.codes[0]})
    assert other.session.get("_auth_user_id") == str(clinician.pk)

    response = other.post("/staff/sign-in/recovery-codes/", {"next": ""})
    assert response.status_code == 409
    assert NOT_SAVED in response.content.decode()
    owner.codes.remove(owner.codes[0])  # used: the other nine are shown
    assert owner.is_shown_the_codes_at_the_next_sign_in()


def test_saved_them_pressed_long_after_the_codes_were_shown_says_so_and_they_are_shown_at_the_next_sign_in(
    clinician,
):
    """A computer left on the codes page (the staff session lasts 30 minutes idle): the button pressed eleven minutes
    later no longer marks them saved."""
    owner = Owner(clinician)
    client = Client()
    page = client.get(owner.signs_in_with_the_app(client))
    with mock.patch("time.time", return_value=time.time() + 11 * 60):
        response = press_saved(client, page)
        assert client.session.get("_auth_user_id") == str(clinician.pk)
    html = seen(response)
    assert response.status_code == 409
    assert NOT_SAVED in html
    assert "within 10 minutes" in html
    assert owner.is_shown_the_codes_at_the_next_sign_in()


def test_saved_them_pressed_nine_minutes_after_the_codes_were_shown_works(clinician):
    """Writing ten codes down or printing them takes a while: the owner has ten minutes from the page."""
    owner = Owner(clinician)
    client = Client()
    page = client.get(owner.signs_in_with_the_app(client))
    with mock.patch("time.time", return_value=time.time() + 9 * 60):
        assert press_saved(client, page).headers["Location"] == "/staff/welcome/"
    assert not owner.is_shown_the_codes_at_the_next_sign_in()


def test_saved_them_pressed_twice_goes_on_both_times(clinician):
    """A double click: the second press finds the codes saved already and goes on, not saying that they are not."""
    owner = Owner(clinician)
    client = Client()
    page = client.get(owner.signs_in_with_the_app(client))
    assert press_saved(client, page).headers["Location"] == "/staff/welcome/"
    assert press_saved(client, page).headers["Location"] == "/staff/welcome/"


def test_saved_them_from_the_set_up_page_in_another_browser_changes_nothing(client, clinician):
    """The set-up page shows the codes in its own answer: its button works there (tests/security/test_two_factor.py),
    not from another session signed in with the app."""
    sign_in_with_password(client, "clinician")
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    page = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    other = Client()
    sign_in_with_password(other, "clinician")
    other.post("/staff/sign-in/code/", {"code": next_totp_code(device)})
    assert NOT_SAVED in other.post("/staff/sign-in/recovery-codes/", {"next": ""}).content.decode()
    assert press_saved(client, page).headers["Location"] == "/staff/welcome/"


def _codes_page(owner: Owner, client: Client | None = None) -> str:
    client = client or Client()
    page = client.get(owner.signs_in_with_the_app(client))
    assert page.status_code == 200
    return seen(page)


def test_codes_removed_by_an_administrator_are_not_an_empty_list_the_page_says_what_happened_and_how_to_get_new_ones(
    clinician, administrator
):
    owner = Owner(clinician)
    admin = Client()
    admin.force_login(administrator)
    recovery = StaticDevice.objects.get(user=clinician)
    deleted = admin.post(f"/admin/otp_static/staticdevice/{recovery.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not StaticDevice.objects.filter(user=clinician).exists()

    html = _codes_page(owner)
    assert "Your recovery codes were removed" in html
    assert "An administrator removed your recovery codes" in html
    assert "You can still sign in with your authenticator app" in html
    assert "ask an administrator to remove your authenticator app as well" in html
    assert "you are given 10 new recovery codes" in html
    assert 'class="recovery-codes' not in html
    assert SAVED_BUTTON not in html
    assert 'href="/staff/welcome/"' in html
    # Until then, after each sign-in with the app (as the page says): no codes were shown, so none are said to be
    # saved from here.
    client = Client()
    assert "Your recovery codes were removed" in _codes_page(owner, client)
    assert client.post("/staff/sign-in/recovery-codes/", {"next": ""}).status_code == 409
    assert "Your recovery codes were removed" in _codes_page(owner)

    # As the page says: the administrator removes the app too, and the next sign-in sets it up and gives new codes.
    totp = TOTPDevice.objects.get(user=clinician)
    assert admin.post(f"/admin/otp_totp/totpdevice/{totp.pk}/delete/", {"post": "yes"}).status_code == 302
    client = Client()
    assert sign_in_with_password(client, "clinician").headers["Location"] == "/staff/sign-in/set-up/"
    client.get("/staff/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=clinician)
    page = client.post("/staff/sign-in/set-up/", {"code": totp_code(device)})
    assert len(re.findall(CODES_SHOWN, page.content.decode())) == 10


def test_codes_all_used_are_not_an_empty_list_the_page_says_so_and_how_to_get_new_ones(clinician):
    owner = Owner(clinician)
    owner.uses_every_recovery_code()

    html = _codes_page(owner)
    assert "You have used all your recovery codes" in html
    assert "You can still sign in with your authenticator app" in html
    assert "ask an administrator to remove your authenticator app as well" in html
    assert 'class="recovery-codes' not in html
    assert SAVED_BUTTON not in html


def test_codes_removed_while_their_page_is_open_are_not_marked_saved_the_button_says_they_were_removed(
    clinician, administrator
):
    """The owner writes the codes down; meanwhile an administrator deletes them. "I have saved them" said nothing, and
    the owner kept codes that no longer work, never told."""
    owner = Owner(clinician)
    client = Client()
    page = client.get(owner.signs_in_with_the_app(client))
    admin = Client()
    admin.force_login(administrator)
    recovery = StaticDevice.objects.get(user=clinician)
    assert admin.post(f"/admin/otp_static/staticdevice/{recovery.pk}/delete/", {"post": "yes"}).status_code == 302

    response = press_saved(client, page)
    html = seen(response)
    assert response.status_code == 409
    assert "Your recovery codes were removed" in html
    assert "ask an administrator to remove your authenticator app as well" in html
    assert "Your recovery codes were removed" in _codes_page(owner)


def test_the_admin_cannot_remove_recovery_codes_one_by_one_their_page_lists_none_of_them(clinician, administrator):
    """OTP_ADMIN_HIDE_SENSITIVE_DATA: a recovery device's admin page has no list of its codes, so a code deleted in
    the admin is the whole device (the test above); a token form sent anyway changes nothing."""
    Owner(clinician)
    admin = Client()
    admin.force_login(administrator)
    recovery = StaticDevice.objects.get(user=clinician)
    token = recovery.token_set.order_by("pk").first()
    page = admin.get(f"/admin/otp_static/staticdevice/{recovery.pk}/change/")
    assert token.token not in page.content.decode()
    assert "token_set-" not in page.content.decode()
    form = {
        "user": clinician.pk,
        "name": recovery.name,
        "confirmed": "on",
        "token_set-TOTAL_FORMS": "1",
        "token_set-INITIAL_FORMS": "1",
        "token_set-0-id": token.pk,
        "token_set-0-device": recovery.pk,
        "token_set-0-token": token.token,
        "token_set-0-DELETE": "on",
    }
    assert admin.post(f"/admin/otp_static/staticdevice/{recovery.pk}/change/", form).status_code == 302
    assert recovery.token_set.count() == 10


def test_codes_gone_with_none_ever_used_are_not_said_to_be_used_the_page_says_they_were_removed(clinician):
    """A recovery device left with no codes and none used (deleted outside the page's sight: a shell, an import):
    django-otp notes when a code of the device was last used, and none was, so they were not used up."""
    owner = Owner(clinician)
    StaticDevice.objects.get(user=clinician).token_set.all().delete()

    html = _codes_page(owner)
    assert "You have used all your recovery codes" not in html
    assert "Your recovery codes were removed" in html


def test_codes_an_administrator_turned_off_are_not_listed_the_page_says_they_were_removed(clinician, administrator):
    """Unticking "confirmed" on the recovery device's admin page turns its codes off: the sign-in refuses them. The
    page listed them, still to be written down and said to be saved."""
    owner = Owner(clinician)
    admin = Client()
    admin.force_login(administrator)
    recovery = StaticDevice.objects.get(user=clinician)
    form = {"user": clinician.pk, "name": recovery.name}  # "confirmed" unticked
    assert admin.post(f"/admin/otp_static/staticdevice/{recovery.pk}/change/", form).status_code == 302
    client = Client()
    sign_in_with_password(client, "clinician")
    client.post("/staff/sign-in/code/", {"code": owner.codes[0]})
    assert client.session.get("_auth_user_id") is None  # refused

    html = _codes_page(owner)
    assert owner.codes[1] not in html
    assert SAVED_BUTTON not in html
    assert "Your recovery codes were removed" in html


def test_a_recovery_device_an_administrator_renamed_still_lists_its_codes_which_still_work(clinician, administrator):
    """A rename in the admin changes nothing about the codes: the sign-in takes them whatever the device is called, and
    the page lists them to be written down. It read the device by its first name and said they were removed."""
    owner = Owner(clinician)
    _rename_recovery_device(clinician, administrator, "Paper codes in the desk drawer")
    assert StaticDevice.objects.get(user=clinician).name == "Paper codes in the desk drawer"

    html = _codes_page(owner)
    assert "Your recovery codes were removed" not in html
    assert set(re.findall(CODES_SHOWN, html)) == set(owner.codes)
    assert SAVED_BUTTON in html
    assert owner.signs_in_with_a_recovery_code(owner.codes[0])  # the code the page lists works


def test_codes_of_a_renamed_recovery_device_all_used_are_said_to_be_used_not_removed(clinician, administrator):
    owner = Owner(clinician)
    _rename_recovery_device(clinician, administrator, "Backup")
    owner.uses_every_recovery_code()

    html = _codes_page(owner)
    assert "You have used all your recovery codes" in html
    assert "Your recovery codes were removed" not in html


def _rename_recovery_device(clinician, administrator, name: str) -> None:
    admin = Client()
    admin.force_login(administrator)
    recovery = StaticDevice.objects.get(user=clinician)
    form = {"user": clinician.pk, "name": name, "confirmed": "on"}
    assert admin.post(f"/admin/otp_static/staticdevice/{recovery.pk}/change/", form).status_code == 302
