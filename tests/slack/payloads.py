"""Signed requests exactly as Slack sends them: slash commands, interactivity payloads, events.

Every builder returns a SignedRequest (body + headers, signed with the signing secret "now" unless a
timestamp is given). Bodies follow Slack's documented shapes: slash commands are form-encoded,
interactivity is form-encoded `payload=<json>`, events are JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from tests.slack.fake_slack import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, FakeSlack
from tests.slack.view_state import fill_state

USER_ID = "UALICE0001"
CHANNEL_ID = "C0CAMPAIGN"
FORM = "application/x-www-form-urlencoded"
_seq = itertools.count(1)


def compute_signature(signing_secret: str, timestamp: str, body: bytes | str) -> str:
    """The X-Slack-Signature Slack sends for `body` at `timestamp`, computed as Slack documents it
    (https://api.slack.com/authentication/verifying-requests-from-slack), independently of the
    verifier under test: "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + body))."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + timestamp.encode("utf-8") + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedRequest:
    """An HTTP request to /slack/events. `headers` use Slack's header names."""

    body: str
    headers: dict[str, str] = field(default_factory=dict)
    path: str = "/slack/events"

    def with_headers(self, **changes: str | None) -> SignedRequest:
        """A copy with headers changed (keyword names use _ for -; None removes a header)."""
        headers = dict(self.headers)
        for key, value in changes.items():
            name = key.replace("_", "-")
            match = next((h for h in headers if h.lower() == name.lower()), name)
            headers.pop(match, None)
            if value is not None:
                headers[match] = value
        return replace(self, headers=headers)

    def with_body(self, body: str) -> SignedRequest:
        """The same headers (and so the old signature) over a different body: a tampered request."""
        return replace(self, body=body)


def _trigger_id() -> str:
    return f"{next(_seq)}.{TEAM_ID[1:]}.{next(_seq):032x}"


class Payloads:
    """Builders bound to one signing secret and one FakeSlack (whose response_urls they hand out)."""

    def __init__(self, signing_secret: str, fake: FakeSlack) -> None:
        self.signing_secret = signing_secret
        self.fake = fake

    # ---- signing --------------------------------------------------------------------------------
    def sign(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> SignedRequest:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": compute_signature(self.signing_secret, ts, body),
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return SignedRequest(body=body, headers=headers)

    @staticmethod
    def _user(user_id: str, team_id: str) -> dict[str, Any]:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team_id}

    def interactive(self, payload: dict[str, Any], **sign_kw: Any) -> SignedRequest:
        """Any interactivity payload, form-encoded as payload=<json>."""
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM, **sign_kw)

    # ---- slash commands -------------------------------------------------------------------------
    def command(
        self,
        text: str = "",
        *,
        command: str = "/crm",
        user_id: str = USER_ID,
        team_id: str = TEAM_ID,
        channel_id: str = CHANNEL_ID,
        response_url: str | None = None,
        **sign_kw: Any,
    ) -> SignedRequest:
        fields = {
            "token": "verification-token-unused",
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "campaigns",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url or self.fake.response_url(),
            "trigger_id": _trigger_id(),
        }
        return self.sign(urlencode(fields), FORM, **sign_kw)

    # ---- interactivity --------------------------------------------------------------------------
    @staticmethod
    def button(action_id: str, value: str = "", *, block_id: str = "b", text: str = "Go") -> dict:
        """One element of `actions` for a button click."""
        return {
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": text, "emoji": True},
            "value": value,
            "type": "button",
            "action_ts": f"{time.time():.6f}",
        }

    @staticmethod
    def select(action_id: str, value: str, *, block_id: str = "b", kind: str = "static_select") -> dict:
        """One element of `actions` for a static_select / overflow choice."""
        option = {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
        return {
            "action_id": action_id,
            "block_id": block_id,
            "type": kind,
            "selected_option": option,
            "action_ts": f"{time.time():.6f}",
        }

    def block_actions(
        self,
        actions: list[dict[str, Any]],
        *,
        user_id: str = USER_ID,
        team_id: str = TEAM_ID,
        channel_id: str | None = CHANNEL_ID,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        with_response_url: bool = True,
        response_url: str | None = None,
        **sign_kw: Any,
    ) -> SignedRequest:
        """A click in a message (default; has channel and response_url, a fresh one unless given) or
        in a view (pass `view`, e.g. a recorded views.open/views.publish answer; then no channel, no
        response_url)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": _trigger_id(),
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": actions,
            "state": {"values": {}},
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = view
        else:
            ts = f"{1_700_000_000 + next(_seq)}.000100"
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            }
            payload["channel"] = {"id": channel_id, "name": "campaigns"}
            payload["message"] = message or {"type": "message", "ts": ts, "text": "", "blocks": []}
            if with_response_url:
                payload["response_url"] = response_url or self.fake.response_url()
        return self.interactive(payload, **sign_kw)

    def block_suggestion(
        self,
        action_id: str,
        value: str,
        *,
        view: dict[str, Any] | None = None,
        user_id: str = USER_ID,
        team_id: str = TEAM_ID,
        **sign_kw: Any,
    ) -> SignedRequest:
        """An options request (external_select typing `value`) from the input `action_id` of `view`."""
        view = view or {"id": "V0OPTIONS1", "type": "modal", "callback_id": "", "blocks": []}
        payload = {
            "type": "block_suggestion",
            "user": self._user(user_id, team_id),
            "container": {"type": "view", "view_id": view["id"]},
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "action_id": action_id,
            "block_id": action_id,
            "value": value,
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view,
        }
        return self.interactive(payload, **sign_kw)

    def view_submission(
        self,
        view: dict[str, Any],
        values: dict[str, Any] | None = None,
        *,
        user_id: str = USER_ID,
        team_id: str = TEAM_ID,
        **sign_kw: Any,
    ) -> SignedRequest:
        """Submit `view` (as Slack returned it, e.g. fake.last("views.open").response["view"]) with
        input values by block_id (see tests/slack/view_state.py for the value forms)."""
        submitted = dict(view, state={"values": fill_state(view, values or {})})
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": self._user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": _trigger_id(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interactive(payload, **sign_kw)

    def view_closed(
        self, view: dict[str, Any], *, user_id: str = USER_ID, team_id: str = TEAM_ID, **sign_kw: Any
    ) -> SignedRequest:
        payload = {
            "type": "view_closed",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": self._user(user_id, team_id),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "view": view,
            "is_cleared": False,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.interactive(payload, **sign_kw)

    def message_action(
        self,
        callback_id: str,
        *,
        text: str = "Maya replied: happy to do a reel in March!",
        author_id: str = "UBOB000001",
        user_id: str = USER_ID,
        team_id: str = TEAM_ID,
        channel_id: str = CHANNEL_ID,
        message_ts: str | None = None,
        **sign_kw: Any,
    ) -> SignedRequest:
        """A message shortcut ("Log to CRM") used on a message by `author_id` saying `text`."""
        ts = message_ts or f"{1_700_000_000 + next(_seq)}.000200"
        payload = {
            "type": "message_action",
            "token": "verification-token-unused",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": self._user(user_id, team_id),
            "channel": {"id": channel_id, "name": "campaigns"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": _trigger_id(),
            "response_url": self.fake.response_url(),
            "message_ts": ts,
            "message": {"type": "message", "user": author_id, "text": text, "ts": ts, "team": team_id},
        }
        return self.interactive(payload, **sign_kw)

    # ---- events ---------------------------------------------------------------------------------
    def event(
        self, event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None, **sign_kw: Any
    ) -> SignedRequest:
        """An Events API event_callback wrapping `event`."""
        body = {
            "token": "verification-token-unused",
            "team_id": team_id,
            "context_team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_seq):010d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.sign(json.dumps(body), "application/json", **sign_kw)

    def app_home_opened(self, *, user_id: str = USER_ID, tab: str = "home", **kw: Any) -> SignedRequest:
        event = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, **kw)

    def url_verification(
        self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", **sign_kw: Any
    ) -> SignedRequest:
        body = {"token": "verification-token-unused", "challenge": challenge, "type": "url_verification"}
        return self.sign(json.dumps(body), "application/json", **sign_kw)
