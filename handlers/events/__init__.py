"""Listeners for Slack events: app_home_opened publishes the viewer's dashboard, link_shared
unfurls creators' profile links, a CSV shared in the bot's DM is previewed for import."""

from __future__ import annotations

from slack_bolt import App

from handlers.events.dm_files import message_in_dm
from handlers.events.home import app_home_opened
from handlers.events.unfurls import link_shared
from handlers.ids import Event


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.event(Event.APP_HOME_OPENED)(app_home_opened)
    app.event(Event.LINK_SHARED)(link_shared)
    # Every message event (message.im: the bot's DMs only) goes to one listener, which keeps the
    # file shares: an unmatched subtype would be logged as an unhandled request.
    app.event(Event.MESSAGE)(message_in_dm)
