"""A creator's link unfurl (public facts, seen by the whole channel) and the "Open my card" answers.

The unfurl is built only from crm.unfurls.CreatorFacts, which holds nothing private; the card a
click opens is the clicker's own (handlers/blocks/cards.py), shown to them alone.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.models import Influencer
from crm.profiles import platform_label
from crm.unfurls import CreatorFacts
from handlers.blocks.cards import profile_line
from handlers.blocks.message import Message, context
from handlers.blocks.text import mrkdwn, plain_of, plural
from handlers.ids import Action, Block

# Profiles listed in an unfurl ("and N more" after them): four lines of at most ~650 characters
# each keep the section within Slack's 3,000.
PROFILE_LINES = 4


def _profiles_text(facts: CreatorFacts) -> str:
    lines = [profile_line(p) for p in facts.profiles[:PROFILE_LINES]]  # type: ignore[arg-type]
    if len(facts.profiles) > PROFILE_LINES:
        lines.append(f"and {len(facts.profiles) - PROFILE_LINES} more")
    return " · ".join(lines)


def _campaigns_text(facts: CreatorFacts) -> str:
    if not facts.campaigns:
        return "In no campaign yet"
    names = ", ".join(mrkdwn(name, 100) for name in facts.campaigns)
    more = f" and {facts.more_campaigns} more" if facts.more_campaigns else ""
    return f"Campaigns: {names}{more}"


def _trackers_text(facts: CreatorFacts) -> str:
    if not facts.trackers:
        return "On nobody's list yet"
    return f"On the list of {plural(facts.trackers, 'teammate')}"


def creator_unfurl(facts: CreatorFacts) -> dict[str, Any]:
    """The `unfurls` entry for one link: name, profiles, teammates tracking, campaigns, and a button
    that shows the clicker their own card (validated by slack_sdk, like every message)."""
    name = mrkdwn(facts.name, 200)
    summary = f"*{name}*"
    if facts.profiles:
        summary += f"\n{_profiles_text(facts)}"
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=summary)),
        context(_trackers_text(facts), _campaigns_text(facts)),
        ActionsBlock(
            block_id=Block.UNFURL_ACTIONS,
            elements=[
                ButtonElement(
                    text=PlainTextObject(text="Open my card"),
                    action_id=Action.UNFURL_OPEN_CARD,
                    value=str(facts.influencer_id),
                )
            ],
        ),
    ]
    platforms = ", ".join(f"{platform_label(p.platform)} @{p.handle}" for p in facts.profiles[:PROFILE_LINES])
    fallback = f"{facts.name}" + (f" ({platforms})" if platforms else "")
    message = Message(text=fallback, blocks=blocks).to_dict()
    # An unfurl is a message attachment: its plain text goes in `fallback`, not `text`.
    return {"blocks": message["blocks"], "fallback": message["text"]}


def not_on_my_list(influencer: Influencer) -> Message:
    """The answer to "Open my card" for a creator the clicker does not track: say so, offer Add."""
    text = f"*{mrkdwn(influencer.name, 200)}* is not on your list."
    hint = "Add them to keep your own notes, status and follow-ups (only you see those)."
    return Message(
        text=plain_of(f"{text} {hint}"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"{text}\n{hint}"),
                accessory=ButtonElement(
                    text=PlainTextObject(text="Add to my list"),
                    action_id=Action.ADD_TO_LIST,
                    value=str(influencer.id),
                ),
            )
        ],
    )
