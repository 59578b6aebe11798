"""Listeners for Slack actions: buttons, candidate picks, external-select options, follow-up buttons."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    from handlers.actions import candidates, cards, followups, options

    # followups: the reminder DM's Done / Snooze / Log buttons (the scheduler's side).
    for module in (candidates, cards, followups, options):
        module.register(app)
