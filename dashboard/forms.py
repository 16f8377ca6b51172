"""Forms of the staff screens."""

from __future__ import annotations

from django import forms

from dashboard.selectors import QueueFilters
from intake.models import Level
from intake.rules.triage import FLAGS_BY_CODE

LEVEL_CHOICES = [("", "Any level"), *((level.code, level.label) for level in Level)]
FLAG_CHOICES = [("", "Any flag"), *((code, f"{flag.short} ({code})") for code, flag in FLAGS_BY_CODE.items())]
REVIEWED_CHOICES = [("", "Reviewed or not"), ("no", "Not reviewed yet"), ("yes", "Reviewed")]

MSG_DATE_RANGE = "The “to” date is before the “from” date."


class DateInput(forms.DateInput):
    input_type = "date"


class QueueFilterForm(forms.Form):
    level = forms.ChoiceField(choices=LEVEL_CHOICES, required=False)
    flag = forms.ChoiceField(choices=FLAG_CHOICES, required=False)
    reviewed = forms.ChoiceField(choices=REVIEWED_CHOICES, required=False)
    appointment_from = forms.DateField(required=False, label="Appointment from", widget=DateInput)
    appointment_to = forms.DateField(required=False, label="to", widget=DateInput)

    def __init__(self, *args, clinical: bool, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not clinical:
            # Front desk sees levels but not what raised them.
            del self.fields["flag"]
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css + (" is-invalid" if self.is_bound and name in self.errors else "")

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        start, end = data.get("appointment_from"), data.get("appointment_to")
        if start and end and end < start:
            self.add_error("appointment_to", MSG_DATE_RANGE)
        return data

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


class NameSearchForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Patient name", strip=True)


class ReviewForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        required=False,
        strip=True,
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Notes are added to the list below; earlier notes are never changed.",
    )
