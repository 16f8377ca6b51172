from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def starter_library(db):
    """The starter articles (1-10 and 15), loaded the way `make run` and a clinic's deploy load them."""
    call_command("load_articles", stdout=io.StringIO())


@pytest.fixture
def on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Full-text search ranking needs PostgreSQL; SQLite only has the plain fallback.")
