"""link_shared: a known creator's profile link pasted in a channel is unfurled with public facts.

Slack sends the event for links on the domains in manifest.yml (features.unfurl_domains). The event
is acknowledged by Bolt when this listener returns; the listener reads the facts in one short
transaction (crm.unfurls, the event's workspace only) and hands chat.unfurl to the background after
the commit. Links to no known creator get no chat.unfurl at all, so Slack's own preview stays.

Not unfurled: a channel the bot is not in (the issue says "a channel the bot is in"; the composer
preview comes again once the message is posted) and a channel shared with another organization
(Slack Connect), whose members must not see this workspace's CRM.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from crm.unfurls import creators_linked
from handlers.blocks.unfurls import creator_unfurl
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import in_background

log = logging.getLogger(__name__)

# chat.unfurl is retried once after a 429 (honouring Retry-After up to this many seconds) or a 5xx;
# then the failure is logged and the link keeps Slack's own preview.
UNFURL_RETRY_WAIT_MAX = 5.0
UNFURL_SOURCES = ("composer", "conversations_history")


@dataclass(frozen=True, slots=True)
class UnfurlTarget:
    """Which message chat.unfurl attaches to: unfurl_id + source when Slack gave them, else channel + ts."""

    params: dict[str, str]

    @classmethod
    def of(cls, event: dict[str, Any]) -> UnfurlTarget | None:
        unfurl_id, source = event.get("unfurl_id"), event.get("source")
        if isinstance(unfurl_id, str) and unfurl_id and source in UNFURL_SOURCES:
            return cls({"unfurl_id": unfurl_id, "source": source})
        channel, ts = event.get("channel"), event.get("message_ts")
        if isinstance(channel, str) and channel and isinstance(ts, str) and ts:
            return cls({"channel": channel, "ts": ts})
        return None

    def describe(self) -> str:
        """Ids only, for the log."""
        return " ".join(f"{k}={v[:80]}" for k, v in sorted(self.params.items()))


def _urls(event: dict[str, Any]) -> list[str]:
    links = event.get("links")
    if not isinstance(links, list):
        return []
    return [link["url"] for link in links if isinstance(link, dict) and isinstance(link.get("url"), str)]


def link_shared(body: dict, event: dict, context: BoltContext) -> None:
    """Unfurl the links to known creators of this workspace; nothing for any other link."""
    target = UnfurlTarget.of(event)
    if target is None or event.get("is_bot_user_member") is False or body.get("is_ext_shared_channel"):
        return
    urls = _urls(event)
    team_id = context.team_id or context.enterprise_id
    if not urls or not team_id:
        return
    with scope(context, with_actor=False) as s:
        found = creators_linked(s.db, team_id=team_id, urls=urls)
    if found:
        # Built here, not in the background: a builder bug then reaches the error handler's log.
        unfurls = {url: creator_unfurl(facts) for url, facts in found.items()}
        client = context.client
        in_background(context, lambda: send_unfurls(client, target, unfurls))


def send_unfurls(client: WebClient, target: UnfurlTarget, unfurls: dict[str, dict[str, Any]]) -> bool:
    """chat.unfurl with one entry per link; retried once on a 429 or 5xx, then logged (ids only).
    Returns whether Slack took it."""
    for attempt in (1, 2):
        try:
            client.chat_unfurl(unfurls=unfurls, **target.params)
            return True
        except SlackApiError as exc:
            status, error = exc.response.status_code, exc.response.get("error")
            wait = 1.0
            if status == 429:
                wait = float(exc.response.headers.get("retry-after", "1") or 1)
            if attempt == 1 and (status == 429 or status >= 500) and wait <= UNFURL_RETRY_WAIT_MAX:
                log.info(
                    "chat.unfurl for %s answered %s; retrying in %.1f s", target.describe(), status, wait
                )
                time.sleep(wait)
                continue
            log.warning("chat.unfurl failed for %s: Slack answered %s", target.describe(), error or status)
        except Exception as exc:  # a timeout or a refused connection: Slack's own preview stays
            log.warning("chat.unfurl failed for %s (%s)", target.describe(), type(exc).__name__)
        return False
    return False
