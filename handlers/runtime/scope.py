"""`with scope(context) as s:` — one short transaction for a listener, with its acting user.

A listener reads top to bottom::

    def show_clicked(body, context):              # after its ack (handlers/runtime/after_ack.py)
        with scope(context) as s:                 # s.db, s.actor
            message = build_card(s.db, s.actor, ...)
        reply(context, message)                   # committed: now Slack may be called

- The transaction commits when the block ends and rolls back if it raises; the error then goes to
  the error handler (handlers/runtime/errors.py), which tells the user.
- The block has a deadline (SCOPE_BUDGET seconds, handlers/runtime/deadline.py), so a frozen or
  overloaded database still gets the user "temporarily unavailable" within seconds, and a modal's
  ack (which waits for its transaction) still reaches Slack within its 3 s — and, unless COMMIT
  itself was cut, "nothing was changed" is true.
- `once="..."` (a request key, see request_key()) makes the change apply once: when a committed
  request already holds the key, `s.replayed` is True and the listener skips the write.
- `s.discard()` rolls everything back at the end (a modal answered with inline errors).
- `s.refresh_home()` re-publishes the actor's App Home after the commit (handlers/home_refresh.py).
- A user seen for the first time is created, and asked about with users.info before the
  transaction starts (bounded by PROFILE_TIMEOUT), so their first command already uses their zone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.orm import Session

from crm.applied_requests import claim_request
from crm.models import User
from crm.users import get_or_create_user
from handlers.home_refresh import HomeTarget
from handlers.profiles import needs_profile, store_profile
from handlers.runtime.deadline import committing, within
from handlers.runtime.errors import is_database_unavailable
from handlers.runtime.runtime import Runtime, runtime_of

log = logging.getLogger(__name__)

# Seconds a listener's whole scope may take: pool checkout, connecting, statements, the commit, and
# on a user's first sight the users.info look-up (at most handlers/profiles.PROFILE_TIMEOUT of it).
# The ack then still leaves well inside Slack's 3 s.
SCOPE_BUDGET = 2.0


class NoActorError(LookupError):
    """The request names no Slack user, but the listener asked for an actor."""


def actor_ids(context: BoltContext) -> tuple[str, str]:
    """(team id, user id) of the person who caused this request.

    Bolt extracts both from the payload (user.team_id, team.id, team_id, event.user, ...). In an
    Enterprise Grid org-wide install the team can be absent; the enterprise id then scopes the user.
    """
    team_id = context.team_id or context.enterprise_id
    user_id = context.user_id
    if not team_id or not user_id:
        raise NoActorError("this Slack request carries no workspace and user to act as")
    return team_id, user_id


def request_key(body: dict[str, Any]) -> str | None:
    """A key naming this Slack request, the same for a replay or a double submit of it.

    Modal submissions: the view's id and hash (a second submit of the same view state repeats both).
    Commands and clicks: their trigger_id (each real invocation gets a new one).
    """
    view = body.get("view")
    if (
        body.get("type") == "view_submission"
        and isinstance(view, dict)
        and isinstance(view.get("id"), str)
        and isinstance(view.get("hash"), str)
    ):
        return f"view:{view['id']}:{view['hash']}"
    trigger_id = body.get("trigger_id")
    return f"trigger:{trigger_id}" if isinstance(trigger_id, str) and trigger_id else None


@dataclass
class Scope:
    """What a listener works with inside `scope()`."""

    db: Session
    _actor: User | None
    replayed: bool = False
    _home: HomeTarget | None = field(default=None, repr=False)
    _discarded: bool = field(default=False, repr=False)

    @property
    def actor(self) -> User:
        if self._actor is None:
            raise NoActorError("this scope was opened without an actor")
        return self._actor

    def refresh_home(self) -> None:
        """Re-publish the actor's App Home once this transaction has committed."""
        self._home = HomeTarget.of(self.actor)

    def discard(self) -> None:
        """Roll this transaction back at the end instead of committing: bad input writes nothing
        (not even the request's key, so the corrected form can be sent again)."""
        self._discarded = True


@contextmanager
def scope(context: BoltContext, *, once: str | None = None, with_actor: bool = True) -> Iterator[Scope]:
    """One transaction for this request (see the module docstring)."""
    runtime = runtime_of(context)
    runtime.breaker.admit()  # DatabaseDown at once while the database is known to be unavailable
    try:
        s = yield from _transaction(context, runtime, once=once, with_actor=with_actor)
    except Exception as error:
        if is_database_unavailable(error):
            runtime.breaker.failed()
        else:  # the database answered (a domain error, a bug): it is up
            runtime.breaker.succeeded()
        raise
    runtime.breaker.succeeded()
    if s._home is not None:
        runtime.home_publisher.request(s._home)


def _transaction(context: BoltContext, runtime: Runtime, *, once: str | None, with_actor: bool):
    """The body of scope(): yields the Scope inside the transaction, returns it after the commit."""
    with within(SCOPE_BUDGET), Session(runtime.engine, expire_on_commit=False) as db:
        actor = None
        if with_actor:
            team_id, user_id = actor_ids(context)
            actor = get_or_create_user(
                db, team_id=team_id, slack_user_id=user_id, timezone=runtime.settings.timezone
            )
            if needs_profile(actor):
                db.commit()  # the new user is saved; no transaction stays open over users.info
                info = runtime.profiles.look_up(context.client, actor)
                if info is not None:
                    store_profile(db, actor, info)
        s = Scope(db, actor)
        if once is not None:
            s.replayed = not claim_request(db, key=once, team_id=actor_ids(context)[0])
        try:
            yield s
        except BaseException:
            db.rollback()
            raise
        if s._discarded:
            db.rollback()
            return s
        with committing():
            db.commit()
    return s
