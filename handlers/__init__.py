"""Bolt listeners: Slack in, one `crm` call, Block Kit out. One sub-package per Slack surface."""

from __future__ import annotations

from slack_bolt import App


def register_listeners(app: App) -> None:
    """Register every listener on `app` (called by bot.app.create_app)."""
    from handlers import actions, commands, events, shortcuts, views

    for surface in (commands, actions, views, events, shortcuts):
        surface.register(app)
