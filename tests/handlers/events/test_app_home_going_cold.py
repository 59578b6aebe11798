"""App Home going cold: buttons on the longest silent, a line each for the next, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.dashboard import GOING_COLD_ITEMS
from handlers.ids import GoingColdAction

BOB = "UBOB000001"


def test_many_going_cold_five_with_buttons_then_lines_then_a_count(run, crm):
    now = datetime.now(UTC)
    for k in range(60):
        crm.relationship(
            f"cold{k:02d}",
            name=f"Cold {k:02d}",
            status="warm",
            last_contacted_at=now - timedelta(days=100 + k),
        )
    crm.relationship("fresh", name="Fresh", status="warm", last_contacted_at=now - timedelta(days=2))
    crm.relationship(
        "bobs", name="Bobs", user=BOB, status="warm", last_contacted_at=now - timedelta(days=300)
    )
    view = run.send(run.payloads.app_home_opened()).to("views.publish")[0].view
    assert len(view["blocks"]) <= 100
    text = repr(view["blocks"])
    assert "*Going cold* (60)" in text and "Fresh" not in text and "Bobs" not in text
    snoozes = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in snoozes].count(GoingColdAction.SNOOZE) == 5
    assert "Cold 59" in text.split("Cold 58")[0]  # the longest silent first
    (lines,) = [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("• *Cold")
    ]
    shown = 5 + lines.count("• *Cold")
    assert shown <= GOING_COLD_ITEMS and "no contact for" in lines
    assert f"…and {60 - shown:,} more, the longest silent first." in text
