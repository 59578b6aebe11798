"""`/crm` subcommands about the creator directory itself: rename, link, merge (two creators into
one); reading the words of `/crm add` (a name, a handle or profile link, a platform); and which
first words of a command name its creator (creator_and_words, for `/crm note` and `/crm log`)."""

from __future__ import annotations

from dataclasses import dataclass

from crm import influencers, references
from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.merge import preview_merge
from crm.models import PLATFORMS, Influencer
from crm.profiles import is_profile_link, platform_label, platform_named
from crm.suggest import close_matches
from crm.text import fold
from crm.users import looks_like_email
from handlers.blocks.cards import profile_line
from handlers.blocks.help import Usage
from handlers.blocks.merge import merge_preview
from handlers.blocks.text import full_stop, mrkdwn
from handlers.commands.context import CommandContext, UsageError, need

RENAME = Usage(
    'rename <influencer> "New Name"',
    "change a creator's name (everyone sees it)",
    '/crm rename @priya "Priya Raman"',
)
LINK = Usage(
    "link <influencer> <profile-url | @handle platform>",
    "add another platform or profile to a creator",
    "/crm link @priya https://www.tiktok.com/@priya.r",
)
MERGE = Usage(
    "merge <creator> <creator to merge into it>",
    "one person, two creators: preview, then merge the second into the first",
    "/crm merge @priya @priya.r tiktok",
)
_CLOSING_QUOTES = '"”“»'


@dataclass(frozen=True, slots=True)
class AddWords:
    """What `/crm add` was given: the profile (`ref`, `platform`), a second link, a name and an
    e-mail address."""

    ref: str
    platform: str | None
    url: str | None
    name: str | None
    email: str | None = None


def read_add(args: list[str], usage: Usage) -> AddWords:
    """Sort `/crm add`'s words: links, @handles, a platform, and the rest, which is the name.

    A bare word is the handle only when no @handle or link was given (`/crm add maya tiktok`);
    otherwise it is part of the name (`/crm add @priya youtube Priya`). Quoted words with spaces are
    always the name. A name alone is refused, naming it: a creator needs a profile to be found by.
    """
    links: list[str] = []
    handles: list[str] = []
    bare: list[str] = []
    named: list[str] = []
    emails: list[str] = []
    platform = None
    for word in args:
        if " " in word:
            named.append(word)
        elif platform is None and (word_platform := platform_named(word)) is not None:
            platform = word_platform
        elif word.startswith("@") and len(word) > 1:
            handles.append(word)
        elif is_profile_link(word):  # before e-mails: https://medium.com/@anna.writes is a link
            links.append(word)
        elif looks_like_email(word):  # `/crm add @maya tiktok maya@example.com`: not her name
            emails.append(word)
        else:
            bare.append(word)
    if len(handles) > 1:
        raise UsageError(usage, f"Give one @handle at a time (got {handles[0][:60]} and {handles[1][:60]}).")
    if len(emails) > 1:
        raise UsageError(usage, f"Give one e-mail address (got {emails[0][:60]} and {emails[1][:60]}).")
    if emails and not handles and not links:
        raise UsageError(
            usage,
            f"{emails[0][:80]} is their e-mail; give their @handle or profile link too, "
            f"e.g. /crm add @handle tiktok {emails[0][:80]}",
        )
    if not handles and not links:
        if len(bare) == 1:
            handles, bare = bare, []
        elif bare:
            words = " ".join(bare)
            raise UsageError(
                usage,
                f"Which of “{words[:80]}” is the handle? Put @ before it, or quote the name: "
                f'/crm add "{words[:60]}" @handle tiktok',
            )
    if handles and platform is None:
        # Where a platform goes: right after the @handle (`/crm add "Maya" @maya instagrm`), or a
        # lone word beside it (`/crm add tiktk @maya`).
        after = args.index(handles[0]) + 1
        if after < len(args) and args[after] in bare:
            _refuse_misspelt_platform(args, args[after], usage, handles[0])
        if not named and len(bare) == 1:
            _refuse_misspelt_platform(args, bare[0], usage, handles[0])
    name = " ".join(named + bare) or None
    if not handles and not links and name is None:
        example = f"/crm add @handle {platform or 'tiktok'}"
        raise UsageError(usage, f"Give their @handle or profile link, e.g. {example}")
    if not handles and not links:
        shown = (name or "")[:80]
        raise UsageError(
            usage,
            f"“{shown}” is a name; give their @handle or profile link too, "
            f'e.g. /crm add "{shown}" @handle youtube',
        )
    profiles = handles + links
    if len(profiles) > 2 or (not handles and len(links) > 1):
        extra = profiles[2] if len(profiles) > 2 else links[1]
        raise UsageError(usage, f"One profile at a time: add “{extra[:60]}” afterwards with /crm link.")
    ref = profiles[0]
    url = links[0] if handles and links else None
    return AddWords(ref=ref, platform=platform, url=url, name=name, email=emails[0] if emails else None)


# How close a word after the @handle must be to a platform's name to be taken for a misspelling of
# it: "tiktk", "youtub" and "instagarm" are (difflib ratio ≥ 0.88), names such as "Sara" (0.62 to
# instagram), "Linda" or "Logan" are not. crm.suggest's default cutoff (0.6) would refuse those names.
MISSPELT_PLATFORM_CUTOFF = 0.8


def _refuse_misspelt_platform(args: list[str], word: str, usage: Usage, handle: str) -> None:
    """`/crm add @maya tiktk`: a word of `args` beside an @handle that is nearly a platform's name
    was meant as the platform; refuse it (with the command as meant), rather than save a creator
    named "tiktk" on the default one. (Beside a link it stays the name: the link says the platform.)"""
    guesses = close_matches(word, PLATFORMS, n=1, cutoff=MISSPELT_PLATFORM_CUTOFF)
    if guesses:
        raise UsageError(
            usage,
            f"“{word[:40]}” is not a platform. Did you mean “{guesses[0]}”? "
            f"Use one of: {', '.join(PLATFORMS)}, e.g. /crm add {handle[:60]} {guesses[0]}",
            meant=["add", *(guesses[0] if w is word else w for w in args)],
        )


def rename(ctx: CommandContext, args: list[str]) -> None:
    """`/crm rename @priya "Priya Raman"`: the last argument is the name when quoted (or when there
    are two); otherwise the first is the creator (with the platform after an @handle) and the rest
    is the name (`rename @priya Priya Raman`, `rename @priya youtube Priya Raman`)."""
    need(args, 2, RENAME, None if not args else "Give the creator and their new name.")
    quoted_last = ctx.text is not None and ctx.text.rstrip()[-1:] in _CLOSING_QUOTES
    if len(args) == 2 or quoted_last:
        who, name = " ".join(args[:-1]), args[-1]
    elif args[0].startswith("@") and platform_named(args[1]) is not None:  # `rename @zoe tiktok Zoe M`
        who, name = " ".join(args[:2]), " ".join(args[2:])
    else:
        who, name = args[0], " ".join(args[1:])
    ctx.replay_args = [who, name]
    influencer = ctx.influencer(who)
    before = influencer.name
    influencers.rename_influencer(ctx.db, team_id=ctx.team_id, influencer_id=influencer.id, name=name)
    if influencer.name == before:
        ctx.say(f"*{mrkdwn(before, 200)}* already has that name.", influencer.id)
        return
    ctx.home_changed = True  # App Home lists names
    said = (
        f"*{mrkdwn(before, 200)}* is now called *{mrkdwn(influencer.name, 200)}*{full_stop(influencer.name)}"
    )
    ctx.say(said, influencer.id)


def link(ctx: CommandContext, args: list[str]) -> None:
    """`/crm link <creator> <profile link>` or `/crm link <creator> @handle <platform>`."""
    need(args, 2, LINK, None if not args else "Give the creator and the profile to add.")
    platform = None
    if len(args) >= 3 and (last_platform := platform_named(args[-1])) is not None:
        platform, args = last_platform, args[:-1]
    elif len(args) >= 3 and args[-2].startswith("@") and not args[-1].startswith("@"):
        # `link @priya @priya.r myspace`: the word after the handle was meant as its platform.
        raise UsageError(LINK, f"“{args[-1][:40]}” is not a platform; use one of: {', '.join(PLATFORMS)}.")
    who, ref = " ".join(args[:-1]), args[-1]
    ctx.replay_args = [who, ref, platform] if platform else [who, ref]
    influencer = ctx.influencer(who)
    profile, created = influencers.link_profile(
        ctx.db, team_id=ctx.team_id, influencer_id=influencer.id, ref=ref, platform=platform
    )
    name = f"*{mrkdwn(influencer.name, 200)}*"
    what, plain_what = profile_line(profile), f"{platform_label(profile.platform)} @{profile.handle}"
    if not created:
        text = f"{what} is already one of {name}'s profiles."
        ctx.say(text, influencer.id, fallback=f"{plain_what} is already one of {influencer.name}'s profiles.")
        return
    count = len(influencer.profiles)
    text = f"Linked {what} to {name} ({count} profiles now)."
    ctx.say(text, influencer.id, fallback=f"Linked {plain_what} to {influencer.name} ({count} profiles now).")


def _two_creators(args: list[str]) -> tuple[str, str]:
    """The two creator references of `merge`: a platform word belongs to the handle before it
    (`@priya youtube @priya.r tiktok`); quoted names are one word already."""
    refs: list[str] = []
    for word in args:
        if refs and platform_named(word) is not None and " " not in refs[-1]:
            refs[-1] = f"{refs[-1]} {word}"
        else:
            refs.append(word)
    if len(refs) != 2:
        problem = "Name two creators: the one to keep, then the one to merge into it."
        if len(refs) > 2:
            problem = f"Name two creators, not {len(refs)}; quote names with spaces."
        raise UsageError(MERGE, problem)
    return refs[0], refs[1]


def merge(ctx: CommandContext, args: list[str]) -> None:
    """`/crm merge <a> <b>`: a preview of merging b into a, with Merge / Cancel (writes nothing)."""
    need(args, 2, MERGE, None if not args else "Name two creators: the one to keep, then the other.")
    found = []
    for ref in _two_creators(args):
        try:
            found.append(references.resolve_influencer(ctx.db, team_id=ctx.team_id, ref=ref))
        except Ambiguous as exc:  # candidate buttons pick one creator; a merge needs two
            names = ", ".join(f"@{c.handle} {platform_label(c.platform)}" for c in exc.candidates[:5])
            raise InvalidInput("influencer", f"{exc.message} Name it by its profile: {names}.") from None
    plan = preview_merge(ctx.db, actor=ctx.actor, survivor_id=found[0].id, absorbed_id=found[1].id)
    ctx.reply(merge_preview(plan, tz=ctx.tz))


# The most words of an unquoted name `/crm note` tries before its text (`note Mira Okafor loved it`).
NOTE_NAME_WORDS = 4


def creator_and_words(ctx: CommandContext, args: list[str]) -> tuple[Influencer | None, int]:
    """The creator the first of `args` name, and how many of them did (`/crm note` and `/crm log`,
    whose text follows the creator):

    - (the creator, 2) when the first two words are an @handle and a platform that name one
      (`note @zoe tiktok …`); a platform word after an @handle that does not is the start of the text
      (`note @zoe instagram post is live`, @zoe on TikTok only);
    - (the creator, N) when the first N words, unquoted, are exactly a creator's whole name
      (`note Mira Okafor loved the brief`): the longest such name wins, so "Okafor" is not the start
      of the note;
    - else (None, 1): the first word alone names the creator (resolved by the caller).
    """
    if ctx.picked_influencer_id is not None or len(args) < 2:
        return None, 1
    if args[0].startswith("@"):
        if platform_named(args[1]) is not None:
            try:
                return ctx.influencer(f"{args[0]} {args[1]}"), 2
            except NotFound:
                pass
        return None, 1
    if " " in args[0]:  # quoted: the name is exactly that
        return None, 1
    for size in range(min(NOTE_NAME_WORDS, len(args)), 1, -1):
        name = " ".join(args[:size])
        try:
            influencer = ctx.influencer(name)
        except (NotFound, Ambiguous, InvalidInput):  # InvalidInput: a link, not a name
            continue
        if fold(influencer.name) == fold(name):
            return influencer, size
    return None, 1
