"""The weekly summary builder at its limits: many owners, partnered relationships and campaigns stay
within Slack's 50 blocks and 3,000 characters a section, and nothing anyone typed can ping a channel."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm.analytics import AdminSummary, RelationshipRow, WeeklySummary
from crm.campaign_roster import CampaignLine
from crm.models import ASSIGNMENT_STATUSES, CAMPAIGN_STATUSES, INTERACTION_TYPES, RELATIONSHIP_STATUSES
from crm.weekly_actions import OwnerLine, PartneredLine, WeeklyActions
from handlers.blocks.text import MESSAGE_BLOCKS, SECTION_TEXT
from handlers.blocks.weekly import mention, weekly_summary_message
from tests.scheduler.validation import assert_valid_message

START = datetime(2026, 11, 23, tzinfo=UTC)
NASTY = "<!channel> @here <@U0ADMIN01> *bold* & <https://evil.example|click>"


def admin_summary(start: datetime, top: list[RelationshipRow]) -> AdminSummary:
    return AdminSummary(
        team_id="T1",
        period=(start, start + timedelta(days=7)),
        active_users=3,
        new_relationships=4,
        interactions_by_type=dict.fromkeys(INTERACTION_TYPES, 1),
        status_funnel=dict.fromkeys(RELATIONSHIP_STATUSES, 2),
        partnered_in_period=1,
        campaigns_by_status=dict.fromkeys(CAMPAIGN_STATUSES, 0),
        assignments_by_status=dict.fromkeys(ASSIGNMENT_STATUSES, 0),
        top_relationships=top,
        going_cold=[],
        per_user=[],
        as_of=start + timedelta(days=8),
    )


def summary(owners: int, partnered: int, campaigns: int, *, name: str = "Maya") -> WeeklySummary:
    top = [
        RelationshipRow(
            uuid.uuid4(),
            uuid.uuid4(),
            name,
            "U0TOP0001",
            uuid.uuid4(),
            name,
            "maya",
            "instagram",
            "warm",
            90,
            START,
            1,
        )
        for _ in range(5)
    ]
    actions = WeeklyActions(
        owners=[OwnerLine(uuid.uuid4(), f"U{k:08d}", name, k + 1, k % 3) for k in range(owners)],
        owners_total=owners,
        partnered=[
            PartneredLine(uuid.uuid4(), f"U{k:08d}", name, name * 3, "h" * 60, "youtube", START)
            for k in range(partnered)
        ],
        partnered_total=partnered,
        campaigns=[
            CampaignLine(uuid.uuid4(), name * 5, "active", dict.fromkeys(ASSIGNMENT_STATUSES, 1_000))
            for _ in range(campaigns)
        ],
        campaigns_total=campaigns,
    )
    changes = {"active_users": 1, "new_relationships": -2, "interactions": 0, "partnered_in_period": 1}
    changes |= {f"interactions_{kind}": 0 for kind in INTERACTION_TYPES}
    return WeeklySummary(
        admin_summary(START, top), admin_summary(START - timedelta(days=7), []), changes, actions
    )


@pytest.mark.parametrize("count", [0, 1, 40, 1_000])
def test_any_number_of_owners_fits_one_section_with_and_n_more(count):
    msg = weekly_summary_message(summary(count, count, count, name="A" * 200), tz_name="UTC").to_dict()
    assert_valid_message(msg)
    assert len(msg["blocks"]) <= MESSAGE_BLOCKS
    texts = [b["text"]["text"] for b in msg["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(t) <= SECTION_TEXT for t in texts)
    owners = next(t for t in texts if t.startswith("*Needs attention, per owner*"))
    shown = owners.count("<@U")
    if count == 0:
        assert "Nobody has overdue follow-ups" in owners
    elif count > shown:
        assert owners.endswith(f"_…and {count - shown:,} more owners_")
        assert shown >= 10  # the budget is used, not wasted
    else:
        assert shown == count and "more owners" not in owners


def test_names_are_escaped_and_only_owners_are_mentioned():
    msg = weekly_summary_message(summary(2, 2, 2, name=NASTY), tz_name="UTC").to_dict()
    body = json.dumps(msg["blocks"], ensure_ascii=False) + msg["text"]
    assert "<!channel>" not in body and "<!here>" not in body and "<https://evil" not in body
    assert "<@U0ADMIN01>" not in body  # a mention typed into a name stays text
    assert "@\u2060here" in body  # the bare @here is defused too
    assert {m for m in ("<@U00000000>", "<@U00000001>") if m in body} == {"<@U00000000>", "<@U00000001>"}


def test_a_user_id_that_is_not_one_is_shown_as_the_escaped_name():
    assert mention("U0ABC1234", "Ann") == "<@U0ABC1234>"
    assert mention("!channel", "<!channel>") == "&lt;!channel&gt;"
    assert mention("U1>|x", "Ann") == "Ann"
