"""Reminder DM builders: content in the user's timezone, buttons with the relationship id, Slack limits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.reminders import Digest, DigestItem
from handlers.blocks import digests
from handlers.ids import FollowUpAction
from tests.scheduler.validation import assert_valid_message

NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 09:30 in New York


def item(name: str = "Maya Lopez", due_at: datetime = datetime(2026, 12, 1, 14, tzinfo=UTC)) -> DigestItem:
    return DigestItem(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), name, "maya", "instagram", due_at)


def digest(items: list[DigestItem], *, tz: str = "America/New_York", other: int = 0) -> Digest:
    return Digest(uuid.uuid4(), "T1", "U1", tz, items, other)


def test_one_item_shows_who_when_in_local_time_and_three_controls():
    it = item()
    msg = digests.reminder_message(digest([it]), now=NOW).to_dict()
    assert_valid_message(msg)
    section, actions = msg["blocks"][2], msg["blocks"][3]
    assert "*Maya Lopez* (@maya · instagram)" in section["text"]["text"]
    assert "due today at 09:00" in section["text"]["text"]  # 14:00 UTC is 09:00 in New York
    done, snooze, log = actions["elements"]
    assert (done["action_id"], done["value"]) == (FollowUpAction.DONE, str(it.relationship_id))
    assert (log["action_id"], log["value"]) == (FollowUpAction.LOG, str(it.relationship_id))
    assert snooze["action_id"] == FollowUpAction.SNOOZE
    values = [o["value"] for o in snooze["options"]]
    assert [digests.parse_snooze_value(v) for v in values] == [(it.relationship_id, d) for d in (1, 3, 7)]
    assert "Maya Lopez" in msg["text"]


def test_overdue_items_say_since_when_and_older_open_ones_are_counted():
    old = item(due_at=NOW - timedelta(days=3))
    msg = digests.reminder_message(digest([old], tz="Asia/Tokyo", other=2), now=NOW).to_dict()
    assert_valid_message(msg)
    assert "overdue since Sat 28 Nov 2026 23:30" in msg["blocks"][2]["text"]["text"]
    assert "2 older follow-ups still open" in msg["blocks"][-1]["elements"][0]["text"]


def test_many_items_stay_within_fifty_blocks_and_point_to_crm_due():
    items = [item(f"Creator {n}") for n in range(60)]
    msg = digests.reminder_message(digest(items, other=5), now=NOW).to_dict()
    assert_valid_message(msg)
    assert len(msg["blocks"]) == 50
    texts = [b["elements"][0]["text"] for b in msg["blocks"] if b["type"] == "context"]
    assert texts[0] == f"…and {60 - digests.MAX_ITEMS} more — `/crm due`"
    assert msg["text"].startswith("You have 60 follow-ups due")


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(min_size=1, max_size=3000),
    n=st.integers(1, 30),
    tz=st.sampled_from(["UTC", "Pacific/Kiritimati", "America/St_Johns", "Nope/Zone"]),
)
def test_any_names_and_counts_give_a_valid_message(name, n, tz):
    items = [item(name, NOW - timedelta(hours=k * 7)) for k in range(n)]
    msg = digests.reminder_message(digest(items, tz=tz), now=NOW).to_dict()
    assert_valid_message(msg)


def test_names_cannot_mention_the_channel():
    msg = digests.reminder_message(digest([item("<!channel> & <@U1>")]), now=NOW).to_dict()
    assert "<!channel>" not in str(msg) and "<@U1>" not in str(msg)
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in msg["text"]


def test_resolving_an_item_replaces_only_its_buttons():
    a, b = item("A"), item("B")
    blocks = digests.reminder_message(digest([a, b]), now=NOW).to_dict()["blocks"]
    updated = digests.resolved_item(blocks, a.relationship_id, "✅ Done")
    assert_valid_message({"text": "x", "blocks": updated})
    assert updated[3]["type"] == "context" and updated[3]["elements"][0]["text"] == "✅ Done"
    assert updated[5] == blocks[5]  # B's buttons are still there
    assert digests.resolved_item(blocks, uuid.uuid4(), "x") == blocks


@pytest.mark.parametrize("value", ["x", "not-a-uuid:1", f"{uuid.uuid4()}:2", f"{uuid.uuid4()}:"])
def test_snooze_values_we_did_not_make_are_rejected(value):
    with pytest.raises(ValueError):
        digests.parse_snooze_value(value)
