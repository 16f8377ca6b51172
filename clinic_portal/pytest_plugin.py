"""Loaded by pytest (`-p` in pyproject.toml) before Django starts.

The suite runs with production-like settings (DEBUG off), which require a SECRET_KEY; give it a test-only one when
the environment has none.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production-use-0123456789")
# The live server for browser tests speaks plain http; SecurityMiddleware reads this once, at start-up, before any
# per-test settings override could apply. Production keeps the redirect on (tests/foundation/test_settings.py).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
