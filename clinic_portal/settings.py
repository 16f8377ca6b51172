"""Settings for the Spine Clinic Portal: one file, every deployment choice read from the environment.

Fails closed: DEBUG is off unless asked for, and SECRET_KEY is required whenever DEBUG is off. `.env.example`
lists every variable read here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic_portal import static_headers
from clinic_portal.env import env_bool, env_int, env_list, env_str

# Classes that are generic only in Django's type stubs (admin.ModelAdmin[Article], Sitemap[Article]) get subscripted
# at run time too. django-tasks-db happens to do this when imported; the portal does not rely on that.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications -----------------------------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin signs in through the staff sign-in (two-factor) and answers 403 to staff without access.
    "accounts.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "reversion",
    "reversion_compare",
    "django_tasks",
    "django_tasks_db",
    "clinic_portal",
    "accounts",
    "audit",
    "education",
    "messaging",
    "intake",
    "alerts",
    "dashboard",
    "outcomes",
    "phonenumber_field",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_ratelimit",
]

MIDDLEWARE = [
    # First: every later layer (sign-in lockout, rate limits, audit) must see the patient's address, not the proxy's.
    "clinic_portal.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (docs/PITFALLS.md): the patient's language from the language cookie
    # (set from the invitation when the link is opened, or by the switcher); then staff pages back to English.
    "django.middleware.locale.LocaleMiddleware",
    "clinic_portal.languages.StaffInEnglishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic_portal.middleware.NoStoreMiddleware",
    "clinic_portal.middleware.RejectNulBytesMiddleware",
    "clinic_portal.middleware.StaffSessionTimeoutMiddleware",
    "clinic_portal.middleware.RateLimitMiddleware",
    # After the rate limit, which counts it; before CsrfViewMiddleware.process_view, whose first read of request.POST
    # turns a page too large to read into a plain 400 (the class says why this is a middleware).
    "clinic_portal.middleware.TooLargePatientPageMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_portal.urls"
WSGI_APPLICATION = "clinic_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "clinic_portal.context_processors.clinic",
            ],
        },
    },
]
# Widget templates can be overridden from templates/, as the admin's date-and-time box is
# (templates/admin/widgets/split_datetime.html labels each input); Django's own come from the django.forms app.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database ---------------------------------------------------------------------------------------------------
# SQLite file by default so `make run` needs no server; PostgreSQL (psycopg 3) when DATABASE_URL is set.
# Persistent connections with health checks: about 5x faster than reconnecting per request (docs/PITFALLS.md).

# SQLite's options for `make run` (below; tests/foundation/test_sqlite_development.py writes through exactly these).
SQLITE_DEVELOPMENT_OPTIONS: dict[str, str | int] = {
    "init_command": "PRAGMA journal_mode=wal; PRAGMA synchronous=normal;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if not DATABASE_URL:  # `DATABASE_URL=` in an env file: dj-database-url's "Scheme '://' is unknown" says nothing useful
    raise ImproperlyConfigured(
        "DATABASE_URL is set but empty: give the database's URL (postgres://user:password@host:5432/name), or leave "
        "DATABASE_URL unset for the SQLite file of development."
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASE_IS_POSTGRES:
    # A stopped or frozen server must not hang a request: each wait is bounded and the page answers 503 with the
    # patient's answers kept (clinic_portal.errors). Measured in reliability/db_down.py (reliability/README.md).
    # - connect_timeout: a new connection to a server that does not answer gives up (psycopg allows 2 s at least).
    # - statement_timeout: a running server cancels a statement past DB_STATEMENT_TIMEOUT_MS (0: no limit, e.g. for
    #   a long `manage.py migrate`). Every page's statements take milliseconds. The CSV export is not cut short: its
    #   query runs in a WITH HOLD cursor, filled at commit, which statement_timeout does not bound (measured), then
    #   read 2000 rows per statement.
    # - keepalives and tcp_user_timeout: the kernel ends a connection whose server's host has gone (data or probes
    #   unacknowledged for about 5 s; an idle kept connection is probed after 10 s).
    # A frozen server process (SIGSTOP, stuck on a hung disk) is not covered: its kernel still acknowledges, and it
    # cannot enforce its own statement_timeout. The portal's backend, Django's own plus a watchdog, cuts a connection
    # waiting on such a server and refuses new ones at once until it answers (clinic_portal/db_backend/watchdog.py).
    DATABASES["default"]["ENGINE"] = "clinic_portal.db_backend"
    _postgres_options = DATABASES["default"].setdefault("OPTIONS", {})
    _postgres_options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
    DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 4000)
    # The statements every request sends are prepared once per connection (clinic_portal/db_backend/base.py); 0 for
    # a connection pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)
    # synchronize_seqscans off: a scan of a large table starts at its first page, not wherever another scan of it
    # has got to. Search ranks the first matches a scan meets (education.search_results, SEARCH_CANDIDATES); joining
    # another scan midway gave the same words different results, and page 2 rows from another candidate set than
    # page 1, at 100,000 articles under load (issue 16).
    # jit off: PostgreSQL compiles a query whose estimated cost passes jit_above_cost, which the staff pages' list
    # queries do at a few thousand rows; at 5,000 invitations the invitation list's query spent 150-400 ms compiling
    # against 10-110 ms of work (measured, stop 43). The portal's queries are short and many: compiling never pays.
    _postgres_options["options"] = " ".join(
        part
        for part in (
            _postgres_options.get("options", ""),
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
            "-c synchronize_seqscans=off",
            "-c jit=off",
        )
        if part
    )
    for _option, _value in {
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 5000,
    }.items():
        _postgres_options.setdefault(_option, _value)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has the server, a task worker and the sweeper writing one file: write-ahead logging lets readers
    # and a writer work at once, IMMEDIATE transactions take the write lock up front (no deadlocked upgrade), and a
    # writer waits up to 20 s for the lock instead of failing with "database is locked" (docs/PITFALLS.md).
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    for _sqlite_option, _sqlite_value in SQLITE_DEVELOPMENT_OPTIONS.items():
        _sqlite_options.setdefault(_sqlite_option, _sqlite_value)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:after-sign-in"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation ---------------------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# The patient's side speaks English and Spanish (issue 14); staff pages and staff e-mails are always English
# (clinic_portal.languages). Message files: locale/<lang>/LC_MESSAGES/django.po under version control, compiled by
# `make` (README.md, "Translations"). The chosen language lives in a cookie: patient and staff pages never carry it
# in a URL (patient pages carry no data in their addresses). The public library's pages alone may name it (`?lang=es`,
# clinic_portal.languages.language_in_address), so search engines find the Spanish articles and staff can send a link
# that opens in Spanish; opening one stores that language in the cookie. The cookie says only "en" or "es"; it
# outlives the browser session so a reader of the public library keeps their choice, and opening a patient link sets
# it to the invitation's language.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG

# --- Static files -----------------------------------------------------------------------------------------------
# Bootstrap comes from the npm registry (package-lock.json pins it) and is collected from node_modules; whitenoise
# serves compressed, content-hashed files with far-future cache headers.

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Bootstrap from node_modules: only the files the pages use (clinic_portal/vendor_files.py).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "clinic_portal.vendor_files.VendorFileFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Forms ------------------------------------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email and background tasks ---------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Spine Clinic Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Who is told at once when an intake is urgent or serious, and who hears when an urgent one waits too long.
ALERT_EMAILS = env_list("ALERT_EMAILS", ["on-call@localhost"] if DEBUG else [])
ESCALATION_EMAILS = env_list("ESCALATION_EMAILS", ["clinic-lead@localhost"] if DEBUG else [])
ESCALATE_AFTER_MINUTES = env_int("ESCALATE_AFTER_MINUTES", 15)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The site's own address, used to build links in emails (no request is at hand in a background task).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Text messages (README.md, "Text messages (SMS)"): a backend like Django's e-mail backends, by dotted path. The
# console backend prints them (development); unconfigured, a production portal refuses to send any (each is retried,
# then marked failed), until a provider's backend is set. SMS_FILE_PATH is the file backend's directory.
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "messaging.sms.backends.console.SmsBackend" if DEBUG else "messaging.sms.backends.unconfigured.SmsBackend",
)
SMS_FILE_PATH = env_str("SMS_FILE_PATH")

# Outcome instruments (outcomes/instruments/data/README.md): directories of extra definition files, such as a licensed
# ODI or STarT Back the clinic adds without code, read after the shipped ones.
OUTCOME_INSTRUMENT_DIRS = env_list("OUTCOME_INSTRUMENT_DIRS")

# --- The clinic -------------------------------------------------------------------------------------------------

CLINIC_NAME = env_str("CLINIC_NAME", "Riverside Spine Clinic")
CLINIC_PHONE = env_str("CLINIC_PHONE", "(555) 010-0100")
CLINIC_EMERGENCY_NUMBER = env_str("CLINIC_EMERGENCY_NUMBER", "911")
# Opening hours and how soon a clinician calls back a `serious` intake (docs/clinical/TRIAGE.md, "What the patient is
# told"): the receipt promises "today by <sent + N hours, no later than closing>" while open with at least
# CLINIC_LAST_CALL_MINUTES left, else "<opening + N hours> on the next working day"; CLINIC_CLOSED_DATES (YYYY-MM-DD,
# comma-separated: public holidays) are no working days. Read together by `intake.call_backs.clinic_hours`. Checked
# here so a typo stops start-up instead of promising calls on the wrong days.
from intake.rules.callback import LAST_CALL_MINUTES, parse_clinic_hours  # noqa: E402 - pure (no Django)

CLINIC_HOURS = env_str("CLINIC_HOURS", "Mon-Fri 08:00-17:00")
CLINIC_CALLBACK_HOURS = env_int("CLINIC_CALLBACK_HOURS", 2)
CLINIC_LAST_CALL_MINUTES = env_int("CLINIC_LAST_CALL_MINUTES", LAST_CALL_MINUTES)
CLINIC_CLOSED_DATES = env_list("CLINIC_CLOSED_DATES")
try:
    parse_clinic_hours(CLINIC_HOURS, closed_dates=CLINIC_CLOSED_DATES, last_call_minutes=CLINIC_LAST_CALL_MINUTES)
except ValueError as _error:
    raise ImproperlyConfigured(str(_error)) from _error
if CLINIC_CALLBACK_HOURS < 1:
    raise ImproperlyConfigured(f"CLINIC_CALLBACK_HOURS must be 1 or more; got {CLINIC_CALLBACK_HOURS}.")
# The units the patient's form shows (issue 14): "us" (feet and inches, pounds, miles, yards; dates month first) or
# "metric" (cm, kg, km, meters; dates day first). Answers are stored in metric either way (intake.rules.units).
CLINIC_UNITS = env_str("CLINIC_UNITS", "us").strip().lower()
if CLINIC_UNITS not in ("us", "metric"):
    raise ImproperlyConfigured(f"CLINIC_UNITS must be us or metric; got {CLINIC_UNITS!r}.")

# --- Patient intake ---------------------------------------------------------------------------------------------
# Wrong dates of birth before a link locks; how long an idle patient session stays open (reopening the link resumes);
# who hears about a locked link (defaults to ALERT_EMAILS).
INTAKE_MAX_IDENTITY_ATTEMPTS = env_int("INTAKE_MAX_IDENTITY_ATTEMPTS", 5)
INTAKE_SESSION_IDLE_SECONDS = env_int("INTAKE_SESSION_IDLE_SECONDS", 60 * 60)
FRONT_DESK_EMAILS = env_list("FRONT_DESK_EMAILS", ALERT_EMAILS)

# Phone numbers typed without a country code are read in this region (ISO 3166 code) and shown in its format.
PHONENUMBER_DEFAULT_REGION = env_str("CLINIC_PHONE_REGION", "US").strip().upper()
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"
PHONENUMBER_DB_FORMAT = "E164"

# Follow-up questionnaires (issue 12): "code:days" after the visit, comma-separated (6 weeks, 3 and 12 months); set
# to nothing, none at all (a clinic that does not follow patients up).
FOLLOW_UP_SCHEDULE = env_str("FOLLOW_UP_SCHEDULE", "6w:42,3m:91,12m:365")
# A follow-up not answered this many days after it was sent gets a reminder, and at most one more as long again later.
FOLLOW_UP_REMINDER_DAYS = env_int("FOLLOW_UP_REMINDER_DAYS", 7)
FOLLOW_UP_MAX_REMINDERS = env_int("FOLLOW_UP_MAX_REMINDERS", 2)
# Pre-visit reminders: days before the appointment while the intake is unfinished.
from intake.rules import schedule as _schedule  # noqa: E402 - pure (no Django), kept next to its settings

try:
    _schedule.parse_schedule(FOLLOW_UP_SCHEDULE)
    _schedule.check_follow_up_reminders(FOLLOW_UP_REMINDER_DAYS, FOLLOW_UP_MAX_REMINDERS)
    PRE_VISIT_REMINDER_DAYS = _schedule.parse_reminder_days(env_list("PRE_VISIT_REMINDER_DAYS", ["7", "3"]))
except _schedule.ScheduleError as _error:
    raise ImproperlyConfigured(str(_error)) from _error

# --- Security ---------------------------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie (forms carry the token), so no script need see it at all.
CSRF_COOKIE_HTTPONLY = True
SESSION_ENGINE = "clinic_portal.session_store"  # Django's database sessions, read by one plain statement
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws a few icons (select arrows, the menu button) as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ----------------------------------------------------------------------------------------------------
# Patient data never goes to logs: our code logs ids and levels only, and request logging records no query strings
# or bodies.

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Patient link tokens, e-mail addresses and exception messages never reach a log line: the filters sit on every
    # handler, so whichever logger a library uses (the task worker's `django_tasks`) is covered (docs/PITFALLS.md).
    "filters": {
        "mask_invitation_tokens": {"()": "intake.log_filters.MaskInvitationTokens"},
        "withhold_patient_data": {"()": "clinic_portal.log_filters.WithholdPatientData"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_invitation_tokens", "withhold_patient_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's defaults give the "django" logger handlers of their own, without the filters: none here, so its
        # records go to the root's console handler.
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process; its warnings (lockouts) still show.
        "axes": {"level": "WARNING"},
        # The development server's access log, through the masking console handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # gunicorn's own handlers carry no filter, and naming its loggers without handlers would silence them: its
        # error log and (with --access-logfile) its access log go to the masking console handler, on stderr.
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Security controls (issue 6) ---------------------------------------------------------------------------------
# What each control protects and how it is tested: README.md "Security".

# Behind a TLS proxy, REMOTE_ADDR is the proxy. With TRUSTED_PROXY_COUNT=1 (one nginx in front) the client address
# is taken from X-Forwarded-For, as that proxy wrote it; 0 trusts REMOTE_ADDR only (no proxy, or tests).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTHENTICATION_BACKENDS = [
    # Refuses while a username or address is locked out, before the password is even looked at.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, each request's permissions read in one query (accounts/backends.py).
    "accounts.backends.OneQueryPermissionsBackend",
]
# Lock a username for the address that failed 5 times with it, not for everyone: someone who knows a colleague's
# username cannot keep them out by failing on purpose from elsewhere. 15 minutes' cool-off, restarted by each try
# while locked; a successful sign-in clears that username's count at that address. django-axes has one failure
# limit for every lockout parameter, so an address lock alongside ("ip_address") would lock everyone behind a clinic's
# shared address after 5 typos in all; guessing across many usernames from one address is slowed by the sign-in rate
# limit instead (RATE_LIMITS, 20 tries per address per 15 minutes). A locked-out person can lift their own lock with
# an e-mailed one-time link (accounts.unlock), or an administrator with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Successful sign-ins are in our own audit trail (audit.AuditEvent); axes' second copy would only cost a write.
AXES_DISABLE_ACCESS_LOG = True
# Axes keeps the sign-in form's fields with each failure; never the password, and no more than it needs.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "code",
    "token",
    # The password page's fields (accounts.views.change_password): a wrong current password counts as a failure.
    "old_password",
    "new_password1",
    "new_password2",
]

# The e-mailed unlock link: valid this long, and at most this many e-mails per account (django-ratelimit rate).
SIGN_IN_UNLOCK_LINK_MINUTES = env_int("SIGN_IN_UNLOCK_LINK_MINUTES", 30)
SIGN_IN_UNLOCK_EMAILS_RATE = env_str("SIGN_IN_UNLOCK_EMAILS_RATE", "3/h")

# Two-factor sign-in (TOTP apps, plus one-use recovery codes) for whoever may see clinical answers or hand out that
# permission (accounts.roles.TWO_FACTOR_PERMISSIONS) and for superusers.
OTP_TOTP_ISSUER = CLINIC_NAME
TWO_FACTOR_RECOVERY_CODES = 10
# The admin's OTP pages never show a person's authenticator secret or unused recovery codes again (both were listed
# there, and anyone who may view the devices could copy them): they are shown once, at set-up.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Staff sessions: 30 minutes without a request, or 12 hours after signing in, whichever comes first.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600

# Rate limits per client address (per account once signed in, per patient link once the patient's birth date is
# confirmed), counted in a cache every gunicorn worker shares: a database table (`manage.py createcachetable`, run by
# `make migrate`). `fail_open` says what happens when the counter cannot be read: patients' pages stay open (a patient
# with red flags must never meet our plumbing; tokens are unguessable and the date-of-birth check locks itself); the
# sign-in page closes, because it is the cheapest page to overload and the one password guessers use.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "ratelimit"
RATE_LIMITS: list[dict[str, Any]] = [
    {
        # Patients share addresses (clinic Wi-Fi, a mobile carrier). Before the birth-date check every request is
        # counted per address (opening a link tries a token; the check tries a date): 3 for a whole intake (measured
        # by tests/security/test_shared_address_intake.py), so 300 per address lets 50 patients behind one address in
        # twice over within ten minutes. After it, per link and only the patient's posts: 24 for a whole intake
        # (each short page, and "Send"); 120 per link is five whole intakes, room for going back and correcting
        # answers. A confirmed patient's page views are not counted (issue 16): each reads only that
        # patient's answers, and counting it was a write on every page; a flood of requests is the proxy's to stop
        # (README, "Deploying"), since answering a 429 costs the server about what the page does.
        "prefix": "/intake/",
        "methods": ["GET", "POST"],
        "rate": env_str("RATE_LIMIT_INTAKE", "300/10m"),
        "patient_rate": env_str("RATE_LIMIT_INTAKE_PATIENT", "120/10m"),
        "patient_methods": ["POST"],
        "fail_open": True,
    },
    {
        # "E-mail me a link to unlock" and the link's own page: per address; each account also gets at most
        # SIGN_IN_UNLOCK_EMAILS_RATE e-mails, whoever asks (accounts.unlock).
        "prefix": "/staff/sign-in/unlock/",
        "methods": ["POST"],
        "rate": env_str("RATE_LIMIT_UNLOCK", "10/h"),
        "fail_open": False,
    },
    {
        "prefix": "/staff/sign-in/",
        "methods": ["POST"],
        "rate": env_str("RATE_LIMIT_SIGN_IN", "20/15m"),
        "fail_open": False,
    },
    {
        "prefix": "/staff/invitations/",
        "methods": ["POST"],
        "rate": env_str("RATE_LIMIT_INVITATIONS", "120/h"),
        "fail_open": True,
    },
]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Django's database cache with each count one atomic statement on PostgreSQL (clinic_portal/counter_cache.py).
    "ratelimit": {"BACKEND": "clinic_portal.counter_cache.CounterCache", "LOCATION": "portal_ratelimit_cache"},
}
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit prefers memcached or Redis for atomic increments. Ours are atomic on PostgreSQL (one UPDATE);
    # on SQLite (`make run`) the database cache's read-then-write may let a 21st try through a limit of 20. Either
    # way it spares a clinic another server to run.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]
if not DATABASE_IS_POSTGRES:
    # The queue's covering index (INCLUDE columns) is PostgreSQL's; SQLite (`make run`) makes it a plain index, which
    # is all a development database needs. Without this, every `make run` printed a warning a new user cannot judge.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Patient intakes are kept this many months after their appointment (a visit's follow-ups with it, after the last of
# them), then removed by `manage.py purge_old_intakes` (intake.retention); a visit with red flags no clinician has
# reviewed stays until a review.
INTAKE_RETENTION_MONTHS = env_int("INTAKE_RETENTION_MONTHS", 84)

# When the database is unreachable pages answer 503 and ask the browser to retry after this many seconds.
DATABASE_DOWN_RETRY_AFTER = env_int("DATABASE_DOWN_RETRY_AFTER", 30)

# A refused form (stale or missing CSRF token) gets a page that says to reload, in the portal's style.
CSRF_FAILURE_VIEW = "clinic_portal.errors.csrf_failure"

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# whitenoise answers /static/ before the middleware that adds the headers above: it adds them itself.
WHITENOISE_ADD_HEADERS_FUNCTION = static_headers.add_headers

# Loggers that see requests, sign-ins or failed tasks also filter at the logger, before any handler (a test's log
# capture included) sees the record.
for _logger_name in (
    "django.request",
    "django.server",
    "django.security",
    "axes",
    "gunicorn.access",
    "gunicorn.error",
    "django_tasks",
    "django_tasks_db",
):
    LOGGING["loggers"].setdefault(_logger_name, {})["filters"] = ["withhold_patient_data"]

# --- Patient-education editorial workflow (issue 15) -------------------------------------------------------------
# Article images are uploaded in the admin and stored in the media storage (STORAGES["default"]) under MEDIA_ROOT,
# named by their content's hash; education.images serves /media/articles/<hash>.webp with a year's cache headers, and
# a production web server may serve MEDIA_ROOT at MEDIA_URL itself (README.md, "Deploying").
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
ARTICLE_IMAGE_MAX_WIDTH = env_int("ARTICLE_IMAGE_MAX_WIDTH", 1200)
# A clinical reviewer may approve an article above this reading grade (Flesch-Kincaid) only by giving a reason.
ARTICLE_MAX_READING_GRADE = env_int("ARTICLE_MAX_READING_GRADE", 8)
# Editors are reminded (daily, `send_review_reminders`) of articles whose medical review is due within this many days
# or overdue; an approval that leaves the next review due within that window moves it this many days on.
ARTICLE_REVIEW_REMINDER_DAYS = env_int("ARTICLE_REVIEW_REMINDER_DAYS", 30)
ARTICLE_REVIEW_INTERVAL_DAYS = env_int("ARTICLE_REVIEW_INTERVAL_DAYS", 365)

# --- Public-page cache (issue 16) -------------------------------------------------------------------------------
# Whole public library pages for anonymous readers, kept at most PUBLIC_PAGE_CACHE_SECONDS (0: off) and dropped the
# moment an article, topic or translation changes or a scheduled article goes live (education/cache.py). Process
# memory by default; any Django cache backend by setting, e.g. PUBLIC_PAGE_CACHE_BACKEND=
# django.core.cache.backends.redis.RedisCache with PUBLIC_PAGE_CACHE_LOCATION=redis://..., or the database cache.
# With process memory, the workers learn of a change from a small file (PUBLIC_PAGE_CACHE_STAMP, default in the
# temporary directory): give it a path the web workers and `manage.py` commands share if they run with different
# temporary directories (systemd's PrivateTmp).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300)
PUBLIC_PAGE_CACHE_STAMP = env_str("PUBLIC_PAGE_CACHE_STAMP", "")
_public_pages_cache: dict[str, Any] = {
    "BACKEND": env_str("PUBLIC_PAGE_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
    "LOCATION": env_str("PUBLIC_PAGE_CACHE_LOCATION", "public-pages"),
    # About 30 kB a page: 1,000 pages are some 30 MB per worker with the local-memory default.
    "OPTIONS": {"MAX_ENTRIES": env_int("PUBLIC_PAGE_CACHE_MAX_ENTRIES", 1000)},
}
CACHES["public_pages"] = _public_pages_cache
