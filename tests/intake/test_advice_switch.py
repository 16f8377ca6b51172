"""intake.advice_switch without a database: the switcher's fields on a refused page name exactly the advice the page
gave, so the page given again in another language gives the same advice (a sign answered not sure is named as a yes
is, as `late_pages.ces_message` names it; "may have had cancer" stays "may have")."""

from __future__ import annotations

import pytest

from intake.advice_switch import message_from, switch_fields
from intake.late_pages import ces_message
from intake.rules.patient_messages import PatientMessage, patient_message

MESSAGES = {
    "cauda equina, two signs": ces_message(["ce_bowel_control", "ce_saddle_numbness"]),
    "cauda equina, one sign": ces_message(["ce_both_legs_weaker"]),
    "cauda equina, signs unnamed": ces_message("sent before stop 28"),
    "cord compression, cancer not sure": patient_message(
        level="urgent",
        emergency="mscc",
        answers={"cancer_history": "not_sure", "ce_saddle_numbness": "yes"},
        flag_codes=["SC3", "SP12", "SC4", "CE1"],
    ),
    "cord compression, cancer yes": patient_message(
        level="urgent", emergency="mscc", answers={"cancer_history": "yes"}, flag_codes=["CM1"]
    ),
}


@pytest.mark.parametrize("message", MESSAGES.values(), ids=MESSAGES.keys())
def test_the_switchers_fields_give_back_the_very_advice_shown(message: PatientMessage | None):
    assert message is not None
    fields = switch_fields(refusal="csrf", message=message, minutes=1)
    assert message_from(fields) == message
    # In any order the browser sends them.
    assert message_from(tuple(reversed(fields))) == message


@pytest.mark.parametrize("message", MESSAGES.values(), ids=MESSAGES.keys())
def test_the_fields_say_what_the_page_says_never_an_answer(message: PatientMessage | None):
    assert message is not None
    fields = switch_fields(refusal="rate_limit", message=message, minutes=3)
    assert ("advice_minutes", "3") in fields
    assert {value for _name, value in fields} & {"yes", "not_sure", "no"} == set()


def test_fields_that_name_no_advice_give_none():
    assert message_from((("advice_page", "csrf"),)) is None
    assert message_from((("advice", "callback"), ("advice_ce_sign", "ce_bowel_control"))) is None
