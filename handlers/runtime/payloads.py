"""The shape a Slack payload must have before any listener sees it.

A signed request is from Slack, but "from Slack" has still meant surprises (and a leaked signing
secret means anything): a `payload` that is a list, `view: null`, `state` that is not an object, no
`user`, empty `actions`, `event: null`. Listeners read these fields directly, so a request that does
not have the shape its type promises is refused here with 400 and nothing written, instead of
failing halfway through a listener with a 500 and a traceback. Only structure is checked here;
the values of fields (dates, numbers, ids) are validated where they are used, as user input.
"""

from __future__ import annotations

from typing import Any

# Slack's payloads nest a few levels (view → state → values → block → action → value). Far deeper
# nesting is not a Slack payload; refusing it early also keeps recursive code away from it.
MAX_DEPTH = 32
# Interactive payload types, all of which name the user who acted.
USER_PAYLOADS = (
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when `value` nests dicts/lists more than `limit` levels (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _obj(value: Any) -> bool:
    return isinstance(value, dict)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _user_ok(body: dict[str, Any]) -> bool:
    user = body.get("user")
    return _obj(user) and _text(user.get("id"))


def malformed_reason(body: Any) -> str | None:
    """None when `body` has the structure of its payload type, else a short reason for the log."""
    if not _obj(body):
        return "the payload is not a JSON object"
    if too_deep(body):
        return "the payload nests too deeply"
    kind = body.get("type")
    if kind is None and "command" in body:
        if not (_text(body.get("command")) and _text(body.get("user_id")) and _text(body.get("team_id"))):
            return "a slash command without command, user_id or team_id"
        if not isinstance(body.get("text", ""), str):
            return "a slash command whose text is not a string"
        return None
    if kind == "url_verification":
        return None if _text(body.get("challenge")) else "url_verification without a challenge"
    if kind == "event_callback":
        event = body.get("event")
        if not (_obj(event) and _text(event.get("type"))):
            return "an event_callback without an event object"
        return None
    if kind in USER_PAYLOADS and not _user_ok(body):
        return f"{kind} without a user"
    if kind == "block_actions":
        actions = body.get("actions")
        if not (
            isinstance(actions, list)
            and actions
            and all(_obj(a) and _text(a.get("action_id")) for a in actions)
        ):
            return "block_actions without actions"
        for key in ("view", "message", "container", "channel", "state"):
            if key in body and body[key] is not None and not _obj(body[key]):
                return f"block_actions whose {key} is not an object"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not (_obj(view) and _text(view.get("callback_id"))):
            return f"{kind} without a view"
        state = view.get("state", {"values": {}})
        if not (_obj(state) and _obj(state.get("values", {}))):
            return f"{kind} whose view state is not an object"
        if not all(
            _obj(block) and all(_obj(a) for a in block.values()) for block in state.get("values", {}).values()
        ):
            return f"{kind} whose state values are not objects"
        blocks = view.get("blocks", [])
        if not (isinstance(blocks, list) and all(_obj(b) for b in blocks)):
            return f"{kind} whose view blocks are not a list of objects"
        if not isinstance(view.get("private_metadata", ""), str):
            return f"{kind} whose private_metadata is not a string"
    if kind == "block_suggestion" and not (
        _text(body.get("action_id")) and isinstance(body.get("value", ""), str)
    ):
        return "block_suggestion without action_id or value"
    if kind in ("shortcut", "message_action") and not _text(body.get("callback_id")):
        return f"{kind} without a callback_id"
    if kind == "message_action" and body.get("message") is not None and not _obj(body.get("message")):
        return "message_action whose message is not an object"
    return None
