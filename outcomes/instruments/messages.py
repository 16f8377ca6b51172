"""The words of the shipped instruments, marked for translation.

The definitions are TOML files, which ``makemessages`` cannot read; listing their words here with ``gettext_noop``
(a local no-op, so this module needs no Django, like intake/rules/patient_messages.py) puts them in the message
catalogue. Pages translate the value when they show it (``{% translate item.label %}``, ``gettext(item.label)``).
tests/outcomes/test_instruments.py fails when a shipped file gains words that are not listed here.
"""

from __future__ import annotations

from outcomes.instruments.model import Instrument


def gettext_noop(message: str) -> str:
    return message


def patient_texts(instrument: Instrument) -> tuple[str, ...]:
    """Every word of an instrument that a patient or a chart shows: name, labels, hints, anchors, options, bands."""
    texts: list[str] = [instrument.name]
    for item in instrument.items:
        texts += [item.label, item.hint, item.min_anchor, item.max_anchor, item.activity_label]
        texts += [option.label for option in item.options]
    texts += [band.label for band in instrument.bands]
    return tuple(dict.fromkeys(text for text in texts if text))


MESSAGES: tuple[str, ...] = (
    # PEG (data/peg.toml)
    gettext_noop("PEG (pain, enjoyment of life, general activity)"),
    gettext_noop("On average, how bad has your pain been over the past week?"),
    gettext_noop("No pain"),
    gettext_noop("The worst pain you can imagine"),
    gettext_noop("This week, how much has pain spoiled the things you enjoy in life?"),
    gettext_noop("Not at all"),
    gettext_noop("I could not enjoy anything"),
    gettext_noop("This week, how much has pain gotten in the way of your daily life?"),
    gettext_noop("I could not do anything"),
    gettext_noop("Low"),
    gettext_noop("Moderate"),
    gettext_noop("High"),
    # PSFS (data/psfs.toml)
    gettext_noop("Patient-Specific Functional Scale"),
    gettext_noop("How well can you do this activity now?"),
    gettext_noop("I can't do it at all"),
    gettext_noop("As well as before my back problem"),
    gettext_noop("Name one activity that your back makes hard to do. Running counts."),
    gettext_noop("Is there a second activity your back makes hard? You can skip this."),
    gettext_noop("Is there a third activity your back makes hard? You can skip this."),
    # Global rating of change (data/global_change.toml)
    gettext_noop("Global rating of change"),
    gettext_noop("Compared with just before your first visit, how is your back now?"),
    gettext_noop("Much worse"),
    gettext_noop("Worse"),
    gettext_noop("A little worse"),
    gettext_noop("About the same"),
    gettext_noop("A little better"),
    gettext_noop("Better"),
    gettext_noop("Much better"),
    # Running status (data/running_status.toml)
    gettext_noop("Running status"),
    gettext_noop("Which best describes your running now?"),
    gettext_noop("I'm not running"),
    gettext_noop("I'm mixing running and walking"),
    gettext_noop("I'm running, but less than before"),
    gettext_noop("I'm back to my usual running"),
)
