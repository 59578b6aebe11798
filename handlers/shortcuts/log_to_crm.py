"""Message shortcut "Log to CRM": the log modal with the message as content and its link recorded.

The permalink (chat.getPermalink, asked after ack) travels in the modal's private_metadata and is
stored as the interaction's file_url: the Slack message is the material the interaction points at,
and the column exists for exactly that (a link to the source). If the user also attaches a file,
the file's link takes file_url and the message link is appended to the content instead.

chat.getPermalink needs no scope but fails in conversations the bot cannot see (a DM between two
people, a private channel it is not in): the modal then opens without the link rather than not at all.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from crm.models import User
from handlers.views.openers import open_log_modal

log = logging.getLogger(__name__)


def message_permalink(client: WebClient, channel_id: str | None, ts: str | None) -> str | None:
    """The message's permalink, or None when Slack will not give it to the bot."""
    if not channel_id or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel_id, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink for a shortcut message (%s)", exc.response.get("error"))
        return None


def log_to_crm(ack, shortcut: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    message = shortcut.get("message") or {}
    channel_id = (shortcut.get("channel") or {}).get("id")
    ts = message.get("ts") or shortcut.get("message_ts")
    permalink = message_permalink(client, channel_id, ts)
    open_log_modal(
        client,
        db,
        actor,
        shortcut["trigger_id"],
        interaction_type="note",
        content=message.get("text") or None,
        source_url=permalink,
    )
