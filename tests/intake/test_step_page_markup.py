"""What a step page's markup tells a screen reader and keeps safe (intake/question_html.py writes each question).

A wrong answer marks its question and its inputs, and the question names its hint and its message so both are read
out with it; what a patient typed comes back as they typed it, as text, whatever characters it holds.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.intake.conftest import answer_up_to
from tests.intake.factories import routine_answers

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every element's tag and attributes, in page order."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    def by_id(self, html_id: str) -> tuple[str, dict[str, str]]:
        return next(element for element in self.found if element[1].get("id") == html_id)

    def named(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.found if attrs.get("name") == name]

    def after(self, html_id: str, tag: str) -> dict[str, str]:
        """The first `tag` element after the element with this id."""
        start = self.found.index(self.by_id(html_id))
        return next(attrs for found, attrs in self.found[start:] if found == tag)


def test_a_wrong_answer_marks_its_question_and_its_choices_and_is_read_out_with_its_hint(patient):
    answers = routine_answers()
    answer_up_to(patient, "legs", answers)
    page = patient.post_step("legs", {**answers, "leg_symptoms": "sometimes"}).content.decode()
    elements = Elements(page)

    _, question = elements.by_id("q-leg_symptoms")
    assert question["class"].split() == ["question", "has-error"]
    described_by = elements.after("q-leg_symptoms", "fieldset")["aria-describedby"].split()
    assert described_by == ["hint_leg_symptoms", "error_leg_symptoms"]
    for html_id in described_by:
        elements.by_id(html_id)  # each named element is on the page
    choices = elements.named("leg_symptoms")
    assert [choice["value"] for choice in choices] == ["yes", "no"]
    assert all(choice["aria-invalid"] == "true" and choice["type"] == "radio" for choice in choices)
    # A question answered well on the same page is not marked.
    assert "has-error" not in elements.by_id("q-leg_numbness_tingling")[1]["class"]
    assert all("aria-invalid" not in choice for choice in elements.named("leg_numbness_tingling"))


def test_what_a_patient_typed_comes_back_as_text_when_the_page_has_a_mistake(patient):
    answers = routine_answers()
    answer_up_to(patient, "running_goals", answers)
    typed = '"><script>alert(1)</script> & a 10k'
    page = patient.post_step(
        "running_goals", {**answers, "race_goal": typed}, **{"race_date-day": "45", "race_date-month": "13"}
    ).content.decode()

    assert "<script>alert" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; a 10k"' in page
    elements = Elements(page)
    (race_goal,) = elements.named("race_goal")
    assert race_goal["value"] == typed
    # The date's boxes keep what was typed; the one the message is about (no year) is marked.
    (day,), (month,), (year,) = (elements.named(f"race_date-{part}") for part in ("day", "month", "year"))
    assert (day["value"], month["value"], year["value"]) == ("45", "13", "")
    assert year["aria-invalid"] == "true"
    assert "is-invalid" in year["class"]
    assert "aria-invalid" not in day
    assert "The race date must include a year" in page


def test_a_safety_hint_that_lists_signs_shows_one_sign_per_line(patient):
    # docs/clinical/INTAKE.md, step 1: "one sign per line of hint", as the cauda equina symptom card lists them.
    answer_up_to(patient, "safety_bladder", routine_answers())
    html = patient.client.get("/intake/step/safety_bladder/").content.decode()
    assert (
        '<p class="form-text" id="hint_ce_bowel_control">Count any of these:<br>It is hard to hold in a poop.<br>'
        "You leak poop.<br>You can&#x27;t feel a poop passing.</p>"
    ) in html


def test_every_safety_hint_that_counts_signs_puts_each_on_its_own_line():
    from intake.rules.questionnaire import CE_QUESTION_CODES, QUESTIONS

    listing = [QUESTIONS[code].hint for code in CE_QUESTION_CODES if "any of these:" in QUESTIONS[code].hint]
    assert len(listing) == 4
    for hint in listing:
        lead, *signs = hint.split("\n")
        assert lead.endswith("any of these:")
        assert len(signs) >= 3
        assert all(sign.endswith(".") and sign.count(". ") == 0 for sign in signs)


@pytest.mark.parametrize("slug", ["running_goals", "visit"])
def test_a_question_with_no_hint_names_no_description_and_every_name_is_on_the_page(patient, slug):
    """Inputs, text areas and groups with no hint had an empty aria-describedby="", which points at nothing."""
    answer_up_to(patient, slug, routine_answers())
    elements = Elements(patient.client.get(f"/intake/step/{slug}/").content.decode())
    described = [(tag, attrs) for tag, attrs in elements.found if "aria-describedby" in attrs]
    assert [(tag, attrs.get("name")) for tag, attrs in described if not attrs["aria-describedby"].strip()] == []
    for _tag, attrs in described:
        for html_id in attrs["aria-describedby"].split():
            elements.by_id(html_id)
    assert "aria-describedby" not in elements.by_id("id_race_goal" if slug == "running_goals" else "id_worries")[1]
