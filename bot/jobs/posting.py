"""Post a scheduled message at most once, even when Slack's answer is lost.

Slack has no idempotency key, so each post is tagged: the message carries message metadata
`{"event_type": "crm_delivery", "event_payload": {"delivery_id": <key>}}`, and the key, channel and
time are committed (`mark_attempted`) before chat.postMessage is called. When the answer
says what happened (ok, or a Slack error such as channel_not_found or ratelimited), the rows are
recorded sent or failed as before. When it does not (a timeout, a dropped connection, a 5xx, or
the process dying before the record commits), the marker stays, and the next run that claims those
rows first reads the channel's recent history (`conversations.history`, include_all_metadata) for a
message with that key: found, it is recorded as sent with its ts and nothing is posted; not found,
the marker is cleared and the message is posted again.
"""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.error import URLError

from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata

from bot.db import transaction
from crm.reminders.deliveries import (
    UnconfirmedPost,
    mark_attempted,
    mark_failed,
    mark_not_posted,
    mark_sent,
    unconfirmed_posts,
)

if TYPE_CHECKING:
    from bot.jobs.context import Clock, JobContext

log = logging.getLogger(__name__)

EVENT_TYPE = "crm_delivery"
# How far before the first attempt the history is read: room for clock skew between us and Slack.
LOOKBACK = timedelta(minutes=5)
HISTORY_PAGE = 20  # messages per conversations.history call; few are posted in the window
HISTORY_PAGES = 50  # a guard: past this many pages the history is treated as unreadable


def delivery_metadata(key: uuid.UUID) -> Metadata:
    """The message metadata that lets a later run recognise this post in the channel's history."""
    return Metadata(event_type=EVENT_TYPE, event_payload={"delivery_id": str(key)})


def never_reached_slack(exc: BaseException) -> bool:
    """Whether a failed call certainly did not reach Slack: the connection was never made."""
    return isinstance(exc, URLError) and isinstance(exc.reason, ConnectionRefusedError | socket.gaierror)


def outcome_unknown(exc: BaseException) -> bool:
    """Whether Slack may have posted although the call failed.

    An answer from Slack with an error (`ok: false`, 4xx, 429) means it did not; a 5xx, a timeout
    or a connection lost after the request was sent leaves it open.
    """
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500
    return not never_reached_slack(exc)


class HistoryUnreadable(Exception):
    """Slack will not show the channel's history (e.g. missing_scope before the app is reinstalled)."""


def _slack_ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def find_posts(ctx: JobContext, *, channel: str, since: datetime, keys: set[str]) -> dict[str, str]:
    """{key: ts} of the messages in `channel` posted after `since` (less LOOKBACK) tagged with `keys`.

    Raises HistoryUnreadable when Slack answers with an error that waiting will not change; a
    timeout, 5xx or rate limit propagates, and the caller tries again later.
    """
    found: dict[str, str] = {}
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        try:
            page = ctx.client.conversations_history(
                channel=channel,
                oldest=_slack_ts(since - LOOKBACK),
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
        except SlackApiError as exc:
            if exc.response.status_code == 429 or exc.response.status_code >= 500:
                raise
            raise HistoryUnreadable(str(exc.response.get("error") or exc)) from exc
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            key = (metadata.get("event_payload") or {}).get("delivery_id")
            if metadata.get("event_type") == EVENT_TYPE and key in keys and key not in found:
                found[key] = message["ts"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if len(found) == len(keys) or not page.get("has_more") or not cursor:
            return found
    raise HistoryUnreadable(f"more than {HISTORY_PAGES * HISTORY_PAGE} messages since the first attempt")


@dataclass
class Settled:
    """What `settle_unconfirmed` found: posts recorded as sent, and rows it could not settle yet."""

    found: list[UnconfirmedPost]
    unsettled: set[uuid.UUID]


def settle_unconfirmed(ctx: JobContext, *, delivery_ids: list[uuid.UUID], clock: Clock) -> Settled:
    """Look in Slack for the earlier posts of freshly claimed rows whose outcome is unknown.

    A post found is recorded as sent (its rows leave the batch); one not found has its marker
    cleared, so its rows are posted as usual. When the history cannot be read now (timeout, 5xx,
    rate limit) the rows are left unsettled: the caller releases them to be tried again later, never
    posting in the meantime. When it cannot be read at all (missing_scope: the app was not
    reinstalled with the history scopes), posting again is the only way to deliver, as before.
    """
    with transaction(ctx.engine) as db:
        posts = unconfirmed_posts(db, worker_id=ctx.worker_id, delivery_ids=delivery_ids)
    settled = Settled(found=[], unsettled=set())
    for post in posts:
        try:
            ts = find_posts(
                ctx, channel=post.channel, since=post.attempted_at, keys={str(post.message_key)}
            ).get(str(post.message_key))
        except HistoryUnreadable as exc:
            log.warning("cannot check %s for an earlier post, posting again: %s", post.channel, exc)
            ts = None
        except Exception as exc:  # the lookup failed: try again later, do not post meanwhile
            log.warning("looking in %s for an earlier post failed: %s", post.channel, exc)
            settled.unsettled.update(post.delivery_ids)
            continue
        with transaction(ctx.engine) as db:
            if ts is None:
                mark_not_posted(db, worker_id=ctx.worker_id, delivery_ids=post.delivery_ids)
                continue
            mark_sent(
                db,
                worker_id=ctx.worker_id,
                delivery_ids=post.delivery_ids,
                now=clock(),
                channel=post.channel,
                ts=ts,
            )
        settled.found.append(post)
    return settled


def release_unsettled(ctx: JobContext, *, delivery_ids: list[uuid.UUID], clock: Clock, what: str) -> None:
    """Back off rows whose earlier `what` ("DM", "post") could not be looked for in Slack.

    They are marked failed with an unknown outcome, so the next run looks again before posting:
    posting now could post twice.
    """
    with transaction(ctx.engine) as db:
        mark_failed(
            db,
            worker_id=ctx.worker_id,
            delivery_ids=delivery_ids,
            error=f"an earlier {what}'s outcome is unknown and Slack's history could not be read",
            now=clock(),
            outcome_unknown=True,
        )


class _LeaseLost(Exception):
    """Raised inside the marking transaction to roll it back."""


@dataclass(frozen=True)
class PostResult:
    """How a post ended: `ts` when Slack accepted it; else `error`, and whether Slack may have posted."""

    ts: str | None = None
    channel: str | None = None
    error: str | None = None
    unknown: bool = False
    lease_lost: bool = False

    @property
    def posted(self) -> bool:
        return self.ts is not None


def post_once(
    ctx: JobContext,
    *,
    delivery_ids: list[uuid.UUID],
    channel: str,
    message: dict[str, Any],
    clock: Clock,
) -> PostResult:
    """Mark the rows attempted (committed), post `message` tagged with the first id, record the outcome."""
    key = delivery_ids[0]
    try:
        with transaction(ctx.engine) as db:
            marked = mark_attempted(
                db,
                worker_id=ctx.worker_id,
                delivery_ids=delivery_ids,
                channel=channel,
                message_key=key,
                now=clock(),
            )
            if marked != len(delivery_ids):  # our lease ran out: another replica may own some rows
                raise _LeaseLost
    except _LeaseLost:
        return PostResult(error="lease lost before posting", lease_lost=True)
    try:
        response = ctx.client.chat_postMessage(channel=channel, metadata=delivery_metadata(key), **message)
    except Exception as exc:
        unknown = outcome_unknown(exc)
        with transaction(ctx.engine) as db:
            mark_failed(
                db,
                worker_id=ctx.worker_id,
                delivery_ids=delivery_ids,
                error=f"{'outcome unknown: ' if unknown else ''}{exc}",
                now=clock(),
                outcome_unknown=unknown,
            )
        return PostResult(error=str(exc), unknown=unknown)
    with transaction(ctx.engine) as db:
        mark_sent(
            db,
            worker_id=ctx.worker_id,
            delivery_ids=delivery_ids,
            now=clock(),
            channel=response.get("channel"),
            ts=response.get("ts"),
        )
    return PostResult(ts=response.get("ts"), channel=response.get("channel"))


class FailureCounts(Protocol):
    """The counters of a job's report that `tally_post` adds to."""

    failed: int
    unknown: int


def tally_post(result: PostResult, report: FailureCounts, *, log: logging.Logger, what: str) -> bool:
    """Log and count a post that did not go out; whether it went out.

    A lost lease is logged but not counted: the lease ran out before the post and another replica
    may hold the rows. A failure counts in `failed`, and in `unknown` when Slack may have posted.
    """
    if result.lease_lost:
        log.warning("%s: lease lost before posting", what)
    elif not result.posted:
        log.warning("%s failed: %s", what, result.error)
        report.failed += 1
        report.unknown += result.unknown
    return result.posted
