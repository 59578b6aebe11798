"""`/crm` and buttons ack first (handlers/runtime/after_ack.py): the ack leaves before any database
work, the work runs on the work queue, its failures are told in a reply, and a full queue turns a
request away with a message instead of queuing it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event

from crm.models import Relationship
from handlers.ids import Action
from handlers.runtime.after_ack import BUSY_MESSAGE, WorkQueue
from tests.handlers.conftest import Crm


def _statement_threads(slack, send) -> list[str]:
    threads: list[str] = []

    def record(*_args) -> None:
        threads.append(threading.current_thread().name)

    event.listen(slack.engine, "before_cursor_execute", record)
    try:
        send()
        slack.drain()
    finally:
        event.remove(slack.engine, "before_cursor_execute", record)
    return threads


def test_a_command_is_acked_before_its_transaction(run, crm):
    crm.relationship("maya", status="saved")
    ack_thread = threading.current_thread().name
    responses = []

    def send() -> None:
        responses.append(run.slack.dispatch(run.payloads.command("status @maya warm")))

    threads = _statement_threads(run.slack, send)

    assert (responses[0].status, responses[0].body) == (200, "")  # an empty ack, sent at once
    assert threads and ack_thread not in threads  # every statement ran after the ack, elsewhere
    assert crm.one(Relationship).status == "warm"
    assert run.slack.fake.last("response_url").text == "maya is now warm (was saved)."


def test_a_button_is_acked_before_its_transaction(run, crm):
    rel = crm.relationship("maya")
    ack_thread = threading.current_thread().name
    click = run.payloads.block_actions([run.payloads.button(Action.SHOW, str(rel.influencer_id))])
    responses = []

    threads = _statement_threads(run.slack, lambda: responses.append(run.slack.dispatch(click)))

    assert (responses[0].status, responses[0].body) == (200, "")
    assert threads and ack_thread not in threads
    assert "maya" in str(run.slack.fake.last("response_url").params)


def test_work_that_fails_after_the_ack_is_told_in_a_reply(run, crm, slack_app):
    """The work's error reaches the user as the error handler would say it, by response_url."""
    sent = run.command("show @nobody")
    assert not sent.ack  # the ack carried nothing
    (reply,) = sent.to("response_url")
    assert "nobody" in reply.text and reply.params["response_type"] == "ephemeral"


def test_a_full_work_queue_turns_requests_away_and_frees_its_places():
    gate = threading.Event()
    with ThreadPoolExecutor(1) as executor:
        queue = WorkQueue(executor, limit=2)
        ran: list[str] = []

        def work(body, _context) -> None:
            gate.wait(5)
            ran.append(body["n"])

        assert queue.submit(work, {"n": "first"}, None)  # type: ignore[arg-type]
        assert queue.submit(work, {"n": "second"}, None)  # type: ignore[arg-type]
        assert not queue.submit(work, {"n": "third"}, None)  # type: ignore[arg-type]
        assert queue.queued == 2
        gate.set()
    assert ran == ["first", "second"]  # the third was never queued
    assert queue.queued == 0


def test_a_request_turned_away_is_told_the_crm_is_busy(slack_app_factory):
    """With no room in the work queue, the user hears so at once and nothing is changed."""
    slack = slack_app_factory(work_limit=0)
    crm = Crm(slack)
    crm.relationship("maya", status="saved")

    response = slack.send(slack.payloads.command("status @maya warm"))

    assert (response.status, response.body) == (200, "")
    assert slack.fake.last("response_url").text == BUSY_MESSAGE
    assert crm.one(Relationship).status == "saved"
