"""A patient's pages keep the language of the patient's choice (the invitation, the switcher) and never read one from
their address: `?lang=` is for the public library only (clinic_portal.languages: "The language in the address")."""

from __future__ import annotations

import pytest

from tests.intake.conftest import Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/intake/step/consent/?lang=es", "/intake/exit/?lang=es"])
def test_a_patients_page_ignores_a_language_in_its_address(signed_in: Patient, path):
    response = signed_in.client.get(path)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "django_language" not in response.cookies
