"""What a subcommand gets to work with, and how it says "bad arguments".

A subcommand is a function `(ctx, args) -> None` registered with its usage line. It parses its
`args`, calls one crm function, and answers with `ctx.reply(message)` or `ctx.open_modal(view)`.
Subcommands run inside the listener's transaction, so those answers are only collected there; the
listener sends them with `ctx.send()` once the transaction has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext
from slack_sdk.models.blocks import ActionsBlock, Block, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from crm import clock, influencers, references, relationships
from crm.clock import zone_of
from crm.errors import Ambiguous
from crm.models import Influencer, User
from handlers.blocks.cards import card_buttons
from handlers.blocks.help import Usage, run_meant
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn, plain_of
from handlers.commands.tokens import as_command, as_typed
from handlers.runtime.errors import FormattedInput
from handlers.runtime.slack_calls import open_modal, reply, upload_file


class UsageError(FormattedInput):
    """Bad arguments: the message is the problem (if any), the subcommand's usage line and an example.

    An InvalidInput, so the app's error handler shows it ephemerally and the unit of work rolls back.
    """

    def __init__(
        self,
        usage: Usage,
        problem: str | None = None,
        *,
        command: str = "/crm",
        meant: Sequence[str] | None = None,
    ) -> None:
        # Shown as mrkdwn by the app's error handler: escape what the user typed and the <placeholders>.
        lead = f"{mrkdwn(problem)}\n" if problem else ""
        text = f"{lead}Usage: `{command} {mrkdwn(usage.usage)}` — e.g. `{mrkdwn(usage.example)}`"
        button = meant_button(meant, command=command) if meant else None
        super().__init__("command", text, more=[button.to_dict()] if button else [])
        self.usage = usage
        self.problem = problem


def meant_button(meant: Sequence[str], *, command: str = "/crm") -> ActionsBlock | None:
    """The Run button for `meant`, a command's words (subcommand first) as the answer says it was
    probably meant (handlers.blocks.help.run_meant); None when no command text reads as them."""
    text = as_command(meant)
    return run_meant(as_typed(meant), text, command=command) if text else None


@dataclass
class CommandContext:
    """One /crm invocation (or its replay from a candidate button)."""

    db: Session
    actor: User
    bolt: BoltContext  # the request's context: where replies and modals go once committed
    trigger_id: str | None
    settings: Any
    now: datetime = field(default_factory=clock.now)
    text: str | None = None  # the raw command text (None when replaying a candidate button)
    picked_influencer_id: uuid.UUID | None = None  # set when replaying a candidate button
    replay_args: list[str] | None = None  # what a candidate button re-runs, when not the plain args
    # Something App Home shows changed (status, priority, follow-up, list membership): re-publish it.
    # Tags, notes and campaigns are not on the Home tab, so changing them costs no refresh.
    home_changed: bool = False
    # users.info's word on whether the actor is a workspace admin, asked before the transaction
    # (only for subcommands that need it; None when not asked or Slack did not answer).
    slack_admin: bool | None = None
    outgoing: list[Callable[[], None]] = field(default_factory=list)
    narrow_to: str | None = None  # the running subcommand's Subcommand.narrows_to

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
        try:
            return references.resolve_influencer(self.db, team_id=self.team_id, ref=ref)
        except Ambiguous as exc:
            return self.narrowed(exc)

    def narrowed(self, ambiguous: Ambiguous) -> Influencer:
        """Of the creators a name matches, the actor's own (on their list, or removed from it for
        restore): the one, or Ambiguous with only those; with none of them, or for a subcommand that
        does not narrow (Subcommand.narrows_to), `ambiguous` as it was."""
        if self.narrow_to is None:
            raise ambiguous
        found = [c for c in ambiguous.candidates if isinstance(c, Influencer)]
        archived = self.narrow_to == "archived"
        mine = relationships.on_list_among(
            self.db, actor=self.actor, influencer_ids=[c.id for c in found], archived=archived
        )
        own = [c for c in found if c.id in mine]
        if len(own) == 1:
            return own[0]
        if own:
            raise Ambiguous(ambiguous.message, own) from None
        raise ambiguous

    def reply(self, message: Message) -> None:
        """An ephemeral reply (cards hold private notes), sent by send() after the commit."""
        self.outgoing.append(lambda: reply(self.bolt, message))

    def say(
        self,
        text: str,
        influencer_id: uuid.UUID | None = None,
        *,
        fallback: str | None = None,
        more: Sequence[Block] = (),
    ) -> None:
        """A short ephemeral confirmation (mrkdwn `text`), then the `more` blocks, then the card's
        buttons when it is about one influencer; `fallback` is the plain text notifications show
        (default: `text` unformatted)."""
        blocks: list = [SectionBlock(text=MarkdownTextObject(text=text)), *more]
        if influencer_id is not None:
            blocks.append(card_buttons(str(influencer_id)))
        self.reply(Message(text=fallback or plain_of(text), blocks=blocks))

    def open_modal(self, view: View) -> None:
        """A modal for the user, opened by send() after the commit."""
        self.outgoing.append(lambda: open_modal(self.bolt, self.trigger_id, view))

    def upload(
        self, *, filename: str, content: bytes, title: str, initial_comment: str, confirmation: Message
    ) -> None:
        """A file for the user's DM, sent by send() after the commit; `confirmation` is the reply
        once it is there (a failure is answered instead, see slack_calls.send_file)."""
        self.outgoing.append(
            lambda: upload_file(
                self.bolt,
                filename=filename,
                content=content,
                title=title,
                initial_comment=initial_comment,
                confirmation=confirmation,
            )
        )

    def send(self) -> None:
        """Hand the collected replies and modals to Slack (in the background). Call after commit."""
        for call in self.outgoing:
            call()
        self.outgoing.clear()


@dataclass(frozen=True, slots=True)
class Subcommand:
    name: str  # "show", "campaign new"
    usage: Usage
    run: Callable[[CommandContext, list[str]], None]
    # Changes data: a replay of the same request (same trigger_id) is then applied once.
    writes: bool = False
    # Asks Slack whether the actor is a workspace admin, before the transaction (ctx.slack_admin).
    needs_admin_check: bool = False
    # Names one creator, so a candidate button (a picked creator) can re-run it: not merge, of two.
    one_creator: bool = True
    # Where a name matching several creators is narrowed to (CommandContext.narrow_to): "list" for
    # commands about one's own relationships, "archived" for restore, None for the directory's
    # (add, rename, link, merge), which may be about anyone.
    narrows_to: str | None = "list"
    # A creator nobody matches is answered with how to save them (`/crm add …`); not for commands
    # about creators one has already saved (remove, restore), where that would be no help.
    offers_add: bool = True


def need(args: Sequence[str], count: int, usage: Usage, problem: str | None = None) -> None:
    """UsageError unless there are at least `count` arguments."""
    if len(args) < count:
        raise UsageError(usage, problem)
