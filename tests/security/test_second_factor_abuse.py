"""Someone who has a staff member's password, or sits at the same computer, still cannot pass or block the second step.

Each test states the promise it checks (README.md "Security", or what the pages themselves say) and asserts what a
person sees or what the database holds.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import issue_recovery_codes
from tests.security.conftest import sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def wrong_code_for(device: TOTPDevice) -> str:
    """A 6-digit code that none of the codes accepted around now (tolerance 1 step) is equal to."""
    accepted = {totp_code(device, offset_steps=step) for step in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in accepted)


def code_for_typed_secret(secret: str) -> str:
    """The code an app shows now for a secret typed in from the set-up page (base32, in groups of four)."""
    import base64
    import time

    from django_otp.oath import TOTP

    key = "".join(secret.split())
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def wrong_codes_from_elsewhere(clock, authenticator: TOTPDevice, count: int) -> list[int]:
    """Someone who has the clinician's password types `count` wrong codes from addresses of their own, four each
    (axes never locks one: its limit is 5), waiting out django-otp's back-off so each counts (2 ** (n - 1) seconds
    after the n-th). Returns each answer's status."""
    attacker = Client()
    statuses = []
    for attempt in range(count):
        if attempt:
            clock.shift(dt.timedelta(seconds=2 ** (attempt - 1) + 1))
        address = f"203.0.113.{attempt // 4 + 1}"
        sign_in_with_password(attacker, "clinician", REMOTE_ADDR=address)
        authenticator.refresh_from_db()
        answer = attacker.post("/staff/sign-in/code/", {"code": wrong_code_for(authenticator)}, REMOTE_ADDR=address)
        statuses.append(answer.status_code)
    return statuses


# --- 1. Someone holding the password can keep the owner out, from elsewhere, however the lock is lifted -----------


def test_someone_with_the_password_failing_codes_elsewhere_cannot_keep_the_owner_out(client, clinician, authenticator):
    """README: lockouts are per username *and address*, so "someone failing on purpose from elsewhere cannot keep a
    colleague out", and an administrator or the e-mailed link lifts any lock. django-otp's own per-device back-off
    (1, 2, 4, 8 ... seconds after each counted failure, never capped, not per address, not cleared by axes resets)
    sits under that: a person who has the password (the case a second factor exists for) fails codes from a few other
    addresses, never locking any of them, and the owner's *right* code from the office is then refused as "That code
    did not work" for the next 34 minutes (and for days with a few more tries), and each refusal counts towards
    locking the owner out at their own address."""
    with time_machine.travel(START, tick=False) as clock:
        # "That code did not work" each time, never a lockout.
        assert wrong_codes_from_elsewhere(clock, authenticator, 12) == [200] * 12

        clock.shift(dt.timedelta(minutes=5))
        # The owner, at the office: password, then the code their app shows now.
        assert (
            sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE).headers["Location"] == "/staff/sign-in/code/"
        )
        authenticator.refresh_from_db()
        response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)}, REMOTE_ADDR=OFFICE)
        signed_in = signed_in_user_id(client)

    assert signed_in == str(clinician.pk), "the owner's right code was refused: " + (
        "'That code did not work'" if b"did not work" in response.content else str(response.status_code)
    )


def test_a_code_typed_while_the_app_waits_after_many_wrong_ones_says_to_wait_and_is_not_counted(
    client, clinician, authenticator
):
    """After many wrong codes from elsewhere the owner's code is not looked at for a few minutes: the page says so
    (and what to do) instead of "That code did not work", and the try does not count towards locking them out."""
    with time_machine.travel(START, tick=False) as clock:
        wrong_codes_from_elsewhere(clock, authenticator, 8)

        sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE)
        for _ in range(6):  # more than the lockout's five
            authenticator.refresh_from_db()
            response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)}, REMOTE_ADDR=OFFICE)
            assert response.status_code == 200
            page = response.content.decode()
            assert "Too many wrong codes have been typed for this account" in page
            assert "3 minutes" in page  # 2 ** 7 seconds after the eighth wrong code
            assert "tell an administrator" in page
        clock.shift(dt.timedelta(minutes=3))
        authenticator.refresh_from_db()
        response = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)}, REMOTE_ADDR=OFFICE)
        assert response.status_code == 302
        assert signed_in_user_id(client) == str(clinician.pk)


# --- 2. The authenticator secret being set up is shown to every session that has the password -----------------------


def test_the_secret_shown_at_set_up_belongs_to_the_session_that_sets_it_up(clinician):
    """At a first sign-in the QR code is shown to whoever has typed the password. The unconfirmed device is kept per
    account, not per sign-in, so a person who has the password (a temporary one handed out by the administrator, say)
    and opens the set-up page first, without finishing, learns the secret the owner then scans and confirms: they can
    produce the owner's codes for as long as that authenticator is in use, and the second factor protects nothing."""
    snooper = Client()
    sign_in_with_password(snooper, "clinician", REMOTE_ADDR="203.0.113.9")
    seen = snooper.get("/staff/sign-in/set-up/")
    assert seen.status_code == 200
    snooped_secret = seen.context["secret"]

    owner = Client()
    sign_in_with_password(owner, "clinician", REMOTE_ADDR=OFFICE)
    page = owner.get("/staff/sign-in/set-up/")
    assert page.status_code == 200
    assert (
        owner.post("/staff/sign-in/set-up/", {"code": code_for_typed_secret(page.context["secret"])}).status_code == 200
    )
    assert signed_in_user_id(owner) == str(clinician.pk)

    assert page.context["secret"] != snooped_secret, (
        "the owner was given to scan the very secret another session was shown before"
    )


# --- 3. The half-signed-in state is kept under the session key from before the password -------------------------------


def test_the_password_step_gives_a_new_session_key(clinician, administrator):
    """README: "signing in gives a new session key". The password step of a two-step sign-in leaves the account's
    pending sign-in (its code step, and at a first sign-in the set-up page with the authenticator secret) in the
    session the browser already had. On a shared clinic computer where a colleague started a sign-in (and noted the
    session cookie, or simply left the step half done), the next person's half-signed-in state sits under that known
    key: from another computer, the colleague opens the next person's set-up page and reads their QR secret."""
    shared_computer = Client()
    sign_in_with_password(shared_computer, "administrator", REMOTE_ADDR=OFFICE)  # a colleague's abandoned sign-in
    known_key = shared_computer.cookies["sessionid"].value

    sign_in_with_password(shared_computer, "clinician", REMOTE_ADDR=OFFICE)
    assert shared_computer.get("/staff/sign-in/set-up/").status_code == 200  # the clinician sees their QR code

    elsewhere = Client()
    elsewhere.cookies["sessionid"] = known_key
    response = elsewhere.get("/staff/sign-in/set-up/")
    assert b"QR code for your authenticator app" not in response.content, (
        "the session key from before the clinician's password step opens the clinician's set-up page"
    )
    assert response.status_code == 302


# --- 4. Recovery codes are "shown once", but the admin shows them again --------------------------------------------


def test_recovery_codes_are_not_shown_again_in_the_admin(client, administrator, clinician):
    """The recovery-codes page and the README say the codes are not shown again once saved. They are kept
    in plain text and the admin's OTP Static page lists every unused code of every person to anyone who may view
    static devices: an administrator (or anyone given that view) can copy a colleague's codes and pass the second
    step as them, leaving no trace that the codes were read."""
    codes = issue_recovery_codes(clinician)
    device = StaticDevice.objects.get(user=clinician)
    client.force_login(administrator)

    page = client.get(f"/admin/otp_static/staticdevice/{device.pk}/change/")
    assert page.status_code == 200
    shown = {code for code in codes if code in page.content.decode()}
    assert not shown, f"{len(shown)} of the clinician's unused recovery codes are shown in the admin"


def test_an_authenticator_secret_is_not_shown_again_in_the_admin(client, administrator, clinician, authenticator):
    """The same for the authenticator: its secret is shown once, at set-up. The admin's OTP TOTP page shows the key
    (and links to its QR code), so it can be copied into another app and used for the clinician's codes for ever."""
    client.force_login(administrator)
    page = client.get(f"/admin/otp_totp/totpdevice/{authenticator.pk}/change/")
    assert page.status_code == 200
    assert authenticator.key not in page.content.decode(), "the clinician's authenticator key is on the admin page"
    assert client.get(f"/admin/otp_totp/totpdevice/{authenticator.pk}/config/").status_code != 200


# --- 5. A try at the code step while locked does not restart the pause ------------------------------------------


def test_a_code_tried_while_locked_restarts_the_pause(client, clinician, authenticator):
    """README: "each try while locked restarts the pause". At the password step it does; at the code step (a sign-in
    still pending from before the lock) the try is refused without being counted, so the pause still ends 15 minutes
    after the last counted failure."""
    with time_machine.travel(START, tick=False) as clock:
        sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE)
        for _ in range(5):
            response = client.post("/staff/sign-in/code/", {"code": wrong_code_for(authenticator)}, REMOTE_ADDR=OFFICE)
        assert response.status_code == 429

        clock.shift(dt.timedelta(minutes=4))  # the pending sign-in (5 minutes) is still there
        assert client.post("/staff/sign-in/code/", {"code": "123456"}, REMOTE_ADDR=OFFICE).status_code == 429

        clock.shift(dt.timedelta(minutes=12))  # 16 minutes after the lock, 12 after the last try
        response = sign_in_with_password(Client(), "clinician", REMOTE_ADDR=OFFICE)
    assert response.status_code == 429, "the pause ended 15 minutes after the lock despite a try 12 minutes ago"


def test_the_recovery_code_the_wait_message_offers_signs_the_owner_in(client, clinician):
    """After many wrong app codes from elsewhere the code page says "Wait, then type the newest code, or use a
    recovery code now": the recovery code works then. Wrong app codes were also tried against the recovery codes and
    made them wait too."""
    authenticator = TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    codes = issue_recovery_codes(clinician)
    with time_machine.travel(START, tick=False) as clock:
        wrong_codes_from_elsewhere(clock, authenticator, 8)

        sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE)
        authenticator.refresh_from_db()
        waiting = client.post("/staff/sign-in/code/", {"code": totp_code(authenticator)}, REMOTE_ADDR=OFFICE)
        assert "or use a recovery code now" in waiting.content.decode()

        response = client.post("/staff/sign-in/code/", {"code": codes[0]}, REMOTE_ADDR=OFFICE)
        signed_in = client.session.get("_auth_user_id")

    assert signed_in == str(clinician.pk), "the recovery code the page offered was refused: " + (
        "'That code did not work'" if b"did not work" in response.content else str(response.status_code)
    )


def test_an_authenticator_scanned_before_the_sign_in_timed_out_still_works_after_signing_in_again(client, clinician):
    """First sign-in: the clinician scans the QR code, but installing the app takes longer than the five minutes the
    password step lasts ("Your sign-in took too long"). After the password again in the same browser, the code from
    the app they scanned still works: the secret belongs to the browser's set-up until it is confirmed."""
    with time_machine.travel(START, tick=False) as clock:
        sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE)
        scanned = client.get("/staff/sign-in/set-up/").context["secret"]

        clock.shift(dt.timedelta(minutes=6))
        late = client.post("/staff/sign-in/set-up/", {"code": code_for_typed_secret(scanned)}, REMOTE_ADDR=OFFICE)
        assert late.status_code == 302
        assert late["Location"] == "/staff/sign-in/"

        sign_in_with_password(client, "clinician", REMOTE_ADDR=OFFICE)
        client.get("/staff/sign-in/set-up/")
        response = client.post("/staff/sign-in/set-up/", {"code": code_for_typed_secret(scanned)}, REMOTE_ADDR=OFFICE)
        signed_in = client.session.get("_auth_user_id")

    assert signed_in == str(clinician.pk), (
        "the code from the app scanned a few minutes ago, in this same browser, was refused: "
        + ("'That code did not work'" if b"did not work" in response.content else str(response.status_code))
    )
