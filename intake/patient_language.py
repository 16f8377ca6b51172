"""The patient's language: the invitation's (`Invitation.language`) until the patient picks another on a page.

Opening a patient link (intake:start) puts the invitation's language in the language cookie that Django's
LocaleMiddleware reads on every later page; the switcher on each page (clinic_portal/templatetags/languages.py,
Django's set_language) changes the same cookie. The language never goes in a patient page's URL (only the public
library's pages may name one, clinic_portal.languages.language_in_address), and the cookie says only "en" or "es".
A language the patient picks on their open form becomes the invitation's (`patient_session.remember_language`).
E-mails to the patient are written in the invitation's language (`language_of`, used by intake.tasks under
`translation.override`). Staff pages stay English whatever the cookie says (clinic_portal.languages).

Public API
----------
- ``language_of(invitation) -> str``: the invitation's language if the portal speaks it, else the default.
- ``start_in_invitation_language(request, response, invitation) -> HttpResponse``: this request and the pages
  after it in the invitation's language; returns ``response`` with the language cookie set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from clinic_portal.languages import set_language_cookie

if TYPE_CHECKING:
    from intake.models import Invitation


def language_of(invitation: Invitation) -> str:
    spoken = {code for code, _name in settings.LANGUAGES}
    return (
        invitation.language
        if invitation.language in spoken
        else translation.get_supported_language_variant(settings.LANGUAGE_CODE)
    )


def start_in_invitation_language(request: HttpRequest, response: HttpResponse, invitation: Invitation) -> HttpResponse:
    language = language_of(invitation)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    set_language_cookie(response, language)  # the same cookie, with the same attributes, as the switcher writes
    return response
