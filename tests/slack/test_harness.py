"""The harness itself: the fake Web API answers and records like Slack, requests are signed right."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.verification import check_headers
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.slack.harness import TrackingExecutor
from tests.slack.view_state import fill_state


@pytest.fixture
def client(fake_slack) -> WebClient:
    return WebClient(base_url=fake_slack.api_url, token=BOT_TOKEN)


def test_records_method_params_and_headers(fake_slack, client):
    client.chat_postMessage(channel="C1", text="hi", blocks=[{"type": "divider"}])
    client.users_info(user="U123")

    post = fake_slack.last("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.blocks == [{"type": "divider"}]
    assert post.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert fake_slack.methods() == ["chat.postMessage", "users.info"]


def test_users_info_is_configurable_per_user(fake_slack, client):
    fake_slack.set_user("UBERLIN001", tz="Europe/Berlin", is_admin=True, email="b@example.com")

    berlin = client.users_info(user="UBERLIN001")["user"]
    default = client.users_info(user="UOTHER0001")["user"]

    assert (berlin["tz"], berlin["is_admin"], berlin["profile"]["email"]) == (
        "Europe/Berlin",
        True,
        "b@example.com",
    )
    assert berlin["tz_offset"] in (3600, 7200)
    assert (default["tz"], default["tz_offset"], default["is_admin"]) == ("UTC", 0, False)


def test_views_are_echoed_with_id_and_hash(fake_slack, client):
    view = {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    opened = client.views_open(trigger_id="1.2.3", view=view)["view"]
    updated = client.views_update(view_id=opened["id"], view=view)["view"]

    assert opened["id"].startswith("V") and opened["hash"]
    assert opened["callback_id"] == "cb"
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]


def test_scripted_failures_then_success(fake_slack, client):
    fake_slack.fail("chat.postMessage", status=429, retry_after=7)
    fake_slack.fail("views.open", error="expired_trigger_id")

    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError) as expired:
        client.views_open(trigger_id="t", view={"type": "modal", "title": {}, "blocks": []})

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "7"
    assert expired.value.response["error"] == "expired_trigger_id"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # times=1: the next call works
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]


def test_unknown_file_and_missing_token(fake_slack, client):
    fake_slack.add_file("F1")
    assert client.files_info(file="F1")["file"]["permalink"].endswith("/F1/brief.pdf")
    with pytest.raises(SlackApiError):
        client.files_info(file="F404")
    with pytest.raises(SlackApiError) as unauthenticated:
        WebClient(base_url=fake_slack.api_url).auth_test()
    assert unauthenticated.value.response["error"] == "not_authed"


def test_response_url_posts_are_recorded(fake_slack):
    url = fake_slack.response_url()
    WebhookClient(url).send(text="done", response_type="ephemeral")
    call = fake_slack.last("response_url")
    assert (call.text, call.params["response_type"]) == ("done", "ephemeral")


def test_requests_are_signed_as_slack_signs_them(slack_app):
    for req in (
        slack_app.payloads.command("show @maya"),
        slack_app.payloads.app_home_opened(),
        slack_app.payloads.message_action("log-to-crm"),
    ):
        headers = {k.lower(): v for k, v in req.headers.items()}
        assert check_headers(SIGNING_SECRET, req.body, headers) is None
        assert check_headers(SIGNING_SECRET, req.body + "x", headers) == "signature mismatch"


def test_fill_state_encodes_each_element_type():
    view = {
        "blocks": [
            {
                "type": "input",
                "block_id": "subject",
                "element": {"type": "plain_text_input", "action_id": "a"},
            },
            {
                "type": "input",
                "block_id": "kind",
                "element": {
                    "type": "static_select",
                    "action_id": "k",
                    "options": [{"text": {"type": "plain_text", "text": "Email"}, "value": "email"}],
                },
            },
            {"type": "input", "block_id": "when", "element": {"type": "datepicker", "action_id": "d"}},
        ]
    }
    state = fill_state(view, {"kind": "email", "when": "2026-03-01"})
    assert state["subject"]["a"] == {"type": "plain_text_input", "value": None}
    assert state["kind"]["k"]["selected_option"]["text"]["text"] == "Email"
    assert state["when"]["d"]["selected_date"] == "2026-03-01"
    with pytest.raises(KeyError):
        fill_state(view, {"nope": "x"})


def test_tracking_executor_drains_nested_work():
    executor = TrackingExecutor(max_workers=2)
    done = []

    def inner():
        done.append("inner")

    def outer():
        executor.submit(inner)
        done.append("outer")

    executor.submit(outer)
    executor.drain(timeout=5)
    assert sorted(done) == ["inner", "outer"]
    executor.shutdown()


def test_http_path_reaches_a_listener(slack_app, slack_http):
    @slack_app.app.command("/probe")
    def probe(ack, command):
        ack(f"echo {command['text']}")

    result = slack_http.post(slack_app.payloads.command("ping", command="/probe"))
    slack_app.drain()

    assert result.status == 200
    assert result.text == "echo ping"
