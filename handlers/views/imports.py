"""The `/crm import` modal submitted: the file is read in the background, the preview DMed.

The submission is answered at once (the modal turns into "Reading your file…"); downloading and
planning a large file takes longer than Slack's 3 s (handlers/import_jobs.preview_job).
"""

from __future__ import annotations

from slack_bolt import BoltContext

from crm.errors import InvalidInput
from handlers.blocks.imports import reading_view
from handlers.forms import form_values
from handlers.ids import Field
from handlers.import_jobs import FILE_ID, preview_job
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import actor_ids
from handlers.runtime.slack_calls import in_background
from handlers.views.common import reject

NO_FILE = "Choose a CSV or TSV file to import."


def chosen_file(view: dict) -> str:
    """The id of the one file chosen; InvalidInput on the file field when there is none."""
    files = form_values(view).get(Field.IMPORT_FILE) or []
    file_id = files[0].get("id") if len(files) == 1 else None
    if not isinstance(file_id, str) or not FILE_ID.fullmatch(file_id):
        raise InvalidInput(Field.IMPORT_FILE, NO_FILE)
    return file_id


def import_submitted(ack, view: dict, context: BoltContext) -> None:
    try:
        file_id = chosen_file(view)
    except InvalidInput as exc:
        reject(ack, {Field.IMPORT_FILE: exc.message})
        return
    team_id, user_id = actor_ids(context)
    ack(response_action="update", view=reading_view())
    client, runtime = context.client, runtime_of(context)
    in_background(
        context,
        lambda: preview_job(client, runtime, team_id=team_id, user_id=user_id, file_id=file_id),
    )
