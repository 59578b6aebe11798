"""`/crm cadence` (a relationship's contact cadence) and `/crm admin cadence` (defaults per status).

`cadence <influencer> <every>` sets it, `… off` clears it, `cadence <influencer>` shows it with what
it means now. The cadence is the longest tail of up to CADENCE_WORDS words written like one ("2w",
"3 weeks", "every other week"); words that are not a cadence, or one outside 1 day to 1 year, are
refused naming the words, with an example, and nothing changes.
"""

from __future__ import annotations

from crm import cadence
from crm.cadence import NotACadence, describe, parse_cadence
from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.going_cold import DEFAULT_CADENCE_DAYS, GOING_COLD_STATUSES
from crm.models import RELATIONSHIP_STATUSES
from crm.scoped import get_relationship
from crm.suggest import STATUS_SYNONYMS, did_you_mean, one_of
from handlers.blocks.help import Usage
from handlers.blocks.text import days_ago, fmt_datetime, mrkdwn
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.tokens import respelled_problem

CADENCE = Usage(
    "cadence <influencer> [every|off]",
    "how often to contact them: a contact sets the next follow-up; past it they are going cold",
    "/crm cadence @maya 2w",
)
ADMIN_CADENCE = Usage(
    "admin cadence [status every|off]",
    "admins: the workspace's default cadence per status",
    "/crm admin cadence warm 3w",
)
CADENCE_WORDS = 3  # the longest cadence: "every other week", "every 3 weeks"


def _split(ctx: CommandContext, args: list[str]) -> tuple[list[str], int | None, bool]:
    """(the creator's words, the cadence in days or None for off, whether a cadence was given)."""
    for size in range(min(CADENCE_WORDS, len(args) - 1), 0, -1):
        try:
            return args[:-size], parse_cadence(" ".join(args[-size:])), True
        except NotACadence:
            continue
        except InvalidInput as exc:  # a cadence, but out of range: its message says so
            raise UsageError(CADENCE, exc.message) from None
    return args, None, False


def _creator_or_wrong_cadence(ctx: CommandContext, args: list[str]):
    """The creator all of `args` names; when they name no one but the words before the last one to
    CADENCE_WORDS do, those last words were meant as the cadence and are named as the problem."""
    try:
        return ctx.influencer(" ".join(args))
    except NotFound as missing:
        for size in range(1, min(CADENCE_WORDS, len(args) - 1) + 1):
            try:
                ctx.influencer(" ".join(args[:-size]))
            except NotFound:
                continue
            except Ambiguous:
                pass
            tail = " ".join(args[-size:])
            if (meant := cadence.respelled(tail)) is not None:  # `cadence @maya every 2 wekks`
                problem = respelled_problem("cadence", tail, meant, command="cadence", before=args[:-size])
                raise UsageError(CADENCE, problem, meant=["cadence", *args[:-size], *meant.split()]) from None
            raise UsageError(CADENCE, NotACadence(tail[:40]).message) from None
        raise missing from None


def run_cadence(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, CADENCE)
    ref_words, days, given = _split(ctx, args)
    if not given:
        influencer = _creator_or_wrong_cadence(ctx, args)
        _show(ctx, influencer)
        return
    influencer = ctx.influencer(" ".join(ref_words))
    rel = cadence.set_cadence(ctx.db, actor=ctx.actor, influencer_id=influencer.id, days=days, now=ctx.now)
    ctx.home_changed = True
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if days is None:
        ctx.say(f"No cadence for {name} any more; the follow-up stays as it is.", influencer.id)
        return
    said = (
        f"Contact {name} {describe(days)}: each email, call or meeting you log sets the next follow-up, "
        f"and past it they show as going cold."
    )
    if rel.follow_up_date is not None:
        how = "from your last contact" if rel.follow_up_from_cadence else "set by hand, kept"
        said += f"\nNext follow-up: *{fmt_datetime(rel.follow_up_date, ctx.tz)}* ({how})."
    ctx.say(said, influencer.id)


def _show(ctx: CommandContext, influencer) -> None:
    rel = get_relationship(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    days, from_default = cadence.cadence_of(ctx.db, actor=ctx.actor, relationship=rel)
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if days is None:
        line = f"{name} has no cadence. Set one: `/crm cadence @{mrkdwn(influencer.handle, 80)} 2w`."
        if rel.status in GOING_COLD_STATUSES:
            line += f" While {rel.status}, they count as going cold after {DEFAULT_CADENCE_DAYS} days."
    elif from_default:
        line = f"{name}: contact {describe(days)} (the workspace default for {rel.status})."
    else:
        line = f"{name}: contact {describe(days)}."
    line += f"\nLast contact: {days_ago(rel.last_contacted_at, ctx.now)}"
    if rel.follow_up_date is not None:
        how = "by the cadence" if rel.follow_up_from_cadence else "by hand"
        line += f" · next follow-up {fmt_datetime(rel.follow_up_date, ctx.tz)} (set {how})"
    ctx.say(line, influencer.id)


def admin_cadence(ctx: CommandContext, args: list[str]) -> None:
    """`/crm admin cadence [status every|off]` — the caller has checked that the actor is an admin."""
    if not args:
        defaults = cadence.status_defaults(ctx.db, team_id=ctx.team_id)
        lines = [f"• *{s}*: {describe(defaults.get(s))}" for s in RELATIONSHIP_STATUSES]
        note = (
            f"Warm and partnered relationships without one go cold after {DEFAULT_CADENCE_DAYS} days. "
            "A relationship's own cadence (`/crm cadence`) wins."
        )
        ctx.say("*Default cadence per status*\n" + "\n".join(lines) + f"\n{note}")
        return
    status = args[0].lower()
    if status not in RELATIONSHIP_STATUSES:
        guess = did_you_mean(status, RELATIONSHIP_STATUSES, synonyms=STATUS_SYNONYMS)
        problem = f"“{args[0][:40]}” is not a status. {guess} Use {one_of(RELATIONSHIP_STATUSES)}."
        raise UsageError(ADMIN_CADENCE, " ".join(problem.split()))
    if len(args) < 2:
        raise UsageError(ADMIN_CADENCE, "Give the cadence after the status, or off.")
    try:
        days = parse_cadence(" ".join(args[1:]))
    except InvalidInput as exc:
        raise UsageError(ADMIN_CADENCE, exc.message) from None
    cadence.set_status_default(ctx.db, team_id=ctx.team_id, status=status, days=days)
    if days is None:
        ctx.say(f"No default cadence for *{status}* relationships any more.")
    else:
        ctx.say(f"*{status.capitalize()}* relationships: contact {describe(days)}, unless one has its own.")
