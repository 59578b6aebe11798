"""The Import and Cancel buttons under a `/crm import` preview.

The Import button's value came back from Slack: it is parsed strictly (a Slack file id and the
digest of the bytes previewed), and the file is fetched again with the clicker's ownership
re-checked (handlers/import_jobs.fetch_file) and refused if it differs from the preview. A preview
starts one import: the first click claims the message (its channel and ts), and a second click or a
replay is told it already runs. The import itself is idempotent too (crm.imports.apply).
"""

from __future__ import annotations

import json

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from handlers.blocks.imports import ALREADY_STARTED, CANCELLED
from handlers.ids import Action
from handlers.import_jobs import DIGEST, FILE_ID, apply_job
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import in_background, reply

BROKEN = "That Import button no longer works; run `/crm import` again. Nothing was changed."


def parse_import_value(value: object) -> tuple[str, str]:
    """(file id, digest) from an Import button's value; InvalidInput for anything else."""
    try:
        data = json.loads(value) if isinstance(value, str) and len(value) < 200 else None
    except ValueError:
        data = None
    if (
        not isinstance(data, dict)
        or set(data) != {"f", "d"}
        or not isinstance(data["f"], str)
        or not isinstance(data["d"], str)
        or not FILE_ID.fullmatch(data["f"])
        or not DIGEST.fullmatch(data["d"])
    ):
        raise InvalidInput("import", BROKEN)
    return data["f"], data["d"]


def _message_of(body: dict) -> tuple[str, str]:
    """(channel, ts) of the preview message the button is on."""
    container = body.get("container")
    channel = container.get("channel_id") if isinstance(container, dict) else None
    ts = container.get("message_ts") if isinstance(container, dict) else None
    if not (isinstance(channel, str) and channel.isalnum() and isinstance(ts, str) and len(ts) < 40):
        raise InvalidInput("import", BROKEN)
    return channel, ts


def import_clicked(ack, body: dict, action: dict, context: BoltContext) -> None:
    ack()
    file_id, digest = parse_import_value(action.get("value"))
    channel, ts = _message_of(body)
    with scope(context, once=f"import:{channel}:{ts}") as s:
        started = not s.replayed
        team_id, user_id = s.actor.team_id, s.actor.slack_user_id
    if not started:
        reply(context, ALREADY_STARTED)
        return
    client, runtime = context.client, runtime_of(context)
    in_background(
        context,
        lambda: apply_job(
            client,
            runtime,
            team_id=team_id,
            user_id=user_id,
            file_id=file_id,
            digest=digest,
            channel=channel,
            ts=ts,
        ),
    )


def cancel_clicked(ack, context: BoltContext) -> None:
    ack()
    reply(context, CANCELLED, replace_original=True)


def register(app: App) -> None:
    app.action(Action.IMPORT_CONFIRM)(import_clicked)
    app.action(Action.IMPORT_CANCEL)(cancel_clicked)
