"""What a subcommand gets to work with, and how it says "bad arguments".

A subcommand is a function `(ctx, args) -> None` registered with its usage line. It parses its
`args`, calls one crm function, and answers with `ctx.reply(message)` or `ctx.open_modal(view)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from crm import influencers
from crm.clock import zone_of
from crm.errors import InvalidInput
from crm.models import Influencer, User
from handlers.blocks.help import Usage
from handlers.blocks.message import Message
from handlers.blocks.text import escape


class UsageError(InvalidInput):
    """Bad arguments: the message is the problem (if any), the subcommand's usage line and an example.

    An InvalidInput, so the app's error handler shows it ephemerally and the unit of work rolls back.
    """

    def __init__(self, usage: Usage, problem: str | None = None, *, command: str = "/crm") -> None:
        # Shown as mrkdwn by the app's error handler: escape what the user typed and the <placeholders>.
        lead = f"{escape(problem)}\n" if problem else ""
        text = f"{lead}Usage: `{command} {escape(usage.usage)}` — e.g. `{escape(usage.example)}`"
        super().__init__("command", text)
        self.usage = usage
        self.problem = problem


@dataclass
class CommandContext:
    """One /crm invocation (or its replay from a candidate button)."""

    db: Session
    actor: User
    client: WebClient
    respond: Callable[..., Any]
    trigger_id: str | None
    settings: Any
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    text: str | None = None  # the raw command text (None when replaying a candidate button)
    picked_influencer_id: uuid.UUID | None = None  # set when replaying a candidate button
    replay_args: list[str] | None = None  # what a candidate button re-runs, when not the plain args
    # Something App Home shows changed (status, priority, follow-up, list membership): re-publish it.
    # Tags, notes and campaigns are not on the Home tab, so changing them costs no refresh.
    home_changed: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return zone_of(self.actor.timezone)

    @property
    def team_id(self) -> str:
        return self.actor.team_id

    def influencer(self, ref: str) -> Influencer:
        """The influencer `ref` names (NotFound / Ambiguous), or the one picked from candidate buttons.

        A picked id comes back from Slack, so it is re-checked: it must be in the actor's workspace,
        and every crm call that follows filters by the actor.
        """
        if self.picked_influencer_id is not None:
            return influencers.get_influencer(
                self.db, team_id=self.team_id, influencer_id=self.picked_influencer_id
            )
        return influencers.resolve_influencer(self.db, team_id=self.team_id, ref=ref)

    def reply(self, message: Message) -> None:
        """An ephemeral reply (cards hold private notes), through the command's response_url."""
        self.respond(response_type="ephemeral", replace_original=False, **message.to_dict())

    def open_modal(self, view: View) -> None:
        self.client.views_open(trigger_id=self.trigger_id, view=view)


@dataclass(frozen=True, slots=True)
class Subcommand:
    name: str  # "show", "campaign new"
    usage: Usage
    run: Callable[[CommandContext, list[str]], None]


def need(args: Sequence[str], count: int, usage: Usage, problem: str | None = None) -> None:
    """UsageError unless there are at least `count` arguments."""
    if len(args) < count:
        raise UsageError(usage, problem)
