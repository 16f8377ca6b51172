"""What staff screens read about alerts: whether the alert e-mails are getting through, and whether the sweeper and
the task worker run.

The queue counts the late ones, and reads the sweeper's and the worker's heartbeats, in its one query of what needs
action (dashboard.queue_counts), from these.
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


# The sweeper runs every minute (cron `* * * * *`, or `alerts_sweep --every 60`). Five minutes is five runs missed in
# a row: more than a slow sweep, a cron minute skipped or a restart, yet staff hear of it well within the
# ESCALATE_AFTER_MINUTES (15) an urgent intake may wait before its escalation, which nothing would send.
SWEEPER_LATE_AFTER = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class SweeperLate:
    since: datetime.datetime  # its last run (alerts.models.SweeperHeartbeat), or the first intake's if it never ran


# The sweeper pings the worker every minute (alerts.services.ping_worker) and the worker answers within a second or
# two. A ping waiting three minutes is an alert that would wait as long: the alert notice's two minutes
# (ALERTS_LATE_AFTER, for the same evidence: a queued task not run), plus one because nothing waits on a ping, so a
# worker restart in a deploy (stop, migrate, start after its startup delay) or a few slow sends ahead of it says
# nothing. A worker dying in a quiet hour is named within four minutes (the next sweep's ping, then these three),
# before the sweeper's own notice would be (SWEEPER_LATE_AFTER) and well within ESCALATE_AFTER_MINUTES.
WORKER_LATE_AFTER = datetime.timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerLate:
    since: datetime.datetime  # when the oldest ping the worker has not answered was queued
    minutes: int  # whole minutes since then
