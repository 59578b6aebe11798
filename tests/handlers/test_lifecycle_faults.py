"""The request path on bad days: a frozen database, a failing response_url, a slow or busy Slack,
replays and double submits — each through the real app, showing what the user sees."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from bot.server import make_listener_engine
from bot.wsgi import HealthCheck
from crm.models import Campaign, Interaction, Relationship
from handlers.ids import Field, View
from handlers.runtime.errors import UNAVAILABLE_MESSAGE
from handlers.runtime.slack_calls import EXPIRED_TRIGGER
from tests.handlers.conftest import USER_ID, Crm
from tests.slack.harness import until_database_answers
from tests.slack.tcp_proxy import proxied_database_url

# Slack's limit for an acknowledgement: a protocol bound, not a performance figure.
SLACK_ACK_WINDOW = 3.0


@pytest.fixture
def frozen(slack_app_factory, database_url):
    """An app on the production listener engine, whose database link the test can stall."""
    proxy, url = proxied_database_url(database_url)
    engine = make_listener_engine(url)
    slack = slack_app_factory(engine=engine)
    yield slack, proxy, engine
    proxy.unstall()
    proxy.stop()
    engine.dispose()


def test_a_frozen_database_still_gets_the_user_an_ack_that_says_nothing_changed(frozen):
    slack, proxy, _ = frozen
    crm = Crm(slack)
    crm.relationship("maya", status="saved")
    assert slack.send(slack.payloads.command("show @maya")).status == 200  # pooled connections exist

    proxy.stall()  # PostgreSQL stops answering, connections stay open (as with SIGSTOP)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slack.dispatch, slack.payloads.command("status @maya warm"))
        response = pending.result(timeout=SLACK_ACK_WINDOW)  # raises if no ack within Slack's window
        slack.drain()  # the work after the ack gave up within its budget, still frozen
    proxy.unstall()

    assert (response.status, response.body) == (200, "")  # acked before any database work
    told = slack.fake.last("response_url")
    assert (told.text, told.params["response_type"]) == (UNAVAILABLE_MESSAGE, "ephemeral")
    assert crm.one(Relationship).status == "saved"  # and nothing was changed, as the message says
    # The database is back: within a probe or two the command works, without a restart.
    until_database_answers(slack, "status @maya warm")
    assert crm.one(Relationship).status == "warm"


def test_a_run_button_clicked_on_a_frozen_database_says_so_and_changes_nothing(frozen):
    slack, proxy, _ = frozen
    crm = Crm(slack)
    crm.relationship("maya", status="saved")
    slack.send(slack.payloads.command("status @maya hot"))  # "Did you mean warm?", with Run
    blocks = slack.fake.last("response_url").params["blocks"]
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    click = slack.payloads.block_actions([slack.payloads.button(button["action_id"], button["value"])])

    proxy.stall()
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(slack.dispatch, click).result(timeout=SLACK_ACK_WINDOW)
        slack.drain()
    proxy.unstall()

    assert (response.status, response.body) == (200, "")
    assert slack.fake.last("response_url").text == UNAVAILABLE_MESSAGE
    assert crm.one(Relationship).status == "saved"
    until_database_answers(slack, "status @maya warm")
    assert crm.one(Relationship).status == "warm"


def test_while_the_database_is_down_requests_are_told_at_once_and_one_probe_tries(frozen):
    """After one request found the database unavailable, the next ones do not spend their whole
    budget each (they would queue behind each other past Slack's 3 s): the breaker tells them at
    once, without a connection, until a probe gets through."""
    slack, proxy, engine = frozen
    Crm(slack).relationship("maya", status="saved")
    checkouts = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(1))
    proxy.stall()
    slack.send(slack.payloads.command("status @maya warm"))
    used_by_first = len(checkouts)
    slack.send(slack.payloads.command("status @maya cold"))
    proxy.unstall()

    assert [c.text for c in slack.fake.calls_to("response_url")] == [UNAVAILABLE_MESSAGE] * 2
    assert used_by_first >= 1 and len(checkouts) == used_by_first  # the second never touched it
    # Once the cooldown (1 s) has passed, a probe goes through and closes the breaker.
    until_database_answers(slack, "status @maya warm")
    assert Crm(slack).one(Relationship).status == "warm"


def test_healthz_answers_within_a_second_while_the_database_is_frozen(frozen):
    _, proxy, engine = frozen
    health = HealthCheck(engine)
    assert health.healthy() is True
    proxy.stall()
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(health.healthy).result(timeout=1.0) is False  # 503, within a second
    proxy.unstall()


def test_a_failing_response_url_is_retried_once_then_the_reply_goes_ephemeral(run, crm, fake_slack):
    crm.relationship("maya")
    fake_slack.fail("response_url", status=500, times=2)
    sent = run.command("show @maya")
    assert [c.status for c in sent.to("response_url")] == [500, 500]  # the first try and one retry
    (ephemeral,) = sent.to("chat.postEphemeral")  # then the same card, in the channel, to the user
    assert ephemeral.params["user"] == "UALICE0001" and "maya" in json.dumps(ephemeral.params)


def test_a_gone_response_url_falls_back_at_once(run, crm, fake_slack):
    crm.relationship("maya")
    fake_slack.fail("response_url", status=404)
    sent = run.command("show @maya")
    assert [c.status for c in sent.to("response_url")] == [404]  # not retried: it will not come back
    assert len(sent.to("chat.postEphemeral")) == 1


def test_an_expired_trigger_tells_the_user_to_try_again(run, crm, fake_slack):
    crm.relationship("maya")
    fake_slack.fail("views.open", error="expired_trigger_id")
    sent = run.command("note @maya")  # opens the notes modal
    assert sent.response.status == 200
    assert sent.to("response_url")[-1].params["text"] == EXPIRED_TRIGGER


def test_a_rate_limited_views_open_waits_for_retry_after_and_opens(run, crm, fake_slack):
    crm.relationship("maya")
    fake_slack.fail("views.open", status=429, retry_after=1)
    sent = run.command("note @maya")
    assert [c.status for c in sent.to("views.open")] == [429, 200]
    assert not sent.to("response_url")  # nothing to apologise for


def test_a_replayed_command_is_applied_once(run, crm):
    crm.relationship("maya", notes="First")
    request = run.payloads.command("note @maya hello again")
    first, replay = run.send(request), run.send(request)  # the same signed request, twice
    assert "Note added" in first.text
    assert "already carried out" in replay.text
    assert crm.one(Relationship).notes.count("hello again") == 1


def test_a_double_submitted_new_campaign_form_answers_created_both_times(run, crm):
    view = run.command("campaign new").opened
    values = {Field.CAMPAIGN_NAME: "Spring Sale", Field.CAMPAIGN_LANDING_URL: "https://shop.example.com/s"}
    first, second = run.submit(view, values), run.submit(view, values)
    for sent in (first, second):
        assert sent.ack["response_action"] == "update"
        assert sent.ack["view"]["callback_id"] == View.CAMPAIGN_CREATED
    assert crm.count(Campaign) == 1


def test_users_info_failing_during_the_admin_check_says_so_and_shows_nothing(run, crm, fake_slack):
    crm.user("UWSADMIN01", display_name="Wes")  # profile known: only the admin check asks Slack
    fake_slack.set_user("UWSADMIN01", is_admin=True)
    fake_slack.fail("users.info", status=500)
    refused = run.command("admin", user_id="UWSADMIN01")
    assert refused.text.startswith("Slack did not confirm that you are a workspace admin")
    assert "CRM summary" not in refused.text and "went wrong" not in refused.text
    assert "CRM summary" in run.command("admin", user_id="UWSADMIN01").text  # Slack answers again


def test_acks_do_not_wait_for_a_slow_web_api(run, crm, fake_slack):
    """Slack's Web API not answering at all: the command is acknowledged and its write committed;
    the reply goes out once Slack answers."""
    crm.relationship("maya", status="saved")
    fake_slack.hold("response_url", "views.publish")
    try:
        response = run.slack.dispatch(run.payloads.command("status @maya warm"))
        assert response.status == 200
        for _ in range(100):  # the work after the ack commits, while Slack still does not answer
            if crm.one(Relationship).status == "warm":
                break
            time.sleep(0.05)
        assert crm.one(Relationship).status == "warm"  # committed before any Slack call
    finally:
        fake_slack.release()
    run.slack.drain()
    assert fake_slack.calls_to("response_url")


def _posted_texts(slack) -> list[str]:
    return [
        c.params.get("text")
        for c in slack.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral")
    ]


def test_a_file_shared_in_the_dm_while_the_database_is_frozen_is_answered_in_the_dm(frozen):
    """An event the user sent the bot itself gets the same "temporarily unavailable" a command does
    (other events, such as App Home opened, get no answer)."""
    from tests.handlers.imports.test_dm_share import file_of, shared

    slack, proxy, _ = frozen
    info = slack.fake.add_file("FDOWNDM001", name="roster.csv", content=b"handle\n@maya\n", user=USER_ID)
    proxy.stall()
    response = shared(slack, file_of(info))
    proxy.unstall()
    assert response.status == 200
    assert UNAVAILABLE_MESSAGE in _posted_texts(slack)
    assert not slack.fake.calls_to("files.info")  # nothing started


def test_an_import_preview_that_finds_the_database_down_says_so(frozen):
    slack, proxy, _ = frozen
    slack.fake.add_file("FDOWNIMP01", name="roster.csv", content=b"handle\n@maya\n", user=USER_ID)
    slack.send(slack.payloads.command("import"))
    view = slack.fake.last("views.open").view
    proxy.cut()  # PostgreSQL refuses connections while the file is read in the background
    try:
        slack.send(
            slack.payloads.view_submission(view, {Field.IMPORT_FILE: [{"id": "FDOWNIMP01", "name": "r.csv"}]})
        )
    finally:
        proxy.restore()
    assert _posted_texts(slack)[-1] == UNAVAILABLE_MESSAGE


def _several_state(crm: Crm) -> tuple:
    status, tags, follow_up = Relationship.status, Relationship.tags, Relationship.follow_up_date
    mine = crm.of_mine(status), crm.of_mine(tags), crm.of_mine(follow_up), crm.count(Interaction)
    return (*mine, crm.of_mine(Relationship.priority))


_NONE = {"maya": None, "zoe": None}
_ZERO = {"maya": 0, "zoe": 0}  # priorities
_JAN = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)  # 09:00 in the test user's timezone (UTC)
SEVERAL_DONE = {  # each command for @maya and @zoe, and what it leaves once it is carried out
    "log @maya @zoe email Hi": (
        {"maya": "contacted", "zoe": "contacted"},
        {"maya": [], "zoe": []},
        _NONE,
        2,
        _ZERO,
    ),
    "tag @maya @zoe +winter": (
        {"maya": "saved", "zoe": "saved"},
        {"maya": ["winter"], "zoe": ["winter"]},
        _NONE,
        0,
        _ZERO,
    ),
    "status @maya @zoe warm": ({"maya": "warm", "zoe": "warm"}, {"maya": [], "zoe": []}, _NONE, 0, _ZERO),
    "followup @maya @zoe 2030-01-15": (
        {"maya": "saved", "zoe": "saved"},
        {"maya": [], "zoe": []},
        {"maya": _JAN, "zoe": _JAN},
        0,
        _ZERO,
    ),
    "priority @maya @zoe 5": (
        {"maya": "saved", "zoe": "saved"},
        {"maya": [], "zoe": []},
        _NONE,
        0,
        {"maya": 5, "zoe": 5},
    ),
}


@pytest.mark.parametrize("command", list(SEVERAL_DONE))
def test_a_command_for_several_creators_on_a_frozen_database_changes_none_of_them(frozen, command):
    slack, proxy, _ = frozen
    crm = Crm(slack)
    crm.relationship("maya")
    crm.relationship("zoe")
    assert slack.send(slack.payloads.command("show @maya")).status == 200  # pooled connections exist
    before = _several_state(crm)

    proxy.stall()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(slack.dispatch, slack.payloads.command(command))
        response = pending.result(timeout=SLACK_ACK_WINDOW)
        slack.drain()
    proxy.unstall()

    assert response.status == 200
    assert slack.fake.last("response_url").text == UNAVAILABLE_MESSAGE
    assert _several_state(crm) == before  # nothing changed, for either of them
    until_database_answers(slack, command)  # back: the same command then does it, for both
    assert _several_state(crm) == SEVERAL_DONE[command]
