"""`/crm show @handle` end to end: the creator and the relationship found in one statement, and the
same answers as resolving the handle first (candidates, not on the list, archived)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from crm.models import Relationship
from tests.factories import make_relationship


def _card_statements(slack_app, run, text: str):
    """(what was sent, the statements the listener ran)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(slack_app.engine, "before_cursor_execute", record)
    try:
        sent = run.command(text)
    finally:
        event.remove(slack_app.engine, "before_cursor_execute", record)
    return sent, seen


def test_show_by_handle_answers_the_card_in_three_statements_after_the_actor(slack_app, run, crm):
    crm.relationship("maya", name="Maya Lopez", status="warm")
    run.command("show @maya")  # the user is known from now on
    sent, seen = _card_statements(slack_app, run, "show @maya")
    assert "Maya Lopez" in sent.text and "Warm" in sent.text
    # the actor; the creator with the relationship; interactions; assignments
    assert len(seen) == 4, seen
    assert "user_influencers" in seen[1] and "influencer_profiles" in seen[1]


def test_show_of_a_handle_two_creators_share_offers_both_and_a_pick_shows_the_card(run, crm):
    me = crm.user()
    crm.relationship("maya", name="Maya Lopez", platform="instagram", status="warm")
    tiktok = crm.influencer("maya", name="Maya on TikTok", platform="tiktok")
    with crm.session() as db:
        make_relationship(db, user=me, influencer=tiktok, status="cold")
    sent = run.command("show @maya")
    actions = next(b for b in sent.reply.blocks if b["type"] == "actions")
    labels = sorted(b["text"]["text"] for b in actions["elements"])
    assert labels == ["Maya Lopez (@maya · Instagram)", "Maya on TikTok (@maya · TikTok)"]
    pick = next(b for b in actions["elements"] if "TikTok" in b["text"]["text"])
    card = run.click(pick["action_id"], pick["value"])
    assert "Maya on TikTok" in card.text and "Cold" in card.text


def test_show_of_a_creator_not_on_my_list_or_archived_says_so(run, crm):
    crm.influencer("stranger", name="Stranger")
    assert "isn't on your list" in run.command("show @stranger").text
    crm.relationship("gone", name="Gone", archived_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert "/crm restore @gone first" in run.command("show @gone").text
    assert [r.status for r in crm.all(Relationship)] == ["saved"]  # nothing was written
