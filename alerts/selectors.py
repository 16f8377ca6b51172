"""What staff screens read about alerts: whether the alert e-mails are getting through.

The queue counts the late ones in its one query of what needs action (dashboard.queue_counts), from these.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# An alert still unsent this long after it was queued is stuck: the worker sends within seconds, and the sweeper
# queues a lost task again after a minute. Then the mail server is down or refusing the on-call address, the worker
# is stopped, or no addresses are set; the e-mail cannot say it is not arriving, so the queue does (with the mail
# server down for hours, nothing told anyone that the on-call had heard nothing: review of the alert path).
ALERTS_LATE_AFTER = datetime.timedelta(minutes=2)


@dataclass(frozen=True)
class LateAlerts:
    count: int  # alerts still waiting to be sent ALERTS_LATE_AFTER after they were queued
    oldest: datetime.datetime  # when the oldest of them was queued
