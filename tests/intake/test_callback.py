"""The call-back promise for a `serious` intake (intake/rules/callback.py): pure, no database, no clock."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from intake.rules.callback import (
    DEFAULT_CLINIC_HOURS,
    CallbackPromise,
    ClinicHours,
    ClinicHoursError,
    callback_deadline,
    parse_clinic_hours,
)
from intake.rules.patient_messages import (
    CE_FLAG_QUESTIONS,
    CE_SIGN_PHRASES,
    ce_signs,
    has_cancer_history,
    mscc_signs,
    patient_message,
)

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = parse_clinic_hours(DEFAULT_CLINIC_HOURS)  # Mon-Fri 08:00-17:00


def at(day: str, clock: str) -> datetime.datetime:
    """A local New York time in the week of Monday 2030-03-04 ("Mon" ... "Sun"; "Mon+" is the Monday after)."""
    days = {"Mon": 4, "Tue": 5, "Wed": 6, "Thu": 7, "Fri": 8, "Sat": 9, "Sun": 10, "Mon+": 11}
    hour, minute = map(int, clock.split(":"))
    return datetime.datetime(2030, 3, days[day], hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("sent", "expected", "today"),
    [
        pytest.param(at("Tue", "10:15"), at("Tue", "12:15"), True, id="in hours: two hours on"),
        pytest.param(at("Tue", "08:00"), at("Tue", "10:00"), True, id="at opening time: open"),
        pytest.param(at("Tue", "15:00"), at("Tue", "17:00"), True, id="two hours before closing: exactly closing"),
        pytest.param(at("Tue", "16:00"), at("Tue", "17:00"), True, id="an hour before closing: clipped to closing"),
        pytest.param(at("Tue", "16:30"), at("Tue", "17:00"), True, id="half an hour before closing: still today"),
        pytest.param(at("Tue", "16:31"), at("Wed", "10:00"), False, id="under half an hour left: next morning"),
        pytest.param(at("Tue", "16:58"), at("Wed", "10:00"), False, id="two minutes before closing: next morning"),
        pytest.param(at("Fri", "16:45"), at("Mon+", "10:00"), False, id="Friday just before closing: Monday"),
        pytest.param(at("Tue", "17:00"), at("Wed", "10:00"), False, id="at closing time: closed"),
        pytest.param(at("Tue", "18:30"), at("Wed", "10:00"), False, id="after closing: next morning"),
        pytest.param(at("Tue", "23:00"), at("Wed", "10:00"), False, id="11 pm: never today"),
        pytest.param(at("Wed", "00:30"), at("Wed", "10:00"), False, id="after midnight: the day is named"),
        pytest.param(at("Wed", "06:45"), at("Wed", "10:00"), False, id="before opening: opening + 2 h"),
        pytest.param(at("Fri", "17:30"), at("Mon+", "10:00"), False, id="Friday evening: Monday"),
        pytest.param(at("Sat", "11:00"), at("Mon+", "10:00"), False, id="Saturday: Monday"),
        pytest.param(at("Sun", "23:59"), at("Mon+", "10:00"), False, id="Sunday night: Monday"),
    ],
)
def test_the_promise_for_the_default_weekday_hours(sent, expected, today):
    promise = callback_deadline(sent, WEEKDAYS)
    assert promise.by == expected
    assert promise.today is today
    assert promise.by.tzinfo is NEW_YORK


def test_today_is_promised_only_while_the_clinic_is_open():
    for hour in range(24):
        for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
            sent = at(day, f"{hour:02d}:00")
            promise = callback_deadline(sent, WEEKDAYS)
            assert promise.today is WEEKDAYS.is_open(sent)
            assert promise.by > sent
            assert (
                WEEKDAYS.spans[promise.by.weekday()][0] < promise.by.time() <= WEEKDAYS.spans[promise.by.weekday()][1]
            )


def test_the_number_of_hours_is_a_setting_and_still_stops_at_closing():
    assert callback_deadline(at("Tue", "09:00"), WEEKDAYS, within_hours=4).by == at("Tue", "13:00")
    assert callback_deadline(at("Tue", "14:00"), WEEKDAYS, within_hours=4).by == at("Tue", "17:00")
    assert callback_deadline(at("Sat", "09:00"), WEEKDAYS, within_hours=12).by == at("Mon+", "17:00")


def test_several_groups_of_hours_and_a_short_saturday():
    hours = parse_clinic_hours("Mon-Thu 08:00-18:00; Fri 08:00-16:00; Sat 09:00-10:30")
    assert callback_deadline(at("Thu", "17:00"), hours).by == at("Thu", "18:00")
    assert callback_deadline(at("Fri", "16:10"), hours) == callback_deadline(at("Fri", "20:00"), hours)
    assert callback_deadline(at("Fri", "20:00"), hours).by == at("Sat", "10:30")  # clipped to Saturday's closing
    assert callback_deadline(at("Sat", "11:00"), hours).by == at("Mon+", "10:00")


def test_opening_hours_shorter_than_the_last_call_time_are_refused():
    """A day open for less than LAST_CALL_MINUTES cannot hold a promise: sent on Saturday at 8:00 with Saturday
    09:00-09:20, the patient was told "by 9:20 AM on Saturday", twenty minutes of opening for staff, and to phone a
    clinic that closes at that very time (what the last 30 minutes before closing no longer promise). Most likely a
    typo for longer hours: the portal stops at start-up and says so, as for other hours it cannot read."""
    with pytest.raises(ClinicHoursError, match="CLINIC_HOURS") as raised:
        parse_clinic_hours("Mon-Fri 08:00-17:00; Sat 09:00-09:20")
    assert "open for less than 30 minutes" in str(raised.value)
    assert parse_clinic_hours("Sat 09:00-09:30").spans == {5: (datetime.time(9), datetime.time(9, 30))}


def test_the_last_call_time_is_a_setting_and_holds_at_its_boundary():
    """CLINIC_LAST_CALL_MINUTES: at 60, 4:00 pm still promises "today by 5:00 PM" (an hour for staff), 4:01 pm the
    next working morning; and a day open for less than the setting is refused, named by it."""
    hours = parse_clinic_hours(DEFAULT_CLINIC_HOURS, last_call_minutes=60)
    assert (callback_deadline(at("Tue", "16:00"), hours).by, callback_deadline(at("Tue", "16:00"), hours).today) == (
        at("Tue", "17:00"),
        True,
    )
    assert callback_deadline(at("Tue", "16:01"), hours) == CallbackPromise(by=at("Wed", "10:00"), today=False)
    assert callback_deadline(at("Tue", "16:58"), hours) == CallbackPromise(by=at("Wed", "10:00"), today=False)
    assert callback_deadline(at("Fri", "16:30"), hours) == CallbackPromise(by=at("Mon+", "10:00"), today=False)
    with pytest.raises(ClinicHoursError, match="open for less than 60 minutes"):
        parse_clinic_hours("Mon-Fri 08:00-17:00; Sat 09:00-09:45", last_call_minutes=60)


@pytest.mark.parametrize("minutes", [-1, 24 * 60])
def test_a_last_call_time_that_is_not_minutes_of_a_day_is_refused(minutes):
    with pytest.raises(ClinicHoursError, match="CLINIC_LAST_CALL_MINUTES"):
        parse_clinic_hours(DEFAULT_CLINIC_HOURS, last_call_minutes=minutes)


def closed_on(*dates: str) -> ClinicHours:
    """The default weekday hours with these dates closed (CLINIC_CLOSED_DATES)."""
    return parse_clinic_hours(DEFAULT_CLINIC_HOURS, closed_dates=dates)


THURSDAY, FRIDAY = "2030-03-07", "2030-03-08"  # of the week `at` names


@pytest.mark.parametrize(
    ("closed", "sent", "expected"),
    [
        pytest.param(THURSDAY, at("Wed", "18:00"), at("Fri", "10:00"), id="eve of a closed day: the day after"),
        pytest.param(THURSDAY, at("Wed", "16:58"), at("Fri", "10:00"), id="eve, just before closing"),
        pytest.param(THURSDAY, at("Thu", "06:00"), at("Fri", "10:00"), id="early on the closed day"),
        pytest.param(THURSDAY, at("Thu", "10:00"), at("Fri", "10:00"), id="in the closed day's usual hours"),
        pytest.param(FRIDAY, at("Thu", "17:30"), at("Mon+", "10:00"), id="eve of a closed Friday: Monday"),
        pytest.param(FRIDAY, at("Fri", "11:00"), at("Mon+", "10:00"), id="on a closed Friday: Monday"),
    ],
)
def test_a_closed_date_is_skipped_like_a_weekend(closed, sent, expected):
    hours = closed_on(closed)
    assert callback_deadline(sent, hours) == CallbackPromise(by=expected, today=False)
    assert not hours.is_open(datetime.datetime.fromisoformat(f"{closed}T10:00").replace(tzinfo=NEW_YORK))


def test_a_closed_date_leaves_the_other_days_as_they_were():
    hours = closed_on(THURSDAY)
    for sent in (at("Wed", "10:00"), at("Wed", "16:00"), at("Fri", "10:00"), at("Fri", "17:30")):
        assert callback_deadline(sent, hours) == callback_deadline(sent, WEEKDAYS)


def test_a_closure_longer_than_a_week_is_skipped_whole():
    """Closed two working weeks at the turn of the year: the promise is the first day open after it (the search for
    an opening day looked a week ahead only)."""
    closure = [(datetime.date(2030, 12, 23) + datetime.timedelta(days=n)).isoformat() for n in range(14)]
    hours = closed_on(*closure)
    sent = datetime.datetime(2030, 12, 20, 17, 30, tzinfo=NEW_YORK)  # the Friday before
    assert callback_deadline(sent, hours) == CallbackPromise(
        by=datetime.datetime(2031, 1, 6, 10, 0, tzinfo=NEW_YORK), today=False
    )


def test_closed_dates_on_a_clinic_open_two_days_a_week_are_skipped_whole():
    """A clinic open Mondays and Thursdays, closed three of those days in a row (a holiday week): the next opening is
    twelve days on. Each closed date can push it a week further, not one day: the search stopped after 8 + 3 days and
    raised, so the serious form sent that evening was not sent at all (its promise is worked out as it is saved)."""
    hours = parse_clinic_hours("Mon,Thu 08:00-17:00", closed_dates=["2030-03-07", "2030-03-11", "2030-03-14"])
    sent = at("Wed", "18:00")  # 2030-03-06
    assert callback_deadline(sent, hours) == CallbackPromise(
        by=datetime.datetime(2030, 3, 18, 10, 0, tzinfo=NEW_YORK), today=False
    )


@pytest.mark.parametrize(
    ("dates", "problem"),
    [
        (["2030-02-30"], "'2030-02-30' is not a date"),
        (["07/04/2030"], "'07/04/2030' is not a date"),
        (["2030-07-04", "July 5"], "'July 5' is not a date"),
    ],
)
def test_a_closed_date_that_is_not_a_date_stops_start_up_and_says_which(dates, problem):
    with pytest.raises(ClinicHoursError, match="CLINIC_CLOSED_DATES") as raised:
        parse_clinic_hours(DEFAULT_CLINIC_HOURS, closed_dates=dates)
    assert problem in str(raised.value)
    assert "YYYY-MM-DD" in str(raised.value)


def test_the_two_hours_are_real_hours_across_a_clock_change():
    # 2030-03-10 is the spring-forward Sunday in New York; a clinic open that night shows the hour that never was.
    hours = parse_clinic_hours("Mon-Sun 00:00-23:59")
    sent = datetime.datetime(2030, 3, 10, 1, 30, tzinfo=NEW_YORK)
    promise = callback_deadline(sent, hours)
    assert promise.by.time() == datetime.time(4, 30)  # 01:30 EST + 2 hours = 04:30 EDT on the wall clock
    assert promise.by.astimezone(datetime.UTC) == sent.astimezone(datetime.UTC) + datetime.timedelta(hours=2)


def instant(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


# 2030-11-03: New York's clocks go back at 2:00 EDT to 1:00 EST, so 1:00-1:59 happens twice (fold 0, then fold 1).
FALL_BACK = datetime.date(2030, 11, 3)


def test_the_repeated_autumn_hour_never_promises_a_time_already_past_nor_after_closing():
    """Python compares two times of one zone by their wall clocks alone: at 1:20 EST (the second 1:20), a clinic
    closing at 1:50 promised a call "by 1:50" in EDT, half an hour in the past; and at 0:20 the promise two real hours
    on (1:20 EST) counted as before the 1:50 EDT closing, so it came after the clinic had closed."""
    hours = parse_clinic_hours("Sun 00:00-01:50; Mon-Sat 08:00-17:00")
    closing = datetime.datetime.combine(FALL_BACK, datetime.time(1, 50), tzinfo=NEW_YORK)  # the first 1:50 (EDT)
    second_pass = datetime.datetime.combine(FALL_BACK, datetime.time(1, 20), tzinfo=NEW_YORK).replace(fold=1)

    promise = callback_deadline(second_pass, hours)
    assert instant(promise.by) > instant(second_pass), "a promise already past"
    assert (promise.by.date(), promise.by.time(), promise.today) == (
        FALL_BACK + datetime.timedelta(days=1),
        datetime.time(10, 0),
        False,
    )

    just_after_midnight = datetime.datetime.combine(FALL_BACK, datetime.time(0, 20), tzinfo=NEW_YORK)
    promise = callback_deadline(just_after_midnight, hours)
    assert promise.today
    assert instant(promise.by) == instant(closing), "a promise after the clinic closed"


def test_the_clinic_is_open_by_real_time_in_the_repeated_autumn_hour():
    hours = parse_clinic_hours("Sun 00:00-01:50; Mon-Sat 08:00-17:00")
    first_pass = datetime.datetime.combine(FALL_BACK, datetime.time(1, 20), tzinfo=NEW_YORK)
    assert hours.is_open(first_pass)
    assert not hours.is_open(first_pass.replace(fold=1)), "open an hour after its 1:50 closing"


def test_an_opening_time_the_spring_clocks_skip_is_when_the_clock_passes_it():
    """2030-03-10: the clocks go from 2:00 EST to 3:00 EDT, so a 2:30 opening never shows on the clock: the clinic
    opens when the clock passes it, at 3:00 EDT (it was read with the offset before the change, as 3:30)."""
    hours = parse_clinic_hours("Sun 02:30-12:00; Mon-Sat 08:00-17:00")
    promise = callback_deadline(datetime.datetime(2030, 3, 10, 1, 30, tzinfo=NEW_YORK), hours)
    assert (promise.by.time(), promise.today) == (datetime.time(5, 0), False)  # 3:00 EDT + 2 hours
    assert instant(promise.by) == datetime.datetime(2030, 3, 10, 9, 0, tzinfo=datetime.UTC)
    assert hours.is_open(datetime.datetime(2030, 3, 10, 3, 10, tzinfo=NEW_YORK))


@pytest.mark.parametrize(
    ("text", "days", "opens", "closes"),
    [
        ("Mon-Fri 08:00-17:00", [0, 1, 2, 3, 4], "08:00", "17:00"),
        ("  mon-fri   8:00-17:30 ", [0, 1, 2, 3, 4], "08:00", "17:30"),
        ("Mon,Wed,Fri 07:30-12:00", [0, 2, 4], "07:30", "12:00"),
        ("Saturday 09:00-12:00", [5], "09:00", "12:00"),
        ("Sat-Sun 10:00-14:00", [5, 6], "10:00", "14:00"),
    ],
)
def test_the_parser_reads_the_usual_forms(text, days, opens, closes):
    hours = parse_clinic_hours(text)
    assert sorted(hours.spans) == days
    assert {f"{o:%H:%M}-{c:%H:%M}" for o, c in hours.spans.values()} == {f"{opens}-{closes}"}


def test_the_parser_describes_what_it_read():
    hours = parse_clinic_hours("Mon-Tue 08:00-17:00; Sat 09:00-12:00")
    assert hours.describe() == "Mon 08:00-17:00; Tue 08:00-17:00; Sat 09:00-12:00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no opening hours"),
        ("   ", "no opening hours"),
        ("Mon-Fri", "should be days, a space, then"),
        ("Mon-Fri 08:00 17:00", "should be days, a space, then"),
        ("Mon-Fri 08:00", "should be opening-closing times"),
        ("Mon-Fri 0800-1700", "'0800' is not a time"),
        ("Mon-Fri 8am-5pm", "is not a time"),
        ("Mon-Fri 08:00-25:00", "is not a time of day"),
        ("Mon-Fri 08:60-17:00", "is not a time of day"),
        ("Mon-Fri 17:00-08:00", "closes before it opens"),
        ("Mon-Fri 08:00-08:00", "closes before it opens"),
        ("Mo-Fr 08:00-17:00", "'Mo' is not a day"),
        ("Lun-Vie 08:00-17:00", "'Lun' is not a day"),
        ("Fri-Mon 08:00-17:00", "runs backwards"),
        ("Mon,,Fri 08:00-17:00", "a day is missing"),
        ("Mon-Fri 08:00-17:00; Fri 09:00-12:00", "Fri is given more than once"),
        ("Mon-Fri 08:00-17:00;", "an empty group"),
    ],
)
def test_the_parser_fails_loudly_and_says_what_is_wrong(text, problem):
    with pytest.raises(ClinicHoursError, match="CLINIC_HOURS") as raised:
        parse_clinic_hours(text)
    assert problem in str(raised.value)
    assert "Mon-Fri 08:00-17:00" in str(raised.value)  # the example of the right form
    assert isinstance(raised.value, ValueError)


def test_a_callback_of_less_than_an_hour_is_refused():
    with pytest.raises(ValueError, match="within_hours"):
        callback_deadline(at("Tue", "10:00"), WEEKDAYS, within_hours=0)


# --- The message chosen for each level (intake/rules/patient_messages.py) ------------------------------------------

NO_CE = dict.fromkeys(CE_SIGN_PHRASES, "no")


def test_every_ce_question_and_flag_has_a_phrase():
    from intake.rules.questionnaire import CE_QUESTION_CODES

    assert tuple(CE_SIGN_PHRASES) == CE_QUESTION_CODES
    assert set(CE_FLAG_QUESTIONS.values()) == set(CE_QUESTION_CODES)


def test_the_ces_signs_are_the_ticked_ones_in_card_order_not_sure_included():
    answers = {**NO_CE, "ce_bowel_control": "not_sure", "ce_saddle_numbness": "yes"}
    assert ce_signs(answers) == (CE_SIGN_PHRASES["ce_saddle_numbness"], CE_SIGN_PHRASES["ce_bowel_control"])
    assert ce_signs(NO_CE) == ()


def test_a_latched_ces_sign_stays_in_the_sentence_after_a_later_no():
    assert ce_signs(NO_CE, ["CE4", "SP1"]) == (CE_SIGN_PHRASES["ce_urine_leak_or_no_sensation"],)


def test_mscc_signs_never_speak_of_the_bladder():
    phrases = mscc_signs(["SP1", "MSCC", "SC3", "SC4", "SP12", "CM1"])
    assert "weakness in my leg or foot" not in phrases  # the worsening one says it
    assert len(phrases) == 3
    assert not any(word in " ".join(phrases) for word in ("bladder", "pee", "bowel", "poop"))


@pytest.mark.parametrize(
    ("answers", "codes", "expected"),
    [
        ({"cancer_history": "yes"}, [], True),
        ({"cancer_history": "not_sure"}, [], True),
        ({"cancer_history": "no"}, ["SP1"], True),  # latched
        ({"cancer_history": "no"}, ["MET"], True),
        ({"cancer_history": "no"}, ["SP2"], False),
    ],
)
def test_cancer_history(answers, codes, expected):
    assert has_cancer_history(answers, codes) is expected


def test_the_message_kind_follows_the_level_and_the_emergency():
    sent = at("Tue", "10:00")
    base: dict[str, Any] = {"answers": NO_CE, "flag_codes": [], "sent_at_local": sent, "hours": WEEKDAYS}
    assert patient_message(level="urgent", emergency="ces", **base).kind == "ces"
    assert patient_message(level="urgent", emergency="mscc", **base).kind == "mscc"
    assert patient_message(level="urgent", emergency=None, **base).kind == "ces"  # safety first
    serious = patient_message(level="serious", emergency=None, **base)
    assert serious.kind == "callback"
    assert serious.callback is not None
    assert serious.callback.by == at("Tue", "12:00")
    assert patient_message(level="sciatica", emergency=None, **base).kind == "confirmation"
    assert patient_message(level="routine", emergency=None, **base).kind == "confirmation"
    assert patient_message(level="serious", emergency=None, answers=NO_CE, flag_codes=[]).callback is None
