"""The follow-up reminders job: one DM per user with newly due follow-ups, listing all their open ones.

Only newly due follow-ups (pending deliveries) trigger a DM; once it is sent, it lists those, marked
new, and then the user's older open follow-ups that were reminded before. Those older ones are only
read: their delivery rows are not touched and no new ones are written, so on their own they never
cause another DM.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from bot.db import transaction
from bot.jobs.context import Clock, JobContext, clock_for
from crm import reminders
from crm.reminders import Digest
from handlers.blocks.digests import MAX_ITEMS, reminder_message

log = logging.getLogger(__name__)

MAX_ROUNDS = 10_000  # a guard against a claim loop that makes no progress; never reached in practice
# Empty claims in a row, with claimable work still there, before this run stops: a claim can lose
# every user it locked to a replica that committed a moment before (see claim_due_users), which a
# retry with a fresh snapshot fixes at once; a user row held locked by a slow transaction is left to
# the next minute's run instead of being spun on.
EMPTY_CLAIMS = 3


@dataclass
class ReminderReport:
    enqueued: int = 0
    dms_sent: int = 0
    follow_ups: int = 0  # newly due ones delivered
    listed_again: int = 0  # older open ones those DMs mention again (nothing recorded for them)
    failed: int = 0
    cancelled: int = 0

    @property
    def noteworthy(self) -> bool:
        return bool(self.dms_sent or self.failed)

    def __str__(self) -> str:
        text = f"reminders: {self.dms_sent} DMs sent, {self.follow_ups} follow-ups, {self.failed} failed"
        if self.listed_again:
            text += f", {self.listed_again} older ones listed again"
        if self.cancelled:
            text += f", {self.cancelled} no longer due"
        return text


def send_reminders(ctx: JobContext, *, now: datetime | None = None, batch_size: int = 50) -> ReminderReport:
    """Enqueue due follow-ups, then claim, post and mark users' DMs until nothing is claimable.

    Each step is its own short transaction, so a lease is visible to other replicas as soon as it is
    taken and a DM is recorded as sent right after Slack accepted it. A failure posting to one user
    (Slack error, network, even a bug in their data) backs that user's items off and the batch goes on.
    """
    clock = clock_for(now)
    report = ReminderReport()
    ctx.timezones.start_run()
    with transaction(ctx.engine) as db:
        report.enqueued = reminders.enqueue_due_follow_ups(db, now=clock())
    empty = 0
    for _ in range(MAX_ROUNDS):
        with transaction(ctx.engine) as db:
            claimed = reminders.claim_due_users(
                db, worker_id=ctx.worker_id, now=clock(), lease=ctx.lease, limit=batch_size
            )
            if not claimed:
                empty += 1
                if empty >= EMPTY_CLAIMS or not reminders.claimable_left(db, now=clock()):
                    break
                continue
        empty = 0
        with transaction(ctx.engine) as db:
            digests = reminders.load_digests(
                db, worker_id=ctx.worker_id, user_ids=list(claimed), now=clock(), overdue_limit=MAX_ITEMS
            )
        loaded = sum(len(d.items) for d in digests)
        report.cancelled += sum(len(ids) for ids in claimed.values()) - loaded
        for digest in digests:
            _deliver(ctx, digest, clock, report)
    return report


def _deliver(ctx: JobContext, digest: Digest, clock: Clock, report: ReminderReport) -> None:
    ids = digest.delivery_ids
    try:
        tz_name = ctx.timezones.refresh(
            ctx,
            user_id=digest.user_id,
            slack_user_id=digest.slack_user_id,
            tz_name=digest.timezone,
            now=clock(),
        )
        message = reminder_message(replace(digest, timezone=tz_name), now=clock())
        channel = ctx.client.conversations_open(users=digest.slack_user_id)["channel"]["id"]
        response = ctx.client.chat_postMessage(channel=channel, **message.to_dict())
    except Exception as exc:  # isolate per user: their items back off, the others still go out
        log.warning("reminder DM to %s failed: %s", digest.slack_user_id, exc)
        with transaction(ctx.engine) as db:
            reminders.mark_failed(db, worker_id=ctx.worker_id, delivery_ids=ids, error=str(exc), now=clock())
        report.failed += 1
        return
    with transaction(ctx.engine) as db:
        marked = reminders.mark_sent(
            db,
            worker_id=ctx.worker_id,
            delivery_ids=ids,
            now=clock(),
            channel=response.get("channel"),
            ts=response.get("ts"),
        )
    if marked != len(ids):  # the lease ran out mid-post and another replica took the items over
        log.warning("reminder DM to %s: lease lost on %d item(s)", digest.slack_user_id, len(ids) - marked)
    report.dms_sent += 1
    report.follow_ups += len(ids)
    report.listed_again += digest.overdue_total
