"""`@unit_of_work`: one database session and transaction around a Bolt listener, plus the acting user.

Why a decorator and not middleware: in bolt-python, middleware's `next()` only sets a flag; the
listener runs later, in the listener executor, after every middleware has returned. A session opened
in middleware would be closed before the listener used it.

Usage (the decorator goes under the Bolt registration, directly on the function)::

    @app.command(COMMAND)
    @unit_of_work
    def crm_command(ack, command, respond, db: Session, actor: User, settings: Settings): ...

The listener declares Bolt's arguments by name as usual, plus `db` (the Session) and `actor` (the
crm User for the payload's workspace and user, created on first sight). On return the transaction
commits; on an exception it rolls back and the exception goes to the app's error handler
(bot/errors.py), so listeners need no try/except for domain errors. An exception raised after
ack() is handed to that handler here rather than re-raised, because of a race in slack_bolt's
listener runner (see the comment in the wrapper). Listeners that need no database can use the
decorator for that alone: the Session connects only when first used.

Two more things happen here, so that no listener has to remember them:
- A user whose Slack profile was never stored (new, or the look-up failed) is looked up with
  users.info right after the listener's ack() returns (handlers/profiles.py; for events, which Bolt
  acknowledges itself, before the listener runs), so the crm calls that follow use their timezone.
  Known users cost nothing.
- Home tabs the listener changed (handlers/home_refresh.request_home_refresh) are handed to the
  App's background HomePublisher once the transaction has committed; nothing if it rolled back.

How the arguments get there: Bolt reads a listener's parameter names with
`inspect.getfullargspec(inspect.unwrap(listener))` and calls it with those names as keywords. Bolt
cannot supply `db` and `actor` and the wrapper needs `context` (which holds the engine, put there by
bot/app.py's middleware) and `body`, so the wrapper advertises, through `__signature__`, the
listener's own parameters minus `db`/`actor` plus `context` and `body`. functools.wraps still
copies the name, docstring and module (Bolt names its per-listener logger after `__name__`);
`__wrapped__` is removed because `inspect.unwrap` would otherwise lead Bolt back to the
undecorated signature. The undecorated function stays reachable as `listener.__uow_listener__`.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt.context import BoltContext
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bot.errors import handle_error
from crm.models import User
from crm.users import get_or_create_user
from handlers.home_refresh import PENDING_KEY, HomePublisher
from handlers.profiles import ProfileFetcher, needs_profile

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

INJECTED = ("db", "actor")
_NEEDED_FROM_BOLT = ("context", "body")


class NoActorError(LookupError):
    """The request names no Slack user, but the listener asked for `actor`."""


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


# Find the user, or insert it if missing, in one statement that writes and locks nothing when the
# user exists (every request but a user's first). crm.users.get_or_create_user always takes the
# DO UPDATE branch, which locks the user's row until the listener's transaction ends, so a user's
# second click waited (before its ack) for the first click's listener to finish its Slack calls.
_FIND_OR_INSERT = text(
    """
    WITH found AS (
        SELECT * FROM users WHERE team_id = :team_id AND slack_user_id = :slack_user_id
    ), inserted AS (
        INSERT INTO users (team_id, slack_user_id, timezone)
        SELECT :team_id, :slack_user_id, :timezone WHERE NOT EXISTS (SELECT 1 FROM found)
        ON CONFLICT (team_id, slack_user_id) DO NOTHING
        RETURNING *
    )
    SELECT * FROM found UNION ALL SELECT * FROM inserted
    """
)


def load_actor(db: Session, context: BoltContext) -> User:
    """The crm User for this request's Slack identity, created on first sight (one statement).

    A new user gets the workspace's default zone (CRM_TIMEZONE) until handlers/profiles.py has
    asked Slack for theirs, which the wrapper below arranges right after the listener's ack().
    """
    team_id, user_id = actor_ids(context)
    settings = context.get("settings")
    default_zone = settings.timezone if settings is not None else "UTC"
    params = {"team_id": team_id, "slack_user_id": user_id, "timezone": default_zone}
    actor = db.scalars(select(User).from_statement(_FIND_OR_INSERT), params).one_or_none()
    if actor is None:
        # A concurrent first request inserted the same user after our snapshot was taken: the
        # ON CONFLICT branch returned nothing. crm.users resolves that race (it updates and returns).
        actor = get_or_create_user(db, team_id=team_id, slack_user_id=user_id)
    return actor


class _AckThen:
    """The listener's `ack`, running `then` once, right after the first acknowledgement."""

    __slots__ = ("_ack", "_then")

    def __init__(self, ack: Callable[..., Any], then: Callable[[], None]) -> None:
        self._ack = ack
        self._then: Callable[[], None] | None = then

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        acknowledged = self._ack(*args, **kwargs)
        then, self._then = self._then, None
        if then is not None:
            then()
        return acknowledged


def _after_ack(context: BoltContext, call: dict[str, Any], step: Callable[[], None]) -> None:
    """Run `step` right after the listener acks: now if Bolt has acknowledged already (events),
    else inside its ack() call. A listener that never acks (Bolt answers for it) skips the step."""
    if context.ack.response is not None:
        step()
    elif "ack" in call:
        call["ack"] = _AckThen(call["ack"], step)


def _fill_profile(context: BoltContext, db: Session, actor: User) -> None:
    fetcher: ProfileFetcher | None = context.get("profiles")
    if fetcher is not None and context.client is not None:
        fetcher.fill(context.client, db, actor)


def _hand_over_home_refreshes(context: BoltContext, db: Session) -> None:
    """After commit: the Home tabs the listener changed go to the App's background publisher."""
    pending = db.info.pop(PENDING_KEY, None)
    if not pending:
        return
    publisher: HomePublisher | None = context.get("home_publisher")
    if publisher is None:
        log.warning("App Home changed but this app has no home publisher; not re-published")
        return
    for target in pending.values():
        try:
            publisher.request(target)
        except Exception:  # the change is committed: a refresh problem must not look like its failure
            log.exception("could not hand an App Home refresh to the publisher")


def unit_of_work(func: F) -> F:
    """Run `func` inside `Session(engine)` + one transaction; inject `db` and `actor` if it asks."""
    params = inspect.signature(func).parameters
    wanted = [name for name, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    if len(wanted) != len(params):
        raise TypeError(f"{func.__qualname__}: Bolt listeners take plain named parameters only")
    from_bolt = [name for name in wanted if name not in INJECTED]
    from_bolt += [name for name in _NEEDED_FROM_BOLT if name not in from_bolt]
    wants_db, wants_actor = "db" in wanted, "actor" in wanted

    @functools.wraps(func)
    def listener(**bolt_kwargs: Any) -> Any:
        context: BoltContext = bolt_kwargs["context"]
        engine: Engine = context["engine"]
        started = getattr(context.ack, "listener_started", None)  # bot.app.StickyAck
        if started is not None:
            started()
        call = {name: value for name, value in bolt_kwargs.items() if name in wanted}
        try:
            # expire_on_commit=False: a listener may still render ORM objects after the commit.
            with Session(engine, expire_on_commit=False) as db:
                with db.begin():
                    db.info[PENDING_KEY] = {}
                    if wants_db:
                        call["db"] = db
                    if wants_actor:
                        actor = call["actor"] = load_actor(db, context)
                        if needs_profile(actor):
                            _after_ack(context, call, functools.partial(_fill_profile, context, db, actor))
                    result = func(**call)
                _hand_over_home_refreshes(context, db)
                return result
        except Exception as error:
            if context.ack.response is None:
                raise  # not acknowledged: Bolt's runner makes the error handler's answer the ack
            # Acknowledged already: report it here, through the same handler. Re-raising would let
            # slack_bolt's runner briefly store a 500 in the variable the request thread is about to
            # return, so an acknowledged click could still reach Slack as a 500 (seen under load).
            handle_error(error, bolt_kwargs["body"], context, None)
            return None

    del listener.__wrapped__  # type: ignore[attr-defined]
    listener.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in from_bolt]
    )
    listener.__uow_listener__ = func  # type: ignore[attr-defined]
    return listener  # type: ignore[return-value]
