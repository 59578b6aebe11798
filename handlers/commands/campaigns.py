"""`/crm campaign new|list|add|status` and `/crm utm`: campaigns and tracking links."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from crm import assignments, campaigns
from crm.errors import Ambiguous, DomainError, NotFound
from crm.models import ASSIGNMENT_STATUSES, Campaign
from crm.urls import looks_like_url
from handlers.blocks.campaign_modals import assign_modal, new_campaign_modal
from handlers.blocks.campaigns import assignment_link, campaign_created, campaign_list
from handlers.blocks.help import Usage
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn, plain_of
from handlers.commands.context import CommandContext, UsageError, need
from handlers.forms import dump_metadata

CAMPAIGN_NEW = Usage(
    "campaign new <name> <landing-url>",
    "create a campaign (a form when something is missing)",
    '/crm campaign new "Spring Sale" https://shop.example.com/spring',
)
CAMPAIGN_LIST = Usage("campaign list", "the workspace's campaigns", "/crm campaign list")
CAMPAIGN_ADD = Usage(
    "campaign add <campaign> <influencer>",
    "assign an influencer, with UTM values to review",
    '/crm campaign add "Spring Sale" @maya',
)
CAMPAIGN_STATUS = Usage(
    "campaign status <campaign> <influencer> <planned|active|completed|cancelled>",
    "move an assignment along",
    '/crm campaign status "Spring Sale" @maya active',
)
UTM = Usage(
    "utm <campaign> <influencer>", "the tracking link (assigns if needed)", '/crm utm "Spring Sale" @maya'
)


def campaign_new(ctx: CommandContext, args: list[str]) -> None:
    url = args[-1] if args and looks_like_url(args[-1]) else None
    name = " ".join(args[:-1] if url else args).strip()
    if not name or not url:
        ctx.open_modal(new_campaign_modal(name=name or None, landing_url=url))
        return
    campaign = campaigns.create_campaign(ctx.db, actor=ctx.actor, name=name, landing_url=url)
    ctx.reply(campaign_created(campaign))


def campaign_list_(ctx: CommandContext, args: list[str]) -> None:
    if args:
        raise UsageError(CAMPAIGN_LIST, "`campaign list` takes no arguments.")
    ctx.reply(campaign_list(campaigns.list_campaigns(ctx.db, team_id=ctx.team_id)))


def campaign_add(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, CAMPAIGN_ADD)
    campaign, rest = split_campaign(ctx, args, rest=1)
    influencer = ctx.influencer(" ".join(rest))
    try:  # already assigned by me: show my stored values, not the defaults
        existing = assignments.get_assignment(
            ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_id=influencer.id
        )
        utm = assignments.UtmValues(
            existing.utm_source,
            existing.utm_medium,
            existing.utm_campaign,
            existing.utm_content,
            existing.utm_term,
        )
        preview = existing.utm_url or assignments.preview_link(campaign, influencer, utm)
    except NotFound:
        utm = assignments.default_utm(campaign, influencer)
        preview = assignments.preview_link(campaign, influencer, utm)
    view = assign_modal(
        campaign, influencer, utm=utm, preview=preview, metadata=dump_metadata(c=campaign.id, i=influencer.id)
    )
    ctx.open_modal(view)


def campaign_status(ctx: CommandContext, args: list[str]) -> None:
    need(args, 3, CAMPAIGN_STATUS)
    value = args[-1].lower()
    if value not in ASSIGNMENT_STATUSES:
        raise UsageError(CAMPAIGN_STATUS, f"“{args[-1][:40]}” is not an assignment status.")
    campaign, rest = split_campaign(ctx, args[:-1], rest=1)
    influencer = ctx.influencer(" ".join(rest))
    assignments.set_assignment_status(
        ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_id=influencer.id, status=value
    )
    text = f"*{mrkdwn(influencer.name, 200)}* in *{mrkdwn(campaign.name, 200)}* is now *{value}*."
    ctx.reply(Message(text=plain_of(text), blocks=[_section(text)]))


def utm(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, UTM)
    campaign, rest = split_campaign(ctx, args, rest=1)
    influencer = ctx.influencer(" ".join(rest))
    assignment, created = assignments.assign_influencer(
        ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_id=influencer.id
    )
    ctx.reply(assignment_link(assignment, campaign, influencer, created=created))


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def split_campaign(ctx: CommandContext, args: list[str], *, rest: int) -> tuple[Campaign, list[str]]:
    """The campaign named by the first words of `args` and the words after it.

    Quotes make it exact (`"Spring Sale" @maya`); without them the longest leading run of words
    that names a campaign wins, leaving at least `rest` words for what follows.
    """
    error: DomainError | None = None
    for size in range(len(args) - rest, 0, -1):
        try:
            campaign = campaigns.resolve_campaign(ctx.db, team_id=ctx.team_id, ref=" ".join(args[:size]))
        except (NotFound, Ambiguous) as exc:
            if not isinstance(error, Ambiguous):  # "several match" helps more than "none matches"
                error = exc
            continue
        return campaign, args[size:]
    assert error is not None
    raise error
