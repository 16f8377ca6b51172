"""The base layout every page shares: landmarks, navigation, the footer's safety line, and a strict CSP."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_has_landmarks_skip_link_and_emergency_footer(client, settings):
    settings.CLINIC_EMERGENCY_NUMBER = "112"
    settings.CLINIC_PHONE = "(555) 010-0100"
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert "not medical advice" in html
    assert 'href="tel:112"' in html
    # A tel: link holds no spaces or brackets (RFC 3966): the clinic's "(555) 010-0100" is dialled as its digits.
    assert sorted(set(re.findall(r'href="tel:([^"]*)"', html))) == ["112", "5550100100"]


def test_anonymous_visitor_sees_staff_sign_in_link(client):
    html = client.get("/").content.decode()
    assert "Staff sign-in" in html
    assert "Sign out" not in html


def test_signed_in_staff_see_their_name_and_sign_out(client, clinician):
    client.force_login(clinician)
    html = client.get("/").content.decode()
    assert "Clinician Tester" in html
    assert "Sign out" in html


@pytest.mark.parametrize("path", ["/", "/staff/sign-in/", "/articles/"])
def test_every_html_page_has_a_csp_without_unsafe_inline_scripts(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src.group(1)
    assert "frame-ancestors 'none'" in policy


def test_pages_contain_no_inline_scripts_or_styles(client):
    html = client.get("/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def test_bootstrap_is_served_by_the_portal_itself(client):
    html = client.get("/").content.decode()
    links = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert links
    assert all(link.startswith("/static/") for link in links), links
