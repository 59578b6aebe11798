"""Listeners for Slack actions: buttons, candidate picks, external-select options, follow-up buttons."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    from handlers.actions import campaigns, candidates, cards, followups, options, paging

    # followups: the reminder DM's Done / Snooze / Log buttons (the scheduler's side).
    # paging: Previous / Next under /crm list, due and find.
    for module in (campaigns, candidates, cards, followups, options, paging):
        module.register(app)
