"""`/crm export [filters]` and `/crm campaign export <campaign>`: a CSV sent to the user's DM.

The CSV is built inside the transaction (crm/exports.py streams it from PostgreSQL); the upload
and the reply saying how many rows it holds go out after the commit (CommandContext.upload). When
nothing matches, no file is sent: the reply says so.
"""

from __future__ import annotations

import io

from crm import exports
from crm.clock import local_today
from crm.relationship_list import RelationshipFilter
from crm.text import slug
from handlers.blocks.help import Usage
from handlers.blocks.message import Message
from handlers.commands.campaigns import split_campaign
from handlers.commands.context import CommandContext, need
from handlers.commands.lists import read_list_filters
from handlers.views.campaigns import is_crm_admin

EXPORT = Usage(
    "export [status …] [#tag] [priority>=N] | export archived",
    "a CSV of your list (filters as in list) in your DM; `/crm import` reads it back",
    "/crm export warm #skincare",
)
CAMPAIGN_EXPORT = Usage(
    "campaign export <campaign>",
    "a CSV of the assignments you made (CRM admins: everyone's) with UTM links, in your DM",
    '/crm campaign export "Spring Sale"',
)


def _described(filters: RelationshipFilter) -> str:
    if filters.archived:
        return " (archived)"
    parts = [
        " ".join(filters.statuses),
        f"#{filters.tag}" if filters.tag else "",
        f"priority>={filters.min_priority}" if filters.min_priority is not None else "",
    ]
    shown = " ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def export(ctx: CommandContext, args: list[str]) -> None:
    filters = read_list_filters([a for a in args if a.lower() != "csv"], EXPORT)  # it is always a CSV
    out = io.BytesIO()
    count = exports.write_relationships(ctx.db, out, actor=ctx.actor, filters=filters)
    what = f"{_plural(count, 'relationship')}{_described(filters)}"
    if count == 0:
        ctx.reply(Message(text=f"Nothing to export: no relationships match{_described(filters)}."))
        return
    day = local_today(ctx.now, ctx.tz).isoformat()
    ctx.upload(
        filename=f"crm-export-{day}.csv",
        content=out.getvalue(),
        title=f"CRM export {day}",
        initial_comment=f"Your CRM export: {what}. `/crm import` reads this file back.",
        confirmation=Message(text=f"Exported {what}: the CSV is in your DM with the bot."),
    )


def campaign_export(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, CAMPAIGN_EXPORT, "Which campaign?")
    campaign, _ = split_campaign(ctx, args, rest=0)
    admin = is_crm_admin(ctx.settings, ctx.actor)
    out = io.BytesIO()
    count = exports.write_campaign(
        ctx.db,
        out,
        actor=ctx.actor,
        campaign_id=campaign.id,
        crm_admin=admin,
        public_url=ctx.settings.public_url,  # short link and clicks columns when short links are on
        now=ctx.now,
    )
    whose = "everyone's" if admin else "yours"
    what = f"{_plural(count, 'assignment')} of “{campaign.name}” ({whose})"
    if count == 0:  # only an admin gets here with none: others are refused by write_campaign
        ctx.reply(Message(text=f"Nothing to export: “{campaign.name}” has no assignments yet."))
        return
    day = local_today(ctx.now, ctx.tz).isoformat()
    ctx.upload(
        filename=f"campaign-{slug(campaign.name, default='campaign')}-{day}.csv",
        content=out.getvalue(),
        title=f"{campaign.name} assignments {day}",
        initial_comment=f"Campaign export: {what}.",
        confirmation=Message(text=f"Exported {what}: the CSV is in your DM with the bot."),
    )
