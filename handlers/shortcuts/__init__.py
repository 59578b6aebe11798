"""Listeners for Slack shortcuts: the "Log to CRM" message shortcut."""

from __future__ import annotations

from slack_bolt import App

from handlers.ids import Shortcut
from handlers.runtime.after_ack import after_ack
from handlers.shortcuts.log_to_crm import log_to_crm


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.shortcut(Shortcut.LOG_TO_CRM)(after_ack(log_to_crm))
