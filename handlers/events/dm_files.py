"""A CSV or TSV shared in the bot's DM is previewed for import, exactly as `/crm import` does.

Slack sends a `message` event (subscription message.im) with subtype `file_share` whose `files`
list names each file (id, name, filetype): enough to tell a table from a picture before anything is
downloaded. (`file_shared` carries only a file id, so telling them apart would cost a files.info
per file, and it fires in every channel the bot is in.) The preview itself is
handlers/import_jobs.preview_job, in the background: files.info → url_private_download, parse,
plan, a DM with Import / Cancel.

Ignored: the bot's own messages (Bolt drops them too), edits, deletions and every other subtype,
messages without files (the DM is where reminders arrive; answering every "thanks" would be noise),
and a redelivery of the same event (its event id is claimed once, like a double-submitted form).
Any other file shared here is answered with one line saying what the bot can read: a file sent to
the bot's DM is addressed to the bot, so silence would look like a failure.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from handlers.blocks.imports import FILETYPES
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn, plain_of
from handlers.import_jobs import FILE_ID, preview_job
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import actor_ids, scope
from handlers.runtime.slack_calls import ReplyTarget, deliver_reply, in_background

# Tables previewed from one message, at most (each preview downloads and reads its file).
FILES_PER_MESSAGE = 3


def is_table(file: dict[str, Any]) -> bool:
    """Whether a shared file is one an import can read: its name ends in .csv/.tsv/.txt, or Slack
    typed it as one (a file pasted without a name)."""
    name = file.get("name") if isinstance(file.get("name"), str) else ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension in FILETYPES or file.get("filetype") in FILETYPES


def not_a_table(names: list[str]) -> Message:
    """The answer to files an import cannot read: what it can read, and how to get one."""
    shown = ", ".join(f"“{mrkdwn(n, 100)}”" for n in names[:3]) or "That file"
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    verb = "is not a CSV or TSV file" if len(names) <= 1 else "are not CSV or TSV files"
    text = (
        f"{shown}{more} {verb}, so there is nothing to import. Share a `.csv`, `.tsv` or `.txt`"
        " export of your roster here (from Excel or Google Sheets: save or download as CSV), or use"
        " `/crm import`, to get a preview; nothing changes until you press *Import*."
    )
    return Message(text=plain_of(text), blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def _shared_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    files = event.get("files")
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def message_in_dm(body: dict, event: dict, context: BoltContext) -> None:
    """Files shared in the bot's DM: tables are previewed, anything else gets a one-line answer."""
    if event.get("channel_type") != "im" or event.get("subtype") != "file_share" or event.get("bot_id"):
        return
    files = _shared_files(event)
    if not files or not isinstance(event.get("user"), str):
        return
    event_id = body.get("event_id")
    with scope(context, once=f"event:{event_id}" if isinstance(event_id, str) else None) as s:
        replayed = s.replayed
    if replayed:
        return
    team_id, user_id = actor_ids(context)
    client, runtime = context.client, runtime_of(context)
    tables = [f["id"] for f in files if is_table(f) and FILE_ID.fullmatch(str(f.get("id")))]
    if not tables:
        # A message in the DM (not an ephemeral one, which is gone on the next reload).
        answer = not_a_table([f["name"] for f in files if isinstance(f.get("name"), str)]).to_dict()
        target = ReplyTarget(user_id, None, None)
        in_background(context, lambda: deliver_reply(client, target, answer))
        return
    for file_id in tables[:FILES_PER_MESSAGE]:
        in_background(
            context,
            lambda file_id=file_id: preview_job(
                client, runtime, team_id=team_id, user_id=user_id, file_id=file_id
            ),
        )
