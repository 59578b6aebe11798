"""crm.follow_up_phrases: the dates and times people type, and what is said when one is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.clock import follow_up_instant
from crm.errors import InvalidInput
from crm.follow_up_phrases import NotADate, parse_follow_up, respelled
from crm.followups import follow_up_due, latest_follow_up_day
from crm.models import User

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = date(2026, 11, 26)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TODAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def parse(text, today=THURSDAY):
    return parse_follow_up(text, tz=BERLIN, today=today)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", THURSDAY),
        (" Tomorrow ", date(2026, 11, 27)),
        ("next week", date(2026, 11, 30)),  # next Monday
        ("end of the week", date(2026, 11, 27)),  # the coming Friday
        ("EOW", date(2026, 11, 27)),
        ("end of month", date(2026, 11, 30)),
        ("eom", date(2026, 11, 30)),
        ("end of the year", date(2026, 12, 31)),
        ("Dec 24", date(2026, 12, 24)),
        ("24 Dec", date(2026, 12, 24)),
        ("December 24", date(2026, 12, 24)),
        ("24th of December", date(2026, 12, 24)),
        ("Dec. 24th, 2027", date(2027, 12, 24)),
        ("Nov 25", date(2027, 11, 25)),  # yesterday's date: next year's
        ("Nov 26", THURSDAY),  # today's date: today
        ("feb 29", date(2028, 2, 29)),  # the next leap year
        ("2026-12-24", date(2026, 12, 24)),
        ("2026/12/24", date(2026, 12, 24)),
        ("24/12", date(2026, 12, 24)),  # only one reading is a real date
        ("12/24", date(2026, 12, 24)),
        ("4/4", date(2027, 4, 4)),  # both readings are the same day
        ("26/11/2026", THURSDAY),
        ("in 0 days", THURSDAY),
        ("in 1 day", date(2026, 11, 27)),
        ("in 3 days", date(2026, 11, 29)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("in a week", date(2026, 12, 3)),
        ("in 3 months", date(2027, 2, 26)),
        ("3d", date(2026, 11, 29)),
        ("2w", date(2026, 12, 10)),
        ("friday", date(2026, 11, 27)),
        ("thursday", date(2026, 12, 3)),  # today is Thursday: the next one
        ("next monday", date(2026, 11, 30)),
        ("Next Thu", date(2026, 12, 3)),
        ("this sun", date(2026, 11, 29)),
        ("clear", None),
        ("NONE", None),
        ("in two weeks", date(2026, 12, 10)),  # counts as words, up to twelve
        ("in twelve days", date(2026, 12, 8)),
        ("next month", date(2026, 12, 26)),
        ("in 1 year", date(2027, 11, 26)),
        ("in two years", date(2028, 11, 26)),
        ("next year", date(2027, 11, 26)),
    ],
)
def test_dates(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 3pm", at(date(2026, 11, 27), 15)),
        ("tomorrow at 3 pm", at(date(2026, 11, 27), 15)),
        ("3pm tomorrow", at(date(2026, 11, 27), 15)),
        ("Fri 14:00", at(date(2026, 11, 27), 14)),
        ("friday 9:30am", at(date(2026, 11, 27), 9, 30)),
        ("next friday 12am", at(date(2026, 11, 27), 0)),
        ("2026-12-24 10:00", at(date(2026, 12, 24), 10)),
        ("2026-12-24T10:00", at(date(2026, 12, 24), 10)),
        ("Dec 24 5:15 p.m.", at(date(2026, 12, 24), 17, 15)),
        ("noon tomorrow", at(date(2026, 11, 27), 12)),
        ("in 2 days at 8:05", at(date(2026, 11, 28), 8, 5)),
        ("tomorrow morning", at(date(2026, 11, 27), 9)),  # parts of the day stand for a time
        ("Fri afternoon", at(date(2026, 11, 27), 14)),
        ("monday in the evening", at(date(2026, 11, 30), 18)),
        ("this afternoon", at(THURSDAY, 14)),
        ("tonight", at(THURSDAY, 20)),
        ("Dec 24 evening", at(date(2026, 12, 24), 18)),
        ("3pm", at(THURSDAY, 15)),  # a time alone: today
        ("7am", at(THURSDAY, 7)),  # earlier today is still today (the service allows it)
        ("eod", at(THURSDAY, 17)),  # the end of the working day
        ("end of the day", at(THURSDAY, 17)),
        ("end of the week 3pm", at(date(2026, 11, 27), 15)),
    ],
)
def test_a_time_of_day_is_kept_in_the_users_zone(text, expected):
    result = parse(text)
    assert result == expected and result.tzinfo == BERLIN


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("03/04", "“03/04” could be 3 April or 4 March — write 2027-04-03 or 3 Apr, or 2027-03-04 or 4 Mar."),
        (
            "in 99999 weeks",
            "“in 99999 weeks” is too far ahead. "
            "A follow-up can be at most 5 years ahead: on or before 26 Nov 2031.",
        ),
        ("in 61 months", "“in 61 months” is too far ahead."),
        ("in 6 years", "“in 6 years” is too far ahead."),
        ("in 1827 days", "“in 1827 days” is too far ahead."),
        (f"in {'9' * 5000} days", "is too far ahead."),
        ("Dec 24 2031", "“Dec 24 2031” is too far ahead."),
        ("Feb 30", "“Feb 30” is not a real date: there is no 30 February."),
        ("2027-02-29", "“2027-02-29” is not a real date."),
        ("13/13", "“13/13” is not a real date, as day/month or month/day."),
        ("2020-01-01", "“2020-01-01” is in the past; pick today or a later date."),
        ("yesterday", "“yesterday” is in the past; pick today or a later date."),
        ("Yesterday 3pm", "“Yesterday 3pm” is in the past"),
        ("24 Dec 2025", "“24 Dec 2025” is in the past"),
        ("tomorrow 25:00", "“tomorrow 25:00” has no real time of day; write e.g. 14:00 or 2pm."),
        ("13pm", "with am/pm the hour is 1 to 12"),
        ("in 2 hours", "a follow-up is a day, with a time if you like: today 3pm, tomorrow 10:00."),
    ],
)
def test_a_wrong_date_says_what_is_wrong(text, message):
    with pytest.raises(InvalidInput) as err:
        parse(text)
    assert not isinstance(err.value, NotADate)  # a caller shows this message rather than guessing
    assert err.value.field == "follow_up"
    assert message in err.value.message


@pytest.mark.parametrize(
    "text",
    [
        "someday",
        "next",
        "mo",
        "24",
        "at 10",
        "@maya tomorrow",
        "clear 3pm",
        "in 3 fortnights",
        "Mon 14",
        "in thirteen days",
        "someday morning",
    ],
)
def test_text_that_is_not_a_date(text):
    with pytest.raises(NotADate) as err:
        parse(text)
    assert err.value.field == "follow_up"
    assert err.value.message.startswith(f"“{text}” is not a date I understand. Try tomorrow 3pm")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("nxt week", "next week"),
        ("end of the mnth", "end of the month"),
        ("in 3 dys", "in 3 days"),
        ("in two wek", "in two week"),
        ("tusday 3pm", "tuesday 3pm"),
        ("Decmber 3", "december 3"),
        ("tomorow mornin", "tomorrow morning"),
        ("in 3 yeers", "in 3 years"),  # a date (too far ahead): running it says so
    ],
)
def test_a_mistyped_date_is_respelled_into_one(text, meant):
    with pytest.raises(NotADate):
        parse(text)
    assert respelled(text, tz=BERLIN, today=THURSDAY) == meant


@pytest.mark.parametrize("text", ["someday", "maya 3pm", "next", "in 3 fortnights", "next week", "Mae"])
def test_no_respelling_when_no_word_needs_it_or_it_makes_no_date(text):
    assert respelled(text, tz=BERLIN, today=THURSDAY) is None


def test_nothing_at_all_asks_for_a_date():
    with pytest.raises(InvalidInput) as err:
        parse("   ")
    assert err.value.message.startswith("Give a follow-up date.")


# ---- properties ---------------------------------------------------------------------------------


@given(TODAYS, st.integers(0, 5 * 366))
def test_any_day_in_range_written_as_iso_is_itself(today, ahead):
    day = today + timedelta(days=ahead)
    if day <= latest_follow_up_day(today):
        assert parse(day.isoformat(), today) == day
    else:
        with pytest.raises(InvalidInput, match="too far ahead"):
            parse(day.isoformat(), today)


@given(TODAYS, st.integers(0, 364), st.booleans())
def test_any_day_within_a_year_written_without_the_year_is_itself(today, ahead, full_month):
    day = today + timedelta(days=ahead)
    month = day.strftime("%B") if full_month else MONTHS[day.month - 1]
    for text in (f"{day.day} {month}", f"{month} {day.day}", f"{month.upper()} {day.day}th"):
        assert parse(text, today) == day, text


PHRASES = st.one_of(
    st.sampled_from(["today", "tomorrow", "next week", "clear", "3pm", "noon"]),
    st.builds("{} {}".format, st.sampled_from(MONTHS), st.integers(1, 31)),
    st.builds("{} {}".format, st.integers(1, 31), st.sampled_from(MONTHS)),
    st.builds("{}/{}".format, st.integers(1, 31), st.integers(1, 31)),
    st.builds("in {} {}".format, st.integers(0, 3000), st.sampled_from(["days", "weeks", "months"])),
    st.builds(
        "{} {}".format,
        st.sampled_from(["mon", "tuesday", "next wed", "this fri", "sun"]),
        st.sampled_from(["", "9am", "14:30", "at 12pm"]),
    ),
)


@given(TODAYS, PHRASES)
def test_a_follow_up_is_today_or_later_and_within_the_limit(today, text):
    try:
        result = parse(text, today)
    except InvalidInput:
        return  # refused, with a message (checked above)
    if result is None:
        assert text == "clear"
        return
    day = result.date() if isinstance(result, datetime) else result
    assert today <= day <= latest_follow_up_day(today), text


@given(TODAYS, st.integers(0, 6))
def test_a_weekday_is_the_next_one_strictly_after_today(today, weekday):
    name = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[weekday]
    for text in (name, f"next {name}", name[:3]):
        result = parse(text, today)
        assert result.weekday() == weekday
        assert 1 <= (result - today).days <= 7


@given(TODAYS)
def test_end_of_the_week_month_and_year(today):
    """The coming Friday (today on a Friday), the month's last day, 31 December: never in the past."""
    week, month, year = (parse(text, today) for text in ("end of week", "end of month", "end of year"))
    assert week.weekday() == 4 and 0 <= (week - today).days <= 6
    assert (month.year, month.month) == (today.year, today.month) and (month + timedelta(days=1)).day == 1
    assert year == date(today.year, 12, 31)


@given(TODAYS)
def test_next_week_is_next_monday(today):
    result = parse("next week", today)
    assert result.weekday() == 0 and 1 <= (result - today).days <= 7


@given(st.integers(0, 5 * 365))
def test_in_n_days(n):
    assert parse(f"in {n} days") == THURSDAY + timedelta(days=n)


@given(st.text(max_size=40))
def test_any_text_is_a_follow_up_or_a_message(text):
    try:
        parse(text)
    except InvalidInput as err:
        assert err.field == "follow_up" and err.message


# ---- DST: a follow-up given as a date is at 09:00 local on that date, whatever the offset -------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Pacific/Chatham"]
CHANGEOVERS = {
    "Europe/Berlin": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
    "Australia/Sydney": [date(2026, 4, 5), date(2026, 10, 4)],
}


@given(
    st.sampled_from(ZONES),
    st.one_of(
        st.sampled_from(
            [d + timedelta(days=k) for ds in CHANGEOVERS.values() for d in ds for k in (-1, 0, 1)]
        ),
        st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    ),
)
def test_a_date_is_nine_in_the_morning_local_across_dst(zone, day):
    tz = ZoneInfo(zone)
    today = date(2025, 12, 31)
    now = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
    actor = User(team_id="T1", slack_user_id="U1", timezone=zone)
    for text in (
        day.isoformat(),
        f"{day.isoformat()} 09:00",
        f"{day.day} {MONTHS[day.month - 1]} {day.year} 9am",
    ):
        instant = follow_up_due(parse_follow_up(text, tz=tz, today=today), actor=actor, now=now)
        local = instant.astimezone(tz)
        assert (local.date(), local.time()) == (day, time(9, 0)), text
        assert instant == follow_up_instant(day, tz)
