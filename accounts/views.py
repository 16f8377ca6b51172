"""Staff sign-in: password, then (for whoever may see clinical answers, and superusers) an authenticator or recovery
code.

Lockout (django-axes) covers both steps: a wrong code counts as a failed sign-in for that username and address, and
nothing is checked while locked. A locked-out person can ask for an e-mailed one-time unlock link (accounts.unlock).
Rate limits on /staff/sign-in/ come from clinic_portal.middleware.
"""

from __future__ import annotations

import math
from typing import Any, cast

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.models import Device

from accounts import two_factor, unlock
from audit.services import client_address, record
from clinic_portal.errors import busy_page_says
from clinic_portal.middleware import mark_seen, staff_seconds_left
from clinic_portal.request_notes import leave_note


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing an over-long username before anything is looked up or recorded.

    AuthenticationForm sets the username's max_length after the field is built, so it is not validated; a 1,000
    character username then reached django-axes, whose failure record refused it on PostgreSQL (a 500).
    """

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username") or ""
        limit = getattr(self.fields["username"], "max_length", None) or 150
        if len(username) > limit:
            raise forms.ValidationError(f"A username is at most {limit} characters.")
        return username


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your app",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


WRONG_CODE = "That code did not work. Check your app's clock and try the newest code, or use a recovery code."
# Seven wrong codes in a row make the app's codes wait a minute or more (two_factor.MAX_THROTTLED_FAILURES): from then
# on a code typed in that wait is not a wrong one, and the person is told to wait rather than that it did not work.
CODES_WAITING_FROM = 60
CODES_WAITING = (
    "Too many wrong codes have been typed for this account, so codes from your app are not checked for {wait}. "
    "Wait, then type the newest code, or use a recovery code now. If you did not type those codes, someone may "
    "know your password: tell an administrator."
)
EXPIRED = "Your sign-in took too long. Please enter your username and password again."
CHANGED_MESSAGE = "Your password is changed. Use the new one the next time you sign in."


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _finish(request: HttpRequest, user: User, backend: str, *, method: str, device: Device | None = None) -> None:
    """Create the signed-in session (Django gives it a new key) and note how the person proved who they are."""
    leave_note(request, "sign_in_method", method)
    auth_login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)
        # Signing in again as the same person keeps the session's data: a mark from a password-only sign-in goes.
        request.session.pop(two_factor.SINGLE_FACTOR_KEY, None)
    else:
        request.session[two_factor.SINGLE_FACTOR_KEY] = True


def _code_failed(request: HttpRequest, username: str) -> None:
    """A wrong code is a failed sign-in: axes counts it towards the lockout and the audit trail records it."""
    leave_note(request, "sign_in_failure", "wrong two-factor code")
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


@busy_page_says("sign_in")  # signing in again does no harm; only the password is typed again
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = SignInForm(request, data=request.POST or None)
    # The username as the form and the lockout read it (spaces trimmed, Unicode normalised: "frontdesk " from a
    # phone's keyboard is frontdesk; review of the stop-34 commits).
    username = _username_as_read(form, request.POST.get("username", "")) if request.method == "POST" else ""
    if username and not AxesProxyHandler.is_allowed(request, {"username": username}):
        # Locked before this try: the trail says so. The try that reaches the limit was a wrong password, checked
        # (it was recorded as made "while locked out": the stop-34 audit).
        leave_note(request, "sign_in_failure", "while locked out")
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if not two_factor.requires_two_factor(user):
            _finish(request, user, user.backend, method="password")
            return redirect(next_url)
        two_factor.start_pending(request, user, next_url=next_url)
        if two_factor.has_authenticator(user):
            return redirect("accounts:sign-in-code")
        return redirect("accounts:sign-in-setup")
    return render(request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")})


def _username_as_read(form: SignInForm, typed: object) -> str:
    """The username as the form and the lockout read it; "" when the form refuses it (a NUL byte, too long): such a
    value never reaches the lockout's tables, where PostgreSQL refuses it (a 500)."""
    text = str(typed)
    if len(text) > 150:
        return ""
    try:
        return str(form.fields["username"].clean(text))
    except forms.ValidationError:
        return ""


@busy_page_says("sign_in_code")  # not signed in; the code typed may have been taken (refused a second time)
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    found = two_factor.pending(request)
    if found is None:
        return _start_again(request)
    user, note = found
    if not two_factor.has_authenticator(user):
        return redirect("accounts:sign-in-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            # Locked out: the code is not even looked at, and the try restarts the pause (as at the password step).
            _code_failed(request, user.get_username())
            return locked_out(request, credentials=credentials)
        wait = two_factor.seconds_until_codes_accepted(user)
        if form.is_valid():
            device = two_factor.verify_code(user, form.cleaned_data["code"])
            if device is not None:
                two_factor.clear_pending(request)
                _finish(request, user, note["backend"], method=two_factor.method_of(device), device=device)
                by_app = two_factor.method_of(device) == "authenticator app"
                if by_app and two_factor.recovery_codes_to_show(user) is not None:
                    # Made at the set-up, never said to be saved (the page with them may never have arrived). Not
                    # after a recovery code: one code must not show the others (`two_factor.signed_in_with_the_app`).
                    # Shown by the next request only, not later in this session (`two_factor.show_recovery_codes_once`).
                    two_factor.show_recovery_codes_once(request)
                    return redirect(f"{resolve_url('accounts:recovery-codes')}?{urlencode({'next': note['next']})}")
                return redirect(note["next"])
            if wait >= CODES_WAITING_FROM and "".join(form.cleaned_data["code"].split()).isdigit():
                # Not a wrong code: the app's code was not looked at, after many wrong ones (someone else's, maybe).
                form.add_error("code", CODES_WAITING.format(wait=_duration(wait)))
            else:
                _code_failed(request, user.get_username())
                form.add_error("code", WRONG_CODE)
    return render(request, "accounts/sign_in_code.html", {"form": form})


@busy_page_says("sign_in_setup")  # the app may be confirmed already, its recovery codes kept for after sign-in
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in of someone who needs two-factor: scan the QR code, confirm with a code, get recovery codes."""
    found = two_factor.pending(request)
    if found is None:
        return _start_again(request)
    user, note = found
    if two_factor.has_authenticator(user):
        return redirect("accounts:sign-in-code")
    device = two_factor.enrolment_device(request, user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            _code_failed(request, user.get_username())  # a try while locked restarts the pause
            return locked_out(request, credentials=credentials)
        if form.is_valid() and two_factor.verify_enrolment_code(device, form.cleaned_data["code"]):
            codes = two_factor.confirm_authenticator(device)
            two_factor.clear_pending(request)
            request.session.pop(two_factor.ENROLMENT_KEY, None)
            _finish(request, user, note["backend"], method="authenticator app (first set-up)", device=device)
            two_factor.recovery_codes_shown_here(request)  # its "I have saved them" works from this session
            # Shown in this answer, never stored in the session or sent anywhere else; and again after each sign-in
            # until the person says they saved them (`recovery_codes`), in case this answer never arrives.
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": note["next"]})
        if form.is_valid():
            _code_failed(request, user.get_username())
            form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_typing(device),
    }
    return render(request, "accounts/sign_in_setup.html", context)


@csrf_protect
@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes made at the set-up, until the person presses "I have saved them: continue" (POST).

    Shown only to a session signed in with both steps, the second the app's code (not a recovery code), only while
    the codes are not said to be saved (accounts.models.UnsavedRecoveryCodes), and only right after that sign-in
    (`two_factor.may_show_recovery_codes_now`: not to someone at a computer left signed in, reloading or opening the
    page later); anyone else goes on to where they were going. The button works only in the session the page showed
    them to, for a while (`two_factor.may_say_recovery_codes_saved`); anywhere else it says so and changes nothing.
    """
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        if not two_factor.recovery_codes_unsaved(request.user):
            return redirect(next_url)  # saved already (a second press): nothing to say
        if not two_factor.may_say_recovery_codes_saved(request):
            minutes = two_factor.RECOVERY_CODES_SAVE_SECONDS // 60
            context = {"next": next_url, "minutes": minutes}
            return render(request, "accounts/recovery_codes_not_saved.html", context, status=409)
        if not two_factor.recovery_codes_to_show(request.user):
            # Removed while the page was open (an administrator deleted them): the codes written down do not work.
            return _no_recovery_codes(request, next_url, status=409)
        two_factor.recovery_codes_saved(request)
        return redirect(next_url)
    if not two_factor.signed_in_with_the_app(request) or not two_factor.may_show_recovery_codes_now(request):
        return redirect(next_url)
    codes = two_factor.recovery_codes_to_show(request.user)
    if codes is None:
        return redirect(next_url)
    if not codes:
        return _no_recovery_codes(request, next_url)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


def _no_recovery_codes(request: HttpRequest, next_url: str, *, status: int = 200) -> HttpResponse:
    """Codes made at the set-up, not yet said to be saved, and gone: not an empty list, but what happened and the way
    to new ones (an administrator removes the app too; the next sign-in sets it up and makes new codes). No codes are
    shown, so none can be said to be saved from here: this page comes back after each sign-in with the app."""
    two_factor.forget_recovery_codes_note(request)
    why = two_factor.why_no_recovery_codes(request.user)
    context = {"why": why, "count": settings.TWO_FACTOR_RECOVERY_CODES, "next": next_url}
    return render(request, "accounts/recovery_codes_none.html", context, status=status)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429 with how long to wait, the e-mailed unlock link to
    ask for (the username tried filled in) and whom to ask."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")[:150]
    context = {"minutes": minutes, "username": username, "unlock_minutes": settings.SIGN_IN_UNLOCK_LINK_MINUTES}
    answer = render(request, "accounts/locked_out.html", context, status=429)
    answer["Retry-After"] = str(minutes * 60)
    return answer


class UnlockRequestForm(forms.Form):
    username = forms.CharField(
        label="Username", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )


@busy_page_says("unlock_email")  # no page shows whether the e-mail went: its inbox does
@csrf_protect
@never_cache
def unlock_request(request: HttpRequest) -> HttpResponse:
    """Asking for an e-mailed unlock link: the same answer for every username (accounts.unlock)."""
    form = UnlockRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unlock.ask_for_link(request, form.cleaned_data["username"])
        return redirect("accounts:unlock-sent")
    return render(
        request, "accounts/unlock_request.html", {"form": form, "minutes": settings.SIGN_IN_UNLOCK_LINK_MINUTES}
    )


@never_cache
def unlock_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/unlock_sent.html", {"minutes": settings.SIGN_IN_UNLOCK_LINK_MINUTES})


@busy_page_says("unlock")  # the lock may still be there, and then the link works again (`unlock.lift_lock`)
@csrf_protect
@never_cache
def unlock_with_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: a button to press (GET changes nothing), then the lock is lifted and the link spent."""
    from django.contrib import messages

    user = unlock.user_for_link(uidb64, token)
    if user is None:
        context = {"username": "", "minutes": settings.SIGN_IN_UNLOCK_LINK_MINUTES}
        return render(request, "accounts/unlock_confirm.html", context)
    if request.method == "POST":
        unlock.lift_lock(user)
        messages.success(request, f"Sign-in is unlocked for {user.get_username()}. You can sign in now.")
        return redirect("accounts:sign-in")
    return render(request, "accounts/unlock_confirm.html", {"username": user.get_username()})


def _duration(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return f"{seconds} seconds" if seconds < 60 else ("1 minute" if minutes == 1 else f"{minutes} minutes")


def _start_again(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages

    two_factor.clear_pending(request)
    messages.info(request, EXPIRED)
    return redirect("accounts:sign-in")


@login_required
def after_sign_in(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is: the queue for clinic staff, the admin for content editors."""
    user = request.user
    if user.has_perm("intake.view_queue"):
        return redirect("dashboard:queue")
    if user.is_staff:
        return redirect("admin:index")
    return redirect("home")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@csrf_protect
@never_cache
@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    """Anyone signed in changes their own password (clinic staff have no admin account page to do it). This session
    goes on; the person's other sessions end at their next page (Django checks each session against the password)."""
    from django.contrib import messages

    if two_factor.needs_second_step(request):
        return two_factor.sign_in_again(request)  # as every staff page: this session has a password alone
    user = cast(User, request.user)  # login_required: never the anonymous user
    credentials = {"username": user.get_username()}
    if request.method == "POST" and not AxesProxyHandler.is_allowed(request, credentials):
        # The current password is not even checked: guessing it here is guessing at the sign-in (django-axes).
        return locked_out(request, credentials=credentials)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and not form.is_valid() and "old_password" in form.errors:
        # A wrong current password counts towards the lockout, as at the sign-in: someone at a computer left signed
        # in cannot try passwords until one works.
        leave_note(request, "sign_in_failure", "wrong current password on the password page")
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the new password and its audit row, or neither
            form.save()
            record("changed_password", actor=user, request=request)
        # As a right password at the sign-in does: earlier slips here no longer count towards a lockout.
        AxesProxyHandler.reset_attempts(ip_address=client_address(request), username=user.get_username())
        update_session_auth_hash(request, user)
        messages.success(request, CHANGED_MESSAGE)
        return redirect("accounts:after-sign-in")
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
@login_required
def still_here(request: HttpRequest) -> JsonResponse:
    """The "Stay signed in" button of the warning before the idle sign-out (static/js/session-timer.js): the idle
    clock starts again, and the answer says how long the session now has. A session already past its limit never
    gets here (StaffSessionTimeoutMiddleware ends it first and sends the sign-in page)."""
    mark_seen(request.session)
    return JsonResponse({"seconds_left": staff_seconds_left(request.session)})
