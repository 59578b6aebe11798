"""Done / Snooze / Log on the reminder DM, through the real app: signed clicks, the DM rewritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import transaction
from bot.jobs.context import JobContext, make_slack_client
from bot.jobs.reminders import send_reminders
from crm.clock import follow_up_instant, local_today
from crm.models import Relationship, User
from handlers.blocks.digests import snooze_value
from handlers.ids import FollowUpAction
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.validation import assert_valid_message
from tests.slack.fake_slack import TEAM_ID
from tests.slack.payloads import USER_ID, Payloads

BOB = "UBOB000001"
BERLIN = ZoneInfo("Europe/Berlin")


def _setup(slack_app):
    """Alice has two follow-ups due and gets her reminder DM; returns (relationship ids, DM message)."""
    now = datetime.now(UTC)
    with transaction(slack_app.engine) as db:
        alice = make_user(db, team_id=TEAM_ID, slack_user_id=USER_ID, timezone="Europe/Berlin")
        make_user(db, team_id=TEAM_ID, slack_user_id=BOB)
        rels = [
            make_relationship(
                db,
                user=alice,
                influencer=make_influencer(db, team_id=TEAM_ID, name=name),
                follow_up_date=now - timedelta(minutes=k + 1),
            )
            for k, name in enumerate(("Maya Lopez", "Leo Park"))
        ]
        ids = [r.id for r in rels][::-1]  # the DM lists the older one (Leo) first
    slack_app.fake.set_user(USER_ID, tz="Europe/Berlin")
    ctx = JobContext(
        settings=slack_app.settings, engine=slack_app.engine, client=make_slack_client(slack_app.settings)
    )
    assert send_reminders(ctx).dms_sent == 1
    post = slack_app.fake.last("chat.postMessage")
    message = {"type": "message", "ts": post.response["ts"], "text": post.text, "blocks": post.blocks}
    return ids, message, post.response["channel"]


def _follow_up(engine, rel_id):
    with transaction(engine) as db:
        return db.get(Relationship, rel_id).follow_up_date


def test_done_clears_the_follow_up_and_rewrites_only_that_item(slack_app):
    (leo, maya), message, channel = _setup(slack_app)
    p = slack_app.payloads
    click = Payloads.button(FollowUpAction.DONE, str(leo), block_id=f"followup-actions:{leo}")
    slack_app.send(p.block_actions([click], message=message, channel_id=channel))
    assert _follow_up(slack_app.engine, leo) is None
    assert _follow_up(slack_app.engine, maya) is not None
    update = slack_app.fake.last("response_url")
    assert update.params["replace_original"] is True
    assert_valid_message(update.params)
    kinds = [b["type"] for b in update.blocks]
    assert kinds == ["header", "section", "section", "context", "section", "actions"]
    assert "Done: follow-up with *Leo Park* cleared" in update.blocks[3]["elements"][0]["text"]
    assert update.blocks[5]["block_id"] == f"followup-actions:{maya}"


def test_snooze_moves_it_to_nine_local_and_it_is_reminded_again_then(slack_app):
    (leo, _maya), message, channel = _setup(slack_app)
    before = local_today(datetime.now(UTC), BERLIN)
    choice = Payloads.select(FollowUpAction.SNOOZE, snooze_value(leo, 3), block_id=f"followup-actions:{leo}")
    slack_app.send(slack_app.payloads.block_actions([choice], message=message, channel_id=channel))
    after = local_today(datetime.now(UTC), BERLIN)
    due = _follow_up(slack_app.engine, leo)
    assert due in {follow_up_instant(day + timedelta(days=3), BERLIN) for day in (before, after)}
    update = slack_app.fake.last("response_url")
    assert_valid_message(update.params)
    assert "Snoozed: follow-up with *Leo Park* is now due" in update.blocks[3]["elements"][0]["text"]
    assert "09:00" in update.blocks[3]["elements"][0]["text"]
    ctx = JobContext(
        settings=slack_app.settings, engine=slack_app.engine, client=make_slack_client(slack_app.settings)
    )
    assert send_reminders(ctx, now=due - timedelta(seconds=1)).dms_sent == 0
    report = send_reminders(ctx, now=due)
    assert (report.dms_sent, report.follow_ups) == (1, 1)


def test_log_opens_the_log_modal_for_that_influencer(slack_app):
    (leo, _maya), message, channel = _setup(slack_app)
    click = Payloads.button(FollowUpAction.LOG, str(leo))
    slack_app.send(slack_app.payloads.block_actions([click], message=message, channel_id=channel))
    view = slack_app.fake.last("views.open").view
    assert "Leo Park" in str(view["blocks"][0])
    assert _follow_up(slack_app.engine, leo) is not None  # opening the modal changes nothing
    assert json.loads(view["private_metadata"])["ch"] == channel  # the log's answer goes to this DM


def test_another_users_follow_up_is_refused_and_unchanged(slack_app):
    (leo, maya), message, channel = _setup(slack_app)
    before = {r: _follow_up(slack_app.engine, r) for r in (leo, maya)}
    p = slack_app.payloads
    for action in (
        Payloads.button(FollowUpAction.DONE, str(leo)),
        Payloads.select(FollowUpAction.SNOOZE, snooze_value(maya, 7)),
        Payloads.button(FollowUpAction.LOG, str(leo)),
        Payloads.button(FollowUpAction.DONE, "not-an-id"),
        Payloads.select(FollowUpAction.SNOOZE, f"{maya}:2"),
    ):
        slack_app.send(p.block_actions([action], user_id=BOB, message=message, channel_id=channel))
    assert {r: _follow_up(slack_app.engine, r) for r in (leo, maya)} == before
    assert slack_app.fake.calls_to("views.open") == []
    replies = slack_app.fake.calls_to("response_url") + slack_app.fake.calls_to("chat.postEphemeral")
    assert len(replies) == 5
    assert all(not r.params.get("replace_original") for r in replies)


def test_a_refused_click_is_still_acknowledged_at_once(slack_app):
    """Bolt alone loses the ack of a listener that raises after ack(); bot/app.py keeps it."""
    (leo, _maya), message, channel = _setup(slack_app)
    click = Payloads.button(FollowUpAction.DONE, str(leo))
    response = slack_app.send(
        slack_app.payloads.block_actions([click], user_id=BOB, message=message, channel_id=channel)
    )
    assert response.status == 200


def test_done_on_an_older_item_listed_again_clears_it_and_keeps_the_rest(slack_app):
    now = datetime.now(UTC)
    ctx = JobContext(
        settings=slack_app.settings, engine=slack_app.engine, client=make_slack_client(slack_app.settings)
    )
    with transaction(slack_app.engine) as db:
        alice = make_user(db, team_id=TEAM_ID, slack_user_id=USER_ID, timezone="Europe/Berlin")
        old = make_relationship(
            db,
            user=alice,
            influencer=make_influencer(db, team_id=TEAM_ID, name="Maya Lopez"),
            follow_up_date=now - timedelta(days=2),
        )
    slack_app.fake.set_user(USER_ID, tz="Europe/Berlin")
    assert send_reminders(ctx, now=now - timedelta(days=2)).dms_sent == 1  # Maya, reminded then
    with transaction(slack_app.engine) as db:
        new = make_relationship(
            db,
            user=db.get(User, alice.id),
            influencer=make_influencer(db, team_id=TEAM_ID, name="Leo Park"),
            follow_up_date=now - timedelta(minutes=1),
        )
    assert send_reminders(ctx).dms_sent == 1  # Leo is new; Maya is listed again below him
    post = slack_app.fake.last("chat.postMessage")
    message = {"type": "message", "ts": post.response["ts"], "text": post.text, "blocks": post.blocks}
    click = Payloads.button(FollowUpAction.DONE, str(old.id), block_id=f"followup-actions:{old.id}")
    slack_app.send(
        slack_app.payloads.block_actions([click], message=message, channel_id=post.response["channel"])
    )
    assert _follow_up(slack_app.engine, old.id) is None
    assert _follow_up(slack_app.engine, new.id) is not None
    update = slack_app.fake.last("response_url")
    assert_valid_message(update.params)
    kinds = [b["type"] for b in update.blocks]
    assert kinds == ["header", "section", "section", "actions", "context", "section", "context"]
    assert update.blocks[3]["block_id"] == f"followup-actions:{new.id}"
    assert "Done: follow-up with *Maya Lopez* cleared" in update.blocks[6]["elements"][0]["text"]
