"""Settings for `make bench` only: the portal's own settings, plus the bare view and a query counter.

The bare view (`/bench/bare/`, an `HttpResponse("ok")`) sits behind exactly the portal's middleware, so a page's
ratio to it says how much the page costs beyond what every request pays. The counter is the first middleware and
sees every query a request makes (sessions, sign-in and rate limits included); it answers with `X-Bench-Queries`.
Never used outside the bench: production and the tests run `clinic_portal.settings`.
"""

import os

from clinic_portal.settings import *  # noqa: F403
from clinic_portal.settings import DATABASES, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.CountQueries", *MIDDLEWARE]

if os.environ.get("BENCH_PLAIN_BACKEND"):
    # bench/fill.py's bulk inserts run for minutes on a busy machine: the portal's watchdog, which cuts a connection
    # whose server stops answering within half a second, is for requests, not for these (clinic_portal/db_backend).
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
