"""`/crm` subcommands that list one's relationships: list (with its filters, which export reads
too), due, find. Each answers with a page of rows (handlers/actions/paging.py turns the pages)."""

from __future__ import annotations

import re

from crm.followups import DUE_WEEK_DAYS
from crm.models import RELATIONSHIP_STATUSES
from crm.relationship_fields import PRIORITY_MAX
from crm.relationship_list import RelationshipFilter
from crm.suggest import STATUS_SYNONYMS, close_matches, did_you_mean, one_of
from handlers.actions.paging import list_page
from handlers.blocks.help import Usage
from handlers.blocks.lists import ListQuery
from handlers.commands.context import CommandContext, UsageError, need

LIST = Usage(
    "list [status …] [#tag] [priority>=N] | list archived",
    "your relationships, strongest first (several statuses: any of them; archived: those you removed)",
    "/crm list warm #skincare",
)
DUE = Usage(
    "due [week]",
    f"follow-ups due today and overdue; with week, the {DUE_WEEK_DAYS} days ahead too",
    "/crm due week",
)
FIND = Usage("find <text>", "search names, handles, e-mails, your tags and notes", "/crm find skincare")


def read_list_filters(args: list[str], usage: Usage = LIST) -> RelationshipFilter:
    """The filters of `/crm list` (and `/crm export`): statuses (any of them), a #tag, priority>=N,
    or `archived` alone; a UsageError with `usage` for anything else."""
    if [word.lower() for word in args] == ["archived"]:
        return RelationshipFilter(archived=True)
    statuses: list[str] = []
    tag_filter = min_priority = None
    for word in args:
        lowered = word.lower()
        if lowered in RELATIONSHIP_STATUSES:
            if lowered not in statuses:  # several: any of them (`warm partnered`)
                statuses.append(lowered)
        elif word.startswith("#") and len(word) > 1:
            if tag_filter not in (None, word[1:]):
                raise UsageError(usage, f"One #tag at a time (got #{tag_filter[:40]} and {word[:40]}).")
            tag_filter = word[1:]
        elif lowered.startswith(("priority>=", "p>=", ">=")):
            number = lowered.rsplit(">=", 1)[1]
            if not (number.isascii() and number.isdigit() and int(number) <= PRIORITY_MAX):
                raise UsageError(
                    usage, f"“{word[:40]}”: priority must be from 0 to {PRIORITY_MAX}, e.g. priority>=3."
                )
            if min_priority not in (None, int(number)):
                raise UsageError(usage, "Give priority>=N once.")
            min_priority = int(number)
        elif lowered == "archived":
            raise UsageError(usage, "`archived` means everyone you removed; it takes no other filters.")
        else:
            problem, meant_word = _not_a_filter(word)
            meant = [usage.usage.split(" ", 1)[0], *(meant_word if w is word else w for w in args)]
            raise UsageError(usage, problem, meant=meant if meant_word else None)
    return RelationshipFilter(statuses=tuple(statuses), tag=tag_filter, min_priority=min_priority)


# A priority filter written another way: "priority>3", "p=4", "priority=>2".
_PRIORITY_OTHERWISE = re.compile(r"(?:priority|p)?(>|=>|==?)(\d)")


def _not_a_filter(word: str) -> tuple[str, str | None]:
    """Why `word` is no list filter, and the priority>=N or status it was probably meant as (None
    when none: a #tag is only suggested, as a word may be meant as several things)."""
    shown = word[:40]
    guess = did_you_mean(word.lower(), RELATIONSHIP_STATUSES, synonyms=STATUS_SYNONYMS)
    meant = next(
        iter(close_matches(word.lower(), RELATIONSHIP_STATUSES, n=1, synonyms=STATUS_SYNONYMS)), None
    )
    if match := _PRIORITY_OTHERWISE.fullmatch(word.lower()):
        least = int(match.group(2)) + (1 if match.group(1) == ">" else 0)  # whole numbers: >3 is >=4
        if least <= PRIORITY_MAX:
            meant = f"priority>={least}"
            guess = f"Did you mean “{meant}”?"
    if not guess and not word.startswith("#") and word.replace("-", "").isalnum():
        guess = f"For a tag, write #{shown}."
    filters = f"a status ({one_of(RELATIONSHIP_STATUSES)}), a #tag, priority>=N, or archived alone"
    return " ".join(f"“{shown}” is not a filter. {guess} Filters are {filters}.".split()), meant


def list_(ctx: CommandContext, args: list[str]) -> None:
    filters = read_list_filters(args)
    if filters.archived:
        ctx.reply(list_page(ctx.db, ctx.actor, ListQuery("archived"), now=ctx.now))
        return
    query = ListQuery("list", statuses=filters.statuses, tag=filters.tag, min_priority=filters.min_priority)
    ctx.reply(list_page(ctx.db, ctx.actor, query, now=ctx.now))


def due(ctx: CommandContext, args: list[str]) -> None:
    """`/crm due` (or `due today`, `due overdue`: what it shows anyway): due today and overdue;
    `/crm due week`: and in the DUE_WEEK_DAYS days ahead."""
    words = [word.lower() for word in args]
    today = words in ([], ["today"], ["overdue"], ["now"])
    if not today and words not in (["week"], ["this", "week"]):
        raise UsageError(DUE, f"`due` takes nothing, or week: `/crm due week` (not “{' '.join(args)[:40]}”).")
    kind = "due" if today else "week"
    ctx.reply(list_page(ctx.db, ctx.actor, ListQuery(kind), now=ctx.now))


def find(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, FIND)
    ctx.reply(list_page(ctx.db, ctx.actor, ListQuery("find", text=" ".join(args)), now=ctx.now))
