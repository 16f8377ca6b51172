"""Patient-facing wording in Django-free modules: the no-op translation marker and messages with placeholders.

Why: ``intake.rules`` holds the questionnaire's wording and its error messages but may not import Django
(tests/intake/test_rules_are_pure.py). Strings are marked with ``gettext_noop`` (Django's name, so ``makemessages``
collects them) and translated where they are shown: templates (``{% translate %}``) and the form layer
(``intake.patient_fields.say``). A message with values in it (a bound, a unit, the name of a date) cannot be
translated once it is formatted, so it travels as a ``Message``: a ``str`` (its English text, so comparisons and logs
work as before) that also remembers its marked template and its values, and the form layer translates the template,
then fills it.

Public API
----------
- ``gettext_noop(message) -> str``: the marker (returns its argument).
- ``Message(template, **values)``: ``str(message)`` is the English text; ``.template`` and ``.values`` (each value a
  ``str``, or a ``Message`` translated in its turn, e.g. a unit word) for the translating caller.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it here."""
    return message


class Message(str):
    """English text with the marked template and values it was made from (see the module docstring)."""

    template: str
    values: dict[str, str]

    def __new__(cls, template: str, **values: str) -> Message:
        made = super().__new__(cls, template.format(**values) if values else template)
        made.template = template
        made.values = dict(values)
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled (a cached form, a task argument) as plain text would lose the template; keep both.
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict[str, str]) -> Message:
    return Message(template, **values)
