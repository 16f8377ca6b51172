"""The clinic's numbers as a tel: link dials them (RFC 3966: no spaces or brackets; an extension as ";ext=")."""

from __future__ import annotations

import pytest

from clinic_portal.clinic import dial_string


@pytest.mark.parametrize(
    ("written", "dialled"),
    [
        ("(201) 555-0123", "+12015550123"),  # a valid US number: in full
        ("(555) 010-0100", "5550100100"),  # the demo's made-up number: its digits
        ("911", "911"),
        ("(201) 555-0123 ext. 4", "+12015550123;ext=4"),
        ("(555) 010-0100 ext. 12", "5550100100;ext=12"),  # the extension is not dialled as part of the number
        ("(201) 555-0123 x7", "+12015550123;ext=7"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_number_as_written_is_dialled_without_spaces_and_with_its_extension_apart(written, dialled):
    assert dial_string(written, "US") == dialled
