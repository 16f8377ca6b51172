"""A flag's reason as staff read it: its times of day on the staff pages' 12-hour clock ("10:02 AM").

The triage engine writes a latched answer's times as docs/clinical/TRIAGE.md words them, on a 24-hour clock in the
clinic's time zone ("answered yes at 10:02, changed to no at 10:05"; "Jan 14 13:05" when the "no" came on another
day), and that text is stored (`IntakeFlag.reason`) and compared as it is: the review's "reason changed since you
opened the page" check digests stored reasons, and rows stored by earlier versions hold the same words. So the stored
text stays the engine's, and the times are rewritten here, where a reason is shown: the same for old and new rows,
and exact, as each stored time is already the clinic's wall-clock time (nothing to convert).

Only a time of day written HH:MM (two digits each side) is rewritten; nothing else the engine writes has that shape
(ages "20-50", counts, percentages). A day before it ("Jan 14 13:05") gets the comma the staff pages write ("Jan 14,
1:05 PM"). The zone is not repeated in each reason: the page says under the reasons that they are the clinic's time.
A latched choice is named by its questionnaire label in quotes (“A fall, crash or blow”): the label's words are left
as they are, a time in them too, as it is not one the reason was built with.
"""

from __future__ import annotations

import re

_TIME = re.compile(
    r"(?P<label>“[^”]*”)"
    r"|(?<![\d:])(?P<day>[A-Z][a-z]{2} \d{1,2} )?(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?![\d:])"
)


def _on_staff_clock(match: re.Match[str]) -> str:
    if match["label"]:
        return match["label"]
    hour = int(match["hour"])
    day = f"{match['day'].rstrip()}, " if match["day"] else ""
    return f"{day}{hour % 12 or 12}:{match['minute']} {'AM' if hour < 12 else 'PM'}"


def staff_reason(reason: str) -> str:
    """ "answered yes at 13:05, changed to no at Jan 15 00:40" -> "answered yes at 1:05 PM, changed to no at Jan 15,
    12:40 AM"; a reason without times is returned as it is."""
    return _TIME.sub(_on_staff_clock, reason) if ":" in reason else reason  # most reasons have no time (the queue)
