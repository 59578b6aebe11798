"""Slack calls a listener makes after its transaction committed: replies and modals, off the ack path.

Listeners run in the request's own thread (bot/app.py sets process_before_response, so the ack is
sent when the listener returns). A Web API round trip there would delay the ack by Slack's own
latency, so `reply()` and `open_modal()` hand the call to the App's background executor and
return at once. There each call is made robust:

- A reply goes to the request's response_url. A 5xx answer or a timeout is retried once; if it
  still fails (or the URL is gone: 404, expired), the reply is posted with chat.postEphemeral in the
  channel, else as a DM. Failures are logged at WARNING with ids only, never the message.
- A modal is opened with views.open. An expired trigger (the user's click is older than Slack's 3 s)
  tells the user "That form took too long to open — try again"; a 429 waits for Retry-After if the
  trigger can still be used, else says Slack is busy; other failures say the form could not open.

Nothing here raises into the caller: by the time these run the change is committed and acknowledged.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from handlers.blocks.message import Message
from handlers.runtime.errors import log_failure
from handlers.runtime.runtime import runtime_of

log = logging.getLogger(__name__)

# One retry of a failed response_url post, after this pause.
RESPONSE_URL_RETRY_PAUSE = 0.5
# How long a response_url post may take before it counts as failed.
RESPONSE_URL_TIMEOUT = 5
# A trigger_id is good for 3 s after the user's action; views.open is not attempted past this.
TRIGGER_LIFETIME = 3.0

EXPIRED_TRIGGER = "That form took too long to open — please try again."
SLACK_BUSY = "Slack is busy right now, so the form could not open — please try again in a few seconds."
FORM_FAILED = "The form could not open because Slack did not answer — please try again."
UPLOAD_FAILED = "The file could not be sent to your DM because Slack did not take it — please try again."
UPLOAD_NEEDS_SCOPE = (
    "The file could not be sent: this Slack app lacks the files:write permission. An admin needs"
    " to update the app from manifest.yml and reinstall it (OAuth & Permissions → Reinstall)."
)


# A form's reply target comes back in its private_metadata: only these are taken (ReplyTarget).
SLACK_HOOKS = "https://hooks.slack.com/"
_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{2,30}")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Where a reply to this request can go: its response_url, else the channel, else a DM."""

    user_id: str | None
    channel_id: str | None
    response_url: str | None

    @classmethod
    def of(cls, context: BoltContext) -> ReplyTarget:
        return cls(context.user_id, context.channel_id, context.response_url)

    def metadata(self) -> dict[str, str | None]:
        """Where the answer to a form opened from this request goes, for the form's private_metadata
        (a view submission has neither a response_url nor a channel of its own)."""
        return {"ru": self.response_url, "ch": self.channel_id}

    @classmethod
    def from_metadata(cls, data: dict[str, str], user_id: str | None, *, api_url: str) -> ReplyTarget | None:
        """The target a form's private_metadata names (see `metadata`), for `user_id`, the user who
        submitted it; None when it names none (a form opened from App Home, which refreshes).

        The values came back from Slack, so they are used only when they look like what we stored:
        a channel id, and a response_url on hooks.slack.com or on the host of `api_url`
        (SLACK_API_URL: a stand-in for Slack serves both), so no other host is ever posted to. What
        goes there is ephemeral, to the submitter alone.
        """
        url, channel = data.get("ru"), data.get("ch")
        parts = urlsplit(api_url)
        hosts = (SLACK_HOOKS, f"{parts.scheme}://{parts.netloc}/")
        if not (url and url.startswith(hosts) and len(url) <= 1_000 and not _SPACE.search(url)):
            url = None
        if not (channel and _CHANNEL_ID.fullmatch(channel)):
            channel = None
        if url is None and channel is None:
            return None
        return cls(user_id, channel, url)


def _post_to_response_url(url: str, body: dict[str, Any]) -> int | None:
    """The HTTP status of one POST to `url`, or None when it did not complete (timeout, refused)."""
    try:
        return WebhookClient(url, timeout=RESPONSE_URL_TIMEOUT).send_dict(body).status_code
    except Exception as exc:  # network errors, timeouts: the caller decides about retrying
        log.warning("response_url post did not complete (%s)", type(exc).__name__)
        return None


def deliver_reply(client: WebClient, target: ReplyTarget, body: dict[str, Any]) -> str:
    """Send `body` to the user; returns how it went out ("response_url", "ephemeral", "dm", "lost")."""
    if target.response_url:
        status = _post_to_response_url(target.response_url, body)
        if status is None or status >= 500:
            time.sleep(RESPONSE_URL_RETRY_PAUSE)
            status = _post_to_response_url(target.response_url, body)
        if status is not None and status < 300:
            return "response_url"
        log.warning(
            "response_url failed (status %s) for user %s in %s; falling back",
            status,
            target.user_id,
            target.channel_id,
        )
    # A fallback is a new message: it cannot replace the original one.
    message = {k: v for k, v in body.items() if k in ("text", "blocks")}
    if target.channel_id and target.user_id:
        try:
            client.chat_postEphemeral(channel=target.channel_id, user=target.user_id, **message)
            return "ephemeral"
        except Exception as exc:  # not in that channel, Slack down: try a DM
            log.warning("chat.postEphemeral failed for user %s (%s)", target.user_id, _reason(exc))
    if target.user_id:
        try:
            client.chat_postMessage(channel=target.user_id, **message)
            return "dm"
        except Exception as exc:
            log.warning("DM to user %s failed (%s)", target.user_id, _reason(exc))
    log.warning("a reply to user %s could not be delivered", target.user_id)
    return "lost"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        return f"Slack answered {exc.response.get('error')}"
    return type(exc).__name__


def in_background(context: BoltContext, call: Callable[[], Any]) -> None:
    """Run `call` in the App's background executor (never on the ack path)."""
    runtime_of(context).background.submit(call)


def reply(
    context: BoltContext,
    message: Message | dict[str, Any],
    *,
    replace_original: bool = False,
    in_channel: bool = False,
    to: ReplyTarget | None = None,
) -> None:
    """Answer the user who caused this request; see the module docstring for how it gets there.
    `to`: somewhere else than this request's own target (a form's, ReplyTarget.from_metadata).

    The message's blocks are turned into JSON (and validated by slack_sdk) in the background too:
    that is a fifth of a card's CPU time, and the ack need not wait for it.
    """
    client, target = context.client, to or ReplyTarget.of(context)

    def send() -> None:
        try:
            body = message.to_dict() if isinstance(message, Message) else dict(message)
        except Exception as exc:  # a builder bug: say so to the user, with an id for the log
            body = {"text": f"Something went wrong (error id {log_failure('building a reply', exc)})."}
        body["replace_original"] = replace_original
        if not replace_original:
            body["response_type"] = "in_channel" if in_channel else "ephemeral"
        deliver_reply(client, target, body)

    in_background(context, send)


def open_view(
    client: WebClient, target: ReplyTarget, trigger_id: str, view: View, started: float
) -> str | None:
    """views.open with Slack's errors mapped to a message for the user (see the module docstring);
    the id of the view opened (for a later views.update), None when it could not be opened."""
    for _ in range(2):
        try:
            opened = client.views_open(trigger_id=trigger_id, view=view)
            view_id = (opened.get("view") or {}).get("id")
            return view_id if isinstance(view_id, str) else None
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"):
                text = EXPIRED_TRIGGER
            elif exc.response.status_code == 429:
                wait = float(exc.response.headers.get("retry-after", "1") or 1)
                if time.monotonic() + wait < started + TRIGGER_LIFETIME:
                    time.sleep(wait)
                    continue
                text = SLACK_BUSY
            else:
                text = FORM_FAILED
            log.warning("views.open failed for user %s: Slack answered %s", target.user_id, error)
        except Exception as exc:  # timeout, connection refused
            log.warning("views.open failed for user %s (%s)", target.user_id, type(exc).__name__)
            text = FORM_FAILED
        deliver_reply(client, target, {"text": text, "response_type": "ephemeral", "replace_original": False})
        return None
    return None


def send_file(
    client: WebClient,
    target: ReplyTarget,
    *,
    filename: str,
    content: bytes,
    title: str,
    initial_comment: str,
    confirmation: dict[str, Any] | None = None,
) -> bool:
    """Upload `content` to the user's DM with the bot (files upload v2), then send `confirmation`.

    files.completeUploadExternal takes a channel id only (C/G/D…, not a user id), so the DM is
    opened first with conversations.open. Any failure tells the user instead of confirming; it is
    logged with ids only. Returns whether the file went out.
    """
    try:
        opened = client.conversations_open(users=target.user_id)
        client.files_upload_v2(
            channel=opened["channel"]["id"],
            filename=filename,
            content=content,
            title=title,
            initial_comment=initial_comment,
        )
    except Exception as exc:  # a Slack error answer, the upload POST refused, a timeout
        log.warning("file upload to user %s failed (%s)", target.user_id, _reason(exc))
        missing_scope = isinstance(exc, SlackApiError) and exc.response.get("error") == "missing_scope"
        text = UPLOAD_NEEDS_SCOPE if missing_scope else UPLOAD_FAILED
        deliver_reply(client, target, {"text": text, "response_type": "ephemeral", "replace_original": False})
        return False
    if confirmation is not None:
        body = {**confirmation, "response_type": "ephemeral", "replace_original": False}
        deliver_reply(client, target, body)
    return True


def upload_file(
    context: BoltContext,
    *,
    filename: str,
    content: bytes,
    title: str,
    initial_comment: str,
    confirmation: Message | None = None,
) -> None:
    """Send a file to the DM of the user who caused this request, in the background (see send_file)."""
    client, target = context.client, ReplyTarget.of(context)
    in_background(
        context,
        lambda: send_file(
            client,
            target,
            filename=filename,
            content=content,
            title=title,
            initial_comment=initial_comment,
            confirmation=confirmation.to_dict() if confirmation is not None else None,
        ),
    )


def open_modal(context: BoltContext, trigger_id: str | None, view: View) -> None:
    """Open `view` for the user who caused this request, in the background (see open_view)."""
    started = context.get("received_at") or time.monotonic()
    client, target = context.client, ReplyTarget.of(context)
    if not trigger_id:
        log.warning("no trigger_id to open a modal for user %s", target.user_id)
        return
    in_background(context, lambda: open_view(client, target, trigger_id, view, started))
