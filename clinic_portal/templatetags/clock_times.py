"""`{{ moment|clock_time }}`: a time of day as a sentence says it, in the page's language ("1:00 PM").

Spanish puts an article before a clock time, and the article agrees with the hour: "a la 1:30" (la una), "a las 2:30"
(las dos). A sentence that wrote "a las %(time)s" around a bare time read "a las 1:30 p.m." for every one o'clock
appointment and call-back. So the article belongs to the time: the format is translated twice, for one o'clock and
for every other hour (12-hour clock: 1:00 a.m. and 1:00 p.m. are both "la una"), and the sentences around it say
"a %(time)s", "antes de %(by_time)s". English has no article: both formats are "g:i A".
"""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateformat import time_format
from django.utils.translation import pgettext

register = template.Library()


@register.filter(expects_localtime=True)
def clock_time(moment: object) -> str:
    if not isinstance(moment, datetime.datetime | datetime.time):
        return ""  # as Django's `time` filter: nothing (None, or a missing variable's "") shows nothing
    if moment.hour % 12 == 1:
        return time_format(moment, pgettext("clock time in a sentence, one o'clock", "g:i A"))
    return time_format(moment, pgettext("clock time in a sentence", "g:i A"))
