"""Socket Mode end to end: `crm-bot run` with an app-level token, driven through a loopback WebSocket.

Every envelope must be acknowledged with its envelope_id within Slack's 3 s (SocketBot.deliver), and
its effect must be visible where Slack or the user would see it: the row in PostgreSQL, the reply at
the response_url, the views.open / views.publish call at the Web API. A reply or a Home refresh is
sent only once the change has committed (CONVENTIONS.md: ack, transaction, commit, then Slack), so
the row is read as soon as the reply or publish has arrived, without polling.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import Influencer, Relationship, User
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.factories import make_influencer
from tests.slack.fake_slack import TEAM_ID
from tests.socket_mode.slack_socket import events_api, interactive, redelivered, slash_command


@contextmanager
def reading(engine) -> Iterator[Session]:
    with Session(engine) as db:
        yield db


def relationships_of(engine, slack_user_id: str) -> list[tuple[str, str]]:
    """(handle, platform) of everyone on `slack_user_id`'s list."""
    with reading(engine) as db:
        rows = db.execute(
            select(Influencer.handle, Influencer.platform)
            .join(Relationship, Relationship.influencer_id == Influencer.id)
            .join(User, User.id == Relationship.user_id)
            .where(User.team_id == TEAM_ID, User.slack_user_id == slack_user_id)
            .order_by(Influencer.handle)
        )
        return [tuple(row) for row in rows]


def test_a_slash_command_is_acked_written_and_answered(socket_bot, engine):
    user = "USOCKCMD01"
    envelope = slash_command(socket_bot.payloads.command("add @maya instagram", user_id=user))
    ack = socket_bot.deliver(envelope)
    assert ack["envelope_id"] == envelope["envelope_id"]
    reply = socket_bot.reply_to(envelope["payload"]["response_url"])
    assert "Added" in reply.text and "@maya" in reply.text, socket_bot.output()
    assert relationships_of(engine, user) == [("maya", "instagram")]


def test_app_home_opened_on_its_first_delivery_publishes_the_home_tab(socket_bot):
    user = "USOCKHOME1"
    envelope = events_api(socket_bot.payloads.app_home_opened(user_id=user))
    assert (envelope["retry_attempt"], envelope["retry_reason"]) == (0, "")  # as Slack sends it
    ack = socket_bot.deliver(envelope)
    assert ack["envelope_id"] == envelope["envelope_id"] and not ack.get("payload")
    (publish,) = socket_bot.wait_for("views.publish", user_id=user)
    assert publish.view["type"] == "home"


def test_a_block_action_is_acked_and_its_effect_visible(socket_bot, engine):
    user = "USOCKCLICK"
    with reading(engine) as db, db.begin():
        zoe_id = make_influencer(db, handle="zoe", name="Zoe Quinn", platform="tiktok").id
    # "Add" on a /crm find result for someone not on the user's list yet.
    add = socket_bot.payloads.button(Action.ADD_TO_LIST, str(zoe_id), text="Add")
    envelope = interactive(socket_bot.payloads.block_actions([add], user_id=user))
    assert socket_bot.deliver(envelope)["envelope_id"] == envelope["envelope_id"]
    reply = socket_bot.reply_to(envelope["payload"]["response_url"])
    assert reply.text == "Added Zoe Quinn to your list.", socket_bot.output()
    assert relationships_of(engine, user) == [("zoe", "tiktok")]


def test_a_usage_errors_run_button_runs_the_command_meant(socket_bot, engine):
    user = "USOCKMEANT"
    envelope = slash_command(socket_bot.payloads.command("add @maya instagrm", user_id=user))
    socket_bot.deliver(envelope)
    error = socket_bot.reply_to(envelope["payload"]["response_url"])
    assert "“instagrm” is not a platform" in error.text and relationships_of(engine, user) == []
    (run,) = [e for b in error.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    click = interactive(
        socket_bot.payloads.block_actions(
            [socket_bot.payloads.button(run["action_id"], run["value"])], user_id=user
        )
    )
    assert socket_bot.deliver(click)["envelope_id"] == click["envelope_id"]
    added = socket_bot.reply_to(click["payload"]["response_url"])
    assert "Added" in added.text, socket_bot.output()
    assert relationships_of(engine, user) == [("maya", "instagram")]


def test_a_view_submission_is_acked_with_its_answer_and_written(socket_bot, engine):
    user = "USOCKVIEW1"
    payloads = socket_bot.payloads
    # App Home's "Add influencer" button opens the modal with the click's trigger_id.
    click = interactive(payloads.block_actions([payloads.button(Action.HOME_ADD_INFLUENCER)], user_id=user))
    socket_bot.deliver(click)
    (opened,) = socket_bot.wait_for("views.open", trigger_id=click["payload"]["trigger_id"])
    view = opened.response["view"]
    assert view["callback_id"] == ViewId.ADD_INFLUENCER

    # Invalid input: the errors travel back in the ack's payload, which Slack shows in the modal.
    bad = interactive(payloads.view_submission(view, {Field.INFLUENCER_REF: "not a handle!"}, user_id=user))
    assert bad["accepts_response_payload"] is True
    answer = socket_bot.deliver(bad)
    assert answer["envelope_id"] == bad["envelope_id"]
    assert answer["payload"]["response_action"] == "errors"
    assert list(answer["payload"]["errors"]) == [Field.INFLUENCER_REF]

    lena = {
        Field.INFLUENCER_REF: "@lena",
        Field.INFLUENCER_PLATFORM: "youtube",
        Field.INFLUENCER_NAME: "Lena",
    }
    good = interactive(payloads.view_submission(view, lena, user_id=user))
    answer = socket_bot.deliver(good)
    assert answer["envelope_id"] == good["envelope_id"]
    assert not answer.get("payload", {}).get("errors")  # the modal closes
    socket_bot.wait_for("views.publish", user_id=user)  # App Home refreshed once the change committed
    assert relationships_of(engine, user) == [("lena", "youtube")]


def test_a_retried_event_is_acked_but_not_processed_again(socket_bot):
    user, other = "USOCKRETRY", "USOCKOTHER"
    first = events_api(socket_bot.payloads.app_home_opened(user_id=user))
    socket_bot.deliver(first)
    socket_bot.wait_for("views.publish", user_id=user)

    # Slack did not see that ack in time (so it says) and delivers the same event again.
    retry = redelivered(first, retry_attempt=1, retry_reason="timeout")
    assert retry["payload"]["event_id"] == first["payload"]["event_id"]
    assert socket_bot.deliver(retry)["envelope_id"] == retry["envelope_id"]

    # Absence cannot be waited for: another user's first delivery, sent after the retry was acked,
    # goes the same way through the app; once its Home is published, so would the retry's have been.
    socket_bot.deliver(events_api(socket_bot.payloads.app_home_opened(user_id=other)))
    socket_bot.wait_for("views.publish", user_id=other)
    assert len(socket_bot.wait_for("views.publish", user_id=user)) == 1


def test_a_pasted_profile_link_is_unfurled(socket_bot, engine):
    with reading(engine) as db, db.begin():
        make_influencer(db, handle="sockunfurl", name="Sock Unfurl", platform="instagram")
    event = {
        "type": "link_shared",
        "channel": "C0CAMPAIGN",
        "is_bot_user_member": True,
        "user": "USOCKLINK1",
        "message_ts": "1700000777.000100",
        "unfurl_id": "C0CAMPAIGN.1700000777.000100.sock",
        "source": "conversations_history",
        "links": [{"domain": "instagram.com", "url": "https://www.instagram.com/SockUnfurl/?igsh=1"}],
    }
    envelope = events_api(socket_bot.payloads.event(event))
    assert socket_bot.deliver(envelope)["envelope_id"] == envelope["envelope_id"]
    (unfurl,) = socket_bot.wait_for("chat.unfurl", unfurl_id="C0CAMPAIGN.1700000777.000100.sock")
    assert "Sock Unfurl" in str(unfurl.params["unfurls"]["https://www.instagram.com/SockUnfurl/?igsh=1"])
