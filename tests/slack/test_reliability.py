"""Reliability: database outages and recovery, event retries, acks that never wait for Slack."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from bot.server import make_listener_engine
from crm.models import Influencer
from handlers.runtime.errors import UNAVAILABLE_MESSAGE
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import reply
from tests.slack.harness import Payloads, SlackTestApp, until_database_answers
from tests.slack.listeners import registered_listeners
from tests.slack.tcp_proxy import proxied_database_url


@pytest.fixture
def outage(slack_app_factory, database_url):
    """A SlackTestApp whose database connection goes through a proxy the test can cut."""
    proxy, url = proxied_database_url(database_url)
    engine = make_listener_engine(url)  # the production engine settings (pre-ping, fail fast)
    slack = slack_app_factory(engine=engine)
    yield slack, proxy
    proxy.stop()
    engine.dispose()


def test_database_outage_is_reported_and_the_bot_recovers_by_itself(outage, caplog):
    slack, proxy = outage

    @slack.app.action("probe-count")
    def count(ack, context):
        ack()
        with scope(context) as s:
            users = s.db.scalar(text("SELECT count(*) FROM users"))
        reply(context, {"text": f"{users} users"})

    p = slack.payloads
    button = [Payloads.button("probe-count")]

    assert slack.send(p.command("help")).status == 200  # up: pooled connections exist
    slack.send(p.block_actions(button))
    assert slack.fake.last("response_url").text == "1 users"

    proxy.cut()
    with caplog.at_level(logging.WARNING, logger="handlers.runtime.errors"):
        command_ack = slack.send(p.command("help"))
        command_reply = slack.fake.last("response_url")
        slack.send(p.block_actions(button))
    click_reply = slack.fake.last("response_url")

    # /crm acks at once and does its work after the ack: the message comes by response_url, as a
    # click's does (a listener of the test's own, acking after its transaction, tells the same way)
    assert command_ack.status == 200 and not command_ack.body
    for told in (command_reply, click_reply):
        assert (told.text, told.params["response_type"]) == (UNAVAILABLE_MESSAGE, "ephemeral")
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "handlers.runtime.errors"]
    # One error line for the request that found the database gone; the next is told at once
    # (the breaker is open) with a warning, and never waits for the database.
    assert [level for level, _ in logged] == ["ERROR", "WARNING"]
    assert all("database unavailable" in message for _, message in logged)

    proxy.restore()  # the database is back: no restart, no intervention
    slack.fake.reset()
    recovered = until_database_answers(slack, "help")  # the breaker's next probe gets through
    help_reply = slack.fake.last("response_url")
    slack.send(p.block_actions(button))

    assert recovered.status == 200 and help_reply.text != UNAVAILABLE_MESSAGE
    assert slack.fake.last("response_url").text == "1 users"


def test_event_retries_cause_no_duplicate_side_effects(slack_app: SlackTestApp):
    @slack_app.app.event("reaction_added")
    def on_reaction(event, context):
        with scope(context) as s:
            s.db.add(
                Influencer(
                    team_id=s.actor.team_id,
                    name=event["reaction"],
                    handle=event["reaction"],
                    platform="instagram",
                )
            )

    p = slack_app.payloads
    reaction = {"type": "reaction_added", "user": "UALICE0001", "reaction": "maya"}
    statuses = [
        slack_app.send(p.event(reaction, event_id="Ev0001", **retry)).status
        for retry in ({}, {"retry_num": 1}, {"retry_num": 2, "retry_reason": "http_error"})
    ]
    for retry_num in (None, 1):
        slack_app.send(p.app_home_opened(event_id="Ev0002", retry_num=retry_num))

    assert statuses == [200, 200, 200]  # retries are acknowledged, so Slack stops retrying
    with slack_app.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Influencer)) == 1
    assert len(slack_app.fake.calls_to("views.publish")) == 1


def _request_for(p: Payloads, kind: str, key: str) -> list:
    view = {
        "id": "V0ACKTEST1",
        "type": "modal",
        "hash": "1.a",
        "callback_id": key,
        "blocks": [],
        "private_metadata": json.dumps({"influencer_id": "00000000-0000-0000-0000-000000000000"}),
    }
    value = "00000000-0000-0000-0000-000000000000"
    if kind == "command":
        texts = [
            "",
            "help",
            "add @maya",
            "show @maya",
            "status @maya warm",
            "priority @maya 4",
            "tag @maya +a",
            "followup @maya tomorrow",
            "note @maya hi",
            "note @maya",
            "log @maya email",
            "list",
            "due",
            "find maya",
            "campaign list",
            "campaign new Spring https://x.io",
            "utm Spring @maya",
            "admin",
            "nonsense",
        ]
        return [p.command(t, command=key) for t in texts]
    if kind in ("action", "block_action"):
        return [
            p.block_actions([Payloads.button(key, value)]),
            p.block_actions([Payloads.select(key, "3")], view=dict(view, type="home")),
        ]
    if kind in ("options", "block_suggestion"):
        return [p.block_suggestion(key, "ma", view=view)]
    if kind == "view_submission":
        return [p.view_submission(view)]
    if kind == "view_closed":
        return [p.view_closed(view)]
    if kind in ("shortcut", "message_shortcut", "global_shortcut"):
        return [p.message_action(key)]
    if kind == "event" and key == "app_home_opened":
        return [p.app_home_opened()]
    if kind == "event" and key == "link_shared":
        link = {"domain": "instagram.com", "url": "https://www.instagram.com/maya/"}
        event = {"type": key, "channel": "C0CAMPAIGN", "user": "UALICE0001", "message_ts": "1.2"}
        return [p.event(event | {"links": [link]})]
    if kind == "event" and key == "message":  # files shared in the bot's DM: a CSV and a PDF
        files = [{"id": "F0ACKTEST1", "name": "roster.csv"}, {"id": "F0ACKTEST2", "name": "brief.pdf"}]
        share = {"type": key, "subtype": "file_share", "channel_type": "im", "channel": "D0ALICE001"}
        return [p.event(share | {"user": "UALICE0001", "files": [f]}) for f in files]
    raise AssertionError(f"no sample request for {kind} {key}: add one")


def test_every_listener_acks_without_waiting_for_slack(slack_app: SlackTestApp):
    """While every Web API call (and response_url) hangs unanswered, each request is still acked.

    A listener that called Slack before ack() would not ack while the call hangs, and Bolt would
    give up after 3 s with no 200. auth.test is let through: Bolt calls it once per process, lazily.
    """
    listeners = registered_listeners(slack_app.app)
    assert ("command", "/crm") in listeners  # the real listeners are registered, not only probes
    waiter = ThreadPoolExecutor(1)
    try:
        for kind, key in listeners:
            for req in _request_for(slack_app.payloads, kind, key):
                slack_app.fake.hold(all_except=("auth.test",))
                try:
                    response = waiter.submit(slack_app.dispatch, req).result(timeout=30)
                finally:
                    slack_app.fake.release()
                slack_app.drain()
                assert response.status == 200, (kind, key, req.body[:200], response.status, response.body)
    finally:
        waiter.shutdown()
