"""What the patient is told once their answers are triaged (docs/clinical/TRIAGE.md, "What the patient is told").

Pure, like the rest of ``intake.rules``: the receipt page, the emergency page and the confirmation e-mail all ask
``patient_message`` which message to give, so the three never disagree.

Public API
----------
- ``patient_message(*, level, emergency, answers, flag_codes, sent_at_local=None, hours=None,
  within_hours=DEFAULT_CALLBACK_HOURS, promised_by=None) -> PatientMessage``: ``kind`` is ``"ces"`` or ``"mscc"``
  (the emergency wording) when ``emergency`` is set or the level is ``urgent``; ``"callback"`` for ``serious`` (with
  the ``callback`` promise when the time sent and the clinic's hours are given, by ``promised_by`` when that is
  given: the time stored at sending); else ``"confirmation"``.
- ``ce_signs(answers, flag_codes=()) -> tuple[str, ...]``: the CES signs the patient reported, as short first-person
  phrases that finish "I have back pain and ...", in the order of the CES card. A CE question answered yes or not
  sure counts, and so does a CE1-CE7 flag still raised by a latched earlier answer (a later "no" does not hide it).
- ``mscc_signs(flag_codes) -> tuple[str, ...]``: the nerve symptoms behind an MSCC flag, in the same style. Never a
  bladder or bowel phrase: the MSCC page speaks only of what the patient told us.
- ``has_cancer_history(answers, flag_codes=()) -> bool``: ``cancer_history`` yes or not sure, or flag SP1, MET or
  MSCC (the serious receipt then lists the MSCC signs too). ``PatientMessage.cancer_unsure``: the answer is not
  "yes" (not sure, "no" after a latched not sure, or none), so the words say "may have had cancer": "not sure" counts
  as yes for the rules, but telling the patient (and, through "what to say", the emergency team) that they had cancer
  would report what they never said.
- ``CE_SIGN_PHRASES`` (CE question code -> phrase), ``CE_FLAG_QUESTIONS`` (CE1-CE7 -> question code),
  ``MSCC_SIGN_PHRASES`` (flag code -> phrase), ``PatientMessage``.

The phrases are English source strings marked with ``gettext_noop`` (a local no-op, so this module needs no Django)
so ``makemessages`` collects them; templates translate them when they are shown (``{% translate phrase %}``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from intake.rules.callback import DEFAULT_CALLBACK_HOURS, CallbackPromise, ClinicHours, callback_deadline
from intake.rules.triage import emergency_for_codes

YES_VALUES = frozenset({"yes", "not_sure"})

MessageKind = Literal["ces", "mscc", "callback", "confirmation"]


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it here (Django's name, so makemessages finds it)."""
    return message


# CES card order (docs/clinical/INTAKE.md, step 1). Each finishes "I have back pain and ...".
CE_SIGN_PHRASES: dict[str, str] = {
    "ce_saddle_numbness": gettext_noop("numbness or tingling between my legs, around my bottom or my genitals"),
    "ce_wiping_sensation": gettext_noop("a different feeling when I wipe after the toilet"),
    "ce_urine_start_difficulty": gettext_noop("new trouble starting, stopping or controlling my pee"),
    "ce_urine_leak_or_no_sensation": gettext_noop(
        "leaking pee, or not feeling when my bladder is full or empty or when pee passes"
    ),
    "ce_bowel_control": gettext_noop("trouble controlling my bowels, or not feeling when I poop"),
    "ce_both_legs_weaker": gettext_noop("weakness in both legs that is new or getting worse"),
    "ce_sexual_change": gettext_noop("a change in erections, ejaculation or feeling in my genitals"),
}

# docs/clinical/TRIAGE.md, "Cauda equina (CE)".
CE_FLAG_QUESTIONS: dict[str, str] = {
    "CE1": "ce_saddle_numbness",
    "CE2": "ce_wiping_sensation",
    "CE3": "ce_urine_start_difficulty",
    "CE4": "ce_urine_leak_or_no_sensation",
    "CE5": "ce_bowel_control",
    "CE6": "ce_both_legs_weaker",
    "CE7": "ce_sexual_change",
}

# The flags that make cancer + symptoms an MSCC emergency (docs/clinical/TRIAGE.md, "MSCC"), other than the CE flags.
MSCC_SIGN_PHRASES: dict[str, str] = {
    "SC1": gettext_noop("pain down my leg below the knee"),
    "SC2": gettext_noop("leg pain that is worse than my back pain"),
    "SC3": gettext_noop("numbness or pins and needles in my leg or foot"),
    "SC4": gettext_noop("weakness in my leg or foot"),
    "SP12": gettext_noop("weakness in my leg or foot that is getting worse"),
    "SP13": gettext_noop("a foot that slaps or catches when I walk"),
    "CE8": gettext_noop("pain or other symptoms in both legs"),
    "CM1": gettext_noop("clumsy hands or balance that is getting worse"),
}

CANCER_FLAGS = frozenset({"SP1", "MET", "MSCC"})


@dataclass(frozen=True)
class PatientMessage:
    kind: MessageKind
    ce_signs: tuple[str, ...] = ()
    mscc_signs: tuple[str, ...] = ()
    cancer_history: bool = False
    callback: CallbackPromise | None = None
    cancer_unsure: bool = False  # ``cancer_history`` not answered "yes": "may have had cancer" (module docstring)

    @property
    def is_emergency(self) -> bool:
        return self.kind in ("ces", "mscc")

    @property
    def said_signs(self) -> tuple[str, ...]:
        """The signs for the sentence to say at the emergency room: MSCC ones on the MSCC page, else the CES ones."""
        return self.mscc_signs if self.kind == "mscc" else self.ce_signs


def kept(message: PatientMessage) -> dict[str, object]:
    """What a session keeps of `message` to give it again on a later page (JSON): its kind and what it names, never
    the answers themselves. `from_kept` reads it back."""
    return {
        "kind": message.kind,
        "ce_signs": list(message.ce_signs),
        "mscc_signs": list(message.mscc_signs),
        "cancer_history": message.cancer_history,
        "cancer_unsure": message.cancer_unsure,
    }


def from_kept(stored: Mapping[str, object], *, otherwise: MessageKind = "ces") -> PatientMessage:
    """The message `kept` stored (a session's value, so checked as read): an emergency's kind as kept, any other kind
    `otherwise`."""
    kind = stored.get("kind")

    def signs(key: str) -> tuple[str, ...]:
        value = stored.get(key)
        return tuple(str(sign) for sign in value) if isinstance(value, list | tuple) else ()

    return PatientMessage(
        kind=kind if kind in ("ces", "mscc") else otherwise,
        ce_signs=signs("ce_signs"),
        mscc_signs=signs("mscc_signs"),
        cancer_history=stored.get("cancer_history") is True,
        cancer_unsure=stored.get("cancer_unsure") is True,
    )


def ce_signs(answers: Mapping[str, object], flag_codes: Iterable[str] = ()) -> tuple[str, ...]:
    flagged = {CE_FLAG_QUESTIONS[code] for code in flag_codes if code in CE_FLAG_QUESTIONS}
    return tuple(
        phrase for code, phrase in CE_SIGN_PHRASES.items() if answers.get(code) in YES_VALUES or code in flagged
    )


def mscc_signs(flag_codes: Iterable[str]) -> tuple[str, ...]:
    codes = set(flag_codes)
    if "SP12" in codes:
        codes.discard("SC4")  # "getting worse" says it all
    return tuple(phrase for code, phrase in MSCC_SIGN_PHRASES.items() if code in codes)


def has_cancer_history(answers: Mapping[str, object], flag_codes: Iterable[str] = ()) -> bool:
    return answers.get("cancer_history") in YES_VALUES or bool(CANCER_FLAGS & set(flag_codes))


def patient_message(
    *,
    level: str | None,
    emergency: str | None,
    answers: Mapping[str, object],
    flag_codes: Iterable[str],
    sent_at_local: datetime.datetime | None = None,
    hours: ClinicHours | None = None,
    within_hours: int = DEFAULT_CALLBACK_HOURS,
    promised_by: datetime.datetime | None = None,
) -> PatientMessage:
    """The one message for this intake: emergency wording, a call-back promise, or a plain confirmation.

    `promised_by`: the time stored when the intake was sent (`Intake.call_back_by`), the one staff see and the lead's
    escalation counts from; the promise says it even when the clinic's hours have changed since."""
    codes = tuple(flag_codes)
    cancer = has_cancer_history(answers, codes)
    # Only a "yes" given now says they had cancer: "not sure", one taken back after "not sure" (latched, SP1), or none
    # (unanswered counts as not sure) is "may have had".
    unsure = cancer and answers.get("cancer_history") != "yes"
    if emergency is not None or level == "urgent":
        # Safety first: an urgent level with no emergency kind gets the CES wording (its warning signs are general).
        kind: MessageKind = "mscc" if emergency == "mscc" else "ces"
        return PatientMessage(
            kind=kind,
            ce_signs=ce_signs(answers, codes),
            mscc_signs=mscc_signs(codes),
            cancer_history=cancer,
            cancer_unsure=unsure,
        )
    if level == "serious":
        promise = None
        if sent_at_local is not None and hours is not None:
            promise = callback_deadline(sent_at_local, hours, within_hours=within_hours)
            if promised_by is not None and promised_by != promise.by:
                # "today" only while the stored time is still the day the hours of the day would promise.
                today = promise.today and promised_by.date() == promise.by.date()
                promise = CallbackPromise(by=promised_by, today=today)
        return PatientMessage(kind="callback", cancer_history=cancer, callback=promise, cancer_unsure=unsure)
    return PatientMessage(kind="confirmation", cancer_history=cancer, cancer_unsure=unsure)


def promised_call_back(
    *,
    level: str | None,
    flag_codes: Iterable[str],
    sent_at_local: datetime.datetime,
    hours: ClinicHours,
    within_hours: int = DEFAULT_CALLBACK_HOURS,
) -> datetime.datetime | None:
    """The time the receipt of an intake sent at `sent_at_local` with this level and these flags promises a call by;
    None when it promises none (not serious, or its flags call for the emergency advice instead)."""
    codes = tuple(flag_codes)
    message = patient_message(
        level=level,
        emergency=emergency_for_codes(codes),
        answers={},
        flag_codes=codes,
        sent_at_local=sent_at_local,
        hours=hours,
        within_hours=within_hours,
    )
    return message.callback.by if message.kind == "callback" and message.callback is not None else None
