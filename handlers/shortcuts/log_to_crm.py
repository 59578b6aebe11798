"""Message shortcut "Log to CRM": the log modal with the message as content and its link recorded.

The content is the message as plain text (handlers/slack_markup.py): Slack's `<url|label>`,
`<@U…>` and `&amp;` markup never reaches the stored interaction. When the message names exactly
one creator in the workspace directory (links their profile, writes their @handle, or links their
e-mail address), that creator is preselected; when it names several, none is, and the form says
so. Matching a reference to a creator is crm's one matcher (crm.references.resolve_influencer),
called from named_creators() only.

The permalink (chat.getPermalink, asked after ack) travels in the modal's private_metadata and is
stored as the interaction's file_url: the Slack message is the material the interaction points at,
and the column exists for exactly that (a link to the source). If the user also attaches a file,
the file's link takes file_url and the message link is appended to the content instead.

chat.getPermalink needs no scope but fails in conversations the bot cannot see (a DM between two
people, a private channel it is not in): the modal then opens without the link rather than not at all.
"""

from __future__ import annotations

import logging
import uuid

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.models import Influencer
from crm.references import resolve_influencer
from handlers.runtime.clients import quick_client
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import ReplyTarget, open_modal
from handlers.slack_markup import message_plain_text, message_references
from handlers.views.openers import log_modal_for

log = logging.getLogger(__name__)

# chat.getPermalink is asked before the transaction and the ack; it may take this long.
PERMALINK_TIMEOUT = 1.0
# References (links, e-mail addresses, @handles) looked up per message: one query each, inside the
# listener's 2 s scope.
REFERENCES_MAX = 10


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


def named_creators(db: Session, *, team_id: str, refs: list[str]) -> list[Influencer]:
    """The creators in the team directory that `refs` name, each once, in order.

    A reference crm cannot read (a post, a document) or that names no creator adds nothing; one
    that matches several creators (an @handle on two platforms) adds them all.
    """
    found: dict[uuid.UUID, Influencer] = {}
    for ref in refs:
        try:
            matches = [resolve_influencer(db, team_id=team_id, ref=ref)]
        except Ambiguous as exc:
            matches = [m for m in exc.candidates if isinstance(m, Influencer)]
        except (NotFound, InvalidInput):
            continue
        for influencer in matches:
            found.setdefault(influencer.id, influencer)
    return list(found.values())


def log_to_crm(body: dict, context: BoltContext) -> None:
    shortcut = body
    message = shortcut.get("message") if isinstance(shortcut.get("message"), dict) else {}
    channel = shortcut.get("channel") if isinstance(shortcut.get("channel"), dict) else {}
    ts = message.get("ts") or shortcut.get("message_ts")
    # Slack first, with no transaction open: the link to the message, if the bot may see it.
    permalink = message_permalink(context.client, channel.get("id"), ts)
    with scope(context) as s:
        creators = named_creators(
            s.db, team_id=s.actor.team_id, refs=message_references(message, limit=REFERENCES_MAX)
        )
        view = log_modal_for(
            s.db,
            s.actor,
            influencer=creators[0] if len(creators) == 1 else None,
            named=creators,
            interaction_type="note",
            content=message_plain_text(message),
            source_url=permalink,
            reply_to=ReplyTarget.of(context),
        )
    open_modal(context, shortcut.get("trigger_id"), view)
