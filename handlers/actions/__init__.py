"""Listeners for Slack actions: buttons, candidate picks, external-select options, follow-up buttons."""

from __future__ import annotations

import importlib.util

from slack_bolt import App


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    from handlers.actions import candidates, cards, options

    for module in (candidates, cards, options):
        module.register(app)
    # The reminder DM's Done / Snooze / Log buttons (helper D's handlers/actions/followups.py).
    if importlib.util.find_spec("handlers.actions.followups") is not None:
        from handlers.actions import followups

        followups.register(app)
