"""Django forms of the staff's invitation pages: "Invite a patient" and "Make a new link".

Staff pages are in English; the patient's language is chosen here for their form and e-mails.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from phonenumber_field.formfields import PhoneNumberField

from intake.models import Patient
from intake.rules.questionnaire import age_in_years
from intake.rules.questionnaire_checks import MAX_AGE, MIN_AGE
from intake.services.patients import normal_name

if TYPE_CHECKING:
    from intake.services.invitations import ShownDetails

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
_APPOINTMENT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_APPOINTMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M"]

MSG_NAME_REQUIRED = "Enter the patient's full name."
NAME_LENGTH = 200  # Patient.name and Invitation.patient_name
MSG_NAME_TOO_LONG = f"A name can be at most {NAME_LENGTH} characters. Check the name."
MSG_EMAIL_TO_SEND = (
    "Enter the patient's email to email the link now, or choose “Save without emailing” and email a link from the "
    "invitation's page when you have the address."
)
MSG_NOT_THE_RECORDS_BIRTH_DATE = (
    "The record you picked is for someone born on {born}. If this is another person, start again without that record."
)
MSG_EMAIL_FOR_LINK = (
    "Enter the patient's email: the link is only ever emailed to the patient (staff cannot send links by text message)."
)
MSG_EMAIL_INVALID = "Enter the email address in the right format, like name@example.com."
# What the database keeps (an e-mail column is 254 long); Django's form takes up to 320, and the save then failed.
EMAIL_LENGTH = 254
MSG_EMAIL_TOO_LONG = f"An email address can be at most {EMAIL_LENGTH} characters. Check the address."
MSG_DOB_FOR_INVITATION = "Enter the patient's date of birth."
MSG_DOB_NOT_A_DATE = "Enter the date of birth as a real date, like 08/14/1979."
MSG_APPOINTMENT_REQUIRED = "Enter the appointment date and time."
MSG_APPOINTMENT_NOT_A_TIME = "Enter the appointment as a date and a time, like 05/06/2030 09:30 AM."
MSG_LANGUAGE_CHOICE = "Choose a language from the list."
MSG_APPOINTMENT_TOO_FAR = "This appointment is more than a year away. Please check the year."
# A link works until the day after the appointment: a year typed wrong (2207, 9999) would make one that works for
# ever (or no date at all: 9999-12-31 has no day after).
LONGEST_BOOKING = datetime.timedelta(days=366)


def _not_too_far(when: datetime.datetime) -> datetime.datetime:
    if when > timezone.now() + LONGEST_BOOKING:
        raise ValidationError(MSG_APPOINTMENT_TOO_FAR)
    return when


def language_choices() -> list[tuple[str, str]]:
    """The portal's languages named for English-speaking staff: "English", "Spanish (español)"."""
    choices = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        local = info["name_local"]
        choices.append((code, info["name"] if local == info["name"] else f"{info['name']} ({local})"))
    return choices


MSG_APPOINTMENT_SKIPPED_HOUR = (
    "That time does not exist on that day: the clocks go forward an hour. Enter the time as the clocks will show it."
)


def _parsed(text: str) -> datetime.datetime:
    for layout in _APPOINTMENT_FORMATS:
        try:
            return datetime.datetime.strptime(text, layout)
        except ValueError:
            continue
    found = parse_datetime(text)  # the ISO forms Django's field takes on any other night (seconds, fractions)
    if found is None or found.tzinfo is not None:
        raise ValidationError(MSG_APPOINTMENT_NOT_A_TIME, code="invalid")
    return found


class AppointmentField(forms.DateTimeField):
    """A local date and time in the clinic's zone. On the night the clocks go back, a time that happens twice is the
    first of the two (the appointment system's times are read the same way); on the night they go forward, a time
    that never happens gets a plain message. Django's own said "couldn't be interpreted in time zone
    America/New_York; it may be ambiguous or it may not exist" for both (the stop-30 forms audit)."""

    def __init__(self, **kwargs: Any) -> None:
        # Every appointment box of the staff forms: a datetime-local input, read in the formats a browser or a person
        # sends, with the portal's own messages.
        kwargs.setdefault("widget", _APPOINTMENT_WIDGET)
        kwargs.setdefault("input_formats", _APPOINTMENT_FORMATS)
        kwargs.setdefault(
            "error_messages", {"required": MSG_APPOINTMENT_REQUIRED, "invalid": MSG_APPOINTMENT_NOT_A_TIME}
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            naive = _parsed(str(value).strip())
            zone = timezone.get_current_timezone()
            first = naive.replace(tzinfo=zone, fold=0)
            # A time in the skipped hour comes back from UTC as another wall time; one that happens twice does not.
            if first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != naive:
                raise ValidationError(MSG_APPOINTMENT_SKIPPED_HOUR, code="skipped_hour") from error
            return first


class InvitationForm(forms.Form):
    """Front desk's "Invite a patient". The e-mail is needed only to e-mail the link now (`send_email`, set by the
    "Email the link" button): a patient booked by phone without an address gets an invitation saved now and a link
    e-mailed from its page later (RenewLinkForm).

    The invitation joins the patient's record (issue 12): the one staff picked from the search (`patient`), else the
    one with the same name, birth date and e-mail (intake.services.patients.record_for), else a new one."""

    patient_name = forms.CharField(
        label="Patient's full name",
        max_length=NAME_LENGTH,
        error_messages={"required": MSG_NAME_REQUIRED, "max_length": MSG_NAME_TOO_LONG},
    )
    email = forms.EmailField(
        label="Patient's email",
        required=False,
        help_text="The link is emailed here; staff never see it. Leave it empty if you do not have it yet.",
        max_length=EMAIL_LENGTH,
        error_messages={"invalid": MSG_EMAIL_INVALID, "max_length": MSG_EMAIL_TOO_LONG},
    )
    # Not required: the select always posts one; a post without it (a script, an older page) gets English.
    language = forms.ChoiceField(
        label="Language",
        choices=language_choices,
        initial="en",
        required=False,
        help_text="The patient's form and e-mails start in this language; they can switch on every page.",
        error_messages={"invalid_choice": MSG_LANGUAGE_CHOICE},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="The patient types this to open the link.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": MSG_DOB_FOR_INVITATION, "invalid": MSG_DOB_NOT_A_DATE},
    )
    appointment_at = AppointmentField(
        label="Appointment date and time",
    )
    # Stored in E.164, shown in the clinic's national format (PHONENUMBER_DEFAULT_REGION, PHONENUMBER_DEFAULT_FORMAT);
    # a number from abroad is typed with + and its country code.
    phone = PhoneNumberField(
        label="Patient's mobile phone",
        required=False,
        help_text="For text messages about the questionnaires, and shown to clinicians who need to call the patient. "
        "Leave it empty if you do not have it.",
        error_messages={
            "invalid": "Enter a phone number the clinic could call, like (201) 555-0123, or one that starts with + "
            "and the country code."
        },
    )
    # The patient record staff picked from the search: set by the "Use this record" button, never typed.
    patient = forms.ModelChoiceField(queryset=Patient.objects.all(), required=False, widget=forms.HiddenInput)
    # Not shown as a box: the "Email the link" button posts it, "Save without emailing" does not.
    send_email = forms.BooleanField(required=False)

    def clean_date_of_birth(self) -> datetime.date:
        born: datetime.date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise ValidationError("The date of birth cannot be in the future.")
        if born.year < 1900:
            raise ValidationError("Please check the year of birth.")
        # The form's own check (docs/clinical/INTAKE.md): the patient cannot change the date they confirm, so one
        # outside it kept them from sending their answers (the stop-32 audit).
        age = age_in_years(born, timezone.localdate())
        if age < MIN_AGE:
            raise ValidationError(f"The form is for patients aged {MIN_AGE} and over. Please check the date of birth.")
        if age > MAX_AGE:
            raise ValidationError(f"This date of birth gives an age over {MAX_AGE}. Please check the year of birth.")
        return born

    def clean_patient_name(self) -> str:
        name = normal_name(self.cleaned_data["patient_name"])
        # A placeholder typed while the name is not known ("?", "-"), or invisible characters pasted alone, is no name:
        # it made an invitation and a patient record named "?". Every script's names have letters.
        if not any(unicodedata.category(character).startswith("L") for character in name):
            raise ValidationError(MSG_NAME_REQUIRED, code="required")
        # Composed, a few letters are two (Gurmukhi sha, Hebrew presentation forms): checked again as it is kept.
        if len(name) > NAME_LENGTH:
            raise ValidationError(MSG_NAME_TOO_LONG, code="max_length")
        return name

    def clean_appointment_at(self) -> datetime.datetime:
        when: datetime.datetime = self.cleaned_data["appointment_at"]
        # Earlier today is taken (a patient filling the form in the waiting room); an earlier day is a typing mistake.
        if timezone.localdate(when) < timezone.localdate():
            raise ValidationError("This appointment is in the past. Please check the date.")
        return _not_too_far(when)

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or "en")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("send_email") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", MSG_EMAIL_TO_SEND)
        record, born = cleaned.get("patient"), cleaned.get("date_of_birth")
        if record is not None and born is not None and born != record.date_of_birth:
            # Two people may share a name: an invitation never joins (and rewrites the contact details of) the record
            # of someone born on another day.
            self.add_error(
                "date_of_birth",
                MSG_NOT_THE_RECORDS_BIRTH_DATE.format(
                    born=f"{record.date_of_birth:%b} {record.date_of_birth.day}, {record.date_of_birth.year}"
                ),
            )
        return cleaned


def _as_shown(when: datetime.datetime, shown: datetime.datetime) -> datetime.datetime | None:
    """`shown` (to the minute) when the time typed reads the same on the clinic's clock, else None. The box shows the
    second 1:30 AM of the night the clocks go back as "01:30", which the field reads as the first (`AppointmentField`):
    saved back unchanged, it is the time shown, not a change an hour earlier. Compared as wall-clock readings: Python
    never finds a time in the repeated hour equal to one in another zone (PEP 495), even the same moment."""

    def wall(moment: datetime.datetime) -> datetime.datetime:
        return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)

    if isinstance(when.tzinfo, datetime.timezone) and when.utcoffset() != timezone.localtime(shown).utcoffset():
        return None  # sent with an offset of its own (not the box's text): it names one of the two, not the one shown
    return shown.replace(second=0, microsecond=0) if wall(when) == wall(shown) else None


class _DetailsAsShown(forms.Form):
    """The appointment, e-mail and language the page showed, in hidden fields: a page opened before a colleague
    changed them never changes them back (intake.services.invitations.ShownDetails). Read leniently: without them a
    save is as before."""

    shown_appointment_at = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_email = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_language = forms.CharField(required=False, widget=forms.HiddenInput)

    SHOWN = {"appointment_at": "shown_appointment_at", "email": "shown_email", "language": "shown_language"}

    @classmethod
    def initial_for(cls, *, appointment_at: datetime.datetime, email: str, language: str) -> dict[str, object]:
        shown = {"shown_appointment_at": appointment_at.isoformat(), "shown_email": email, "shown_language": language}
        return {"appointment_at": appointment_at, "email": email, "language": language, **shown}

    def shown(self) -> ShownDetails | None:
        """What the page showed, from its hidden fields (None when they are missing or not readable)."""
        from intake.services.invitations import ShownDetails

        data = {name: str(self.data.get(self.add_prefix(name), "")) for name in self.SHOWN.values()}
        try:
            when = datetime.datetime.fromisoformat(data["shown_appointment_at"])
        except ValueError:
            return None
        if when.tzinfo is None or not data["shown_language"]:
            return None
        return ShownDetails(when, data["shown_email"].strip(), data["shown_language"])

    def typed_changes(self) -> set[str]:
        """The details this page changed from what it showed ("appointment", "email", "language"), as cleaned; none
        for a page without its hidden copy. A change already on file when it was saved (a double click, a colleague
        who typed the same) is one of these, though the save changed nothing."""
        shown, data = self.shown(), self.cleaned_data
        if shown is None:
            return set()
        when = data.get("appointment_at")
        changes = {
            "appointment": isinstance(when, datetime.datetime) and _as_shown(when, shown.appointment_at) is None,
            "email": bool(data.get("email")) and data.get("email") != shown.email,
            "language": bool(data.get("language")) and data.get("language") != shown.language,
        }
        return {name for name, changed in changes.items() if changed}

    def as_now(self, *, appointment_at: datetime.datetime, email: str, language: str) -> dict[str, object]:
        """This form's data over the details as they are now: what was changed here kept, the rest as it is now, and
        the page's hidden copy of them brought up to now (for the page shown again after a colleague's change)."""
        data: dict[str, object] = {key: self.data.get(key) for key in self.data}
        shown = self.shown()
        now = self.initial_for(appointment_at=appointment_at, email=email, language=language)
        for name, hidden in self.SHOWN.items():
            typed = str(self.data.get(self.add_prefix(name), "")).strip()
            was = self.data.get(self.add_prefix(hidden), "")
            if shown is None or typed == was or (name == "appointment_at" and self._same_time(typed, shown)):
                value = now[name]
                data[self.add_prefix(name)] = (
                    timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
                    if isinstance(value, datetime.datetime)
                    else value
                )
            data[self.add_prefix(hidden)] = now[hidden]
        return data

    def _same_time(self, typed: str, shown: ShownDetails) -> bool:
        try:
            when = self.fields["appointment_at"].clean(typed)
        except ValidationError:
            return False
        return isinstance(when, datetime.datetime) and _as_shown(when, shown.appointment_at) is not None


class RenewLinkForm(_DetailsAsShown):
    """Staff's "Make a new link": the address it is emailed to, and the appointment it works until the day after."""

    email = forms.EmailField(
        label="Patient's email",
        help_text="The new link is emailed here. Staff never see it.",
        max_length=EMAIL_LENGTH,
        error_messages={"required": MSG_EMAIL_FOR_LINK, "invalid": MSG_EMAIL_INVALID, "max_length": MSG_EMAIL_TOO_LONG},
    )
    appointment_at = AppointmentField(
        label="Appointment date and time",
        help_text="The link works until the end of the day after it.",
    )
    # Not required: a post without it (an older page) keeps the invitation's language.
    language = forms.ChoiceField(
        label="Language",
        choices=language_choices,
        required=False,
        help_text="The e-mail and the patient's form start in this language.",
        error_messages={"invalid_choice": MSG_LANGUAGE_CHOICE},
    )
    # The link the page showed: a second click (or a colleague's link since) sends no second one.
    link_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_appointment_at(self) -> datetime.datetime:
        from intake.services.invitations import MSG_RENEW_APPOINTMENT_PAST

        when: datetime.datetime = self.cleaned_data["appointment_at"]
        page = self.shown()
        as_shown = _as_shown(when, page.appointment_at) if page is not None else None
        if as_shown is not None:
            # As the page showed it: the time on file now is the one kept (a colleague may have moved the visit since
            # the page opened), and email_new_link refuses it only if that one has passed (as ChangeDetailsForm).
            return as_shown
        return _ahead(when, MSG_RENEW_APPOINTMENT_PAST)


class ChangeDetailsForm(_DetailsAsShown):
    """Staff's "Change the appointment or details": nothing is sent (intake.services.invitations.change_details)."""

    appointment_at = AppointmentField(
        label="Appointment date and time",
        help_text="The patient's link keeps working until the end of the day after it.",
    )
    email = forms.EmailField(
        label="Patient's email",
        required=False,
        help_text="Reminders and follow-ups go here. Leave it as it is to keep the one on file.",
        max_length=EMAIL_LENGTH,
        error_messages={"invalid": MSG_EMAIL_INVALID, "max_length": MSG_EMAIL_TOO_LONG},
    )
    language = forms.ChoiceField(
        label="Language",
        choices=language_choices,
        required=False,
        help_text="Reminders, follow-ups and the patient's form start in this language.",
        error_messages={"invalid_choice": MSG_LANGUAGE_CHOICE},
    )
    # The link the page showed (Invitation.link_version): a cancelling since then is not booked again unasked.
    link_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_appointment_at(self) -> datetime.datetime:
        from intake.services.invitations import MSG_MOVE_APPOINTMENT_PAST

        when: datetime.datetime = self.cleaned_data["appointment_at"]
        shown = self.initial.get("appointment_at")
        if isinstance(shown, datetime.datetime) and _as_shown(when, shown) is not None:
            return shown  # not changed: an address or language corrected after the visit (the follow-ups use them)
        page = self.shown()
        as_shown = _as_shown(when, page.appointment_at) if page is not None else None
        if as_shown is not None:
            return as_shown  # as the page showed it: kept as it is now (change_details), even if that time has passed
        return _ahead(when, MSG_MOVE_APPOINTMENT_PAST)


def _ahead(when: datetime.datetime, past_message: str) -> datetime.datetime:
    """An appointment still to come (a link for it would work) and not too far off."""
    if when <= timezone.now():
        raise ValidationError(past_message)
    return _not_too_far(when)
