"""`/crm` subcommands about one's own relationships: add, show, status, priority, tag, followup,
note, log, list, due, find. Each parses its words, calls one crm function, and replies."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from crm import dashboard, followups, influencers, relationships
from crm.clock import local_today
from crm.errors import InvalidInput
from crm.models import INTERACTION_TYPES, RELATIONSHIP_STATUSES
from handlers.actions.paging import list_page
from handlers.blocks.cards import card_buttons, relationship_card, tags_text
from handlers.blocks.help import Usage
from handlers.blocks.lists import ListQuery
from handlers.blocks.message import Message
from handlers.blocks.text import fmt_datetime, mrkdwn, plain_of
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.creators import read_add
from handlers.commands.tokens import rest_after
from handlers.views.openers import log_modal_for, notes_modal_for

ADD = Usage(
    'add ["Name"] <@handle [platform] | profile-url>',
    "save a creator to your list (the name is optional)",
    '/crm add "Priya Raman" @priya youtube',
)
SHOW = Usage("show <influencer>", "their card: status, notes, history, campaigns", '/crm show "Maya Lopez"')
STATUS = Usage(
    "status <influencer> <saved|contacted|warm|cold|partnered>",
    "move them in your pipeline",
    "/crm status @maya warm",
)
PRIORITY = Usage("priority <influencer> <0-5>", "how much they matter to you", "/crm priority @maya 4")
TAG = Usage("tag <influencer> +tag -tag …", "add or remove tags", "/crm tag @maya +skincare -beauty")
FOLLOWUP = Usage(
    "followup <influencer> <YYYY-MM-DD|today|tomorrow|in N days|next monday|clear>",
    "when to follow up (reminder at 09:00)",
    "/crm followup @maya next monday",
)
NOTE = Usage(
    "note <influencer> [text]", "append a note (no text: open your notes)", "/crm note @maya Loved the brief"
)
LOG = Usage(
    "log <influencer> [email|call|meeting|note|file]",
    "log an interaction (opens a form)",
    "/crm log @maya call",
)
LIST = Usage(
    "list [status] [#tag] [priority>=N]", "your relationships, strongest first", "/crm list warm #skincare"
)
DUE = Usage("due", "follow-ups due today and overdue", "/crm due")
FIND = Usage("find <text>", "search names, handles, your tags and notes", "/crm find skincare")

TYPE_WORDS = {t: t for t in INTERACTION_TYPES} | {"file": "file_upload"}


def _ref(args: list[str]) -> str:
    return " ".join(args)


def _say(ctx: CommandContext, text: str, influencer_id=None) -> None:
    """A one-line ephemeral confirmation, with the card's buttons when it is about one influencer."""
    blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
    if influencer_id is not None:
        blocks.append(card_buttons(str(influencer_id)))
    ctx.reply(Message(text=plain_of(text), blocks=blocks))


def add(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, ADD)
    words = read_add(args, ADD)
    if ctx.picked_influencer_id is not None:
        influencer = ctx.influencer(words.ref)
    else:
        influencer = influencers.save_influencer(
            ctx.db,
            team_id=ctx.team_id,
            ref=words.ref,
            platform=words.platform,
            profile_url=words.url,
            name=words.name,
        )
    _, created = relationships.add_to_list(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    ctx.home_changed = created
    who = f"*{mrkdwn(influencer.name, 200)}* (@{mrkdwn(influencer.handle, 100)} · {influencer.platform})"
    _say(ctx, f"Added {who} to your list." if created else f"{who} is already on your list.", influencer.id)


def show(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, SHOW)
    influencer = ctx.influencer(_ref(args))
    card = dashboard.relationship_card(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    ctx.reply(
        relationship_card(
            card.relationship,
            card.influencer,
            card.recent_interactions,
            card.assignments,
            tz=ctx.tz,
            now=ctx.now,
        )
    )


def status(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, STATUS)
    value = args[-1].lower()
    if value not in RELATIONSHIP_STATUSES:
        raise UsageError(STATUS, f"“{args[-1][:40]}” is not a status.")
    influencer = ctx.influencer(_ref(args[:-1]))
    relationships.set_status(ctx.db, actor=ctx.actor, influencer_id=influencer.id, status=value)
    ctx.home_changed = True
    _say(ctx, f"*{mrkdwn(influencer.name, 200)}* is now *{value}*.", influencer.id)


def priority(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, PRIORITY)
    raw = args[-1]
    if not (raw.isascii() and raw.isdigit() and 0 <= int(raw) <= 5):
        raise UsageError(PRIORITY, "Priority must be a whole number from 0 to 5.")
    influencer = ctx.influencer(_ref(args[:-1]))
    relationships.set_priority(ctx.db, actor=ctx.actor, influencer_id=influencer.id, priority=int(raw))
    ctx.home_changed = True
    _say(ctx, f"*{mrkdwn(influencer.name, 200)}* now has priority *{int(raw)}*.", influencer.id)


def tag(ctx: CommandContext, args: list[str]) -> None:
    add_tags = [w[1:] for w in args if w[:1] in "+#" and len(w) > 1]
    remove_tags = [w[1:] for w in args if w.startswith("-") and len(w) > 1]
    ref_words = [w for w in args if not (w[:1] in "+#-" and len(w) > 1)]
    if not ref_words or not (add_tags or remove_tags):
        raise UsageError(TAG, None if not args else "Give the influencer and at least one +tag or -tag.")
    influencer = ctx.influencer(_ref(ref_words))
    rel = relationships.update_tags(
        ctx.db, actor=ctx.actor, influencer_id=influencer.id, add=add_tags, remove=remove_tags
    )
    _say(ctx, f"*{mrkdwn(influencer.name, 200)}* tags: {tags_text(rel.tags)}", influencer.id)


def followup(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, FOLLOWUP)
    today = local_today(ctx.now, ctx.tz)
    # The date phrase is the last 1-3 words ("tomorrow", "next monday", "in 3 days"): longest first.
    for size in range(min(3, len(args) - 1), 0, -1):
        phrase = " ".join(args[-size:])
        try:
            due = followups.parse_follow_up(phrase, tz=ctx.tz, today=today)
        except InvalidInput:
            continue
        ref_words = args[:-size]
        break
    else:
        raise UsageError(FOLLOWUP, f"“{args[-1][:40]}” is not a date I understand.")
    influencer = ctx.influencer(_ref(ref_words))
    rel = followups.set_follow_up(
        ctx.db, actor=ctx.actor, influencer_id=influencer.id, due=due, now=ctx.now
    )
    ctx.home_changed = True
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if rel.follow_up_date is None:
        _say(ctx, f"No follow-up for {name} any more.", influencer.id)
    else:
        _say(ctx, f"Follow up with {name} on *{fmt_datetime(rel.follow_up_date, ctx.tz)}*.", influencer.id)


def note(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, NOTE)
    # The note keeps its own spacing and quotes: take it from the raw text after "note <influencer>".
    text = rest_after(ctx.text, 2) if ctx.text is not None else " ".join(args[1:])
    ctx.replay_args = [args[0], text] if text else [args[0]]
    influencer = ctx.influencer(args[0])
    if not text:
        ctx.open_modal(notes_modal_for(ctx.db, ctx.actor, influencer=influencer))
        return
    relationships.set_notes(ctx.db, actor=ctx.actor, influencer_id=influencer.id, text=text, append=True)
    _say(ctx, f"Note added to *{mrkdwn(influencer.name, 200)}*.", influencer.id)


def log(ctx: CommandContext, args: list[str]) -> None:
    kind = None
    if len(args) >= 2 and args[-1].lower() in TYPE_WORDS:
        kind, args = TYPE_WORDS[args[-1].lower()], args[:-1]
    influencer = ctx.influencer(_ref(args)) if args else None
    view = log_modal_for(ctx.db, ctx.actor, influencer=influencer, interaction_type=kind, now=ctx.now)
    ctx.open_modal(view)


def list_(ctx: CommandContext, args: list[str]) -> None:
    status_filter = tag_filter = min_priority = None
    for word in args:
        lowered = word.lower()
        if lowered in RELATIONSHIP_STATUSES and status_filter is None:
            status_filter = lowered
        elif word.startswith("#") and len(word) > 1 and tag_filter is None:
            tag_filter = word[1:]
        elif lowered.startswith(("priority>=", "p>=", ">=")) and min_priority is None:
            number = lowered.rsplit(">=", 1)[1]
            if not (number.isascii() and number.isdigit() and int(number) <= 5):
                raise UsageError(LIST, "Priority must be from 0 to 5, e.g. priority>=3.")
            min_priority = int(number)
        else:
            raise UsageError(LIST, f"I did not understand “{word[:40]}”.")
    query = ListQuery("list", status=status_filter, tag=tag_filter, min_priority=min_priority)
    ctx.reply(list_page(ctx.db, ctx.actor, query, now=ctx.now))


def due(ctx: CommandContext, args: list[str]) -> None:
    if args:
        raise UsageError(DUE, "`due` takes no arguments.")
    ctx.reply(list_page(ctx.db, ctx.actor, ListQuery("due"), now=ctx.now))


def find(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, FIND)
    ctx.reply(list_page(ctx.db, ctx.actor, ListQuery("find", text=" ".join(args)), now=ctx.now))
