"""The advice for a question page sent before the consent, judged on the posted page alone (intake.before_consent)."""

from __future__ import annotations

import pytest

from intake.before_consent import advice_for


@pytest.mark.parametrize(
    ("posted", "kind"),
    [
        ({"ce_saddle_numbness": "yes", "ce_wiping_sensation": "no"}, "ces"),
        ({"ce_both_legs_weaker": "not_sure"}, "ces"),
        # A page that tells both a cancer history and a nerve symptom (no page of today's form does; a crafted or
        # older one may): cord compression's advice, not a call-back the clinic cannot make.
        ({"cancer_history": "yes", "leg_numbness_tingling": "yes"}, "mscc"),
        ({"fever_unwell": "yes", "iv_drug_use": "no"}, "callback"),
        ({"onset_cause": "fall_impact"}, "callback"),
        ({"leg_weakness": "yes", "foot_drop": "yes"}, "callback"),
        # "Getting worse" left ticked under a "no" to weakness on the same page is no answer (docs/clinical/TRIAGE.md).
        ({"leg_weakness": "no", "leg_weakness_worsening": "yes"}, None),
        ({"ce_saddle_numbness": "no", "fever_unwell": "no"}, None),
        ({"leg_numbness_tingling": "yes"}, None),  # no cancer history on the page: nothing it can tell
        ({"ce_saddle_numbness": "maybe?"}, None),  # unreadable
    ],
)
def test_the_advice_is_what_the_posted_page_alone_calls_for(posted, kind):
    message = advice_for(posted)
    assert (message.kind if message is not None else None) == kind


def test_the_cauda_equina_advice_names_the_signs_sent():
    message = advice_for({"ce_bowel_control": "yes", "ce_sexual_change": "not_sure"})
    assert message is not None
    assert message.ce_signs == (
        "trouble controlling my bowels, or not feeling when I poop",
        "a change in erections, ejaculation or feeling in my genitals",
    )
