"""Listeners for Slack actions: buttons, candidate picks, external-select options, follow-up buttons."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    from handlers.actions import (
        archive,
        campaigns,
        candidates,
        cards,
        followups,
        imports,
        merge,
        options,
        paging,
    )

    # followups: the reminder DM's Done / Snooze / Log buttons (the scheduler's side).
    # paging: Previous / Next under /crm list, due and find. merge: Merge / Cancel under /crm merge.
    # archive: Undo under /crm remove, Restore under /crm list archived. imports: Import / Cancel
    # under the /crm import preview.
    for module in (archive, campaigns, candidates, cards, followups, imports, merge, options, paging):
        module.register(app)
