"""Bootstrap comes from node_modules (npm, package-lock.json), and only the files the pages use are collected and
served (clinic_portal/vendor_files.py): the two the pages link and the source maps those two name."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from clinic_portal import vendor_files


def vendor_addresses() -> list[str]:
    return [f"{prefix}/{name}" for prefix, (_folder, names) in vendor_files.VENDOR_FILES.items() for name in names]


def test_every_vendor_file_is_found_at_its_address_in_node_modules():
    for address in vendor_addresses():
        found = finders.find(address)
        assert found, address
        assert "/node_modules/" in str(found), found


@pytest.mark.django_db
def test_the_files_the_pages_link_are_the_vendor_files_and_nothing_else_of_bootstrap_is_offered(client):
    linked = set()
    for path in ("/", "/intake/start/not-a-link/"):
        html = client.get(path).content.decode()
        linked |= {re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in re.findall(r'"/static/(vendor/[^"]+)"', html)}
    assert linked == {"vendor/bootstrap/css/bootstrap.min.css", "vendor/bootstrap/js/bootstrap.bundle.min.js"}
    assert linked <= set(vendor_addresses())
    assert not finders.find("vendor/bootstrap/css/bootstrap.css")  # in node_modules, never used, never served
    collected = {path for path, _storage in vendor_files.VendorFileFinder().list(None)}
    assert collected == {
        "css/bootstrap.min.css",
        "css/bootstrap.min.css.map",
        "js/bootstrap.bundle.min.js",
        "js/bootstrap.bundle.min.js.map",
    }


def test_a_missing_vendor_file_is_named_by_the_checks_with_a_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(vendor_files, "NODE_MODULES", tmp_path)
    errors = vendor_files.VendorFileFinder().check()
    assert [error.id for error in errors] == ["portal.W010"]
    assert "bootstrap/dist/css/bootstrap.min.css" in errors[0].msg
    assert errors[0].hint == "Run `npm ci`."
