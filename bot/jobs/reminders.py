"""The follow-up reminders job: one DM per user with newly due follow-ups, listing all their open ones.

Only newly due follow-ups (pending deliveries) trigger a DM; once it is sent, it lists those, marked
new, and then the user's older open follow-ups that were reminded before. Those older ones are only
read: their delivery rows are not touched and no new ones are written, so on their own they never
cause another DM. A DM whose earlier post has an unknown outcome is first looked for in the user's
DM history (bot.jobs.posting), so a timeout or a crash never makes the user get it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from bot.db import transaction
from bot.demo_workspace import is_demo_team
from bot.jobs.context import Account, Clock, JobContext, clock_for
from bot.jobs.posting import post_once, release_unsettled, settle_unconfirmed, tally_post
from crm.reminders import going_cold
from crm.reminders.deliveries import mark_failed, mark_sent
from crm.reminders.follow_ups import (
    Digest,
    claim_due_users,
    claimable_left,
    enqueue_due_follow_ups,
    load_digests,
)
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
    found_posted: int = 0  # DMs whose earlier post's outcome was unknown, found in Slack and recorded
    unknown: int = 0  # of `failed`: posts Slack may have made (looked for before the next try)
    demo: int = 0  # demo users' follow-ups, recorded as reminded and never posted
    going_cold: int = 0  # relationships the DMs sent listed or counted as going cold

    @property
    def noteworthy(self) -> bool:
        return bool(self.dms_sent or self.failed or self.found_posted)

    def __str__(self) -> str:
        text = f"reminders: {self.dms_sent} DMs sent, {self.follow_ups} follow-ups, {self.failed} failed"
        if self.unknown:
            text += f" ({self.unknown} with unknown outcome)"
        if self.found_posted:
            text += f", {self.found_posted} earlier DMs found posted"
        if self.listed_again:
            text += f", {self.listed_again} older ones listed again"
        if self.cancelled:
            text += f", {self.cancelled} no longer due"
        if self.demo:
            text += f", {self.demo} in demo workspaces skipped"
        if self.going_cold:
            text += f", {self.going_cold} going cold mentioned"
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
        report.enqueued = enqueue_due_follow_ups(db, now=clock())
    empty = 0
    for _ in range(MAX_ROUNDS):
        with transaction(ctx.engine) as db:
            claimed = claim_due_users(
                db, worker_id=ctx.worker_id, now=clock(), lease=ctx.lease, limit=batch_size
            )
            if not claimed:
                empty += 1
                if empty >= EMPTY_CLAIMS or not claimable_left(db, now=clock()):
                    break
                continue
        empty = 0
        claimed = _settle_earlier_posts(ctx, claimed, clock, report)
        with transaction(ctx.engine) as db:
            digests = load_digests(
                db, worker_id=ctx.worker_id, user_ids=list(claimed), now=clock(), overdue_limit=MAX_ITEMS
            )
        loaded = sum(len(d.delivery_ids) for d in digests)  # follow-ups and going-cold rows
        report.cancelled += sum(len(ids) for ids in claimed.values()) - loaded
        for digest in digests:
            _deliver(ctx, digest, clock, report)
    return report


def _settle_earlier_posts(
    ctx: JobContext, claimed: dict[UUID, list[UUID]], clock: Clock, report: ReminderReport
) -> dict[UUID, list[UUID]]:
    """Record the claimed users' earlier DMs found in Slack; the users still to be DMed, with their rows.

    A user whose earlier DM could not be looked for now is released whole (backing off), so they
    get neither that DM again nor a partial one before it is settled.
    """
    settled = settle_unconfirmed(ctx, delivery_ids=[i for ids in claimed.values() for i in ids], clock=clock)
    report.found_posted += len(settled.found)
    done = {i for post in settled.found for i in post.delivery_ids}
    left: dict[UUID, list[UUID]] = {}
    for user_id, ids in claimed.items():
        if settled.unsettled.intersection(ids):
            release_unsettled(ctx, delivery_ids=ids, clock=clock, what="DM")
            report.failed += 1
            report.unknown += 1
        elif rest := [i for i in ids if i not in done]:
            left[user_id] = rest
    return left


def _deliver(ctx: JobContext, digest: Digest, clock: Clock, report: ReminderReport) -> None:
    ids = digest.delivery_ids
    if is_demo_team(digest.team_id):  # not a real Slack user (bot/demo_workspace.py): never posted
        with transaction(ctx.engine) as db:
            mark_sent(db, worker_id=ctx.worker_id, delivery_ids=ids, now=clock())
            _mark_nagged(db, digest)
        report.demo += len(ids)
        return
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
    except Exception as exc:  # isolate per user: their items back off, the others still go out
        log.warning("reminder DM to %s failed before posting: %s", digest.slack_user_id, exc)
        with transaction(ctx.engine) as db:
            mark_failed(db, worker_id=ctx.worker_id, delivery_ids=ids, error=str(exc), now=clock())
        report.failed += 1
        return
    result = post_once(ctx, delivery_ids=ids, channel=channel, message=message.to_dict(), clock=clock)
    if not tally_post(result, report, log=log, what=f"reminder DM to {digest.slack_user_id}"):
        return
    # Recorded after the post, in its own transaction: a crash in between can mention them once
    # more today; recording first would drop them from a retried DM that never reached the user.
    with transaction(ctx.engine) as db:
        _mark_nagged(db, digest)
    report.dms_sent += 1
    report.follow_ups += len(digest.items)
    report.listed_again += digest.overdue_total
    report.going_cold += max(digest.cold_total, len(digest.cold))


def _mark_nagged(db, digest: Digest) -> None:
    """No relationship this DM covered as going cold is mentioned again today (crm.reminders.going_cold)."""
    if digest.cold and digest.built_at is not None:
        going_cold.mark_nagged(db, user_id=digest.user_id, timezone=digest.timezone, now=digest.built_at)


def enqueue_going_cold(ctx: JobContext, *, now: datetime | None = None) -> Account:
    """Record the day's going-cold section for users past 09:00 local with a relationship going cold;
    the reminders job (every minute) delivers it, with any follow-ups due, in one DM."""
    clock = clock_for(now)
    with transaction(ctx.engine) as db:
        added = going_cold.enqueue_going_cold(db, now=clock())
    return Account(f"going cold: {added} users' sections recorded", noteworthy=bool(added))
