"""`/crm` subcommands about one's own relationships: add, show, status, priority, tag, note, remove,
restore. Each parses its words, calls one crm function, and replies. (Listing them is in
handlers/commands/lists.py; logging interactions and their history in handlers/commands/log.py;
merging two creators in handlers/commands/creators.py.)"""

from __future__ import annotations

from collections.abc import Sequence

from crm import archive, dashboard, duplicates, influencers, relationships, scoped
from crm.errors import Ambiguous, InvalidInput, NoMatch, NotFound
from crm.models import RELATIONSHIP_STATUSES, Influencer
from crm.profiles import platform_named
from crm.relationship_fields import PRIORITY_MAX, normalize_tags, validate_priority
from crm.suggest import STATUS_SYNONYMS, close_matches, did_you_mean, one_of
from crm.users import looks_like_email
from handlers.blocks.archive import removed_message, restored_message
from handlers.blocks.cards import card_message, tags_text
from handlers.blocks.fields import creator_label, kept_note, status_label
from handlers.blocks.help import Usage
from handlers.blocks.merge import same_person_buttons, same_person_hint
from handlers.blocks.text import mrkdwn
from handlers.blocks.undo import (
    note_added_message,
    priorities_set_message,
    status_set_message,
    statuses_set_message,
    tagged_several_message,
)
from handlers.commands.campaigns import creators_for, several_creators
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.creators import AddWords, creator_and_words, read_add
from handlers.commands.tokens import as_typed, rest_after
from handlers.views.openers import notes_modal_for

ADD = Usage(
    'add ["Name"] <@handle [platform] | profile-url> [e-mail]',
    "save a creator to your list (the name and e-mail are optional)",
    '/crm add "Priya Raman" @priya youtube',
)
SHOW = Usage("show <influencer>", "their card: status, notes, history, campaigns", '/crm show "Maya Lopez"')
STATUS = Usage(
    "status <influencer> [more … | #tag] [saved|contacted|warm|cold|partnered]",
    "move them in your pipeline (no status: where they are now); several, or yours with a #tag, at once",
    "/crm status @maya warm",
)
PRIORITY = Usage(
    "priority <influencer> [more … | #tag] [0-5]",
    "how much they matter to you (no number: theirs now); several, or yours with a #tag, at once (with Undo)",
    "/crm priority @maya 4",
)
TAG = Usage(
    "tag <influencer> [more …] [+tag -tag …]",
    "add or remove tags (none given: their tags); several creators at once, with Undo",
    "/crm tag @maya +skincare -beauty",
)
NOTE = Usage(
    "note <influencer> [text]", "append a note (no text: open your notes)", "/crm note @maya Loved the brief"
)
REMOVE = Usage(
    "remove <influencer>",
    "take them off your list (their history stays; Undo or /crm restore brings them back)",
    "/crm remove @maya",
)
RESTORE = Usage(
    "restore <influencer>", "put someone you removed back on your list, as it was", "/crm restore @maya"
)


def _ref(args: list[str]) -> str:
    return " ".join(args)


def add(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, ADD)
    influencer, kept = _known_by_email(ctx, args), {}  # `/crm add maya@eats.example`: saved already
    if influencer is None:
        words = read_add(args, ADD)
        influencer = _saved(ctx, words)
        kept = influencers.kept_over(influencer, name=words.name, email=words.email)
    was_archived = archive.is_archived(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    _, created = relationships.add_to_list(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    ctx.home_changed = created
    who = creator_label(influencer.name, influencer.handle, influencer.platform)
    if was_archived:
        said = f"{who} is back on your list, as it was when you removed them."
    else:
        said = f"Added {who} to your list." if created else f"{who} is already on your list."
    said += kept_note(kept)
    # Just added: it may be a second entry of someone (`/crm add @lena tiktok`, @lena on Instagram).
    new_here = created and not was_archived
    others = duplicates.likely_same_person(ctx.db, influencer=influencer) if new_here else []
    if others:
        said += "\n" + same_person_hint(influencer, others)
    ctx.say(said, influencer.id, more=[same_person_buttons(influencer, others)] if others else [])


def _saved(ctx: CommandContext, words: AddWords) -> Influencer:
    """The creator `add`'s words name, saved to the directory (or completed, when picked from a list)."""
    if ctx.picked_influencer_id is not None:
        return influencers.complete_influencer(
            ctx.db,
            team_id=ctx.team_id,
            influencer_id=ctx.influencer(words.ref).id,
            name=words.name,
            profile_url=words.url,
            email=words.email,
        )
    return influencers.save_influencer(
        ctx.db,
        team_id=ctx.team_id,
        ref=words.ref,
        platform=words.platform,
        profile_url=words.url,
        name=words.name,
        email=words.email,
    )


def _known_by_email(ctx: CommandContext, args: list[str]) -> Influencer | None:
    """The creator saved with the one e-mail address `add` was given, else None (read_add then says
    an address alone is not enough to save someone new)."""
    if len(args) != 1 or not looks_like_email(args[0]):
        return None
    try:
        return ctx.influencer(args[0])
    except NoMatch:
        return None


def show(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, SHOW)
    if ctx.picked_influencer_id is None:
        try:  # the common case: one statement finds them and the card
            card = dashboard.relationship_card_for(ctx.db, actor=ctx.actor, ref=_ref(args), now=ctx.now)
        except Ambiguous as several:  # the one on their list, if only one of them is
            influencer = ctx.narrowed(several)
            card = dashboard.relationship_card(
                ctx.db, actor=ctx.actor, influencer_id=influencer.id, now=ctx.now
            )
    else:  # picked from candidate buttons
        influencer = ctx.influencer(_ref(args))
        card = dashboard.relationship_card(ctx.db, actor=ctx.actor, influencer_id=influencer.id, now=ctx.now)
    ctx.reply(card_message(card, tz=ctx.tz, now=ctx.now, public_url=ctx.settings.public_url))


def _one_word_missing(args: list[str], value_words: Sequence[str], what: str) -> str | None:
    """Why one argument is not enough: the creator is missing (it is a value) or the value is."""
    if len(args) != 1:
        return None
    if args[0].lower() in value_words:
        return f"Name the creator first, then the {what}."
    return f"Give the {what} after the creator."


def _shown(ctx: CommandContext, word: str, text) -> None:
    """`status @maya` (the creator and nothing else): what it is now and how to change it, as
    `cadence` and `followup` show theirs. `text(name, relationship, example_ref)` words it."""
    influencer = ctx.influencer(word)
    rel = scoped.get_relationship(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    ref = f"@{mrkdwn(influencer.handle, 100)}"
    ctx.say(text(f"*{mrkdwn(influencer.name, 200)}*", rel, ref), influencer.id)


def status(ctx: CommandContext, args: list[str]) -> None:
    if len(args) == 1 and args[0].lower() not in RELATIONSHIP_STATUSES:
        _shown(
            ctx,
            args[0],
            lambda name, rel, ref: (
                f"{name} is *{status_label(rel.status)}*. Move them along:"
                f" `/crm status {ref} {'partnered' if rel.status == 'warm' else 'warm'}`"
                f" ({one_of(RELATIONSHIP_STATUSES)})."
            ),
        )
        return
    need(args, 2, STATUS, _one_word_missing(args, RELATIONSHIP_STATUSES, "new status"))
    value = args[-1].lower()
    if value not in RELATIONSHIP_STATUSES:
        guess = did_you_mean(value, RELATIONSHIP_STATUSES, synonyms=STATUS_SYNONYMS)
        problem = f"“{args[-1][:40]}” is not a status. {guess} Use {one_of(RELATIONSHIP_STATUSES)}."
        meant = close_matches(value, RELATIONSHIP_STATUSES, n=1, synonyms=STATUS_SYNONYMS)
        run = ["status", *args[:-1], *meant] if meant and len(args) > 1 else None
        raise UsageError(STATUS, " ".join(problem.split()), meant=run)
    if (refs := several_creators(args[:-1])) is not None:  # `/crm status @maya @zoe #shortlist warm`
        creators = creators_for(ctx, refs, at_most=relationships.STATUS_AT_ONCE_MAX)
        results = relationships.set_statuses(
            ctx.db, actor=ctx.actor, influencer_ids=[c.id for c in creators], status=value
        )
        ctx.home_changed = any(previous != value for _, previous in results)
        ctx.reply(statuses_set_message(value, results))
        return
    try:
        influencer = ctx.influencer(_ref(args[:-1]))
    except NotFound:
        if len(args) > 2 and args[-2].lower() in RELATIONSHIP_STATUSES:  # `status @maya contacted warm`
            example = f"/crm status {as_typed(args[:-2])} {value}"
            raise UsageError(STATUS, f"Give one status: the one they are in now, e.g. {example}") from None
        raise
    _, previous = relationships.set_status(ctx.db, actor=ctx.actor, influencer_id=influencer.id, status=value)
    ctx.home_changed = previous != value
    ctx.reply(status_set_message(influencer, value, previous))


def priority(ctx: CommandContext, args: list[str]) -> None:
    if len(args) == 1 and not (args[0].isascii() and args[0].isdigit()):
        _shown(
            ctx,
            args[0],
            lambda name, rel, ref: (
                f"{name} has priority *{rel.priority}* (0 to {PRIORITY_MAX}, {PRIORITY_MAX} the highest)."
                f" Change it: `/crm priority {ref} {rel.priority + 1 if rel.priority < PRIORITY_MAX else 3}`."
            ),
        )
        return
    need(
        args,
        2,
        PRIORITY,
        _one_word_missing(args, [str(n) for n in range(PRIORITY_MAX + 1)], f"priority (0 to {PRIORITY_MAX})"),
    )
    raw = args[-1]
    try:  # the range is crm's (validate_priority); a word or a fraction is not a number at all
        value = validate_priority(int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else raw)
    except InvalidInput as exc:
        raise UsageError(PRIORITY, f"“{raw[:40]}” is not a priority. {exc.message}") from None
    if (refs := several_creators(args[:-1])) is not None:  # `/crm priority @maya @zoe #shortlist 5`
        creators = creators_for(ctx, refs, at_most=relationships.PRIORITY_AT_ONCE_MAX)
        results = relationships.set_priorities(
            ctx.db, actor=ctx.actor, influencer_ids=[c.id for c in creators], priority=value
        )
        ctx.home_changed = any(previous != value for _, previous in results)
        ctx.reply(priorities_set_message(value, results))
        return
    influencer = ctx.influencer(_ref(args[:-1]))
    _, previous = relationships.set_priority(
        ctx.db, actor=ctx.actor, influencer_id=influencer.id, priority=value
    )
    ctx.home_changed = previous != value
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if previous == value:
        ctx.say(f"{name} already has priority *{value}*.", influencer.id)
    else:  # the priority before, so that a slip is put right by typing it
        ctx.say(f"{name} now has priority *{value}* (was {previous}).", influencer.id)


def _is_tag_word(word: str) -> bool:
    return word[:1] in "+#-" and len(word) > 1


def tag(ctx: CommandContext, args: list[str]) -> None:
    add_tags = [w[1:] for w in args if w[:1] in "+#" and len(w) > 1]
    remove_tags = [w[1:] for w in args if w.startswith("-") and len(w) > 1]
    ref_words = [w for w in args if not _is_tag_word(w)]
    if len(args) == 1 and ref_words:  # `tag @maya`: the tags they have now
        _shown(
            ctx,
            args[0],
            lambda name, rel, ref: (
                f"{name} tags: {tags_text(rel.tags)}. Add or remove: `/crm tag {ref} +skincare -beauty`."
            ),
        )
        return
    if ref_words and not (add_tags or remove_tags):
        raise UsageError(TAG, _tags_without_signs(args))
    if not ref_words:
        shown = " ".join(w[:40] for w in args[:5])
        raise UsageError(TAG, None if not args else f"Name the creator first, e.g. /crm tag @maya {shown}")
    # The creator comes first, then the tags: a plain word among the tags was meant as a tag.
    first_tag = next(i for i, w in enumerate(args) if _is_tag_word(w))
    stray = [w for w in args[first_tag:] if not _is_tag_word(w)]
    if first_tag > 0 and stray:
        word = stray[0][:40]
        problem = f"“{word}” is not a +tag or -tag: write +{word} to add it or -{word} to remove it."
        before = args[args.index(stray[0]) - 1]
        if _is_tag_word(before):  # `+plant based`: maybe a tag of two words
            problem += f" A tag is one word: {before[:40]}-{word} keeps the two together."
        raise UsageError(TAG, problem)
    if (refs := several_creators(ref_words)) is not None:  # `/crm tag @maya @zoe +shortlist`
        creators = creators_for(ctx, refs, at_most=relationships.TAG_AT_ONCE_MAX)
        changes = relationships.tag_several(
            ctx.db, actor=ctx.actor, influencer_ids=[c.id for c in creators], add=add_tags, remove=remove_tags
        )
        ops = [f"+{t}" for t in normalize_tags(add_tags)] + [f"-{t}" for t in normalize_tags(remove_tags)]
        ctx.reply(tagged_several_message(changes, ops))
        return
    influencer = ctx.influencer(_ref(ref_words))
    rel, not_there = relationships.update_tags(
        ctx.db, actor=ctx.actor, influencer_id=influencer.id, add=add_tags, remove=remove_tags
    )
    said = f"*{mrkdwn(influencer.name, 200)}* tags: {tags_text(rel.tags)}"
    if not_there:  # removing a tag they did not have changes nothing: say so rather than nothing
        listed = " ".join(f"#{mrkdwn(t, 40)}" for t in not_there)
        said += f" ({listed} {'was' if len(not_there) == 1 else 'were'} not among them.)"
    ctx.say(said, influencer.id)


def _tags_without_signs(args: list[str]) -> str:
    """`tag @maya fitness`: the words after the creator were meant as tags; show them with their +.
    The creator is the first word when it is an @handle or a quoted name (with its platform, if
    given); otherwise only the last word can be told apart from the name."""
    ref = args[:1]
    if args[0].startswith("@") or " " in args[0]:
        if len(args) > 1 and platform_named(args[1]) is not None:
            ref = args[:2]
    elif len(args) > 1:
        ref = args[:-1]
    words = args[len(ref) :]
    if not words:
        return f"Give at least one +tag to add or -tag to remove, e.g. /crm tag {as_typed(ref)} +skincare"
    tags = [word.strip("+-#")[:40] for word in words]
    tags = [tag for tag in tags if tag]  # a lone "+" or "#" names no tag
    if not tags:
        return f"A tag needs a word after its + or -, e.g. /crm tag {as_typed(ref)} +skincare"
    plus = " ".join(f"+{tag}" for tag in tags[:5])
    return (
        f"“{tags[0]}” is not a +tag or -tag: put + before a tag to add it, - to remove it, "
        f"e.g. /crm tag {as_typed(ref)} {plus}"
    )


def note(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, NOTE)
    influencer, words = creator_and_words(ctx, args)
    # The note keeps its own spacing and quotes: take it from the raw text after "note <influencer>".
    text = rest_after(ctx.text, 1 + words) if ctx.text is not None else " ".join(args[words:])
    ref = " ".join(args[:words])
    ctx.replay_args = [ref, text] if text else [ref]
    if influencer is None:
        influencer = ctx.influencer(ref)
    if not text:
        ctx.open_modal(notes_modal_for(ctx.db, ctx.actor, influencer=influencer))
        return
    rel, before = relationships.append_note(ctx.db, actor=ctx.actor, influencer_id=influencer.id, text=text)
    after = relationships.notes_mark(rel.notes)
    ctx.reply(note_added_message(influencer, before=before, after=after))


def remove(ctx: CommandContext, args: list[str]) -> None:
    """`/crm remove <influencer>`: archive the relationship (nothing is deleted), answered with Undo."""
    need(args, 1, REMOVE)
    influencer = ctx.influencer(_ref(args))
    _, removed = archive.archive_relationship(
        ctx.db, actor=ctx.actor, influencer_id=influencer.id, now=ctx.now
    )
    ctx.home_changed = removed
    ctx.reply(removed_message(influencer, removed=removed))


def restore(ctx: CommandContext, args: list[str]) -> None:
    """`/crm restore <influencer>`: put an archived relationship back as it was."""
    need(args, 1, RESTORE)
    influencer = ctx.influencer(_ref(args))
    _, restored = archive.restore_relationship(ctx.db, actor=ctx.actor, influencer_id=influencer.id)
    ctx.home_changed = restored
    ctx.reply(restored_message(influencer, restored=restored))
