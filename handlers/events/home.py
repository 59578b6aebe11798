"""App Home: publish the viewer's dashboard when they open the tab and after each change they make."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from crm import relationships
from crm.clock import zone_of
from crm.models import User
from handlers.blocks.home import home_view

log = logging.getLogger(__name__)


def publish_home(client: WebClient, db: Session, actor: User, *, now: datetime | None = None) -> None:
    """views.publish of `actor`'s dashboard (home_dashboard: due, pipeline, strongest, neglected, recent)."""
    now = now or datetime.now(UTC)
    dashboard = relationships.home_dashboard(db, actor=actor, now=now)
    view = home_view(dashboard, tz=zone_of(actor.timezone), now=now)
    client.views_publish(user_id=actor.slack_user_id, view=view)


def refresh_home(client: WebClient, db: Session, actor: User) -> None:
    """Re-publish after a write, best effort: the change is already made and confirmed to the user,
    so a Slack hiccup here must not turn into an error (and a rollback) of that change. The next
    change or the next visit to the tab publishes again."""
    try:
        publish_home(client, db, actor)
    except (SlackApiError, SlackClientError) as exc:
        log.warning("could not refresh App Home (%s)", type(exc).__name__)


def app_home_opened(event: dict, client: WebClient, db: Session, actor: User) -> None:
    """Events are acknowledged by Bolt before this runs; only the Home tab is ours to draw."""
    if event.get("tab", "home") != "home":
        return
    publish_home(client, db, actor)
