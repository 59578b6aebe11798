"""Shared steps of a modal submission: run the crm call so that bad input writes nothing and comes
back as `response_action: errors` next to the right field; find the message the form was opened
from, to answer there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import BoltContext

from crm.errors import DomainError
from handlers.forms import load_metadata
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import Scope
from handlers.runtime.slack_calls import ReplyTarget

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What `attempt` did: `value` of the crm call, or `rejected` (errors already sent to Slack)."""

    value: T | None = None
    rejected: bool = False


def reject(ack: Callable[..., Any], errors: Mapping[str, str]) -> None:
    """Answer the submission with inline errors (the modal stays open with what the user typed)."""
    ack(response_action="errors", errors=dict(errors))


def attempt(
    ack: Callable[..., Any],
    s: Scope,
    call: Callable[[], T],
    *,
    fields: Mapping[str, str],
    fallback: str,
) -> Outcome[T]:
    """Run `call`; a domain error discards the whole transaction and is shown inline.

    `fields` maps the crm error's field name (InvalidInput.field) to the modal's block id; an
    InvalidInput that names one of those block ids already (handlers/forms.py's malformed values)
    stays on it. Other domain errors (NotFound for a forged id, Conflict, Forbidden, Ambiguous) go
    on `fallback`, an input block of the same modal. On an error the submission is answered here:
    the listener just returns when `rejected` is set.
    """
    try:
        return Outcome(call())
    except DomainError as exc:
        s.discard()
        field = getattr(exc, "field", "")
        block = fields.get(field) or (field if field in fields.values() else fallback)
        reject(ack, {block: exc.message})
        return Outcome(rejected=True)


def form_reply_target(view: dict[str, Any], context: BoltContext) -> ReplyTarget | None:
    """Where the message the form was opened from is (`reply_to` of handlers.views.openers, kept in
    private_metadata), for the submitter; None for a form opened from App Home."""
    api_url = runtime_of(context).settings.slack_api_url
    return ReplyTarget.from_metadata(load_metadata(view), context.user_id, api_url=api_url)
