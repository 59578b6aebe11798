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
        due_rows,
        followups,
        history,
        imports,
        links,
        merge,
        options,
        paging,
        undo,
        unfurls,
        weekly_digest,
    )

    # followups: the reminder DM's Done / Snooze / Log buttons (the scheduler's side).
    # paging: Previous / Next under /crm list, due and find. due_rows: the menu on each /crm due row.
    # merge: Merge / Cancel under /crm merge.
    # archive: Undo under /crm remove, Restore under /crm list archived. imports: Import / Cancel
    # under the /crm import preview. unfurls: Open my card under a creator's link unfurl. links: QR
    # code under a tracking link. weekly_digest: Turn on / Turn off the personal digest on App Home.
    # undo: Undo under /crm status's and /crm note's answers, and under the log form's. history:
    # History on a card, Previous / Next and each row's Edit and Delete under /crm history.
    for module in (
        archive,
        campaigns,
        candidates,
        cards,
        due_rows,
        followups,
        history,
        imports,
        links,
        merge,
        options,
        paging,
        undo,
        unfurls,
        weekly_digest,
    ):
        module.register(app)
