"""`/crm followup <influencer> <when|clear>`: when to follow up with a creator, as people type it.

The date is read by crm.follow_up_phrases; this module finds where the creator's words end and the
date's begin, and answers a mistyped date with the command as it was probably meant.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from crm import followups, scoped
from crm.cadence import parse_cadence
from crm.clock import local_today
from crm.errors import InvalidInput, NoMatch
from crm.follow_up_phrases import WEEKDAYS, NotADate, parse_follow_up, respelled
from handlers.blocks.follow_up_undo import follow_up_set_message, follow_ups_set_message
from handlers.blocks.help import Usage
from handlers.blocks.text import fmt_datetime, mrkdwn
from handlers.commands.campaigns import creators_for, several_creators
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.tokens import as_typed, respelled_problem

FOLLOWUP = Usage(
    "followup <influencer> [more … | #tag] [when|clear]",
    "when to follow up: tomorrow 3pm, fri afternoon, Dec 24, 2026-12-24 10:00, in 2 weeks, end of month"
    " (reminder at that time, 09:00 when none is given), with Undo; without a date, the one set now;"
    " several at once",
    "/crm followup @maya tomorrow 3pm",
)
FOLLOW_UP_WORDS = 6  # the longest date a follow-up takes: "Dec 24 2026 at 3 pm"


def _split_when(ctx: CommandContext, args: list[str]) -> tuple[list[str], date | datetime | None]:
    """(the creator's words, the follow-up) of `followup <influencer> <when>`.

    The date is the longest tail of up to FOLLOW_UP_WORDS words written like one ("Dec 24 3pm",
    "in 2 weeks"). A tail that is a date but a wrong one ("in 99999 weeks", "03/04") decides too:
    its message, which says what is wrong, is the answer. With no date at all, the last word is named.
    """
    today = local_today(ctx.now, ctx.tz)
    for size in range(min(FOLLOW_UP_WORDS, len(args) - 1), 0, -1):
        try:
            return args[:-size], parse_follow_up(" ".join(args[-size:]), tz=ctx.tz, today=today)
        except NotADate:
            continue
    try:  # `followup Dec 24`: all of it is a date, the creator is missing
        parse_follow_up(" ".join(args), tz=ctx.tz, today=today)
    except NotADate:
        _refuse_mistyped_date(ctx, args, today)
        raise UsageError(FOLLOWUP, NotADate(args[-1][:40]).message) from None
    except InvalidInput:
        pass
    raise UsageError(FOLLOWUP, "Name the creator first, then when to follow up.")


# How a repeating follow-up is written: "every monday", "each week", "weekly".
_REPEATING = re.compile(
    r"(?:every|each)\b.*|daily|weekly|biweekly|fortnightly|monthly|quarterly", re.IGNORECASE
)


def _refuse_repeating(args: list[str]) -> None:
    """`followup @maya every monday`: a follow-up is one date; a repeating one is a cadence, which
    `/crm cadence` sets. Answered with that command, the cadence as typed when it reads as one."""
    for at in range(1, len(args)):
        tail = " ".join(args[at:])
        if not _REPEATING.fullmatch(tail):
            continue
        try:
            parse_cadence(tail)
            every = tail
        except InvalidInput:  # "every monday": a weekday each week
            every = "weekly" if any(w.lower().rstrip("s") in WEEKDAYS for w in args[at + 1 :]) else "2w"
        example = f"/crm cadence {as_typed(args[:at])} {every}"
        problem = (
            f"A follow-up is one date, and “{tail[:60]}” repeats. To keep in touch regularly, set a"
            f" cadence: {example} (each email, call or meeting you log then sets the next follow-up)."
        )
        raise UsageError(FOLLOWUP, problem)


def _refuse_mistyped_date(ctx: CommandContext, args: list[str], today: date) -> None:
    """`followup @maya nxt week`: when respelling the longest tail of words makes it a date, name
    that tail and give the command as it was probably meant."""
    for size in range(min(FOLLOW_UP_WORDS, len(args) - 1), 0, -1):
        tail = " ".join(args[-size:])
        if (meant := respelled(tail, tz=ctx.tz, today=today)) is not None:
            problem = respelled_problem("date", tail, meant, command="followup", before=args[:-size])
            raise UsageError(FOLLOWUP, problem, meant=["followup", *args[:-size], *meant.split()])


def followup(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, FOLLOWUP)
    if len(args) == 1:
        _show(ctx, args[0])
        return
    _refuse_repeating(args)
    ref_words, due = _split_when(ctx, args)
    if (refs := several_creators(ref_words)) is not None:  # `/crm followup @maya @zoe next friday`
        creators = creators_for(ctx, refs, at_most=followups.FOLLOW_UP_AT_ONCE_MAX)
        results = followups.set_follow_ups(
            ctx.db, actor=ctx.actor, influencer_ids=[c.id for c in creators], due=due, now=ctx.now
        )
        ctx.home_changed = True
        ctx.reply(follow_ups_set_message(results[0][0].follow_up_date, results, tz=ctx.tz))
        return
    try:
        influencer = ctx.influencer(" ".join(ref_words))
    except NoMatch:  # `followup @maya tusday 3pm`: "3pm" was the date, "tusday" the creator's name
        _refuse_mistyped_date(ctx, args, local_today(ctx.now, ctx.tz))
        raise
    [(rel, had, had_from_cadence)] = followups.set_follow_ups(
        ctx.db, actor=ctx.actor, influencer_ids=[influencer.id], due=due, now=ctx.now
    )
    ctx.home_changed = (had, had_from_cadence) != (rel.follow_up_date, False)
    ctx.reply(follow_up_set_message(rel, had, had_from_cadence, tz=ctx.tz))


def _show(ctx: CommandContext, word: str) -> None:
    """`followup @maya`: the follow-up set now, and how to change it (`followup tomorrow`: the date
    without a creator, refused as before)."""
    try:
        parse_follow_up(word, tz=ctx.tz, today=local_today(ctx.now, ctx.tz))
    except (NotADate, InvalidInput):
        pass
    else:
        raise UsageError(FOLLOWUP, "Name the creator first, then when to follow up.")
    influencer = ctx.influencer(word)
    rel = scoped.get_relationship(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    name = f"*{mrkdwn(influencer.name, 200)}*"
    handle = mrkdwn(influencer.handle, 100)
    if rel.follow_up_date is None:
        text = f"No follow-up with {name} yet. Set one: `/crm followup @{handle} tomorrow 3pm`."
    else:
        how = "by the cadence" if rel.follow_up_from_cadence else "set by hand"
        text = (
            f"Follow-up with {name}: *{fmt_datetime(rel.follow_up_date, ctx.tz)}* ({how}). Change it:"
            f" `/crm followup @{handle} fri 3pm`, or `/crm followup @{handle} clear` to remove it."
        )
    ctx.say(text, influencer.id)
