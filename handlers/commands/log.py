"""`/crm log` (the log form, filled in with what is given; or several creators at once, with Undo)
and `/crm history` (every interaction logged with a creator, each with Edit and Delete)."""

from __future__ import annotations

from itertools import takewhile

from crm import interactions
from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.models import INTERACTION_TYPES, Influencer
from crm.profiles import platform_named
from crm.suggest import INTERACTION_SYNONYMS, close_matches, did_you_mean, one_of
from handlers.actions.history import history_page
from handlers.blocks.help import Usage
from handlers.blocks.logged import logged_several_message
from handlers.commands.campaigns import creators_for, several_creators, starts_a_creator
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.creators import creator_and_words
from handlers.commands.tokens import rest_after
from handlers.runtime.slack_calls import ReplyTarget
from handlers.views.openers import log_modal_for

LOG = Usage(
    "log <influencer> [more … | #tag] [email|call|meeting|note|file] [what happened]",
    "log an interaction (opens a form, filled in with what you give); several creators, or yours"
    " with a #tag, at once with a type (with Undo)",
    "/crm log @maya call agreed on two reels",
)
HISTORY = Usage(
    "history <influencer>",
    "every interaction you logged with them, newest first, each with Edit and Delete",
    "/crm history @maya",
)

TYPE_WORDS = {t: t for t in INTERACTION_TYPES} | {"file": "file_upload"}
TYPE_WORDS_SHOWN = [w for w in TYPE_WORDS if w != "file_upload"]  # email, call, meeting, note, file


def history(ctx: CommandContext, args: list[str]) -> None:
    """`/crm history <influencer>`: the first page of what the user logged with them."""
    need(args, 1, HISTORY)
    influencer = ctx.influencer(" ".join(args))
    ctx.reply(history_page(ctx.db, ctx.actor, influencer, offset=0, tz=ctx.tz))


def _log_target(ctx: CommandContext, args: list[str]) -> tuple[Influencer, str | None]:
    """The creator `log` names when no type word follows them, and what happened, if written:

    - all of `args` names the creator (`log Sophie Glow`): no text;
    - else the creator's words come first (an @handle, with its platform when that names them, or
      a whole name) and the rest is what happened (`log @maya agreed on two reels`), spacing kept.
      The form opens with it, and asks for the type;
    - but one word alone after the creator (`log @maya dm`), or a first word that looks like a type
      (`log @maya phone about rates`), was meant as the type: a UsageError names it.
    """
    if ctx.picked_influencer_id is not None:  # from a candidate button: [ref] or [ref, text]
        return ctx.influencer(args[0]), (args[1] if len(args) > 1 else None)
    try:
        return ctx.influencer(" ".join(args)), None
    except NotFound as exc:
        missing = exc
    influencer, words = creator_and_words(ctx, args)
    if words >= len(args):
        raise missing
    ref, word = " ".join(args[:words]), args[words][:40]
    guess = did_you_mean(word, TYPE_WORDS_SHOWN, synonyms=INTERACTION_SYNONYMS)
    meant_as_type = bool(guess) or len(args) == words + 1
    if influencer is None:
        try:
            influencer = ctx.influencer(ref)
        except NotFound:
            raise missing from None  # the whole reference is what matched nothing
        except Ambiguous:
            if not meant_as_type:  # the candidate buttons keep the text
                ctx.replay_args = [ref, _text_after(ctx, args, words)]
                raise
    if meant_as_type:
        problem = f"“{word}” is not an interaction type. {guess} Use {one_of(TYPE_WORDS_SHOWN)}."
        kind = close_matches(word, TYPE_WORDS_SHOWN, n=1, synonyms=INTERACTION_SYNONYMS)
        meant = ["log", *args[:words], *kind, *args[words + 1 :]] if kind else None
        raise UsageError(LOG, " ".join(problem.split()), meant=meant)
    return influencer, _text_after(ctx, args, words)


def _text_after(ctx: CommandContext, args: list[str], words: int) -> str:
    """The text after `log` and the first `words` of `args`, spacing and quotes kept."""
    return rest_after(ctx.text, 1 + words) if ctx.text is not None else " ".join(args[words:])


def _type_word_positions(args: list[str]) -> list[int]:
    """Where a type word may be: the last word (`log Anna Call meeting`), then the first after the
    creator's first word (`log @maya call talked rates`)."""
    found = [i for i in range(1, len(args)) if args[i].lower() in TYPE_WORDS]
    return sorted(set(found[-1:] + found[:1]), reverse=True)


def _names_several(args: list[str]) -> bool:
    """Whether the words before any other name several creators (`@maya @zoe agreed …`)."""
    leading = list(takewhile(lambda w: starts_a_creator(w) or platform_named(w), args))
    try:
        return several_creators(leading) is not None
    except InvalidInput:
        return False


def _several_to_log(ctx: CommandContext, args: list[str]) -> tuple[list[Influencer], str, str | None] | None:
    """(creators, type, text after it) when the words before the first type word name several
    creators or a #tag (handlers.commands.campaigns.several_creators); None for one creator."""
    at = next((i for i, word in enumerate(args) if i > 0 and word.lower() in TYPE_WORDS), None)
    refs = several_creators(args[:at]) if at is not None else None
    if refs is None or at is None:
        if at is None and _names_several(args):
            raise UsageError(LOG, "With several creators, give the type after them.")
        return None
    kind = TYPE_WORDS[args[at].lower()]
    if kind == "file_upload":
        raise UsageError(LOG, "A file is logged with the form, one creator at a time: `/crm log @maya file`.")
    creators = creators_for(ctx, refs, at_most=interactions.LOG_AT_ONCE_MAX)
    return creators, kind, (_text_after(ctx, args, at + 1) if at + 1 < len(args) else None)


def log(ctx: CommandContext, args: list[str]) -> None:
    """`/crm log <influencer> [type] [what happened]`: the log form, with what is given filled in.

    A type word counts when the words before it name the creator: the last word (`log Anna Call
    meeting`), or else the first (`log @maya call talked rates`, the text after it going into the
    form's content). Without one, the text after the creator is the content and the form asks for
    the type (`log @maya agreed on two reels`). The form is still what saves: it shows the date
    and the rest to check.

    With several creators (`/crm log @maya @zoe #skincare email Sent the brief`) and a type, the
    interaction is logged with each at once, no form, answered with one Undo for all of them.
    """
    if (several := _several_to_log(ctx, args)) is not None:
        creators, kind, content = several
        key = f"cmd:{ctx.trigger_id}" if ctx.trigger_id else None  # a replay logs nothing twice
        data = interactions.NewInteraction(type=kind, content=content, idempotency_key=key)
        logged = interactions.log_several(
            ctx.db, actor=ctx.actor, influencer_ids=[c.id for c in creators], data=data, now=ctx.now
        )
        ctx.home_changed = True
        ctx.reply(logged_several_message(logged, tz=ctx.tz))
        return
    influencer = kind = content = None
    for at in _type_word_positions(args):
        try:
            influencer = ctx.influencer(" ".join(args[:at]))
        except NotFound:
            continue
        kind = TYPE_WORDS[args[at].lower()]
        content = _text_after(ctx, args, at + 1) if at + 1 < len(args) else None
        break
    if influencer is None and args:
        influencer, content = _log_target(ctx, args)
    view = log_modal_for(
        ctx.db,
        ctx.actor,
        influencer=influencer,
        interaction_type=kind,
        content=content or None,
        reply_to=ReplyTarget.of(ctx.bolt),
        now=ctx.now,
    )
    ctx.open_modal(view)
