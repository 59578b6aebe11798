"""App Home refresh after a change: after commit, in the background publisher, coalesced per user."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import event

from crm.models import Influencer, Relationship
from handlers.home_refresh import HomePublisher, HomeTarget
from tests.handlers.conftest import USER_ID


def _pipeline(call) -> str:
    return repr(call.view["blocks"])


def test_a_status_change_publishes_home_once_after_the_reply_with_the_new_status(run, crm):
    crm.user(display_name="Alice")
    crm.relationship("maya", name="Maya Lopez")
    sent = run.command("status @maya partnered")
    (publish,) = sent.to("views.publish")
    assert publish.params["user_id"] == USER_ID
    assert "*Partnered*\\n1" in _pipeline(publish)  # read from the committed data, in its own session
    methods = [c.method for c in sent.calls]
    assert methods.index("response_url") < methods.index("views.publish")


def test_the_dashboard_is_not_built_in_the_commands_transaction(slack_app, crm):
    """The listener runs the command's statements only; the dashboard's run on a publisher thread."""
    crm.user(display_name="Alice")
    crm.relationship("maya")
    threads: list[str] = []

    def record(*_args) -> None:
        threads.append(threading.current_thread().name)

    event.listen(slack_app.engine, "before_cursor_execute", record)
    try:
        slack_app.send(slack_app.payloads.command("status @maya warm"))
    finally:
        event.remove(slack_app.engine, "before_cursor_execute", record)
    home = [t for t in threads if t.startswith("crm-home")]
    listener = [t for t in threads if t not in home]
    # actor, request key, influencer, relationship (locked), status update
    assert 1 <= len(listener) <= 5, threads
    assert 7 <= len(home) <= 8, threads  # crm.dashboard.home_dashboard: its short statements


def test_quick_successive_changes_publish_at_most_twice_and_the_last_shows_the_final_state(
    slack_app, crm, fake_slack
):
    crm.user(display_name="Alice")
    crm.relationship("maya")
    statuses = ["contacted", "warm", "cold", "warm", "partnered"]
    fake_slack.hold("views.publish")  # the first refresh is stuck in Slack while the others arrive
    try:
        for status in statuses:
            slack_app.dispatch(slack_app.payloads.command(f"status @maya {status}"))
            slack_app.executor.drain()  # the change is committed (its refresh is queued or running)
    finally:
        fake_slack.release()
    slack_app.drain()
    publishes = fake_slack.calls_to("views.publish")
    assert 1 <= len(publishes) <= 2
    assert "*Partnered*\\n1" in _pipeline(publishes[-1]) and "*Warm*\\n0" in _pipeline(publishes[-1])


def test_a_failing_views_publish_is_retried_and_changes_nothing_for_the_command(run, crm, fake_slack, caplog):
    crm.user(display_name="Alice")
    crm.relationship("maya")
    fake_slack.fail("views.publish", error="internal_error")  # once: Slack's transient error
    with caplog.at_level(logging.INFO, logger="handlers.home_refresh"):
        sent = run.command("status @maya warm")
    assert sent.reply.params["text"].endswith("is now warm (was saved).")
    shown = [c.method for c in sent.calls if c.method != "auth.test"]
    assert shown == ["response_url", "views.publish", "views.publish"]  # no error message to anyone
    assert "App Home publish failed (internal_error); retrying" in caplog.text
    assert [c.response.get("ok") for c in sent.to("views.publish")] == [False, True]
    maya = crm.one(Influencer, Influencer.handle == "maya")
    assert crm.one(Relationship, Relationship.influencer_id == maya.id).status == "warm"
    assert len(run.command("status @maya cold").to("views.publish")) == 1  # the next change publishes


def test_a_permanent_views_publish_error_is_logged_once_not_retried(run, crm, fake_slack, caplog):
    crm.relationship("maya")
    fake_slack.fail("views.publish", error="not_authed")
    with caplog.at_level(logging.WARNING, logger="handlers.home_refresh"):
        sent = run.command("status @maya warm")
    assert len(sent.to("views.publish")) == 1
    assert "could not refresh App Home: Slack answered not_authed" in caplog.text


def test_a_rolled_back_command_publishes_nothing(run, crm):
    crm.user(display_name="Alice")
    crm.relationship("maya")
    sent = run.command("status @nobody warm")
    assert "not found" in sent.text.lower() or "No influencer" in sent.text
    assert not sent.to("views.publish")


def test_the_publisher_is_bounded_and_drops_beyond_its_limit(slack_app, crm, fake_slack, caplog):
    alice = crm.user(display_name="Alice")
    bob = crm.user("UBOB000001", display_name="Bob")
    publisher = HomePublisher(slack_app.app.client, slack_app.engine, threads=1, max_pending=1)
    fake_slack.hold("views.publish")
    try:
        with caplog.at_level(logging.WARNING, logger="handlers.home_refresh"):
            publisher.request(HomeTarget.of(alice))
            publisher.request(HomeTarget.of(bob))  # Alice's is pending: no room
        assert "App Home refresh dropped" in caplog.text
    finally:
        fake_slack.release()
    publisher.drain()
    publisher.shutdown()
    assert [c.params["user_id"] for c in fake_slack.calls_to("views.publish")] == [USER_ID]
    publisher.request(HomeTarget.of(bob))  # after shutdown: ignored, no thread started
    assert publisher.pending == 0


def test_a_refresh_asked_for_while_the_process_exits_is_skipped_quietly(slack_app, crm, monkeypatch):
    """At interpreter exit (a gunicorn worker being stopped) executors refuse new work."""
    alice = crm.user(display_name="Alice")
    publisher = HomePublisher(slack_app.app.client, slack_app.engine)
    monkeypatch.setattr("concurrent.futures.thread._shutdown", True)
    publisher.request(HomeTarget.of(alice))  # no exception reaches the committed command
    assert publisher.pending == 0
    monkeypatch.undo()
    publisher.shutdown()
