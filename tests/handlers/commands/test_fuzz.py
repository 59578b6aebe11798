"""Fuzzed /crm text through the real app over HTTP: always a 200, never an unexpected error."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = [
    "add",
    "show",
    "status",
    "priority",
    "tag",
    "followup",
    "note",
    "log",
    "list",
    "due",
    "find",
    "campaign",
    "new",
    "utm",
    "admin",
    "help",
    # issue 8's commands and words
    "merge",
    "remove",
    "restore",
    "rename",
    "link",
    "edit",
    "archived",
    "all",
    "shwo",
    '"Priya Raman"',
    "@priya",
    "youtube",
    "tiktok",
    "https://medium.com/@anna",
    "https://youtube.com/@priya",
    "Dec",
    "24",
    "3pm",
    "14:00",
    "03/04",
    "week",
    "months",
    "dm",
    "@maya",
    "maya",
    "Maya",
    '"Maya Lopez"',
    "Spring",
    '"Spring Sale"',
    "warm",
    "partnered",
    "active",
    "5",
    "-1",
    "99999999999999999999",
    "+vegan",
    "-vegan",
    "#vegan",
    "priority>=3",
    "p>=x",
    "tomorrow",
    "in",
    "3",
    "days",
    "next",
    "monday",
    "clear",
    "2026-02-30",
    "call",
    "file",
    "https://instagram.com/maya",
    "https://shop.example.com/a",
    "<https://x.com/a|x>",
    "&lt;",
    "&amp;",
    "&gt;",
    "“",
    "”",
    "'",
    '"',
    "<!channel>",
    "<@U123|bob>",
    "\x00",
    "🎉",
    "ü" * 300,
]
TEXT = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
    max_size=8,
).map(" ".join)


@pytest.fixture
def seeded(crm):
    """Data for the fuzzed commands to find: an ambiguous "Maya", a tag, a campaign."""
    crm.relationship("maya", name="Maya Lopez", tags=["vegan"])
    crm.relationship("mayachen", name="Maya Chen")
    crm.campaign("Spring Sale")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_text_is_answered_without_a_server_error(run, seeded, slack_http, caplog, text):
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        result = slack_http.post(run.payloads.command(text))
        run.slack.drain()
    assert result.status == 200
    unexpected = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]


SUBCOMMAND_TEXT = st.tuples(
    st.sampled_from(
        [
            "add",
            "rename",
            "link",
            "merge",
            "remove",
            "restore",
            "list archived",
            "followup @maya",
            "tag @maya",
            "log @maya",
            "status @maya",
            "campaign edit",
            "campaign status",
            "campaign new",
        ]
    ),
    TEXT,
).map(" ".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SUBCOMMAND_TEXT)
def test_every_subcommand_with_any_arguments_is_answered_without_a_server_error(
    run, seeded, slack_http, caplog, text
):
    """The same for text that starts with each command that changes data (issue 8's new ones too)."""
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        result = slack_http.post(run.payloads.command(text))
        run.slack.drain()
    assert result.status == 200
    unexpected = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]
