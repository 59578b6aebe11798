"""The personal weekly digest job: each opted-in user's DM, Monday 09:00 in their zone, once a week.

Hourly (and at start) it records the week's digest for every opted-in user whose Monday 09:00 has
come (crm.reminders.personal_digests), claims them with a lease, looks for earlier posts of unknown
outcome (bot.jobs.posting.settle_unconfirmed) and posts each DM through post_once, so a digest is
delivered once per user per week across retries and replicas. A user with nothing on their list and
nothing due gets no DM: the week is recorded as done. Failures are isolated per user.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.db import transaction
from bot.demo_workspace import is_demo_team
from bot.jobs.context import JobContext, clock_for
from bot.jobs.posting import post_once, release_unsettled, settle_unconfirmed, tally_post
from crm.models import User
from crm.personal_digest import personal_digest
from crm.reminders.deliveries import mark_failed, mark_sent
from crm.reminders.personal_digests import DigestClaim, claim_personal_digests, enqueue_personal_digests
from handlers.blocks.personal_digest import personal_digest_message

log = logging.getLogger(__name__)

MAX_ROUNDS = 100  # claims of up to 50 users each per run: 5,000 digests; the next hourly run goes on


@dataclass
class DigestReport:
    enqueued: int = 0
    sent: int = 0
    empty: int = 0  # users with nothing to say this week: recorded, no DM
    failed: int = 0
    unknown: int = 0  # of `failed`: posts Slack may have made (looked for before the next try)
    found_posted: int = 0

    @property
    def noteworthy(self) -> bool:
        return bool(self.sent or self.failed or self.found_posted)

    def __str__(self) -> str:
        text = f"personal-digest: {self.sent} digests sent, {self.failed} failed"
        if self.unknown:
            text += f" ({self.unknown} with unknown outcome)"
        if self.empty:
            text += f", {self.empty} with nothing to say"
        if self.found_posted:
            text += f", {self.found_posted} earlier posts found"
        return text


def send_personal_digests(ctx: JobContext, *, now: datetime | None = None) -> DigestReport:
    """Record, claim and post this week's personal digests (see the module docstring)."""
    clock = clock_for(now)
    report = DigestReport()
    with transaction(ctx.engine) as db:
        report.enqueued = enqueue_personal_digests(db, now=clock())
    for _ in range(MAX_ROUNDS):
        with transaction(ctx.engine) as db:
            claims = claim_personal_digests(db, worker_id=ctx.worker_id, lease=ctx.lease, now=clock())
        if not claims:
            break
        settled = settle_unconfirmed(ctx, delivery_ids=[c.delivery_id for c in claims], clock=clock)
        report.found_posted += len(settled.found)
        done = {i for post in settled.found for i in post.delivery_ids}
        if settled.unsettled:
            release_unsettled(ctx, delivery_ids=list(settled.unsettled), clock=clock, what="DM")
            report.failed += len(settled.unsettled)
            report.unknown += len(settled.unsettled)
        for claim in claims:
            if claim.delivery_id not in done and claim.delivery_id not in settled.unsettled:
                _deliver(ctx, claim, clock, report)
    return report


def _deliver(ctx: JobContext, claim: DigestClaim, clock, report: DigestReport) -> None:
    ids = [claim.delivery_id]
    try:
        with transaction(ctx.engine) as db:
            user = db.get(User, claim.user_id)
            digest = personal_digest(db, actor=user, now=clock())
        if is_demo_team(claim.team_id) or digest.is_empty:  # nobody to DM, or nothing to say
            with transaction(ctx.engine) as db:
                mark_sent(db, worker_id=ctx.worker_id, delivery_ids=ids, now=clock())
            report.empty += 1
            return
        message = personal_digest_message(digest, now=clock())
        channel = ctx.client.conversations_open(users=digest.slack_user_id)["channel"]["id"]
    except Exception as exc:  # isolate per user: their row backs off, the others still go out
        log.warning("weekly digest for user %s failed before posting: %s", claim.user_id, exc)
        with transaction(ctx.engine) as db:
            mark_failed(db, worker_id=ctx.worker_id, delivery_ids=ids, error=str(exc), now=clock())
        report.failed += 1
        return
    result = post_once(ctx, delivery_ids=ids, channel=channel, message=message.to_dict(), clock=clock)
    if tally_post(result, report, log=log, what=f"weekly digest for user {claim.user_id}"):
        report.sent += 1
