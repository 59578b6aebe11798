"""The Import, Fix columns and Cancel buttons under a `/crm import` preview.

The buttons' value came back from Slack: it is parsed strictly (a Slack file id, the digest of the
bytes previewed, column corrections that must be valid codes), and the file is fetched again with
the clicker's ownership re-checked (handlers/import_jobs.fetch_file) and refused if it differs
from the preview. A preview starts one import: the first click claims the message (its channel and
ts), and a second click or a replay is told it already runs. The import itself is idempotent too
(crm.imports.apply).
"""

from __future__ import annotations

import json
import time

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from crm.imports.columns import CODES, Codes
from handlers.blocks.import_columns import COLUMNS_SHOWN
from handlers.blocks.imports import ALREADY_STARTED, CANCELLED
from handlers.ids import Action
from handlers.import_jobs import DIGEST, FILE_ID, apply_job, columns_job
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import ReplyTarget, in_background, reply

BROKEN = "That Import button no longer works; run `/crm import` again. Nothing was changed."


def _codes(raw: object) -> Codes:
    """Column corrections {"<position>": code}; InvalidInput for anything else."""
    if not isinstance(raw, dict) or len(raw) > COLUMNS_SHOWN:
        raise InvalidInput("import", BROKEN)
    codes: Codes = {}
    for key, code in raw.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 3 and code in CODES):
            raise InvalidInput("import", BROKEN)
        codes[int(key)] = code
    return codes


def parse_import_value(value: object) -> tuple[str, str, Codes]:
    """(file id, digest, column corrections) from an Import or Fix columns button's value;
    InvalidInput for anything else."""
    try:
        data = json.loads(value) if isinstance(value, str) and len(value) <= 2_000 else None
    except ValueError:
        data = None
    if (
        not isinstance(data, dict)
        or not {"f", "d"} <= set(data) <= {"f", "d", "m"}
        or not isinstance(data["f"], str)
        or not isinstance(data["d"], str)
        or not FILE_ID.fullmatch(data["f"])
        or not DIGEST.fullmatch(data["d"])
    ):
        raise InvalidInput("import", BROKEN)
    return data["f"], data["d"], _codes(data.get("m", {}))


def _message_of(body: dict) -> tuple[str, str]:
    """(channel, ts) of the preview message the button is on."""
    container = body.get("container")
    channel = container.get("channel_id") if isinstance(container, dict) else None
    ts = container.get("message_ts") if isinstance(container, dict) else None
    if not (isinstance(channel, str) and channel.isalnum() and isinstance(ts, str) and len(ts) < 40):
        raise InvalidInput("import", BROKEN)
    return channel, ts


def import_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    file_id, digest, codes = parse_import_value(action.get("value"))
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
            codes=codes,
            channel=channel,
            ts=ts,
        ),
    )


def fix_columns_clicked(body: dict, context: BoltContext) -> None:
    """Open the columns modal now (the trigger lasts 3 s); it is filled in once the file is read."""
    action = action_of(body)
    file_id, digest, codes = parse_import_value(action.get("value"))
    client, target = context.client, ReplyTarget.of(context)
    trigger_id, started = body.get("trigger_id"), context.get("received_at") or time.monotonic()
    if not isinstance(trigger_id, str):
        raise InvalidInput("import", BROKEN)
    in_background(
        context,
        lambda: columns_job(
            client,
            target,
            trigger_id=trigger_id,
            started=started,
            file_id=file_id,
            digest=digest,
            codes=codes,
        ),
    )


def cancel_clicked(body: dict, context: BoltContext) -> None:
    reply(context, CANCELLED, replace_original=True)


def register(app: App) -> None:
    app.action(Action.IMPORT_CONFIRM)(after_ack(import_clicked))
    app.action(Action.IMPORT_CANCEL)(after_ack(cancel_clicked))
    app.action(Action.IMPORT_FIX_COLUMNS)(after_ack(fix_columns_clicked))
