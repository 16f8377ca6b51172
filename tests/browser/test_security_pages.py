"""Two-step sign-in set-up, recovery codes and the error pages, in a real browser at phone and desktop width."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UnsavedRecoveryCodes
from accounts.two_factor import issue_recovery_codes
from tests.browser.conftest import PHONE, assert_accessible, targets_under_44_px
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_a_clinician_sets_up_two_step_sign_in_by_scanning_a_qr_code_and_sees_recovery_codes(
    open_page, at_both_widths, clinician
):
    page = open_page("/staff/sign-in/", PHONE)
    errors = csp_errors(page)
    assert_accessible(page, context="sign-in")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/sign-in/set-up/")
    qr = page.locator(".qr-code svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150  # big enough to scan from a screen
    at_both_widths(page, "security-two-step-setup")
    assert_accessible(page, context="two-step set-up")

    device = TOTPDevice.objects.get(user=clinician)
    page.get_by_label("6-digit code from your app").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Two-step sign-in is on. Save your recovery codes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    at_both_widths(page, "security-recovery-codes")
    assert_accessible(page, context="recovery codes")
    page.get_by_role("button", name="I have saved them: continue").click()
    page.wait_for_url("**/staff/queue/")
    assert_accessible(page, context="the queue after signing in")
    assert not errors, errors


def _sign_in_with_the_app(page, device) -> None:
    assert_accessible(page, context="sign-in")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/sign-in/code/")
    assert_accessible(page, context="code step")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Sign in").click()


def test_recovery_codes_removed_by_an_administrator_read_clearly(open_page, at_both_widths, clinician):
    """The page after a sign-in with the app when an administrator removed the codes not yet saved: it was an empty
    list under "Save your recovery codes"."""
    device = TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    UnsavedRecoveryCodes.objects.create(user=clinician)  # and no recovery device: the administrator deleted it
    page = open_page("/staff/sign-in/", PHONE)
    _sign_in_with_the_app(page, device)
    page.get_by_role("heading", name="Your recovery codes were removed").wait_for()
    at_both_widths(page, "security-recovery-codes-removed")
    assert_accessible(page, context="recovery codes removed")
    assert targets_under_44_px(page, page.get_by_role("link", name="Continue")) == {}
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/staff/queue/")
    assert_accessible(page, context="the queue after signing in")


def test_saved_them_pressed_too_late_reads_clearly(open_page, at_both_widths, clinician, time_machine):
    device = TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    issue_recovery_codes(clinician)
    UnsavedRecoveryCodes.objects.create(user=clinician)
    page = open_page("/staff/sign-in/", PHONE)
    _sign_in_with_the_app(page, device)
    page.get_by_role("heading", name="Two-step sign-in is on. Save your recovery codes").wait_for()
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=11), tick=True)
    page.get_by_role("button", name="I have saved them: continue").click()
    page.get_by_role("heading", name="Your recovery codes are not marked as saved").wait_for()
    at_both_widths(page, "security-recovery-codes-not-saved")
    assert_accessible(page, context="recovery codes not marked as saved")
    assert targets_under_44_px(page, page.get_by_role("link", name="Continue")) == {}
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/staff/queue/")
    assert_accessible(page, context="the queue after signing in")
    assert UnsavedRecoveryCodes.objects.filter(user=clinician).exists()


def test_the_code_step_and_the_lockout_page_read_clearly(open_page, at_both_widths, clinician):
    TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    page = open_page("/staff/sign-in/", PHONE)
    assert_accessible(page, context="sign-in")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/sign-in/code/")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That code did not work").wait_for()
    at_both_widths(page, "security-code-step")
    assert_accessible(page, context="code step with a wrong code")
    for _ in range(4):
        page.get_by_label("Code").fill("000000")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Sign-in is paused for this account").wait_for()
    at_both_widths(page, "security-locked-out")
    assert_accessible(page, context="locked out")


def test_the_sign_in_pages_boxes_and_buttons_are_big_enough_for_a_thumb(open_page, clinician):
    """Username, Password, the code and "Sign in" measured 38 px tall on a phone: the staff pages' 44 px (WCAG 2.5.5)
    reached every staff page but the sign-in ones, where a clinician on call types with a thumb."""
    TOTPDevice.objects.create(user=clinician, name="Authenticator app", confirmed=True)
    page = open_page("/staff/sign-in/unlock/", PHONE)
    assert_accessible(page, context="unlock request")
    boxes_and_buttons = page.locator("main input:not([type=hidden]), main button")
    assert targets_under_44_px(page, boxes_and_buttons) == {}
    page.goto("/staff/sign-in/")
    assert_accessible(page, context="sign-in")
    assert targets_under_44_px(page, boxes_and_buttons) == {}
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/sign-in/code/")
    assert_accessible(page, context="code step")
    assert targets_under_44_px(page, boxes_and_buttons) == {}


def test_error_pages_are_in_the_portals_style(open_page, at_both_widths, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = [{"prefix": "/intake/", "methods": ["GET"], "rate": "1/10m", "fail_open": True}]
    from django.core.cache import caches

    caches["ratelimit"].clear()
    page = open_page("/no-such-page/", PHONE)
    assert page.get_by_role("heading", name="We could not find that page").is_visible()
    # Its one button, for a thumb on a phone: it measured 38 px tall.
    assert targets_under_44_px(page, page.get_by_role("link", name="Go to the home page")) == {}
    at_both_widths(page, "security-404")
    assert_accessible(page, context="404 page")
    page.goto("/intake/start/anything/")
    page.goto("/intake/start/anything/")
    assert page.get_by_role("heading", name="Too many tries from your connection").is_visible()
    at_both_widths(page, "security-429")
    assert_accessible(page, context="429 page")
    settings.ROOT_URLCONF = "tests.security.failing_urls"
    page.goto("/test-database-gone/")
    assert page.get_by_role("heading", name="The portal is busy for a moment").is_visible()
    at_both_widths(page, "security-503")
    assert_accessible(page, context="503 page")
    page.goto("/staff/test-crash/")
    assert page.get_by_role("heading", name="Something went wrong on our side").is_visible()
    at_both_widths(page, "security-500")
    assert_accessible(page, context="500 page")
    page.goto("/test-bad-request/")
    assert page.get_by_role("heading", name="We could not read that request").is_visible()
    at_both_widths(page, "security-400")
    assert_accessible(page, context="400 page")
    # A staff form sent without its security token (a page open too long, cookies blocked): the CSRF failure page.
    page.goto("/staff/sign-in/")
    page.context.clear_cookies()
    page.evaluate("() => document.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach((box) => box.remove())")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="That form could not be sent").wait_for()
    at_both_widths(page, "security-403-csrf")
    assert_accessible(page, context="CSRF failure page")
    # A question page with a cauda equina answer whose save failed: the advice first, then "Try again".
    page.evaluate(
        """() => {
            const form = document.createElement('form');
            Object.assign(form, {method: 'post', action: '/intake/step/safety/'});
            form.innerHTML = '<input name="ce_saddle_numbness" value="yes">'
                + '<input name="ce_wiping_sensation" value="no">';
            document.body.append(form);
            form.submit();
        }"""
    )
    page.get_by_role("heading", name="Get medical help now", level=1).wait_for()
    assert page.get_by_role("heading", name="The portal is busy for a moment", level=2).is_visible()
    assert targets_under_44_px(page, page.get_by_role("button", name="Try again")) == {}
    # In the emergency page's red box (intake.css), not as plain text among the rest.
    assert page.eval_on_selector(".emergency-box", "box => getComputedStyle(box).borderTopStyle") == "solid"
    at_both_widths(page, "security-503-with-advice")
    assert_accessible(page, context="503 page with a cauda equina answer")


def test_the_front_desk_changes_their_password_from_the_menu(open_page, at_both_widths, front_desk):
    page = open_page("/staff/password/", PHONE, user=front_desk)
    page.locator("#id_old_password").fill("not-my-password")
    page.locator("#id_new_password1").fill("a-longer-walk-by-the-river")
    page.locator("#id_new_password2").fill("a-longer-walk-by-the-river")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your old password was entered incorrectly").wait_for()
    at_both_widths(page, "security-password-change-mistake")
    assert_accessible(page, context="password change with a mistake")
    page.locator("#id_old_password").fill("correct-horse-battery")
    page.locator("#id_new_password1").fill("a-longer-walk-by-the-river")
    page.locator("#id_new_password2").fill("a-longer-walk-by-the-river")
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Your password is changed").wait_for()
    assert_accessible(page, context="the queue after changing the password")


def test_a_locked_out_front_desk_unlocks_sign_in_with_the_emailed_link(open_page, at_both_widths, front_desk, settings):
    """The e-mailed unlock link's two pages ("Check your e-mail" and the page the link opens), which no browser test
    had opened: axe-core had never checked them."""
    import re

    from django.core import mail
    from django.test import Client

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://portal.example"
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        locked = elsewhere.post("/staff/sign-in/", {"username": "frontdesk", "password": "wrong-password"})
    assert locked.status_code == 429

    page = open_page("/staff/sign-in/unlock/", PHONE)
    assert_accessible(page, context="unlock request")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_role("button", name=re.compile("link")).click()
    page.wait_for_url("**/staff/sign-in/unlock/sent/")
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    at_both_widths(page, "security-unlock-sent")
    assert_accessible(page, context="unlock link sent")

    (message,) = mail.outbox
    (link,) = re.findall(r"https://portal\.example(/staff/sign-in/unlock/[^/\s]+/[^/\s]+/)", str(message.body))
    page.goto(link)
    assert page.get_by_text("Unlock sign-in for frontdesk").first.is_visible()
    at_both_widths(page, "security-unlock-link")
    assert_accessible(page, context="the unlock link's page")
    page.get_by_role("button", name=re.compile("Unlock")).click()
    page.wait_for_url("**/staff/sign-in/")
    assert page.get_by_text("Sign-in is unlocked for frontdesk").is_visible()
    assert_accessible(page, context="sign-in after unlocking")
