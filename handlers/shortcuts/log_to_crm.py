"""Message shortcut "Log to CRM": the log modal with the message as content and its link recorded.

The permalink (chat.getPermalink, asked after ack) travels in the modal's private_metadata and is
stored as the interaction's file_url: the Slack message is the material the interaction points at,
and the column exists for exactly that (a link to the source). If the user also attaches a file,
the file's link takes file_url and the message link is appended to the content instead.
"""

from __future__ import annotations

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm.models import User
from handlers.views.openers import open_log_modal


def log_to_crm(ack, shortcut: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    message = shortcut.get("message") or {}
    channel_id = (shortcut.get("channel") or {}).get("id")
    ts = message.get("ts") or shortcut.get("message_ts")
    permalink = None
    if channel_id and ts:
        permalink = client.chat_getPermalink(channel=channel_id, message_ts=ts).get("permalink")
    open_log_modal(
        client,
        db,
        actor,
        shortcut["trigger_id"],
        interaction_type="note",
        content=message.get("text") or None,
        source_url=permalink,
    )
