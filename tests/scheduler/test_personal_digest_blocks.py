"""The personal digest builder at its limits, and its App Home switch: valid Block Kit, capped lists
with "…and N more", names escaped."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from crm.going_cold import GoingCold
from crm.models import RELATIONSHIP_STATUSES
from crm.personal_digest import DIGEST_ITEMS, DueItem, PersonalDigest
from handlers.blocks.personal_digest import personal_digest_message, weekly_digest_home_section
from handlers.blocks.text import MESSAGE_BLOCKS, SECTION_TEXT
from handlers.ids import Action
from tests.scheduler.validation import assert_valid_message

NOW = datetime(2026, 11, 30, 14, tzinfo=UTC)
NASTY = "<!channel> " + "x" * 300


def cold(name: str) -> GoingCold:
    return GoingCold(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), name, "h" * 60, "instagram", "warm",
        NOW - timedelta(days=50), NOW - timedelta(days=50), 30, 40, 44,
    )  # fmt: skip


def digest(*, cold_total: int, due_total: int, name: str = NASTY) -> PersonalDigest:
    due = [
        DueItem(uuid.uuid4(), name, "h" * 60, "tiktok", NOW + timedelta(days=k - 2))
        for k in range(DIGEST_ITEMS)
    ]
    return PersonalDigest(
        user_id=uuid.uuid4(),
        slack_user_id="U1",
        timezone="America/New_York",
        since=NOW - timedelta(days=7),
        as_of=NOW,
        pipeline=dict.fromkeys(RELATIONSHIP_STATUSES, 123_456),
        moved=dict.fromkeys(RELATIONSHIP_STATUSES, 9),
        added=3,
        interactions=1,
        going_cold=[cold(name) for _ in range(min(cold_total, DIGEST_ITEMS))],
        going_cold_total=cold_total,
        overdue=2,
        due=due[: min(due_total, DIGEST_ITEMS)],
        due_total=due_total,
    )


def test_the_fullest_digest_stays_within_slacks_limits_and_counts_the_rest():
    msg = personal_digest_message(digest(cold_total=10_000, due_total=240), now=NOW).to_dict()
    assert_valid_message(msg)
    assert len(msg["blocks"]) <= MESSAGE_BLOCKS
    sections = [b["text"]["text"] for b in msg["blocks"] if b["type"] == "section"]
    assert all(len(t) <= SECTION_TEXT for t in sections)
    body = json.dumps(msg["blocks"], ensure_ascii=False)
    assert "…and 9,995 more going cold" in body and "…and 235 more — `/crm due` lists them." in body
    assert "<!channel>" not in body + msg["text"]
    assert "1 interaction logged" in body and "moved 9 to saved" in body


def test_a_quiet_week_says_so_instead_of_empty_sections():
    msg = personal_digest_message(digest(cold_total=0, due_total=0, name="Maya"), now=NOW).to_dict()
    assert_valid_message(msg)
    body = json.dumps(msg["blocks"], ensure_ascii=False)
    assert "Nothing is going cold." in body and "Nothing due this week." in body


def test_the_home_switch_offers_the_other_state():
    on = weekly_digest_home_section(True).to_dict()
    off = weekly_digest_home_section(False).to_dict()
    assert (on["accessory"]["value"], off["accessory"]["value"]) == ("off", "on")
    assert on["accessory"]["action_id"] == off["accessory"]["action_id"] == Action.HOME_WEEKLY_DIGEST
