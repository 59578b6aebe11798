"""Reminder DM builders: content in the user's timezone, buttons with the relationship id, Slack limits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.reminders.follow_ups import Digest, DigestItem
from handlers.blocks import digests
from handlers.ids import FollowUpAction
from tests.scheduler.validation import assert_valid_message

NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)  # 09:30 in New York


def item(
    name: str = "Maya Lopez", due_at: datetime = datetime(2026, 12, 1, 14, tzinfo=UTC), *, new: bool = True
) -> DigestItem:
    """A newly due item (it has a delivery), or with new=False one reminded before and listed again."""
    delivery = uuid.uuid4() if new else None
    return DigestItem(delivery, uuid.uuid4(), uuid.uuid4(), name, "maya", "instagram", due_at)


def digest(
    items: list[DigestItem],
    *,
    tz: str = "America/New_York",
    older: list[DigestItem] = (),
    older_total: int | None = None,
) -> Digest:
    older = list(older)
    total = len(older) if older_total is None else older_total
    return Digest(uuid.uuid4(), "T1", "U1", tz, items, overdue=older, overdue_total=total)


def item_texts(msg: dict) -> list[str]:
    return [b["text"]["text"] for b in msg["blocks"] if b.get("block_id", "").startswith("followup-item:")]


def context_texts(msg: dict) -> list[str]:
    return [b["elements"][0]["text"] for b in msg["blocks"] if b["type"] == "context"]


def test_one_item_shows_who_when_in_local_time_and_three_controls():
    it = item()
    msg = digests.reminder_message(digest([it]), now=NOW).to_dict()
    assert_valid_message(msg)
    section, actions = msg["blocks"][2], msg["blocks"][3]
    assert "*Maya Lopez* (@maya · Instagram)" in section["text"]["text"]
    assert "due today at 09:00" in section["text"]["text"]  # 14:00 UTC is 09:00 in New York
    done, snooze, log = actions["elements"]
    assert (done["action_id"], done["value"]) == (FollowUpAction.DONE, str(it.relationship_id))
    assert (log["action_id"], log["value"]) == (FollowUpAction.LOG, str(it.relationship_id))
    assert snooze["action_id"] == FollowUpAction.SNOOZE
    values = [o["value"] for o in snooze["options"]]
    assert [digests.parse_snooze_value(v) for v in values] == [(it.relationship_id, d) for d in (1, 3, 7)]
    assert "Maya Lopez" in msg["text"]


def test_overdue_items_say_since_when():
    late = item(due_at=NOW - timedelta(days=3))
    msg = digests.reminder_message(digest([late], tz="Asia/Tokyo"), now=NOW).to_dict()
    assert_valid_message(msg)
    assert "overdue since Sat 28 Nov 2026 23:30" in msg["blocks"][2]["text"]["text"]
    assert context_texts(msg) == []  # nothing older, nothing hidden


def test_new_items_come_first_marked_then_older_open_ones_oldest_first_with_their_buttons():
    new = [item("New B", NOW - timedelta(hours=2)), item("New A", NOW)]
    older = [
        item("Old 1", NOW - timedelta(days=5), new=False),
        item("Old 2", NOW - timedelta(days=1), new=False),
    ]
    msg = digests.reminder_message(digest(new, older=older), now=NOW).to_dict()
    assert_valid_message(msg)
    texts = item_texts(msg)
    assert [t.split("*")[1] for t in texts] == ["New B", "New A", "Old 1", "Old 2"]
    assert [t.startswith(digests.NEW_MARK) for t in texts] == [True, True, False, False]
    assert "overdue since Thu 26 Nov 2026 09:30" in texts[2]  # in New York time
    two_items = ["section", "actions"] * 2
    assert [b["type"] for b in msg["blocks"]] == ["header", "section", *two_items, "context", *two_items]
    assert "Still open from earlier" in context_texts(msg)[0]
    actions = [b for b in msg["blocks"] if b["type"] == "actions"]
    assert [a["elements"][0]["value"] for a in actions] == [str(i.relationship_id) for i in new + older]
    assert "2 follow-ups newly due and 2 older ones still open" in msg["blocks"][1]["text"]["text"]
    assert msg["text"] == "You have 2 follow-ups due: New B, New A · 2 older follow-ups still open"


def test_many_items_stay_within_fifty_blocks_and_point_to_crm_due():
    items = [item(f"Creator {n}") for n in range(60)]
    older = [item(f"Old {n}", NOW - timedelta(days=1), new=False) for n in range(5)]
    msg = digests.reminder_message(digest(items, older=older), now=NOW).to_dict()
    assert_valid_message(msg)  # ≤ 50 blocks
    assert len(msg["blocks"]) == 2 + 2 * digests.MAX_ITEMS + 1  # header, intro, items, "…and N more"
    assert len(item_texts(msg)) == digests.MAX_ITEMS and all(
        t.startswith(digests.NEW_MARK) for t in item_texts(msg)
    )
    assert context_texts(msg) == [f"…and {60 - digests.MAX_ITEMS + 5} more — `/crm due`"]
    assert msg["text"].startswith("You have 60 follow-ups due")


@pytest.mark.parametrize("n_new, n_older, older_total", [(1, 22, 22), (1, 23, 23), (20, 10, 10), (3, 5, 400)])
def test_new_and_older_items_share_the_block_budget(n_new, n_older, older_total):
    new = [item(f"New {n}") for n in range(n_new)]
    older = [item(f"Old {n}", NOW - timedelta(days=2), new=False) for n in range(n_older)]
    msg = digests.reminder_message(digest(new, older=older, older_total=older_total), now=NOW).to_dict()
    assert_valid_message(msg)
    shown = item_texts(msg)
    assert len(shown) == min(n_new + n_older, digests.MAX_ITEMS)
    assert sum(t.startswith(digests.NEW_MARK) for t in shown) == n_new
    hidden = n_new + older_total - len(shown)
    more = [t for t in context_texts(msg) if t.startswith("…and")]
    assert more == ([f"…and {hidden:,} more — `/crm due`"] if hidden else [])


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(min_size=1, max_size=3000),
    n=st.integers(1, 30),
    n_older=st.integers(0, 30),
    tz=st.sampled_from(["UTC", "Pacific/Kiritimati", "America/St_Johns", "Nope/Zone"]),
)
def test_any_names_and_counts_give_a_valid_message(name, n, n_older, tz):
    items = [item(name, NOW - timedelta(hours=k * 7)) for k in range(n)]
    older = [item(name, NOW - timedelta(days=k + 1), new=False) for k in range(n_older)]
    msg = digests.reminder_message(digest(items, tz=tz, older=older), now=NOW).to_dict()
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
