"""Forms of the staff screens."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms

from clinic_portal.text_fields import TypedTextField
from dashboard.selectors import QueueFilters
from intake.models import Level, ReviewNote
from intake.rules.triage import FLAGS_BY_CODE
from intake.services.patients import normal_name
from intake.services.review import MSG_OTHER_NEEDS_NOTE, MSG_OUTCOME_REQUIRED

LEVEL_CHOICES = [("", "Any level"), *((level.code, level.label) for level in Level)]
FLAG_CHOICES = [("", "Any flag"), *((code, f"{flag.short} ({code})") for code, flag in FLAGS_BY_CODE.items())]
REVIEWED_CHOICES = [("", "Reviewed or not"), ("no", "Not reviewed yet"), ("yes", "Reviewed")]

MSG_DATE_RANGE = "The “to” date is before the “from” date."
NO_OUTCOME = ("", "No outcome to record")


MSG_DATE_OUT_OF_RANGE = "Enter a date between 1900 and 2199."


class FilterDateField(forms.DateField):
    """A date for a filter, within years a clinic can mean: 9999-12-31 plus one day would overflow."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not datetime.date(1900, 1, 1) <= value <= datetime.date(2199, 12, 31):
            raise forms.ValidationError(MSG_DATE_OUT_OF_RANGE, code="out_of_range")


class DateInput(forms.DateInput):
    input_type = "date"


def check_date_range(form: forms.Form, data: dict[str, Any], start_name: str, end_name: str) -> dict[str, Any]:
    """A "from ... to" pair of filters: a "to" before the "from" gets its message next to the "to"."""
    start, end = data.get(start_name), data.get(end_name)
    if start and end and end < start:
        form.add_error(end_name, MSG_DATE_RANGE)
    return data


MSG_CHOICE = "Choose one of the options in the list."


class QueueFilterForm(forms.Form):
    """The queue's filters. Drawn by the page from plain values (dashboard.queue_rows.filter_fields), never through
    its widgets. The choices are given as callables: the form is built on every queue request, and a list of
    choices would be deep-copied with it each time (the flags' thirty cost more than validating)."""

    # Labels as the page names them: the export's message names a bad filter by its label ("None: ..." without).
    # Its message does not repeat the value (Django's does): the export's 400 page would echo whatever the address
    # held, a pasted name included (the stop-32 privacy audit).
    level = forms.ChoiceField(
        choices=lambda: LEVEL_CHOICES, required=False, label="Level", error_messages={"invalid_choice": MSG_CHOICE}
    )
    flag = forms.ChoiceField(
        choices=lambda: FLAG_CHOICES, required=False, label="Red flag", error_messages={"invalid_choice": MSG_CHOICE}
    )
    reviewed = forms.ChoiceField(
        choices=lambda: REVIEWED_CHOICES,
        required=False,
        label="Reviewed",
        error_messages={"invalid_choice": MSG_CHOICE},
    )
    appointment_from = FilterDateField(required=False, label="Appointment from", widget=DateInput)
    appointment_to = FilterDateField(required=False, label="to", widget=DateInput)

    def __init__(self, *args: Any, clinical: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not clinical:
            # Front desk sees levels but not what raised them.
            del self.fields["flag"]

    def clean(self) -> dict[str, Any]:
        return check_date_range(self, super().clean() or {}, "appointment_from", "appointment_to")

    def filters(self, *, name: str = "") -> QueueFilters:
        """The valid filters only: a bad field is reported next to itself and the others still apply."""
        data = self.cleaned_data if self.is_bound else {}
        level = data.get("level")
        reviewed = data.get("reviewed")
        return QueueFilters(
            level=Level.from_code(level).value if level else None,
            flag=data.get("flag", "") or "",
            reviewed={"yes": True, "no": False}.get(reviewed or ""),
            appointment_from=data.get("appointment_from"),
            appointment_to=data.get("appointment_to"),
            name=name,
        )


NAME_SEARCH_LENGTH = 100


class NameSearchForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_SEARCH_LENGTH,
        required=False,
        label="Patient name",
        strip=True,
        error_messages={
            "max_length": f"Type at most {NAME_SEARCH_LENGTH} characters of the name.",
            "null_characters_not_allowed": "The name has a character no name has (a null character).",
        },
    )

    def clean_name(self) -> str:
        # As names are kept: a name pasted with a zero-width space or a no-break space in it finds the plain one.
        return normal_name(self.cleaned_data["name"])


class ReviewForm(forms.Form):
    """Mark an intake reviewed (or add a note), with what happened (docs/clinical/TRIAGE.md, "Review outcomes").

    `outcome_required`: the intake is urgent or serious and still waits for its review (or has red-flag answers
    only a review with an outcome clears). Otherwise the outcome is optional and "No outcome to record" is offered.
    """

    outcome = forms.ChoiceField(
        choices=ReviewNote.Outcome.choices,
        required=False,
        label="What happened",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the outcomes listed."},
    )
    note = TypedTextField(
        max_length=2000,
        required=False,
        strip=True,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the outcome is “Other”. Notes are added to the list below; earlier notes are never "
        "changed.",
    )

    # What the page showed when it was opened (intake.services.review.review_basis), sent back with the review.
    seen = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, outcome_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_required = outcome_required
        if not outcome_required:
            # `fields` is typed as plain Field; "outcome" is the ChoiceField declared above.
            outcome = cast(forms.ChoiceField, self.fields["outcome"])
            outcome.choices = [NO_OUTCOME, *ReviewNote.Outcome.choices]
            self.initial.setdefault("outcome", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome", "")
        if self.outcome_required and not outcome and "outcome" not in self.errors:
            self.add_error("outcome", MSG_OUTCOME_REQUIRED)
        if outcome == ReviewNote.Outcome.OTHER and not data.get("note") and "note" not in self.errors:
            self.add_error("note", MSG_OTHER_NEEDS_NOTE)
        return data

    def shows(self, basis: str) -> None:
        """The page about to be shown shows the intake as `basis` says: its review is judged on that."""
        if self.is_bound:
            self.data = {**dict(self.data.items()), "seen": basis}  # one value a field: outcome, note, seen
        else:
            self.initial["seen"] = basis


MSG_INTAKE_NUMBER = "An intake number is made of digits only, like 1234."


class AuditFilterForm(forms.Form):
    """The audit trail's filters: which intake, what, who and when (the clinic's days). A bad field gets its message
    next to itself and the others still apply."""

    intake = forms.RegexField(
        regex=r"\A[0-9]{1,10}\Z",
        required=False,
        label="Intake number",
        error_messages={"invalid": MSG_INTAKE_NUMBER},
    )
    action = forms.ChoiceField(required=False, label="Action")
    who = forms.CharField(required=False, max_length=150, strip=True, label="Username")
    date_from = FilterDateField(required=False, label="From", widget=DateInput)
    date_to = FilterDateField(required=False, label="to", widget=DateInput)

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "Any action"), *actions]

    def clean(self) -> dict[str, Any]:
        return check_date_range(self, super().clean() or {}, "date_from", "date_to")

    def valid(self) -> dict[str, Any]:
        """The filters that are valid, by name (empty ones left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value and name not in self.errors}
