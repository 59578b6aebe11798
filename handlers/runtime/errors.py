"""The app's one error handler: every exception a listener raises ends here.

- DomainError (NotFound, InvalidInput, ...): its message, shown only to the user who caused it.
- Database unavailable or too slow (handlers/runtime/deadline.py): "temporarily unavailable — nothing
  was changed", or, when the deadline cut the COMMIT itself, that the change may not have been
  saved. One line in the log. Nothing else is needed to recover: each request opens a new session
  and the pool replaces dead connections on checkout.
- Anything else: logged with its type, an error id and the stack (file, line, code — never the
  exception's message, which can quote what the user typed); the user sees only the id.

Two ways in, one answer:
- `handle_error` is Bolt's error handler, for listeners that work before their ack (modal
  submissions, options requests, events) and for middleware. They run with process_before_response
  (bot/app.py), so Bolt hands this handler the response it is about to send and the answer becomes
  the ack itself: a modal shows `response_action: errors` next to its field and keeps what the user
  typed; a slash command (only when it fails before its ack) shows the ack body as an ephemeral
  message; anything else gets an empty ack and the message right after, in the background.
- `answer_after_ack` is for work done after the ack (handlers/runtime/after_ack.py: /crm and
  buttons): the same message, in a reply.
Replies go to the response_url, else chat.postEphemeral in the channel, else a DM. Never a stack
trace in Slack, never the request body in the log.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from collections.abc import Sequence
from typing import Any

import psycopg
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from crm.errors import DomainError, InvalidInput
from handlers.blocks.text import SECTION_TEXT, clip, mrkdwn
from handlers.runtime.breaker import DatabaseDown
from handlers.runtime.deadline import DeadlineExceeded

log = logging.getLogger(__name__)

# What an id in a log line may look like: our callback and action ids, Slack's commands and types.
_ID = re.compile(r"/?[A-Za-z0-9_.:-]{1,80}")

UNAVAILABLE_MESSAGE = (
    "The CRM is temporarily unavailable, so nothing was changed — please try again in a minute."
)
UNCONFIRMED_MESSAGE = (
    "The CRM did not confirm in time, so your change may or may not have been saved — "
    "check before repeating it (for example with `/crm show`)."
)


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
        if isinstance(current, DeadlineExceeded | DatabaseDown):
            return True
        current = current.__cause__ or current.__context__
    return False


def new_error_id() -> str:
    """A short id a user can quote and an operator can grep for."""
    return secrets.token_hex(3)


def log_failure(what: str, error: BaseException) -> str:
    """Log a failure off the request path (a background job, a reply being built) as the error
    handler does: exception types and frames, never their messages. Returns the error id."""
    error_id = new_error_id()
    log.error("%s failed [error %s]\n%s", what, error_id, _stack(error))
    return error_id


def background_failure(what: str, error: BaseException) -> str:
    """Log a failure of work done after the ack, and what to tell the user about it."""
    if is_database_unavailable(error):
        chain = " <- ".join(type(e).__name__ for e in _chain(error))
        log.warning("database unavailable during %s: %s", what, chain)
        return UNAVAILABLE_MESSAGE
    return f"Something went wrong (error id {log_failure(what, error)}). Nothing was changed."


def _id(value: Any) -> str | None:
    """`value` if it looks like one of our ids (a forged payload can put anything in these)."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    return None if value is None else "?"


def describe(body: dict[str, Any]) -> str:
    """What the request was, in ids only (no text the user typed): for log lines."""
    kind = _id(body.get("type")) or ("slash_command" if "command" in body else "unknown")
    detail = body.get("command") or body.get("callback_id")
    actions = body.get("actions")
    if kind == "block_actions" and isinstance(actions, list) and actions and isinstance(actions[0], dict):
        detail = actions[0].get("action_id")
    elif kind in ("view_submission", "view_closed") and isinstance(body.get("view"), dict):
        detail = body["view"].get("callback_id")
    elif kind == "event_callback" and isinstance(body.get("event"), dict):
        detail = body["event"].get("type")
    detail = _id(detail)
    return f"{kind} {detail}" if detail else str(kind)


def _modal_error_block(body: dict[str, Any], error: BaseException) -> str | None:
    """The input block of the submitted modal that should carry the message, if any."""
    blocks = (body.get("view") or {}).get("blocks") or []
    input_ids = [b.get("block_id") for b in blocks if b.get("type") == "input" and b.get("block_id")]
    if isinstance(error, InvalidInput) and error.field in input_ids:
        return error.field
    return input_ids[0] if input_ids else None


class FormattedInput(InvalidInput):
    """An InvalidInput whose message is mrkdwn already (a handler's usage line with `code`), with
    anything the user typed escaped by its maker. Other messages are plain text and escaped here.

    `more`: Block Kit blocks (as dicts) shown under the message, e.g. a button that runs the
    command as it was probably meant (handlers.blocks.help.run_meant).
    """

    def __init__(self, field: str, message: str, *, more: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(field, message)
        self.more = list(more)


def _as_mrkdwn(error: BaseException, text: str) -> str:
    return text if isinstance(error, FormattedInput) else mrkdwn(text, None)


def _error_message(error: BaseException, text: str) -> dict[str, Any]:
    """The message that tells the user about `error`: its text, with the error's `more` blocks."""
    said = _as_mrkdwn(error, text)
    if not (isinstance(error, FormattedInput) and error.more):
        return {"text": said}
    section = SectionBlock(text=MarkdownTextObject(text=clip(said, SECTION_TEXT)))
    return {"text": said, "blocks": [section.to_dict(), *error.more]}


def _answer(body: dict[str, Any], context: BoltContext, error: BaseException, text: str) -> BoltResponse:
    """The ack that carries `text` (plain) to the user (see the module docstring)."""
    from handlers.runtime.slack_calls import reply  # slack_calls needs the runtime, not this module

    kind = body.get("type")
    if "command" in body and kind is None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", **_error_message(error, text)})
    if kind == "view_submission":
        block_id = _modal_error_block(body, error)
        if block_id:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block_id: text}})
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if context.user_id and (kind != "event_callback" or _addressed_to_the_bot(body)):
        reply(context, _error_message(error, text))  # right after the ack, in the background
    return BoltResponse(status=200, body="")


def _addressed_to_the_bot(body: dict[str, Any]) -> bool:
    """An event a user sent the bot itself (a message in its DM, e.g. a file to import): a failure is
    answered there. Other events (App Home opened, a link pasted in a channel) get no answer."""
    event = body.get("event")
    return isinstance(event, dict) and event.get("type") == "message" and event.get("channel_type") == "im"


def _stack(error: BaseException) -> str:
    """The traceback's frames (file, line, code) and the exception types, never their messages:
    a message can quote a value the user typed or a forged field."""
    parts = []
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append("".join(traceback.format_tb(current.__traceback__)) + type(current).__name__)
        current = current.__cause__ or current.__context__
    return "\n-- caused by or during --\n".join(reversed(parts))


def handle_error(error: Exception, body: Any, context: BoltContext) -> BoltResponse | None:
    """Bolt's global error handler (listeners and middleware): the answer goes in the ack."""
    body = body if isinstance(body, dict) else {}
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("no listener for %s", describe(body))
        if body.get("type") == "event_callback":  # a 404 would make Slack retry, then disable events
            return BoltResponse(status=200, body="")
        return None
    return _answer(body, context, error, _logged_message(error, body))


def answer_after_ack(error: Exception, body: dict[str, Any], context: BoltContext) -> None:
    """The error handler for work done after the ack (handlers/runtime/after_ack.py): logged the
    same way, and the user is told in a reply instead of the ack."""
    from handlers.runtime.slack_calls import reply  # slack_calls needs the runtime, not this module

    text = _logged_message(error, body)
    if context.user_id:
        reply(context, _error_message(error, text))


def _logged_message(error: Exception, body: dict[str, Any]) -> str:
    """Log `error` (ids, types and frames; never a message) and return what the user is told."""
    if isinstance(error, DomainError):
        return error.message
    error_id = new_error_id()
    if isinstance(error, DatabaseDown):  # told at once while the breaker is open: already logged
        log.warning("database unavailable (not retried yet) during %s", describe(body))
        return UNAVAILABLE_MESSAGE
    if is_database_unavailable(error):
        unconfirmed = any(isinstance(e, DeadlineExceeded) and e.commit_in_flight for e in _chain(error))
        log.error(
            "database unavailable [error %s] during %s: %s",
            error_id,
            describe(body),
            " <- ".join(type(e).__name__ for e in _chain(error)),
        )
        return UNCONFIRMED_MESSAGE if unconfirmed else UNAVAILABLE_MESSAGE
    log.error("unexpected error [error %s] during %s\n%s", error_id, describe(body), _stack(error))
    return f"Something went wrong (error id {error_id})."


def _chain(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def register_error_handler(app: App) -> None:
    """Install handle_error as the app's error handler."""
    app.error(handle_error)
