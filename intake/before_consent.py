"""A question page sent before the patient agreed to the consent page (an old tab, a page of an older version): its
advice, with nothing stored (docs/clinical/TRIAGE.md, "Partial pages").

Nothing may be stored before the consent, so the page's red-flag answers are neither saved, latched nor alerted: the
patient is sent to the consent page, as before. Advice needs no storage, though: the consent page gives, once and
above its question, the advice that what was sent calls for, judged on the posted page alone (`advice_for`): the
cauda equina advice for a cauda equina sign; cord compression's where the page itself tells a cancer history and a
nerve symptom; for any other red-flag answer (a fever, a fall: a call-back the clinic cannot make for an answer it
does not have) that it was not saved, with the warning signs. Before, the patient got the plain consent page.

Once: a reload gives the plain consent page; a language switch right after it gives the advice again, in the
language chosen (`patient_session.advice_before_consent_again`), as the birth-date page's advice after the idle limit.
The session keeps only what the advice says (its kind and the signs it names, as message ids), with the rest of the
form's state (`patient_session`); never a URL, never a log.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, QueryDict

from intake import patient_session
from intake.models import Intake
from intake.rules import patient_messages
from intake.rules.patient_messages import PatientMessage, patient_message
from intake.rules.questionnaire import ruled_out_by_page
from intake.rules.triage import LATCHED_QUESTIONS, MSCC_LEG_QUESTIONS, assess_interim

# The red-flag questions whose answers on a page tell the advice; their pages are shown only after a "yes" to leg
# symptoms, so a page that answers one is read as from a patient with leg symptoms.
_ADVICE_QUESTIONS = LATCHED_QUESTIONS | MSCC_LEG_QUESTIONS
_LEG_QUESTIONS = MSCC_LEG_QUESTIONS | {"leg_weakness_worsening", "foot_drop"}


def advice_for(posted: Mapping[str, object]) -> PatientMessage | None:
    """The advice the red-flag answers of one posted page call for, judged by the rules on that page alone: an
    emergency's (`kind` "ces" or "mscc"), "callback" for a red flag that is no emergency (which is not saved, so no
    call is promised), or None. A follow-up the page's own answer rules out is no answer, as when it is stored."""
    legs: dict[str, object] = {"leg_symptoms": "yes"} if posted.keys() & _LEG_QUESTIONS else {}
    given: dict[str, object] = {
        code: value
        for code, value in posted.items()
        if code in _ADVICE_QUESTIONS and isinstance(value, str) and not ruled_out_by_page(code, posted, legs)
    }
    given.update(legs)
    result = assess_interim(given, today=None)
    if result.level not in ("urgent", "serious"):
        return None
    return patient_message(level=result.level, emergency=result.emergency, answers=given, flag_codes=result.codes)


def owe(request: HttpRequest, intake: Intake, post: QueryDict) -> None:
    """A page was posted before the consent: keep the advice it calls for (if any) for the consent page."""
    message = advice_for({code: post.get(code) for code in post})
    if message is None:
        return
    patient_session.owe_advice_before_consent(
        request,
        {"invitation": intake.invitation_id, **patient_messages.kept(message)},
    )


def take(request: HttpRequest, intake: Intake) -> PatientMessage | None:
    """The advice kept by `owe` for this form, forgotten as it is given (the consent page shows it once)."""
    owed = patient_session.take_advice_before_consent(request)
    if owed is None or owed.get("invitation") != intake.invitation_id:
        return None
    return patient_messages.from_kept(owed, otherwise="callback")
