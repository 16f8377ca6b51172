"""Settings for the worker processes of the mail outage test: the portal's, with time compressed.

Retries come after half a second, then every second, instead of after 30 s backing off to 30 minutes; and the worker
never gives up (the test is about retrying through an outage, not about when to stop).
"""

from clinic_portal.settings import *  # noqa: F403

MESSAGE_RETRY_DELAYS = (0.5, 1.0)
MESSAGE_MAX_ATTEMPTS = 10_000
