"""Production settings fail closed and pass Django's deployment checks."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "k3$Jq9!vR2#mW8@pL5^tZ1&nB7*cX4(dF6)gH0_yU-a-long-random-production-secret",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "ALERT_EMAILS": "on-call@example.org",
    "ESCALATION_EMAILS": "clinic-lead@example.org",
    "SITE_URL": "https://portal.example.org",
    "CLINIC_NAME": "Lakeside Back Care",
    "CLINIC_PHONE": "(617) 555-0123",
    "DEFAULT_FROM_EMAIL": "Lakeside Back Care <portal@example.org>",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Every setting (by name; a value JSON cannot hold, as its repr) as `manage.py shell` reads it in a fresh process
PRINT_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in dir(settings) if name.isupper()}, "
    "default=repr, skipkeys=True, sort_keys=True))"
)


def settings_in_a_fresh_process(**env: str) -> dict[str, Any]:
    """The settings read by `manage.py shell` in a fresh process, in the production environment plus `env`."""
    return dict(_read_settings(tuple(sorted(env.items()))))


# A fresh process costs about a second; the same environment always gives the same settings, so tests that read the
# production environment (here and tests/security/test_settings_security.py) share one process instead of starting
# one each. A failed read is not kept (functools keeps only returned values): each test that needs it tries again and
# fails with its stderr.
@functools.cache
def _read_settings(env: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    result = run_manage("shell", "-c", PRINT_SETTINGS, env={**PRODUCTION_ENV, **dict(env)})
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# Production variables whose default must not pass the deploy check: left out, each gives its own check's error.
UNSET_FAILS_THE_DEPLOY_CHECK = {
    "ALERT_EMAILS": "(alerts.E001) ALERT_EMAILS is empty",
    "ESCALATION_EMAILS": "(alerts.E002) ESCALATION_EMAILS is empty",
    "SITE_URL": "(clinic_portal.E001) SITE_URL is 'http://127.0.0.1:8000': every link the portal e-mails or texts",
    "DEFAULT_FROM_EMAIL": "(clinic_portal.E005) DEFAULT_FROM_EMAIL is 'Spine Clinic Portal <portal@localhost>'",
}


def errors_of(check_output: str) -> str:
    """The ERRORS part of `manage.py check`'s output (its WARNINGS part left out)."""
    errors = check_output.partition("\nERRORS:\n")[2]
    return errors.partition("\nWARNINGS:\n")[0]


def test_check_deploy_fails_on_each_production_variable_left_unset():
    """It passed with SITE_URL unset, and every invitation and alert linked to the development server (the stop-32
    check of the README against a fresh clone); nobody to alert, and alerts sent from portal@localhost, passed too.
    The four left out of one fresh process (about a second each): each error is its own check's, and each check
    finds its one problem alone (the tests below, in this process)."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in UNSET_FAILS_THE_DEPLOY_CHECK}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    errors = errors_of(result.stderr + result.stdout)
    missing = [message for message in UNSET_FAILS_THE_DEPLOY_CHECK.values() if message not in errors]
    assert not missing, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("missing", "check_id"), [("ALERT_EMAILS", "alerts.E001"), ("ESCALATION_EMAILS", "alerts.E002")]
)
def test_check_deploy_fails_when_nobody_would_be_alerted(settings, missing, check_id):
    from alerts.checks import alert_recipients

    settings.ALERT_EMAILS, settings.ESCALATION_EMAILS = ["on-call@example.org"], ["clinic-lead@example.org"]
    setattr(settings, missing, [])
    messages = alert_recipients()
    assert [message.id for message in messages] == [check_id]
    assert messages[0].level == checks.ERROR
    assert f"{missing} is empty" in messages[0].msg


@pytest.mark.parametrize(
    ("site_url", "check_id", "message"),
    [
        ("http://localhost:8000", "clinic_portal.E001", "SITE_URL is 'http://localhost:8000'"),
        ("http://portal.example.org", "clinic_portal.E002", "SITE_URL does not start with https://"),
    ],
)
def test_check_deploy_fails_when_e_mailed_links_would_not_reach_the_clinics_site(settings, site_url, check_id, message):
    from clinic_portal.checks import site_url as check_site_url

    settings.SITE_URL = site_url
    messages = check_site_url()
    assert [found.id for found in messages] == [check_id]
    assert messages[0].level == checks.ERROR
    assert message in messages[0].msg


@pytest.mark.parametrize("command", [("check",), ("makemigrations", "--check", "--dry-run")])
def test_secret_key_is_required_when_debug_is_off_and_the_message_says_so_plainly(command):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage(*command, env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "set DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_is_off_unless_asked_for():
    assert settings_in_a_fresh_process()["DEBUG"] is False


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_fails_loudly(value):
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": value})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_demo_accounts_are_refused_when_debug_is_off():
    result = run_manage("load_demo_staff", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Refusing to create demo accounts" in result.stderr


def database_options(**env: str) -> dict[str, object]:
    database = settings_in_a_fresh_process(**env)["DATABASES"]["default"]
    return {**database.get("OPTIONS", {}), "ENGINE": database["ENGINE"]}


def test_postgresql_connections_carry_a_statement_timeout_and_tcp_timeouts():
    # A frozen or vanished server must not hold a request: see the DATABASES block in settings and reliability/.
    options = database_options(DATABASE_URL="postgres://portal:secret@db.example.org:5432/portal")
    assert options["ENGINE"] == "clinic_portal.db_backend"  # Django's, plus the frozen-server watchdog
    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=4000 -c synchronize_seqscans=off -c jit=off"
    assert options["keepalives"] == 1
    assert options["keepalives_idle"] == 10
    assert options["keepalives_interval"] == 2
    assert options["keepalives_count"] == 3
    assert options["tcp_user_timeout"] == 5000


def test_the_statement_timeout_is_a_setting_and_options_from_the_url_are_kept():
    options = database_options(
        DATABASE_URL="postgres://portal:secret@db.example.org:5432/portal?options=-c%20search_path%3Dportal&keepalives_idle=30",
        DB_STATEMENT_TIMEOUT_MS="15000",
        DB_CONNECT_TIMEOUT="5",
    )
    assert options["options"] == (
        "-c search_path=portal -c statement_timeout=15000 -c synchronize_seqscans=off -c jit=off"
    )
    assert options["keepalives_idle"] == 30
    assert options["connect_timeout"] == 5


def test_sqlite_gets_none_of_the_postgresql_connection_options():
    options = database_options()
    assert options["ENGINE"] == "django.db.backends.sqlite3"
    assert not {"options", "connect_timeout", "keepalives", "tcp_user_timeout"} & set(options)


def _settings_read_from_the_environment() -> set[str]:
    source = (ROOT / "clinic_portal" / "settings.py").read_text()
    return set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z0-9_]*)"', source)) | set(
        re.findall(r'environ(?:\.get)?[(\[]\s*"([A-Z][A-Z0-9_]*)"', source)
    )


def _readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Configuration") :]
    section = section[: section.index("\n## ", 5)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split(" | ")[0])}


def test_every_setting_read_from_the_environment_is_in_the_readmes_configuration_table():
    """An operator reads the table to configure the portal: a variable the settings read but the table leaves out is
    a knob nobody knows about, and one the table names but the settings ignore is a promise that does nothing."""
    read, documented = _settings_read_from_the_environment(), _readme_configuration_table()
    assert len(read) > 50  # the pattern finds the settings' own reads (env_str, env_int, ...)
    assert sorted(read - documented) == []
    assert sorted(documented - read) == []


@pytest.mark.parametrize(
    "site_url",
    [
        "https://127.0.0.2",
        "https://[0:0:0:0:0:0:0:1]:8443",
        "https://[::ffff:127.0.0.1]",
        "https://portal.localhost",
        "https://localhost./",
        "https://127.1/",
        "https://2130706433/",
        "https://0/",
        "https://[::ffff:0.0.0.0]/",
    ],
)
def test_every_loopback_address_in_site_url_fails_the_deploy_check(settings, site_url):
    """Not only the four names it first knew (review of the stop-32 commits)."""
    from clinic_portal.checks import site_url as check_site_url

    settings.SITE_URL = site_url
    assert [message.id for message in check_site_url()] == ["clinic_portal.E001"]


def test_the_clinics_own_https_address_passes_the_deploy_check(settings):
    from clinic_portal.checks import site_url as check_site_url

    settings.SITE_URL = "https://portal.example.org/clinic"
    assert check_site_url() == []


def test_a_database_url_set_to_nothing_stops_start_up_and_says_what_to_do():
    """`DATABASE_URL=` in an env file stopped start-up with dj-database-url's "Scheme '://' is unknown" (README
    helper's review). A blank setting is not read as unset (settings fail loudly rather than take a default an
    operator did not choose: `FOLLOW_UP_SCHEDULE=` is no follow-ups), so the message must say what to do."""
    result = run_manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "DATABASE_URL is set but empty" in result.stderr
    assert "Scheme" not in result.stderr


def test_blank_clinic_hours_stop_start_up_rather_than_promise_calls_on_hours_nobody_gave():
    """A guard for how blank settings are read: `CLINIC_HOURS=` must reach its own check, not take the default hours
    (a blank read as unset would have told serious patients "a clinician will call you by ..." on Mon-Fri 08-17)."""
    env = {**os.environ, "DEBUG": "1", "CLINIC_HOURS": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import clinic_portal.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CLINIC_HOURS" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CLINIC_CLOSED_DATES", "2030-12-25,25/12/2030"), ("CLINIC_LAST_CALL_MINUTES", "-5")],
)
def test_a_closed_date_or_last_call_time_that_cannot_be_read_stops_start_up_and_names_the_setting(variable, value):
    """A holiday typed in another form (25/12/2030) stops start-up: skipped, it would leave the portal promising
    serious patients a call on a day nobody is at the clinic."""
    env = {**os.environ, "DEBUG": "1", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import clinic_portal.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


@pytest.mark.parametrize(
    ("name", "phone", "problem"),
    [
        ("Lakeside Back Care", "(555) 010-0100", "CLINIC_PHONE is '(555) 010-0100', not a number anyone can call"),
        ("Lakeside Back Care", "", "CLINIC_PHONE is '', not a number anyone can call"),
        ("Lakeside Back Care", "call the front desk", "not a number anyone can call"),
        ("Riverside Spine Clinic", "(617) 555-0123", "CLINIC_NAME is the demo clinic's"),
        ("", "(617) 555-0123", "CLINIC_NAME is empty"),
    ],
)
def test_check_deploy_fails_while_patients_would_be_told_to_call_the_demo_clinic(settings, name, phone, problem):
    """Patients are told to call the clinic if nobody has called them back, on every page and in every emergency
    message. Left at its default (or copied from .env.example), that was the demo's (555) 010-0100, which no one
    answers, and the demo clinic's name: the deploy check passed."""
    from clinic_portal.checks import clinic_contact

    settings.CLINIC_NAME, settings.CLINIC_PHONE = name, phone
    messages = [message.msg for message in clinic_contact()]
    assert any(problem in message for message in messages), messages


def test_a_real_clinic_number_with_an_extension_passes_the_deploy_check(settings):
    from clinic_portal.checks import clinic_contact

    settings.CLINIC_NAME, settings.CLINIC_PHONE = "Lakeside Back Care", "617-726-2000 ext. 12"
    assert clinic_contact() == []


@pytest.mark.parametrize(
    "sender",
    ["Spine Clinic Portal <portal@localhost>", "portal@127.0.0.1", "portal@clinic.localhost", "portal", ""],
)
def test_check_deploy_fails_while_alerts_would_come_from_an_address_at_this_computer(settings, sender):
    """DEFAULT_FROM_EMAIL left unset sent every urgent alert from portal@localhost, which a clinic's mail relay refuses
    or files as junk (review of the alert path): the deploy check passed."""
    from clinic_portal.checks import mail_sender

    settings.DEFAULT_FROM_EMAIL = sender
    assert [message.id for message in mail_sender()] == ["clinic_portal.E005"]


def test_the_clinics_own_sender_address_passes_the_deploy_check(settings):
    from clinic_portal.checks import mail_sender

    settings.DEFAULT_FROM_EMAIL = "Lakeside Back Care <portal@lakeside.example.org>"
    assert mail_sender() == []
