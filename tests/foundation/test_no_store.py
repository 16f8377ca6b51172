"""Patient, staff and admin answers carry Django's never-cache headers (clinic_portal.middleware.NoStoreMiddleware),
whether or not the view marked them itself, and exactly once."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

pytestmark = pytest.mark.django_db


def _djangos_headers() -> str:
    response = HttpResponse()
    add_never_cache_headers(response)
    return response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/intake/",  # a view marked @never_cache (no form open here: to the bad-link page)
        "/intake/no-such-page/",  # a 404, which no view marked
        "/staff/sign-in/",
    ],
)
def test_an_answer_under_a_private_address_is_never_cached(client, path):
    response = client.get(path)
    assert response["Cache-Control"] == _djangos_headers()
    assert response.has_header("Expires")


def test_a_public_page_is_left_to_its_own_headers(client):
    response = client.get("/articles/")
    assert "no-store" not in response.get("Cache-Control", "")
