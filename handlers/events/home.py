"""App Home: the viewer's dashboard when they open the tab (and after each change they make).

Publishing happens in the App's HomePublisher (handlers/home_refresh.py), after this listener's
transaction has committed: one path for both cases, so a user's publishes never overtake each other.
"""

from __future__ import annotations

from slack_bolt import BoltContext

from handlers.runtime.scope import scope


def app_home_opened(event: dict, context: BoltContext) -> None:
    """Events are acknowledged by Bolt; only the Home tab is ours to draw."""
    if event.get("tab", "home") != "home":
        return
    with scope(context) as s:  # creates a first-time visitor, then publishes after the commit
        s.refresh_home()
