"""The HTML of one question of a step page, and of the boxes of a date or a measurement (also the birth-date check's).

It was `intake/_question.html`; issue 16 asks a patient's step page to cost at most about three times the bare view,
and Django's template engine spent 0.12 ms per question on it (an include, a `{% with %}` and some forty nodes for
two yes/no questions), and `format_html` half as much (its lazy-string checks on every value). Everything shown
comes prepared in a `QuestionView` (intake.question_views); this module only writes it out, every value passed
through `_e` (Django's escaping: a SafeString as it is, anything else HTML-escaped, quotes included).

The markup: a question with choices, or typed in several boxes, is a fieldset whose legend is the question; any
other is a label and one input. Its hint and errors are tied to it by `aria-describedby`; an error marks the
question (`has-error`) and its inputs (`aria-invalid`). `data-show-if` holds the rule intake.js uses to show a
follow-up question when its answer is given; a question not asked yet is `hidden`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from intake.question_views import InputBox, Option, QuestionView

_INVALID = ' aria-invalid="true"'


def _e(value: object) -> str:
    """Django's conditional_escape without the wrapper that checks every argument for a lazy string (str() turns
    one into text here)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _described_by(qv: QuestionView, *first: str) -> str:
    """The aria-describedby attribute (with its leading space), or "" when nothing describes the question: an empty
    one points at nothing."""
    code = qv.question.code
    ids = [*first]
    if qv.hint:
        ids.append(f"hint_{code}")
    if qv.errors:
        ids.append(f"error_{code}")
    return f' aria-describedby="{_e(" ".join(ids))}"' if ids else ""


def _label_text(qv: QuestionView) -> str:
    if qv.question.required:
        return _e(qv.label)
    optional = gettext("(optional)")  # outside the f-string, where makemessages finds it
    return f'{_e(qv.label)} <span class="optional">{_e(optional)}</span>'


def _notes(qv: QuestionView) -> str:
    """What follows the question's text: when it is asked, its hint, its errors."""
    code = _e(qv.question.code)
    parts = []
    if qv.only_if_text:
        parts.append(f'<p class="only-if">{_e(qv.only_if_text)}</p>')
    if qv.hint:
        # A hint that lists signs has one per line (the safety questions, docs/clinical/INTAKE.md step 1).
        lines = "<br>".join(_e(line) for line in qv.hint.split("\n"))
        parts.append(f'<p class="form-text" id="hint_{code}">{lines}</p>')
    error = _e(gettext("Error:"))
    parts.extend(
        f'<p class="invalid-feedback d-block" id="error_{code}"><span class="visually-hidden">{error}</span>'
        f" {_e(message)}</p>"
        for message in qv.errors
    )
    return "".join(parts)


def _box(box: InputBox) -> str:
    return (
        f'<div class="input-box"><label class="form-label box-label" for="{_e(box.html_id)}">{_e(box.label)}</label>'
        f'<input class="form-control {_e(box.css)}{" is-invalid" if box.invalid else ""}" type="text"'
        f' inputmode="{_e(box.inputmode)}" name="{_e(box.name)}" id="{_e(box.html_id)}" value="{_e(box.value)}"'
        f' autocomplete="{_e(box.autocomplete or "off")}"{_INVALID if box.invalid else ""}></div>'
    )


def input_boxes(boxes: Iterable[InputBox]) -> SafeString:
    """The boxes of a date or a measurement, each with its own label (GOV.UK's date input)."""
    return mark_safe(f'<div class="input-boxes">{"".join(_box(box) for box in boxes)}</div>')  # noqa: S308 - escaped


def _choice(qv: QuestionView, option: Option) -> str:
    code, option_id = _e(qv.question.code), _e(option.html_id)
    checked = " checked" if option.checked else ""
    if qv.question.kind == "scale":
        return (
            f'<input class="btn-check" type="radio" name="{code}" id="{option_id}" value="{_e(option.value)}"'
            f'{checked}><label class="btn btn-outline-primary scale-option" for="{option_id}">'
            f"{_e(option.label)}</label>"
        )
    kind = "checkbox" if qv.question.kind == "multi" else "radio"
    invalid = _INVALID if qv.errors else ""
    return (
        f'<div class="form-check choice"><input class="form-check-input" type="{kind}" name="{code}" id="{option_id}"'
        f' value="{_e(option.value)}"{checked}{invalid}><label class="form-check-label" for="{option_id}">'
        f"{_e(option.label)}</label></div>"
    )


def _choices(qv: QuestionView) -> str:
    options = "".join(_choice(qv, option) for option in qv.options)
    return f'<div class="{"scale" if qv.question.kind == "scale" else "choices"}">{options}</div>{_clear(qv)}'


def _clear(qv: QuestionView) -> str:
    """An optional question answered with a single choice cannot be un-chosen in a browser: a button to clear it,
    shown by intake.js while the question has an answer (without scripts it stays hidden; the question can still be
    left as it is)."""
    if qv.question.required or qv.question.kind == "multi":
        return ""
    label = gettext("Clear this answer")
    return (
        f'<button type="button" class="btn btn-link btn-sm clear-answer" data-clear="{_e(qv.question.code)}" hidden>'
        f"{_e(label)}</button>"
    )


def _grouped(qv: QuestionView) -> str:
    """A fieldset: choices, a 0-10 scale, or the boxes of a date or a measurement."""
    inputs = input_boxes(qv.boxes) if qv.boxes else _choices(qv)
    return (
        f"<fieldset{_described_by(qv)}>"
        f'<legend class="question-label">{_label_text(qv)}</legend>'
        f"{_notes(qv)}{inputs}</fieldset>"
    )


def _single_input(qv: QuestionView) -> str:
    """The one input of a question that is not grouped: a number, a short or long text, or a measurement in one box
    with its unit after it."""
    question, code = qv.question, _e(qv.question.code)
    invalid = " is-invalid" if qv.errors else ""
    if qv.boxes:
        box = qv.boxes[0]
        return (
            f'<div class="input-with-suffix"><input class="form-control {_e(box.css)}'
            f'{" is-invalid" if box.invalid else ""}" type="text" inputmode="decimal" autocomplete="off"'
            f' name="{_e(box.name)}" id="{_e(box.html_id)}" value="{_e(box.value)}"'
            f"{_described_by(qv, f'unit_{question.code}')}"
            f"{_INVALID if box.invalid else ''}>"
            f'<span class="input-suffix" id="unit_{code}">{_e(box.label)}</span></div>'
        )
    if question.kind == "text" and (question.max_length or 0) > 200:
        return (
            f'<textarea class="form-control{invalid}" name="{code}" id="{_e(qv.html_id)}" rows="3"'
            f' maxlength="{_e(question.max_length)}"{_described_by(qv)}>{_e(qv.value)}</textarea>'
        )
    if question.kind == "integer":
        kind = 'type="text" inputmode="numeric" autocomplete="off"'
    elif question.kind == "decimal":
        kind = 'type="text" inputmode="decimal" autocomplete="off"'
    elif question.kind == "phone":
        kind = 'type="tel" autocomplete="tel" maxlength="30"'
    else:
        kind = f'type="text" maxlength="{_e(question.max_length)}"'
    short = {"integer": " short-input", "decimal": " short-input", "phone": " phone-input"}.get(question.kind, "")
    return (
        f'<input class="form-control{short}{invalid}" name="{code}" id="{_e(qv.html_id)}" value="{_e(qv.value)}"'
        f" {kind}{_described_by(qv)}>"
    )


def _single(qv: QuestionView) -> str:
    return (
        f'<label class="form-label question-label" for="{_e(qv.html_id)}">{_label_text(qv)}</label>'
        f"{_notes(qv)}{_single_input(qv)}"
    )


def question_html(qv: QuestionView) -> SafeString:
    """The whole question: its text, when it is asked, its hint, errors and inputs."""
    show_if = f' data-show-if="{_e(qv.show_if)}"' if qv.show_if else ""
    inside = _grouped(qv) if qv.is_grouped or qv.question.kind == "date" else _single(qv)
    return mark_safe(  # noqa: S308 - every value is escaped by _e
        f'<div class="question{" has-error" if qv.errors else ""}" id="q-{_e(qv.question.code)}"{show_if}'
        f"{'' if qv.shown else ' hidden'}>{inside}</div>"
    )
