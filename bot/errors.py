"""The app's one error handler: every exception a listener raises ends here.

- DomainError (NotFound, InvalidInput, ...): its message, shown only to the user who caused it.
- Database unavailable: "temporarily unavailable" to the user, one error line in the log. Nothing
  else is needed to recover: each request opens a new session and the engine's pre-ping replaces
  dead pooled connections, so the first request after the database returns simply works.
- Anything else: logged with a traceback and a short error id; the user sees only the id.

How the message reaches the user depends on whether the listener acknowledged before failing. Bolt
passes `response` (a 500 to be sent) when it did not, None when it did (or for events, which Bolt
acknowledges itself). Unacknowledged: we turn the 500 into the acknowledgement, which is where
Slack wants the answer (a slash command shows an ack body as an ephemeral message; a modal shows
`response_action: errors` next to its field and keeps what the user typed; anything else gets an
empty ack and the message right after, from the listener executor). Acknowledged: respond() to the
response_url if there is one, else chat.postEphemeral in the channel, else a DM.
Never a stack trace in Slack, never the request body in the log.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import psycopg
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.db import DatabaseUnavailable
from crm.errors import DomainError, InvalidInput

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The CRM is temporarily unavailable — please try again in a minute."


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database cannot be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | PoolTimeoutError | psycopg.OperationalError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, DatabaseUnavailable):
            return True
        current = current.__cause__ or current.__context__
    return False


def new_error_id() -> str:
    """A short id a user can quote and an operator can grep for."""
    return secrets.token_hex(3)


def describe(body: dict[str, Any]) -> str:
    """What the request was, in ids only (no text the user typed): for log lines."""
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    detail = body.get("command") or body.get("callback_id")
    if kind == "block_actions" and body.get("actions"):
        detail = body["actions"][0].get("action_id")
    elif kind in ("view_submission", "view_closed"):
        detail = (body.get("view") or {}).get("callback_id")
    elif kind == "event_callback":
        detail = (body.get("event") or {}).get("type")
    return f"{kind} {detail}" if detail else str(kind)


def _modal_error_block(body: dict[str, Any], error: BaseException) -> str | None:
    """The input block of the submitted modal that should carry the message, if any."""
    blocks = (body.get("view") or {}).get("blocks") or []
    input_ids = [b.get("block_id") for b in blocks if b.get("type") == "input" and b.get("block_id")]
    if isinstance(error, InvalidInput) and error.field in input_ids:
        return error.field
    return input_ids[0] if input_ids else None


def notify_user(context: BoltContext, body: dict[str, Any], text: str) -> None:
    """Show `text` to the acting user only: response_url, else ephemeral in the channel, else a DM."""
    user_id = context.user_id
    attempts = []
    if context.respond is not None:
        attempts.append(lambda: context.respond(text=text, response_type="ephemeral", replace_original=False))
    if context.channel_id and user_id:
        attempts.append(
            lambda: context.client.chat_postEphemeral(channel=context.channel_id, user=user_id, text=text)
        )
    if user_id:
        attempts.append(lambda: context.client.chat_postMessage(channel=user_id, text=text))
    for attempt in attempts:
        try:
            attempt()
            return
        except Exception as exc:  # Slack refused or is unreachable: try the next way
            log.warning("could not show an error message to the user (%s)", type(exc).__name__)


def _answer(
    body: dict[str, Any], context: BoltContext, response: BoltResponse | None, error: BaseException, text: str
) -> BoltResponse | None:
    if response is None:  # already acknowledged: a separate message
        notify_user(context, body, text)
        return None
    kind = body.get("type")
    if "command" in body and kind is None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    if kind == "view_submission":
        block_id = _modal_error_block(body, error)
        if block_id:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block_id: text}})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    # Acknowledge now, tell the user afterwards: the ack must not wait for a Web API round trip.
    runner = context.get("listener_runner")
    if runner is not None:
        runner.listener_executor.submit(notify_user, context, body, text)
    else:
        notify_user(context, body, text)
    return BoltResponse(status=200, body="")


def handle_error(
    error: Exception, body: dict[str, Any], context: BoltContext, response: BoltResponse | None
) -> BoltResponse | None:
    """Bolt's global error handler (listeners and middleware)."""
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("no listener for %s", describe(body))
        if body.get("type") == "event_callback":  # a 404 would make Slack retry, then disable events
            return BoltResponse(status=200, body="")
        return None
    if isinstance(error, DomainError):
        return _answer(body, context, response, error, error.message)
    error_id = new_error_id()
    if is_database_unavailable(error):
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        log.error(
            "database unavailable [error %s] during %s: %s: %s",
            error_id,
            describe(body),
            type(error).__name__,
            first_line,
        )
        return _answer(body, context, response, error, UNAVAILABLE_MESSAGE)
    log.error("unexpected error [error %s] during %s", error_id, describe(body), exc_info=error)
    return _answer(body, context, response, error, f"Something went wrong (error id {error_id}).")


def register_error_handler(app: App) -> None:
    """Install handle_error as the app's error handler."""
    app.error(handle_error)
