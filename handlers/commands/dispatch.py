"""The /crm dispatch table: subcommand name → function with its usage line; help; candidates."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from crm.errors import Ambiguous, InvalidInput, NoMatch, NotFound
from crm.models import Influencer
from crm.search import spelled_like
from crm.suggest import close_matches
from handlers.blocks.help import Usage, help_message
from handlers.blocks.lists import candidates, spelt_close
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn, plain_of
from handlers.commands import admin as admin_cmd
from handlers.commands import cadence as cadence_cmd
from handlers.commands import campaigns as campaign_cmd
from handlers.commands import creators as creator_cmd
from handlers.commands import exports as export_cmd
from handlers.commands import followup as followup_cmd
from handlers.commands import importing as import_cmd
from handlers.commands import lists as list_cmd
from handlers.commands import log as log_cmd
from handlers.commands import relationships as rel_cmd
from handlers.commands.context import CommandContext, Subcommand, UsageError, meant_button
from handlers.commands.tokens import tokenize

SUBCOMMANDS: dict[str, Subcommand] = {
    s.name: s
    for s in (
        Subcommand("add", rel_cmd.ADD, rel_cmd.add, writes=True, narrows_to=None),
        Subcommand("rename", creator_cmd.RENAME, creator_cmd.rename, writes=True, narrows_to=None),
        Subcommand("link", creator_cmd.LINK, creator_cmd.link, writes=True, narrows_to=None),
        Subcommand("merge", creator_cmd.MERGE, creator_cmd.merge, one_creator=False, narrows_to=None),
        Subcommand("show", rel_cmd.SHOW, rel_cmd.show),
        Subcommand("status", rel_cmd.STATUS, rel_cmd.status, writes=True),
        Subcommand("priority", rel_cmd.PRIORITY, rel_cmd.priority, writes=True),
        Subcommand("tag", rel_cmd.TAG, rel_cmd.tag, writes=True),
        Subcommand("followup", followup_cmd.FOLLOWUP, followup_cmd.followup, writes=True),
        Subcommand("cadence", cadence_cmd.CADENCE, cadence_cmd.run_cadence, writes=True),
        Subcommand("note", rel_cmd.NOTE, rel_cmd.note, writes=True),
        Subcommand("log", log_cmd.LOG, log_cmd.log, writes=True),
        Subcommand("history", log_cmd.HISTORY, log_cmd.history),
        Subcommand("list", list_cmd.LIST, list_cmd.list_),
        Subcommand("due", list_cmd.DUE, list_cmd.due),
        Subcommand("find", list_cmd.FIND, list_cmd.find),
        Subcommand("export", export_cmd.EXPORT, export_cmd.export),
        Subcommand("import", import_cmd.IMPORT, import_cmd.import_),
        Subcommand("remove", rel_cmd.REMOVE, rel_cmd.remove, writes=True, offers_add=False),
        Subcommand(
            "restore", rel_cmd.RESTORE, rel_cmd.restore, writes=True, narrows_to="archived", offers_add=False
        ),
        Subcommand("campaign new", campaign_cmd.CAMPAIGN_NEW, campaign_cmd.campaign_new, writes=True),
        Subcommand("campaign list", campaign_cmd.CAMPAIGN_LIST, campaign_cmd.campaign_list_),
        Subcommand("campaign show", campaign_cmd.CAMPAIGN_SHOW, campaign_cmd.campaign_show),
        Subcommand("campaign edit", campaign_cmd.CAMPAIGN_EDIT, campaign_cmd.campaign_edit),
        Subcommand("campaign add", campaign_cmd.CAMPAIGN_ADD, campaign_cmd.campaign_add),
        Subcommand(
            "campaign status", campaign_cmd.CAMPAIGN_STATUS, campaign_cmd.campaign_status, writes=True
        ),
        Subcommand("campaign export", export_cmd.CAMPAIGN_EXPORT, export_cmd.campaign_export),
        Subcommand("utm", campaign_cmd.UTM, campaign_cmd.utm, writes=True),
        Subcommand("admin", admin_cmd.ADMIN, admin_cmd.admin, needs_admin_check=True),
    )
}
ALIASES = {
    "follow-up": "followup",
    "tags": "tag",
    "search": "find",
    "notes": "note",
    "campaigns": "campaign list",
}
CAMPAIGN_SUBS = tuple(name.split(" ", 1)[1] for name in SUBCOMMANDS if name.startswith("campaign "))
# What people type for a subcommand that is not spelled like it. Only subcommands in SUBCOMMANDS are
# ever suggested; a word listed here whose subcommand does not exist gets no spelling guess either
# ("remove" must not suggest "rename").
SUBCOMMAND_SYNONYMS = {
    "delete": "remove",
    "del": "remove",
    "rm": "remove",
    "remove": "remove",
    "archive": "remove",
    "create": "add",
    "new": "add",
    "save": "add",
    "open": "show",
    "view": "show",
    "card": "show",
    "remind": "followup",
    "reminder": "followup",
    "overdue": "due",
    "stage": "status",
    "move": "status",  # `move @maya warm`; spelt like "remove", which must not be offered
    "tracking": "utm",
    "edit": "show",  # the card has the Edit button
    "history": "show",
    "info": "show",
    "details": "show",
    "lookup": "find",
    "email": "log",
    "call": "log",
    "meeting": "log",
    "comment": "note",
    "todo": "due",
    "tasks": "due",
    "reminders": "due",
    "pipeline": "list",
    "upload": "import",
    "assign": "campaign",
    "stats": "admin",  # spelt like "status", but meant as analytics
    "analytics": "admin",
    "metrics": "admin",
    "report": "admin",
}


def usage_help() -> Message:
    return help_message([s.usage for s in SUBCOMMANDS.values()])


def _usages_of(first_word: str) -> list[Usage]:
    """The usages of the subcommands that start with `first_word` (`campaign`: all six)."""
    return [s.usage for name, s in SUBCOMMANDS.items() if name.split(" ", 1)[0] == first_word]


def _help_with(problem: str | None, usages: list[Usage]) -> Message:
    """`usages` (a few subcommands' help), after `problem` when there is one, and a pointer to the rest."""
    found = help_message(usages)
    note = "`/crm help` lists every command."
    blocks = ([_note(problem)] if problem else [found.blocks[0]]) + [*found.blocks[1:-1], _note(note)]
    text = f"{plain_of(problem)} {plain_of(note)}" if problem else found.text
    return Message(text=text, blocks=blocks)


def lookup(words: list[str]) -> tuple[Subcommand | None, list[str]]:
    """(subcommand, its arguments) for the command's words; None when the first word is not one."""
    if not words:
        return None, []
    word = words[0].lower()
    first = ALIASES.get(word, word)
    if first == "campaign":
        second = words[1].lower() if len(words) > 1 else ""
        if second in CAMPAIGN_SUBS:
            return SUBCOMMANDS[f"campaign {second}"], words[2:]
        return None, words
    if word in ALIASES and first in SUBCOMMANDS:  # e.g. "campaigns" for "campaign list"
        return SUBCOMMANDS[first], words[1:]
    return SUBCOMMANDS.get(first), words[1:]


def run(ctx: CommandContext, sub: Subcommand, args: list[str]) -> None:
    """Run one subcommand: ambiguous influencers become candidate buttons, bad input its usage line,
    a creator nobody matches the commands to save or look for them.

    A domain InvalidInput is re-raised as a UsageError (still an InvalidInput), so the unit of work
    rolls back and the app's error handler shows the problem with the usage line and an example.
    """
    ctx.narrow_to = sub.narrows_to
    try:
        sub.run(ctx, args)
    except UsageError:
        raise
    except Ambiguous as exc:
        found = [c for c in exc.candidates if isinstance(c, Influencer)]
        if not found:  # e.g. several campaigns: name them, the user retypes with quotes
            names = ", ".join(f"“{getattr(c, 'name', c)}”" for c in exc.candidates[:10])
            raise InvalidInput("command", f"{exc.message} Did you mean {names}? Quote the name.") from exc
        intent = ctx.replay_args if ctx.replay_args is not None else args
        ctx.reply(candidates(exc.message, found, command=sub.name, args=intent))
    except InvalidInput as exc:
        raise UsageError(sub.usage, exc.message) from exc
    except NoMatch as exc:
        link = exc.is_profile and "/" in exc.ref
        close = spelled_like(ctx.db, actor=ctx.actor, ref=exc.ref) if sub.one_creator and not link else []
        if not close:
            hint = save_or_find(exc.ref, is_profile=exc.is_profile, offer_add=sub.offers_add)
            if sub.narrows_to == "archived":  # restore: among those removed
                hint = "`/crm list archived` shows everyone you removed."
            raise NotFound(f"{exc.message} {hint}") from exc
        # "luka haddad": Luca Haddad is on their list. Offer them, as for a name that matches several.
        intent = ctx.replay_args if ctx.replay_args is not None else args
        ctx.reply(spelt_close(exc.message, close, command=sub.name, args=intent))


def save_or_find(ref: str, *, is_profile: bool, offer_add: bool = True) -> str:
    """What to type when `ref` named no creator: how to save them (unless `offer_add` is False), or
    to look for them.

    Plain text, like the message it follows (the error handler escapes both for mrkdwn).
    """
    word = ref.split()[0].lstrip("@") if ref.split() else ""
    find = f"`/crm find {word}`"
    if not offer_add:
        return f"To look for them: {find}."
    if is_profile and ref.startswith("@"):
        return f"To save them: `/crm add {ref}`. To look for them: {find}."
    if is_profile:  # a profile link
        return f"To save them: `/crm add {ref}`."
    if ref.startswith("@") and len(ref.split()) > 1:  # words after a handle that are no platform
        handle = ref.split()[0]
        return f"To look for them: {find}. After a handle, give at most its platform: `{handle} tiktok`."
    return f'To look for them: {find}. To save a new creator: `/crm add "{ref}" @handle`.'


def dispatch(ctx: CommandContext, text: str) -> None:
    """Run `/crm <text>`: help for nothing or `help`, the usage list for an unknown subcommand."""
    words = tokenize(text)
    if not words or words[0].lower() in ("help", "?", "-h", "--help"):
        # `/crm help campaign`, `/crm help followup`: that command's help alone; `/crm help campaign
        # status`: that one of the campaign commands.
        topic = words[1].lower() if len(words) > 1 else ""
        named = ALIASES.get(topic) or SUBCOMMAND_SYNONYMS.get(topic) or topic  # `help delete`: remove
        usages = _usages_of(named.split(" ", 1)[0]) if named else []
        if (both := " ".join(words[1:3]).lower()) in SUBCOMMANDS and both != named:
            usages = [SUBCOMMANDS[both].usage]
        ctx.reply(_help_with(None, usages) if usages else usage_help())
        return
    sub, args = lookup(words)
    if sub is None:
        _unknown(ctx, words)
        return
    run(ctx, sub, args)


def _unknown(ctx: CommandContext, words: list[str]) -> None:
    """No such subcommand: the closest one (from SUBCOMMANDS) with its usage, else the commands' names."""
    if words[0].lower() == "campaign":
        typed = words[1] if len(words) > 1 else ""
        close = close_matches(typed, CAMPAIGN_SUBS, n=1)
        if close:  # UsageError escapes the problem for mrkdwn
            guess = f"campaign {close[0]}"
            problem = f"There is no `/crm campaign {typed[:40]}` command. Did you mean `{guess}`?"
            meant = [*guess.split(), *words[2:]] if _complete(guess, words[2:]) else None
            raise UsageError(SUBCOMMANDS[guess].usage, problem, meant=meant)
        missing = f"There is no `/crm campaign {mrkdwn(typed, 40)}` command. " if typed else ""
        problem = f"{missing}Campaign commands: {', '.join(CAMPAIGN_SUBS)}."
        ctx.reply(_help_with(problem, _usages_of("campaign")))
        return
    first_words = list(dict.fromkeys(name.split(" ", 1)[0] for name in SUBCOMMANDS))
    close = close_matches(words[0], first_words, n=1, synonyms=SUBCOMMAND_SYNONYMS)
    if not close and words[0].startswith(("@", "http://", "https://")):
        close = ["show"]  # `/crm @maya`: a creator without a subcommand
    missing = f"There is no `/crm {mrkdwn(words[0], 40)}` command."
    if close:
        guess = close[0]
        answer = _help_with(f"{missing} Did you mean `{guess}`?", _usages_of(guess))
        # `/crm shwo @maya` runs as `/crm show @maya`; `/crm @maya` as `/crm show @maya`
        rest = words if close == ["show"] and words[0].startswith(("@", "http")) else words[1:]
        meant = [guess, *rest]
        typed = words[0].lower()
        if guess == "log" and typed in log_cmd.TYPE_WORDS and rest and rest[0].startswith(("@", "http")):
            meant = ["log", rest[0], typed, *rest[1:]]  # `/crm call @maya rates` → `log @maya call rates`
        if _complete(guess, rest) and (button := meant_button(meant)) is not None:
            answer = Message(text=answer.text, blocks=[*answer.blocks, button])
        ctx.reply(answer)
        return
    names = " ".join(f"`{name}`" for name in first_words)
    problem = (
        f"{missing} The commands are {names}.\n"
        f"`/crm help` shows each with an example; `{mrkdwn('/crm help <command>')}` shows one."
    )
    ctx.reply(Message(text=plain_of(problem), blocks=[_note(problem)]))


def _complete(name: str, args: list[str]) -> bool:
    """Whether `/crm <name> <args>` is worth a Run button: it has arguments, or the subcommand
    needs none (`list`, `due`); `/crm show` alone would only answer with its usage line."""
    sub = SUBCOMMANDS.get(name)  # `campaign` (for `assign`) is a group of commands, not one
    return sub is not None and (bool(args) or "<" not in sub.usage.usage)


def _note(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))
