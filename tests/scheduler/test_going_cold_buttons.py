"""Log contact / Snooze a week / Mark cold on the going-cold DM and on App Home, through the real app:
signed clicks, the database after each, the DM item rewritten, someone else's id refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import transaction
from bot.jobs.context import JobContext, make_slack_client
from bot.jobs.reminders import enqueue_going_cold, send_reminders
from crm.models import Relationship
from handlers.ids import GoingColdAction
from tests.factories import make_influencer, make_relationship, make_user
from tests.slack.fake_slack import TEAM_ID
from tests.slack.payloads import USER_ID, Payloads

BOB = "UBOB000001"


def _setup(slack_app):
    """Alice has two warm relationships silent for 60 days and gets her morning DM."""
    now = datetime.now(UTC)
    with transaction(slack_app.engine) as db:
        alice = make_user(db, team_id=TEAM_ID, slack_user_id=USER_ID, timezone="Pacific/Kiritimati")
        bob = make_user(db, team_id=TEAM_ID, slack_user_id=BOB)
        rels = [
            make_relationship(
                db,
                user=alice,
                influencer=make_influencer(db, team_id=TEAM_ID, name=name),
                status="warm",
                last_contacted_at=now - timedelta(days=60 + k),
            )
            for k, name in enumerate(("Maya Lopez", "Leo Park"))
        ]
        bobs = make_relationship(
            db,
            user=bob,
            influencer=make_influencer(db, team_id=TEAM_ID, name="Bobs Own"),
            status="warm",
            last_contacted_at=now - timedelta(days=60),
        )
        ids = [r.id for r in rels]
        bobs_id = bobs.id
    slack_app.fake.set_user(USER_ID, tz="Pacific/Kiritimati")
    ctx = JobContext(
        settings=slack_app.settings, engine=slack_app.engine, client=make_slack_client(slack_app.settings)
    )
    # Kiritimati (UTC+14) is past 09:00 local for most of the UTC day; pin a local morning.
    morning = datetime.now(UTC).replace(hour=20, minute=0, second=0, microsecond=0)
    enqueue_going_cold(ctx, now=morning)
    assert send_reminders(ctx, now=morning).dms_sent >= 1
    post = next(
        c for c in slack_app.fake.calls_to("chat.postMessage") if c.params["channel"] == "D" + USER_ID[1:]
    )
    message = {"type": "message", "ts": post.response["ts"], "text": post.text, "blocks": post.blocks}
    return ids, bobs_id, message, post.response["channel"]


def _rel(engine, rel_id) -> Relationship:
    with transaction(engine) as db:
        rel = db.get(Relationship, rel_id)
        db.expunge(rel)
        return rel


def _click(slack_app, action, rel_id, message, channel):
    p = slack_app.payloads
    click = Payloads.button(action, str(rel_id), block_id=f"going-cold-actions:{rel_id}")
    slack_app.send(p.block_actions([click], message=message, channel_id=channel))
    slack_app.drain()


def test_snooze_a_week_and_mark_cold_rewrite_only_their_item(slack_app):
    (maya, leo), _, message, channel = _setup(slack_app)
    assert "Leo Park" in str(message["blocks"]) and "Maya Lopez" in str(message["blocks"])
    _click(slack_app, GoingColdAction.SNOOZE, maya, message, channel)
    snoozed = _rel(slack_app.engine, maya).cold_snoozed_until
    assert snoozed is not None and snoozed - datetime.now(UTC) > timedelta(days=6, hours=23)
    update = slack_app.fake.last("response_url")
    assert update.params["replace_original"] is True
    rewritten = {b.get("block_id"): b for b in update.params["blocks"]}
    assert "off the going-cold list until" in str(rewritten[f"going-cold-actions:{maya}"])
    assert rewritten[f"going-cold-actions:{leo}"]["type"] == "actions"  # untouched
    _click(slack_app, GoingColdAction.MARK_COLD, leo, message, channel)
    assert _rel(slack_app.engine, leo).status == "cold"
    marked = slack_app.fake.last("response_url").params["blocks"]
    (undo,) = [b for b in marked if b.get("block_id") == f"going-cold-actions:{leo}"]
    assert "is now cold" in undo["text"]["text"]
    assert undo["accessory"]["action_id"] == GoingColdAction.UNDO_MARK_COLD
    assert undo["accessory"]["value"] == f"{leo}:warm"


def test_undo_mark_cold_puts_the_status_back_and_a_forged_status_is_refused(slack_app):
    (_, leo), _, message, channel = _setup(slack_app)
    _click(slack_app, GoingColdAction.MARK_COLD, leo, message, channel)
    p = slack_app.payloads
    forged = Payloads.button(
        GoingColdAction.UNDO_MARK_COLD, f"{leo}:saved", block_id=f"going-cold-actions:{leo}"
    )
    slack_app.send(p.block_actions([forged], message=message, channel_id=channel))
    slack_app.drain()
    assert _rel(slack_app.engine, leo).status == "cold"
    undo = Payloads.button(
        GoingColdAction.UNDO_MARK_COLD, f"{leo}:warm", block_id=f"going-cold-actions:{leo}"
    )
    slack_app.send(p.block_actions([undo], message=message, channel_id=channel))
    slack_app.drain()
    assert _rel(slack_app.engine, leo).status == "warm"
    assert "is warm again" in str(slack_app.fake.last("response_url").params["blocks"])


def test_log_contact_opens_the_log_form(slack_app):
    (maya, _), _, message, channel = _setup(slack_app)
    _click(slack_app, GoingColdAction.LOG, maya, message, channel)
    (opened,) = slack_app.fake.calls_to("views.open")
    assert "Maya Lopez" in str(opened.params)


def test_someone_elses_relationship_is_refused_and_unchanged(slack_app):
    _, bobs, message, channel = _setup(slack_app)
    _click(slack_app, GoingColdAction.MARK_COLD, bobs, message, channel)
    _click(slack_app, GoingColdAction.SNOOZE, bobs, message, channel)
    rel = _rel(slack_app.engine, bobs)
    assert (rel.status, rel.cold_snoozed_until) == ("warm", None)
    assert "doesn't exist or isn't yours" in str(slack_app.fake.calls)


def test_app_home_lists_going_cold_with_the_buttons(slack_app):
    _setup(slack_app)
    slack_app.send(slack_app.payloads.app_home_opened())
    slack_app.drain()
    view = slack_app.fake.last("views.publish").view
    text = repr(view["blocks"])
    assert "*Going cold* (2)" in text and "Maya Lopez" in text and "Bobs Own" not in text
    actions = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions.count(GoingColdAction.SNOOZE) == 2
