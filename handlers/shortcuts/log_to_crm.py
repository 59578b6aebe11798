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

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.runtime.clients import quick_client
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import open_modal
from handlers.views.openers import log_modal_for

log = logging.getLogger(__name__)

# chat.getPermalink is asked before the transaction and the ack; it may take this long.
PERMALINK_TIMEOUT = 1.0


def message_permalink(client: WebClient, channel_id: str | None, ts: str | None) -> str | None:
    """The message's permalink, or None when Slack will not give it to the bot."""
    if not channel_id or not ts:
        return None
    try:
        return (
            quick_client(client, PERMALINK_TIMEOUT)
            .chat_getPermalink(channel=channel_id, message_ts=ts)
            .get("permalink")
        )
    except SlackApiError as exc:
        log.info("no permalink for a shortcut message (%s)", exc.response.get("error"))
        return None
    except Exception as exc:  # Slack slow or unreachable: the modal opens without the link
        log.warning("no permalink for a shortcut message (%s)", type(exc).__name__)
        return None


def log_to_crm(ack, shortcut: dict, context: BoltContext) -> None:
    ack()
    message = shortcut.get("message") if isinstance(shortcut.get("message"), dict) else {}
    channel = shortcut.get("channel") if isinstance(shortcut.get("channel"), dict) else {}
    ts = message.get("ts") or shortcut.get("message_ts")
    # Slack first, with no transaction open: the link to the message, if the bot may see it.
    permalink = message_permalink(context.client, channel.get("id"), ts)
    text = message.get("text")
    with scope(context) as s:
        view = log_modal_for(
            s.db,
            s.actor,
            interaction_type="note",
            content=text if isinstance(text, str) and text else None,
            source_url=permalink,
        )
    open_modal(context, shortcut.get("trigger_id"), view)
