""".env.example and README's Configuration table against the variables the settings read (README.md,
"Configuration")."""

from __future__ import annotations

import re

from tests.foundation.test_settings import ROOT

# Every variable is read through clinic_portal.env's helpers, in the settings alone.
_READ = re.compile(r'env_(?:str|int|bool|list)\(\s*"([A-Z][A-Z0-9_]*)"')
_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def _variables_read() -> set[str]:
    return set(_READ.findall((ROOT / "clinic_portal" / "settings.py").read_text()))


def _example_lines() -> list[tuple[str, str]]:
    """(name, value) of every assignment in .env.example, the commented-out ones included."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [(match[1], match[2]) for line in lines if (match := _ASSIGNMENT.match(line))]


def test_the_settings_read_variables_at_all():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_BACKEND", "SMS_BACKEND"} <= _variables_read()


def test_env_example_lists_every_variable_the_settings_read():
    assert _variables_read() - {name for name, _ in _example_lines()} == set()


def test_readme_configuration_table_names_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Running against PostgreSQL")]
    assert {name for name in _variables_read() if f"`{name}`" not in table} == set()


def test_no_value_in_env_example_carries_a_comment_after_it():
    """The file says comments are on lines of their own, because a loader such as Docker's --env-file keeps a comment
    after a value as part of it. That holds for the commented-out examples too: uncommenting
    `# EMAIL_BACKEND=...smtp.EmailBackend   # the default ...` gave an e-mail backend class that cannot be imported."""
    assert [(name, value) for name, value in _example_lines() if re.search(r"\s#", value)] == []
