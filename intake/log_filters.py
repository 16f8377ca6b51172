"""Keep invitation tokens out of the logs.

The first request of a patient carries the link's token in its path (/intake/start/<token>/). Django logs that path
for the development server's access log and for every 4xx answer ("Not Found: ..."). This filter, attached to the
console handler in settings.LOGGING, replaces the token with "[token]" in any log message. A web server in front
(nginx, gunicorn's access log) needs the same masking in its own configuration; see README.
"""

from __future__ import annotations

import logging
import re

# A link copied with a space before its token (`/intake/start/ <token>/`, %20 in a raw address) is masked too.
_TOKEN_IN_PATH = re.compile(r"(/intake/start/)(?:\s|%20|%09|\+)*[^/\s\"?]+")


def mask(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[token]", text)


class MaskInvitationTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
