"""Pages of `/crm list`, `/crm due` (and `due week`) and `/crm find`, and their Previous / Next buttons.

`list_page()` runs a ListQuery (handlers/blocks/lists.py) for the acting user and builds the
message: the command shows its first page with it, and a click on Previous / Next shows the page
its button names, replacing the message in place. The button's value came back from Slack, so it is
parsed strictly here and its filters are validated again by crm; every query filters by the acting
user, so a forged value can only page through the clicker's own list.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from crm import clock
from crm.clock import zone_of
from crm.errors import InvalidInput
from crm.followups import DUE_WEEK_DAYS, due_cutoff, next_follow_up
from crm.models import User
from crm.relationship_list import OFFSET_MAX, RelationshipFilter, list_relationships
from crm.search import search, spelled_like
from crm.tags import tags_spelt_like
from handlers.blocks.lists import (
    LIST_KINDS,
    PAGE,
    ListQuery,
    relationship_list,
    search_results,
    spelt_close,
    tag_meant,
)
from handlers.blocks.message import Message
from handlers.blocks.text import fmt_datetime, mrkdwn
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import reply

BROKEN = "That button no longer works; run the command again."
LIST_HINT = "Narrow it down, e.g. `/crm list warm #skincare priority>=3`."
# The keys each kind of list may carry in a button value ("k" kind and "o" offset always).
_KEYS = {"list": {"s", "t", "p"}, "due": set(), "week": set(), "find": {"q"}, "archived": set()}


def list_page(db: Session, actor: User, query: ListQuery, *, now: datetime) -> Message:
    """The page of `query` that starts at `query.offset`, for `actor` (see the module docstring)."""
    tz = zone_of(actor.timezone)
    if query.kind == "find":
        return _find_page(db, actor, query, now=now)
    if query.kind == "archived":
        page = list_relationships(
            db, actor=actor, filters=RelationshipFilter(archived=True, limit=PAGE, offset=query.offset)
        )
        return relationship_list(
            page.items,
            page.total,
            query=query,
            offset=page.offset,
            title="Removed from your list",
            tz=tz,
            now=now,
            empty="You have not removed anyone from your list.",
            hint="Restore puts one back as it was.",
            restore=True,
        )
    if query.kind in ("due", "week"):
        # crm.followups.due_cutoff: before the end of the user's day, or of the week ahead.
        days = DUE_WEEK_DAYS if query.kind == "week" else 0
        filters = RelationshipFilter(
            follow_up_before=due_cutoff(actor, now, days=days),
            sort="follow_up",
            limit=PAGE,
            offset=query.offset,
        )
        title = f"Follow-ups due in the next {days} days" if days else "Follow-ups due"
        empty, hint = "", "Oldest first."
    else:
        filters = RelationshipFilter(
            statuses=query.statuses,
            tag=query.tag,
            min_priority=query.min_priority,
            limit=PAGE,
            offset=query.offset,
        )
        title, hint = "Your relationships", LIST_HINT
        asked = [
            mrkdwn(" or ".join(query.statuses), 100) if query.statuses else None,
            f"#{mrkdwn(query.tag, 40)}" if query.tag is not None else None,
            f"priority&gt;={query.min_priority}" if query.min_priority is not None else None,
        ]
        filters_shown = " ".join(word for word in asked if word)
        empty = (
            f"Nothing on your list matches {filters_shown}. `/crm list` shows everyone on it."
            if filters_shown
            else "Your list is empty. Add someone with `/crm add @handle`."
        )
    page = list_relationships(db, actor=actor, filters=filters)
    if not page.total and query.kind in ("due", "week"):  # one more statement, only when nothing is due
        empty = _nothing_due(db, actor, now=now, week=query.kind == "week")
    elif not page.total and query.tag is not None:
        empty = _no_such_tag(db, actor, query) or empty
    return relationship_list(
        page.items,
        page.total,
        query=query,
        offset=page.offset,
        title=title,
        tz=tz,
        now=now,
        empty=empty,
        hint=hint if page.has_next or page.has_previous else "",
    )


def _no_such_tag(db: Session, actor: User, query: ListQuery) -> str | None:
    """`/crm list warm #fitnes` found nothing: the tag it may have meant, with the line listing it."""
    meant = tags_spelt_like(db, actor=actor, text=query.tag or "")
    if not meant:
        return None
    others = [*query.statuses, *([f"priority>={query.min_priority}"] if query.min_priority else [])]
    suggestion = tag_meant(meant, command="list", filters=mrkdwn(" ".join(others), 100))
    return f"Nothing on your list matches #{mrkdwn(query.tag or '', 40)}. {suggestion}"


def _nothing_due(db: Session, actor: User, *, now: datetime, week: bool = False) -> str:
    """What /crm due (week) says when nothing is due: and when the next follow-up is, if any."""
    nothing = (
        f"Nothing due in the next {DUE_WEEK_DAYS} days. :tada:" if week else "No follow-ups due today. :tada:"
    )
    upcoming = next_follow_up(db, actor=actor, now=now, days=DUE_WEEK_DAYS if week else 0)
    if upcoming is None:
        return f"{nothing} Set one with `/crm followup @handle tomorrow`."
    name = mrkdwn(upcoming.influencer.name, 100)
    when = fmt_datetime(upcoming.follow_up_date, zone_of(actor.timezone))
    return f"{nothing} Next: *{name}* on {when}."


def _find_page(db: Session, actor: User, query: ListQuery, *, now: datetime) -> Message:
    text = query.text or ""
    offset = query.offset
    # One hit more than a page says whether a next page exists, without counting every hit.
    hits = search(db, actor=actor, text=text, limit=PAGE + 1, offset=offset)
    if not hits and offset > 0:  # the hits changed since the button was made: start again
        offset = 0
        hits = search(db, actor=actor, text=text, limit=PAGE + 1)
    if not hits and (close := spelled_like(db, actor=actor, ref=text)):  # "lucas": the Lucas on their list
        miss = f"Nothing matches “{text[:80]}”."
        return spelt_close(miss, close, command="show", args=(text,))  # the pick shows the card
    return search_results(
        text,
        hits[:PAGE],
        tags_meant=[] if hits else tags_spelt_like(db, actor=actor, text=text),
        query=query,
        offset=offset,
        has_next=len(hits) > PAGE,
        tz=zone_of(actor.timezone),
        now=now,
    )


def _optional(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInput("page", BROKEN)
    return value


def parse_page(value: str | None) -> ListQuery:
    """The ListQuery a Previous / Next button carries; InvalidInput for anything but what we wrote.

    Only the shape is checked here; crm validates the filters themselves (status, tag, priority,
    search text) as it would for a typed command.
    """
    try:
        data = json.loads(value or "")
    except ValueError:
        raise InvalidInput("page", BROKEN) from None
    if not isinstance(data, dict) or data.get("k") not in LIST_KINDS:
        raise InvalidInput("page", BROKEN)
    kind = data["k"]
    if not set(data) <= {"k", "o"} | _KEYS[kind]:
        raise InvalidInput("page", BROKEN)
    offset = data.get("o")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= OFFSET_MAX:
        raise InvalidInput("page", BROKEN)
    statuses = _optional(data, "s", str)
    query = ListQuery(
        kind=kind,
        statuses=tuple(statuses.split(",")) if statuses is not None else (),
        tag=_optional(data, "t", str),
        min_priority=_optional(data, "p", int),
        text=_optional(data, "q", str),
        offset=offset,
    )
    if kind == "find" and not query.text:
        raise InvalidInput("page", BROKEN)
    return query


def page_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    query = parse_page(action.get("value"))
    with scope(context) as s:
        message = list_page(s.db, s.actor, query, now=clock.now())
    reply(context, message, replace_original=True)


def register(app: App) -> None:
    app.action(Action.LIST_PREVIOUS)(after_ack(page_clicked))
    app.action(Action.LIST_NEXT)(after_ack(page_clicked))
