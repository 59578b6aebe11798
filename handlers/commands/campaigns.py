"""`/crm campaign new|list|show|edit|add|status` and `/crm utm`: campaigns and tracking links."""

from __future__ import annotations

from crm import assignments, campaigns, clicks
from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.models import ASSIGNMENT_STATUSES, Campaign, Influencer
from crm.profiles import platform_named
from crm.relationship_list import PAGE_MAX, RelationshipFilter, list_relationships
from crm.suggest import ASSIGNMENT_STATUS_SYNONYMS, close_matches, did_you_mean, one_of
from crm.urls import looks_like_url, validate_http_url
from crm.users import looks_like_email
from handlers.blocks.assignment_changes import assigned_several, status_set, statuses_moved
from handlers.blocks.campaign_modals import assign_modal, new_campaign_modal
from handlers.blocks.campaigns import assignment_link, campaign_created, campaign_list
from handlers.blocks.help import Usage
from handlers.commands.context import CommandContext, UsageError, need
from handlers.commands.tokens import as_typed, spans, unescape
from handlers.forms import dump_metadata
from handlers.short_links import link_and_clicks
from handlers.views.campaigns import campaign_card_for, campaign_edit_modal_for, is_crm_admin

CAMPAIGN_NEW = Usage(
    "campaign new <name> <landing-url>",
    "create a campaign (a form when something is missing)",
    '/crm campaign new "Spring Sale" https://shop.example.com/spring',
)
CAMPAIGN_LIST = Usage(
    "campaign list [all]", "the workspace's campaigns; `all` includes archived ones", "/crm campaign list"
)
CAMPAIGN_SHOW = Usage(
    "campaign show <campaign>",
    "the campaign and who is on it, with their links (and clicks)",
    '/crm campaign show "Spring Sale"',
)
CAMPAIGN_EDIT = Usage(
    "campaign edit <campaign>",
    "edit name, landing page, UTM defaults, dates, status (creator or CRM admin)",
    '/crm campaign edit "Spring Sale"',
)
CAMPAIGN_ADD = Usage(
    "campaign add <campaign> <influencer> [more … | #tag]",
    "assign an influencer, with UTM values to review; several, or your creators with a #tag, at once"
    " (default UTM values, with Undo)",
    '/crm campaign add "Spring Sale" @maya @zoe tiktok #skincare',
)
CAMPAIGN_STATUS = Usage(
    "campaign status <campaign> <influencer> [more … | #tag] <planned|active|completed|cancelled>",
    "move an assignment along; several, or those of your creators with a #tag, at once (with Undo)",
    '/crm campaign status "Spring Sale" @maya active',
)
CAMPAIGN_AND_CREATOR = "Name the campaign, then the creator."
UTM = Usage(
    "utm <campaign> <influencer>", "the tracking link (assigns if needed)", '/crm utm "Spring Sale" @maya'
)


def campaign_new(ctx: CommandContext, args: list[str]) -> None:
    words, url = _name_and_landing_url(ctx, args)
    name = " ".join(words).strip()
    if not name or not url:
        ctx.open_modal(new_campaign_modal(name=name or None, landing_url=url))
        return
    campaign = campaigns.create_campaign(ctx.db, actor=ctx.actor, name=name, landing_url=url)
    ctx.reply(campaign_created(campaign))


def _name_and_landing_url(ctx: CommandContext, args: list[str]) -> tuple[list[str], str | None]:
    """(the name's words, the landing URL) of `campaign new`.

    The last word is the landing URL when it looks like a link (crm.urls.looks_like_url), or when
    the name was quoted and one word follows it: `"Bad URL" not-a-url` is refused naming
    `not-a-url` rather than creating a campaign called “Bad URL not-a-url”.
    """
    if not args:
        return [], None
    quoted = _first_argument_quoted(ctx)
    last = args[-1]
    if looks_like_url(last) or (quoted and len(args) == 2):
        try:
            return args[:-1], validate_http_url(last, field="landing_url")
        except InvalidInput:
            raise UsageError(CAMPAIGN_NEW, _not_a_landing_url(last)) from None
    if quoted and len(args) > 2:
        extra = " ".join(args[1:])
        raise UsageError(
            CAMPAIGN_NEW, f"After the quoted name give just the landing URL; “{extra[:80]}” is not one."
        )
    return args, None


def _not_a_landing_url(word: str) -> str:
    problem = f"“{word[:80]}” is not a landing URL: give the full address, starting with https://."
    try:
        guess = validate_http_url(f"https://{word}", field="landing_url")
    except InvalidInput:
        return problem
    return f"{problem} Did you mean {guess[:100]}?"


def _first_argument_quoted(ctx: CommandContext) -> bool:
    """Whether the word after `campaign new` was written in quotes (tokenize drops them)."""
    if not ctx.text:
        return False
    text = unescape(ctx.text)
    found = spans(text)
    if len(found) < 3:
        return False
    word, end = found[2]
    return text[found[1][1] : end].strip() != word


def campaign_list_(ctx: CommandContext, args: list[str]) -> None:
    if args and not (len(args) == 1 and args[0].lower() == "all"):
        raise UsageError(
            CAMPAIGN_LIST, f"`campaign list` takes only `all` (archived campaigns too), not “{args[0][:40]}”."
        )
    everything = campaigns.list_campaigns(ctx.db, team_id=ctx.team_id, include_archived=True)
    shown = everything if args else [s for s in everything if s.campaign.status != "archived"]
    counts = None
    if ctx.settings.public_url:  # short links are on: each campaign's clicks
        counts = clicks.counts_by_campaign(ctx.db, campaign_ids=[s.campaign.id for s in shown], now=ctx.now)
    ctx.reply(campaign_list(shown, archived_hidden=len(everything) - len(shown), clicks=counts))


def campaign_show(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, CAMPAIGN_SHOW, "Which campaign?")
    campaign, _ = split_campaign(ctx, args, rest=0)
    ctx.reply(campaign_card_for(ctx.db, ctx.settings, ctx.actor, campaign))


def campaign_edit(ctx: CommandContext, args: list[str]) -> None:
    need(args, 1, CAMPAIGN_EDIT, "Which campaign?")
    campaign, _ = split_campaign(ctx, args, rest=0)
    admin = is_crm_admin(ctx.settings, ctx.actor)
    ctx.open_modal(campaign_edit_modal_for(ctx.db, ctx.actor, campaign_id=campaign.id, crm_admin=admin))


def starts_a_creator(word: str) -> bool:
    """Whether `word` alone names creators (a #tag, @handle, link, e-mail address or quoted name)."""
    if word.startswith(("@", "#")):
        return len(word) > 1
    return " " in word or looks_like_url(word) or looks_like_email(word)


def several_creators(words: list[str]) -> list[str] | None:
    """The creators `words` name one by one, when they name several or a #tag: each @handle (with a
    platform word after it), profile link, e-mail address, "quoted name" or #tag is one. None when
    they are one reference (`@maya`, `@maya tiktok`, `Maya Lopez`), which the form reviews.

    A plain word among several (`@maya lopez @zoe`) is refused, naming it: which creator it belongs
    to cannot be told.
    """
    refs: list[str] = []
    plain: str | None = None
    for word in words:
        if refs and refs[-1].startswith("@") and " " not in refs[-1] and platform_named(word):
            refs[-1] = f"{refs[-1]} {word}"
        elif starts_a_creator(word):
            refs.append(word)
        else:
            plain = plain or word
    if len(refs) < 2 and not any(ref.startswith("#") for ref in refs):
        return None
    if plain is not None:
        raise InvalidInput(
            "influencers",
            f"“{plain[:40]}” is not a creator: with several, give each as an @handle (its platform"
            ' after it), a profile link, an e-mail address or a "quoted name".',
        )
    return refs


def creators_for(
    ctx: CommandContext, refs: list[str], *, at_most: int = assignments.ASSIGN_AT_ONCE_MAX
) -> list[Influencer]:
    """The creators `refs` (several_creators) name, in order: a #tag is the actor's creators with
    that tag (strongest first), refused when they are more than `at_most`. A reference that names no
    one, or several, is refused naming it."""
    found: list[Influencer] = []
    for ref in refs:
        if ref.startswith("#"):
            page = list_relationships(
                ctx.db, actor=ctx.actor, filters=RelationshipFilter(tag=ref[1:], limit=PAGE_MAX)
            )
            if page.total == 0:
                raise InvalidInput("influencers", f"No one on your list is tagged {ref[:40]}.")
            if page.total > at_most:
                raise InvalidInput(
                    "influencers",
                    f"{ref[:40]} is on {page.total:,} of your creators; at most {at_most} are taken at once.",
                )
            found += [rel.influencer for rel in page.items]
            continue
        try:
            found.append(ctx.influencer(ref))
        except Ambiguous as exc:
            handles = ", ".join(f"@{c.handle}" for c in exc.candidates[:5] if isinstance(c, Influencer))
            raise InvalidInput(
                "influencers", f"“{ref[:60]}” matches several creators ({handles}): name the one you mean."
            ) from None
        except NotFound as exc:
            raise InvalidInput("influencers", f"{exc.message} Nothing was changed.") from None
    return found


def campaign_add(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, CAMPAIGN_ADD, CAMPAIGN_AND_CREATOR)
    campaign, rest = split_campaign(ctx, args, rest=1)
    refs = several_creators(rest)
    if refs is not None:  # several at once: the default UTM values, with Undo
        creators = creators_for(ctx, refs)
        done = assignments.assign_several(
            ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_ids=[c.id for c in creators]
        )
        ctx.home_changed = bool(done.created)
        ctx.reply(assigned_several(campaign, done, {c.id: c for c in creators}))
        return
    influencer = ctx.influencer(" ".join(rest))
    assigned = notes = None
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
        assigned, notes = existing.status, existing.notes
    except NotFound:
        utm = assignments.default_utm(campaign, influencer)
        preview = assignments.preview_link(campaign, influencer, utm)
    metadata = dump_metadata(c=campaign.id, i=influencer.id)
    view = assign_modal(
        campaign, influencer, utm=utm, preview=preview, metadata=metadata, assigned=assigned, notes=notes
    )
    ctx.open_modal(view)


def campaign_status(ctx: CommandContext, args: list[str]) -> None:
    need(args, 3, CAMPAIGN_STATUS, "Name the campaign, the creator and the new status.")
    value = assignments.assignment_status_named(args[-1])
    if value is None:
        guess = did_you_mean(args[-1].lower(), ASSIGNMENT_STATUSES, synonyms=ASSIGNMENT_STATUS_SYNONYMS)
        said = f"“{args[-1][:40]}” is not an assignment status. {guess} Use {one_of(ASSIGNMENT_STATUSES)}."
        meant = close_matches(args[-1].lower(), ASSIGNMENT_STATUSES, n=1, synonyms=ASSIGNMENT_STATUS_SYNONYMS)
        run = ["campaign", "status", *args[:-1], *meant] if meant else None
        raise UsageError(CAMPAIGN_STATUS, " ".join(said.split()), meant=run)
    campaign, rest = split_campaign(ctx, args[:-1], rest=1)
    refs = several_creators(rest)
    if refs is not None:  # several at once, with Undo
        creators = creators_for(ctx, refs)
        done = assignments.set_several_statuses(
            ctx.db,
            actor=ctx.actor,
            campaign_id=campaign.id,
            influencer_ids=[c.id for c in creators],
            status=value,
        )
        ctx.home_changed = bool(done.moved)
        ctx.reply(statuses_moved(campaign, value, done, {c.id: c for c in creators}))
        return
    influencer = ctx.influencer(" ".join(rest))
    try:
        assignment, previous = assignments.set_assignment_status(
            ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_id=influencer.id, status=value
        )
    except assignments.NotAssigned as exc:
        if exc.by_teammate:
            raise
        handle = influencer.handle.lstrip("@")
        how = Usage(
            CAMPAIGN_ADD.usage, CAMPAIGN_ADD.summary, f'/crm campaign add "{campaign.name}" @{handle}'
        )
        raise UsageError(how, f"{exc.message} Assign them first, then set the status:") from exc
    ctx.home_changed = previous != value  # App Home lists the campaigns with open assignments
    ctx.reply(status_set(campaign, influencer, assignment, previous))


def utm(ctx: CommandContext, args: list[str]) -> None:
    need(args, 2, UTM, CAMPAIGN_AND_CREATOR)
    campaign, rest = split_campaign(ctx, args, rest=1)
    if several_creators(rest) is not None:
        quoted, creators = f'"{campaign.name[:100]}"', as_typed(rest)[:300]
        raise UsageError(
            UTM,
            f"`/crm utm` gives one creator's link. For several: `/crm campaign add {quoted} {creators}`"
            f" assigns them, and `/crm campaign show {quoted}` lists every link.",
        )
    influencer = ctx.influencer(" ".join(rest))
    assignment, created = assignments.assign_influencer(
        ctx.db, actor=ctx.actor, campaign_id=campaign.id, influencer_id=influencer.id
    )
    ctx.home_changed = created
    short_url, count = link_and_clicks(ctx.db, ctx.settings, assignment)
    message = assignment_link(
        assignment, campaign, influencer, created=created, short_url=short_url, clicks=count
    )
    ctx.reply(message)


def split_campaign(ctx: CommandContext, args: list[str], *, rest: int) -> tuple[Campaign, list[str]]:
    """The campaign named by the first words of `args` and the words after it.

    Quotes make it exact (`"Spring Sale" @maya`); without them the longest leading run of words
    that names a campaign wins, leaving at least `rest` words for what follows. Only the longest run
    may be part of a name (`Spring` for “Spring Sale”); a shorter one must be a whole name, so that
    `Fall Dorp @maya` is “no campaign Fall Dorp”, not “Fall Drop” with an influencer “Dorp @maya”.
    An @handle ends the campaign's words (`Winter @zoe tiktok`: the creator is "@zoe tiktok"). The
    words before the first #tag, link, e-mail address or quoted name may be part of a name too
    (`Winter #skincare` for “Winter Glow”), as such words may be in a name (`Drop #3 @zoe`).
    When nothing matches, the error names the words and suggests close campaign names.
    """
    ambiguous: Ambiguous | None = None
    longest = len(args) - rest
    handles = [i for i, word in enumerate(args) if i > 0 and word.startswith("@") and len(word) > 1]
    if handles:
        longest = min(longest, handles[0])
    cut = next((i for i, word in enumerate(args) if i > 0 and starts_a_creator(word)), None)
    for size in range(longest, 0, -1):
        ref = " ".join(args[:size])
        try:
            campaign = campaigns.resolve_campaign(
                ctx.db, team_id=ctx.team_id, ref=ref, partial=size in (longest, cut)
            )
        except Ambiguous as exc:
            ambiguous = ambiguous or exc  # "several match" helps more than "none matches"
            continue
        except NotFound:
            continue
        return campaign, args[size:]
    if ambiguous is not None:
        raise ambiguous
    raise InvalidInput("campaign", _no_campaign(ctx, args[: max(longest, 1)]))


def _no_campaign(ctx: CommandContext, words: list[str]) -> str:
    """“No campaign named …”, naming the words tried, with the closest names when some are close."""
    names = campaigns.campaign_names(ctx.db, team_id=ctx.team_id)
    tried = [" ".join(words[:size]) for size in range(len(words), 0, -1)]
    for ref in tried:
        close = close_matches(ref, names)
        if close:
            return f"No campaign named “{ref[:100]}”. Did you mean {' or '.join(f'“{n}”' for n in close)}?"
    missing = f"No campaign named “{tried[0][:100]}”"
    if not names:
        return f"{missing}: there are no campaigns yet; create one with `/crm campaign new`."
    return f"{missing}; `/crm campaign list all` shows them all."
