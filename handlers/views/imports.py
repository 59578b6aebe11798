"""The `/crm import` modals submitted: the file is read in the background, the preview DMed.

The submission is answered at once (the modal turns into "Reading your file…"); downloading and
planning a large file takes longer than Slack's 3 s (handlers/import_jobs.preview_job). The Fix
columns modal is checked first (each choice one of crm.imports.columns.CODES, choices that work
together); its private_metadata names the file and the digest of the bytes whose columns were shown,
and the file is fetched again under the submitter's ownership.
"""

from __future__ import annotations

from slack_bolt import BoltContext

from crm.errors import InvalidInput
from crm.imports.columns import CODES, Codes, code_problems
from handlers.blocks.import_columns import column_block_id, column_index
from handlers.blocks.imports import reading_view
from handlers.forms import form_values, load_metadata
from handlers.ids import Field
from handlers.import_jobs import DIGEST, FILE_ID, preview_job
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
    _preview_in_background(ack, context, file_id=file_id)


DAMAGED = "This form is damaged; press Fix columns under the preview again."


def chosen_columns(view: dict) -> tuple[str, str, Codes]:
    """(file id, digest, position → code) of a submitted Fix columns modal; InvalidInput("form")
    when its metadata or choices are not ones the modal offers."""
    meta = load_metadata(view)
    file_id, digest = meta.get("f", ""), meta.get("d", "")
    if not (FILE_ID.fullmatch(file_id) and DIGEST.fullmatch(digest)):
        raise InvalidInput("form", DAMAGED)
    codes: Codes = {}
    for block_id, code in form_values(view).items():
        index = column_index(block_id)
        if index is None or code not in CODES:
            raise InvalidInput("form", DAMAGED)
        codes[index] = code
    return file_id, digest, codes


def columns_submitted(ack, view: dict, context: BoltContext) -> None:
    file_id, digest, codes = chosen_columns(view)
    problems = code_problems(codes)
    if problems:
        reject(ack, {column_block_id(index): message for index, message in problems.items()})
        return
    _preview_in_background(ack, context, file_id=file_id, codes=codes, digest=digest)


def _preview_in_background(
    ack, context: BoltContext, *, file_id: str, codes: Codes | None = None, digest: str | None = None
) -> None:
    """Turn the modal into the reading view, then read the file and DM its preview off the ack path
    (`codes` and `digest`: the Fix columns choices and the file bytes they were made for)."""
    team_id, user_id = actor_ids(context)
    ack(response_action="update", view=reading_view())
    client, runtime = context.client, runtime_of(context)
    in_background(
        context,
        lambda: preview_job(
            client, runtime, team_id=team_id, user_id=user_id, file_id=file_id, codes=codes, digest=digest
        ),
    )
