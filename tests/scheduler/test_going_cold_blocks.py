"""The going-cold section of the reminder DM: its reason, its buttons, and Slack's limits for any mix
of follow-ups and relationships going cold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from crm.going_cold import GoingCold
from crm.reminders.follow_ups import Digest, DigestItem
from crm.reminders.going_cold import COLD_ITEMS
from handlers.blocks import digests
from handlers.blocks.text import MESSAGE_BLOCKS
from handlers.ids import GoingColdAction
from tests.scheduler.validation import assert_valid_message

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def cold(
    name: str = "Maya <!channel>", *, days: int = 45, before: int | None = None, now_: int | None = None
):
    return GoingCold(
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        name,
        "maya",
        "instagram",
        "warm",
        NOW - timedelta(days=days),
        NOW - timedelta(days=days),
        21,
        now_,
        before,
    )


def follow_up(new: bool = True) -> DigestItem:
    return DigestItem(uuid.uuid4() if new else None, uuid.uuid4(), uuid.uuid4(), "Leo", "leo", "tiktok", NOW)


def test_reasons_name_the_rule_and_user_text_is_escaped():
    overdue, fading = cold(days=45), cold("Ana", days=3, before=64, now_=58)
    msg = digests.reminder_message(
        Digest(uuid.uuid4(), "T1", "U1", "UTC", [], cold=[overdue, fading], cold_total=2), now=NOW
    ).to_dict()
    assert_valid_message(msg)
    text = str(msg["blocks"])
    assert "no contact for 45 days (cadence: every 3 weeks)" in text
    assert "strength 58, down from 64 a week ago" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    actions = [b for b in msg["blocks"] if b["type"] == "actions"]
    assert [[e["action_id"] for e in a["elements"]] for a in actions] == [
        [GoingColdAction.LOG, GoingColdAction.SNOOZE, GoingColdAction.MARK_COLD]
    ] * 2
    assert actions[0]["elements"][0]["value"] == str(overdue.relationship_id)


@given(
    new=st.integers(0, 60),
    older=st.integers(0, 60),
    older_total_extra=st.integers(0, 5000),
    shown_cold=st.integers(0, COLD_ITEMS),
    cold_extra=st.integers(0, 20_000),
)
def test_any_mix_fits_slack_and_every_hidden_one_is_counted(
    new, older, older_total_extra, shown_cold, cold_extra
):
    if new == 0 and shown_cold == 0:
        return  # no DM is built without a newly due follow-up or something going cold
    items = [cold(f"C{k}") for k in range(shown_cold)]
    cold_total = shown_cold + (cold_extra if shown_cold else 0)
    olders = [follow_up(new=False) for _ in range(older)] if new else []
    d = Digest(
        uuid.uuid4(),
        "T1",
        "U1",
        "UTC",
        [follow_up() for _ in range(new)],
        overdue=olders,
        overdue_total=len(olders) + (older_total_extra if new else 0),
        cold=items,
        cold_total=cold_total,
    )
    msg = digests.reminder_message(d, now=NOW).to_dict()
    assert len(msg["blocks"]) <= MESSAGE_BLOCKS
    assert_valid_message(msg)
    shown_followups = sum(1 for b in msg["blocks"] if b.get("block_id", "").startswith("followup-item:"))
    shown_colds = sum(1 for b in msg["blocks"] if b.get("block_id", "").startswith("going-cold-item:"))
    assert shown_colds == shown_cold
    contexts = " ".join(b["elements"][0]["text"] for b in msg["blocks"] if b["type"] == "context")
    hidden_followups = new + d.overdue_total - shown_followups
    if hidden_followups:
        assert f"…and {hidden_followups:,} more — `/crm due`" in contexts
    if cold_total > shown_cold:
        assert f"…and {cold_total - shown_cold:,} more going cold" in contexts
