"""Listeners for Slack events: app_home_opened publishes the viewer's dashboard."""

from __future__ import annotations

from slack_bolt import App

from handlers.events.home import app_home_opened
from handlers.ids import Event


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.event(Event.APP_HOME_OPENED)(app_home_opened)
