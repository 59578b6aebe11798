"""`/crm followup` end to end: the dates and times people type are stored as that instant in the
user's timezone, and a wrong one is answered with crm's precise message, changing nothing.

The app reads the wall clock, so expectations are computed from the user's local today at the time
of the test (the parser itself is tested with a pinned today in tests/crm/test_followups_phrases.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.clock import follow_up_instant
from crm.models import Relationship
from tests.handlers.conftest import USER_ID

ZONE = "Asia/Kathmandu"  # UTC+05:45: an instant right in UTC or another zone would be wrong here
TZ = ZoneInfo(ZONE)


@pytest.fixture
def maya(run, crm):
    run.fake.set_user(USER_ID, tz=ZONE)  # what Slack says the user's zone is
    return crm.relationship("maya", name="Maya Lopez")


def today() -> date:
    return datetime.now(UTC).astimezone(TZ).date()


def due_of(crm, rel) -> datetime | None:
    return crm.one(Relationship, Relationship.id == rel.id).follow_up_date


def next_occurrence(month: int, day: int) -> date:
    this_year = date(today().year, month, day)
    return this_year if this_year >= today() else date(today().year + 1, month, day)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def next_weekday(weekday: int) -> date:
    return today() + timedelta(days=(weekday - today().weekday()) % 7 or 7)


CASES = {
    "Dec 24": lambda: follow_up_instant(next_occurrence(12, 24), TZ),
    "24 Dec": lambda: follow_up_instant(next_occurrence(12, 24), TZ),
    "December 24": lambda: follow_up_instant(next_occurrence(12, 24), TZ),
    "next week": lambda: follow_up_instant(next_weekday(0), TZ),
    "in 0 days": lambda: follow_up_instant(today(), TZ),
    "in 2 weeks": lambda: follow_up_instant(today() + timedelta(days=14), TZ),
    "tomorrow 3pm": lambda: local(today() + timedelta(days=1), 15),
    "Fri 14:00": lambda: local(next_weekday(4), 14),
    "friday 9:30am": lambda: local(next_weekday(4), 9, 30),
}


@pytest.mark.parametrize("phrase", list(CASES))
def test_phrases_people_type(run, crm, maya, phrase):
    sent = run.command(f"followup @maya {phrase}")
    expected = CASES[phrase]()
    assert due_of(crm, maya) == expected
    shown = expected.astimezone(TZ)
    assert f"Follow up with *Maya Lopez* on *{shown:%a} {shown.day} {shown:%b %Y} {shown:%H:%M}*" in sent.text


def test_a_date_and_time_after_a_name_of_several_words(run, crm, maya):
    day = today() + timedelta(days=40)
    run.command(f"followup Maya Lopez {day.isoformat()} 10:00")
    assert due_of(crm, maya) == local(day, 10)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("in 99999 weeks", "“in 99999 weeks” is too far ahead. A follow-up can be at most 5 years ahead"),
        ("03/04", "“03/04” could be 3 April or 4 March — write"),
        ("Feb 30", "“Feb 30” is not a real date: there is no 30 February."),
        ("2020-01-01 10:00", "“2020-01-01 10:00” is in the past"),
        ("tomorrow 25:00", "“tomorrow 25:00” has no real time of day"),
        ("next weak", "“next weak” is not a date I understand. Did you mean “next week”?"),
        ("next someday", "“someday” is not a date I understand. Try tomorrow 3pm"),
    ],
)
def test_a_wrong_date_is_answered_precisely_and_changes_nothing(run, crm, maya, phrase, message):
    text = run.command(f"followup @maya {phrase}").reply.params["text"]
    assert message in text
    assert "No influencer matches" not in text
    assert "Usage: `/crm followup" in text
    assert due_of(crm, maya) is None


def test_a_date_without_a_creator_asks_for_the_creator(run, crm, maya):
    text = run.command("followup Dec 24").reply.params["text"]
    assert "Name the creator first, then when to follow up." in text
    assert "e.g. `/crm followup @maya tomorrow 3pm`" in text
    assert due_of(crm, maya) is None


@pytest.mark.parametrize(
    ("typed", "example"),
    [
        ("followup @maya every monday", "/crm cadence @maya weekly"),
        ("followup Maya Lopez every 2 weeks", "/crm cadence Maya Lopez every 2 weeks"),
        ("followup @maya monthly", "/crm cadence @maya monthly"),
        ("followup @maya each quarter", "/crm cadence @maya each quarter"),
        ("followup @maya every tuesday and friday", "/crm cadence @maya weekly"),
        ("followup @maya every so often", "/crm cadence @maya 2w"),
    ],
)
def test_a_repeating_follow_up_points_to_a_cadence(run, crm, maya, typed, example):
    text = run.command(typed).reply.params["text"]
    assert "A follow-up is one date, and “" in text and "” repeats." in text
    assert (
        f"set a cadence: {example} (each email, call or meeting you log then sets the next follow-up)" in text
    )
    assert "No influencer matches" not in text
    assert due_of(crm, maya) is None


def test_without_a_date_it_shows_the_follow_up_and_how_to_change_it(run, crm, maya):
    none = run.command("followup @maya").text
    assert "No follow-up with *Maya Lopez* yet. Set one: `/crm followup @maya tomorrow 3pm`." in none
    run.command("followup @maya tomorrow 3pm")
    shown = run.command('followup "Maya Lopez"').text
    when = local(today() + timedelta(days=1), 15)
    assert f"Follow-up with *Maya Lopez*: *{when:%a} {when.day} {when:%b %Y} 15:00* (set by hand)" in shown
    assert "`/crm followup @maya clear`" in shown
    assert due_of(crm, maya) == when  # shown, not changed
    for word in ("tomorrow", "fri"):  # a date alone still asks for the creator
        assert "Name the creator first" in run.command(f"followup {word}").reply.params["text"]
    crm.influencer("stranger", name="Stan Ger")  # in the workspace, not on my list
    assert "“Stan Ger” (@stranger · Instagram) isn't on your list" in run.command("followup @stranger").text
