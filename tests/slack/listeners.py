"""What an App has registered, read from its listeners (for the manifest and ack tests).

Bolt builds each listener's primary matcher with a closure from slack_bolt/listener_matcher/builtins.py
(`command.<locals>.func` closing over `command`, `view_submission.<locals>.func` over `callback_id`,
`action.<locals>.func` over `constraints`, ...): its qualified name says the kind of request, its
closure holds the id it matches. This is Bolt-internal, so the tests that use it fail loudly (rather
than pass vacuously) if a Bolt upgrade changes the shape.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

KINDS = (
    "command",
    "shortcut",
    "message_shortcut",
    "global_shortcut",
    "event",
    "action",
    "block_action",
    "view_submission",
    "view_closed",
    "options",
    "block_suggestion",
)


def _closure(func) -> dict[str, Any]:
    cells = func.__closure__ or ()
    return dict(zip(func.__code__.co_freevars, (c.cell_contents for c in cells), strict=True))


def example_of(pattern: re.Pattern) -> str | None:
    """A literal id the pattern matches, for simple patterns like ^influencer\\-pick(-\\d+)?$."""
    text = re.sub(r"\((?:[^()]|\\.)*\)\?", "", pattern.pattern)  # drop optional groups
    text = text.removeprefix("^").removesuffix("$").replace("\\", "")
    return text if pattern.fullmatch(text) else None


def registered_listeners(app: App) -> list[tuple[str, str]]:
    """(kind, id) for every listener: ("command", "/crm"), ("action", "followup-done"), ...

    A listener that matches a regular expression is listed with a literal id it matches
    (example_of), or fails the assertion when no simple example can be derived.
    """
    found = []
    for listener in app._listeners:
        func = listener.matchers[0].func
        kind = func.__qualname__.split(".<locals>")[0]
        assert kind in KINDS, f"unknown listener matcher {func.__qualname__}"
        cells = _closure(func)
        value = next(
            (cells[k] for k in ("command", "callback_id", "event_type", "constraints") if k in cells), None
        )
        if isinstance(value, dict):
            value = value.get("action_id") or value.get("callback_id") or value.get("type")
        if isinstance(value, re.Pattern):
            value = example_of(value) or value
        assert isinstance(value, str), f"{kind} listener matches {value!r}; no literal example found"
        found.append((kind, str(value)))
    return found


def registered(app: App) -> dict[str, set[str]]:
    """The ids registered per kind."""
    by_kind: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind, value in registered_listeners(app):
        by_kind[kind].add(value)
    return by_kind
