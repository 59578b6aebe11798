"""App Home: the viewer's dashboard when they open the tab and after each change they make.

Publishing happens in the App's HomePublisher (handlers/home_refresh.py), after this listener's
transaction has committed: one path for both cases, so a user's publishes never overtake each other.
"""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm.models import User
from handlers.home_refresh import publish_home, request_home_refresh

__all__ = ["app_home_opened", "publish_home", "refresh_home", "request_home_refresh"]


def refresh_home(client: WebClient, db: Session, actor: User) -> None:
    """Re-publish `actor`'s Home tab after this unit of work commits (request_home_refresh).

    Kept with the client argument for existing callers (handlers/actions/followups.py); the
    publisher uses the App's own client.
    """
    request_home_refresh(db, actor)


def app_home_opened(event: dict, db: Session, actor: User) -> None:
    """Events are acknowledged by Bolt before this runs; only the Home tab is ours to draw."""
    if event.get("tab", "home") != "home":
        return
    request_home_refresh(db, actor)
