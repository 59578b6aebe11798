"""The relationship card: one influencer as the acting user sees them, with buttons to act on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.dashboard import AssignmentSummary, RelationshipCard
from crm.influencers import ProfileSummary
from crm.interactions import InteractionSummary
from crm.links import short_link
from crm.models import InfluencerProfile, Interaction, Relationship
from crm.profiles import platform_label
from crm.scoped import InfluencerSummary, RelationshipSummary
from crm.strength import EXPLAIN_WINDOW, PROJECTION, StrengthExplanation
from handlers.blocks.fields import INTERACTION_TYPE_LABELS
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import (
    SECTION_FIELD,
    SECTION_TEXT,
    clip,
    days_ago,
    fmt_date,
    fmt_datetime,
    link,
    mrkdwn,
    plural,
)
from handlers.ids import Action, Block

NOTES_EXCERPT = 600
RECENT_LINES = 5
CAMPAIGN_LINES = 10


def influencer_line(influencer: InfluencerSummary) -> str:
    """'@maya · Instagram · 12,400 followers · `maya@example.com` · <profile>' (escaped mrkdwn;
    the address in code, so that Slack does not turn user text into a mailto link)."""
    parts = [f"@{mrkdwn(influencer.handle)}", mrkdwn(platform_label(influencer.platform))]
    if influencer.follower_count is not None:
        parts.append(f"{influencer.follower_count:,} followers")
    if influencer.email:
        parts.append(f"`{mrkdwn(influencer.email.replace('`', ''), 255)}`")
    if profile := link(influencer.profile_url, "profile", limit=500):
        parts.append(profile)
    return " · ".join(parts)


def profile_line(profile: InfluencerProfile | ProfileSummary) -> str:
    """'TikTok <link|@priya.r>' (escaped mrkdwn); a site shows its address without an "@"."""
    handle = profile.handle
    site = "/" in handle or profile.identity_key == f"url:{handle.lower()}"
    label = mrkdwn(handle if site else f"@{handle}", 100)
    return f"{mrkdwn(platform_label(profile.platform))} {link(profile.url, label, limit=500) or label}"


def profiles_section(profiles: Sequence[ProfileSummary]) -> SectionBlock | None:
    """Every profile of a creator on more than one, primary first; None for a single profile (the
    line under the name shows it)."""
    if len(profiles) < 2:
        return None
    text = _lines([f"• {profile_line(p)}" for p in profiles], SECTION_TEXT - 30)
    return SectionBlock(text=MarkdownTextObject(text=f"*Profiles*\n{text}"))


def tags_text(tags: Sequence[str]) -> str:
    return " ".join(f"`#{mrkdwn(t)}`" for t in tags) if tags else "none"


def follow_up_text(rel: Relationship | RelationshipSummary, tz: ZoneInfo, now: datetime) -> str:
    if rel.follow_up_date is None:
        return "none"
    overdue = " (overdue)" if rel.follow_up_date < now else ""
    return f"{fmt_datetime(rel.follow_up_date, tz)}{overdue}"


def interaction_line(interaction: Interaction | InteractionSummary, tz: ZoneInfo) -> str:
    kind = INTERACTION_TYPE_LABELS.get(interaction.type, interaction.type)
    about = interaction.subject or interaction.content or ""
    line = f"• {fmt_date(interaction.interaction_date, tz)} · *{kind}*"
    if about:
        line += f" · {mrkdwn(about, 120)}"
    if attachment := link(interaction.file_url, "link", limit=500):
        line += f" · {attachment}"
    return line


def assignment_line(assignment: AssignmentSummary, public_url: str | None) -> str:
    """A campaign the creator is assigned to: its tracked short link when the bot serves them
    (CRM_PUBLIC_URL, so clicks are counted), else the UTM link itself."""
    line = f"• *{mrkdwn(assignment.campaign_name, 100)}* · {assignment.status}"
    if public_url and assignment.utm_url:
        tracking = link(short_link(public_url, assignment.short_code), "tracked link")
    else:
        tracking = link(assignment.utm_url, "tracking link")
    if tracking:
        line += f" · {tracking}"
    return line


def _lines(lines: Sequence[str], limit: int) -> str:
    """Join lines, stopping before the section limit and saying how many were left out."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        more = len(lines) - i
        tail = f"\n…and {more} more"
        if used + len(line) + 1 + len(tail) > limit:
            out.append(tail.strip())
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def strength_text(explained: StrengthExplanation) -> str:
    """'*What drives the strength*' and three lines: interactions by type in the last 90 days, days
    since the last contact, and the score in 30 days if nothing is logged (crm.strength.explain)."""
    window, ahead = EXPLAIN_WINDOW.days, PROJECTION.days
    counts = " · ".join(
        plural(n, INTERACTION_TYPE_LABELS.get(kind, kind).lower())
        for kind, n in explained.recent_by_type.items()
    )
    since = explained.days_since_contact
    contact = "never contacted" if since is None else f"last contact {plural(since, 'day')} ago"
    if since == 0:
        contact = "last contact today"
    return (
        f"*What drives the strength* ({explained.score} / 100)\n"
        f"Last {window} days: {counts or 'nothing logged'}\n"
        f"{contact.capitalize()}\n"
        f"In {ahead} days, if nothing is logged: *{explained.projected}* / 100"
    )


def card_buttons(influencer_id: str) -> ActionsBlock:
    """Log interaction / Edit / Set follow-up / History (every interaction, each with Edit and
    Delete); every value is the influencer id, re-checked on click."""
    return ActionsBlock(
        block_id=Block.CARD_ACTIONS,
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Log interaction"),
                action_id=Action.CARD_LOG,
                value=influencer_id,
                style="primary",
            ),
            ButtonElement(text=PlainTextObject(text="Edit"), action_id=Action.CARD_EDIT, value=influencer_id),
            ButtonElement(
                text=PlainTextObject(text="Set follow-up"),
                action_id=Action.CARD_FOLLOW_UP,
                value=influencer_id,
            ),
            ButtonElement(
                text=PlainTextObject(text="History"), action_id=Action.CARD_HISTORY, value=influencer_id
            ),
        ],
    )


def card_message(
    card: RelationshipCard, *, tz: ZoneInfo, now: datetime, public_url: str | None = None
) -> Message:
    """The card of crm.dashboard.relationship_card (`/crm show`, Show buttons, "Open my card"):
    status, priority, tags, strength, contact, follow-up, what drives the strength, notes, history,
    campaigns (with tracked short links when `public_url`, CRM_PUBLIC_URL, is set)."""
    rel, influencer = card.relationship, card.influencer
    fields = [
        f"*Status*\n{rel.status.capitalize()}",
        f"*Priority*\n{rel.priority} / 5",
        f"*Strength*\n{rel.relationship_strength} / 100",
        f"*Last contact*\n{fmt_date(rel.last_contacted_at, tz, empty='never')}"
        + (f" ({days_ago(rel.last_contacted_at, now)})" if rel.last_contacted_at else ""),
        f"*Follow-up*\n{follow_up_text(rel, tz, now)}",
        f"*Tags*\n{clip(tags_text(rel.tags), SECTION_FIELD - 10)}",
    ]
    blocks = [
        header(influencer.name),
        context(influencer_line(influencer)),
    ]
    if profiles := profiles_section(card.profiles):
        blocks.append(profiles)
    blocks.append(SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=strength_text(card.strength))))
    if rel.notes:
        excerpt = mrkdwn(rel.notes, NOTES_EXCERPT, from_end=True)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Notes*\n{excerpt}")))
    if recent := card.recent_interactions:
        lines = [interaction_line(i, tz) for i in recent[:RECENT_LINES]]
        text = _lines(lines, SECTION_TEXT - 60)
        if card.more_interactions:
            text += "\n…and more: *History* lists every one."
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Last interactions*\n{text}")))
    if card.assignments:
        lines = [assignment_line(a, public_url) for a in card.assignments]
        text = _lines(lines[:CAMPAIGN_LINES], SECTION_TEXT - 30)
        if len(lines) > CAMPAIGN_LINES:
            text += f"\n…and {len(lines) - CAMPAIGN_LINES} more"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Campaigns*\n{text}")))
    blocks.append(card_buttons(str(influencer.id)))
    fallback = f"{influencer.name} (@{influencer.handle}): {rel.status}, priority {rel.priority}"
    return Message(text=fallback, blocks=blocks)
