"""`/crm import` off the ack path: fetch the Slack file, preview it, and apply it on Import.

Both jobs run in the App's background executor (handlers/runtime/slack_calls.in_background), never
inside a listener's transaction, and tell the user how it went whatever happens.

No pending import is stored: the preview's Import button carries the Slack file id, a digest of
the bytes that were previewed and the columns the user corrected, if any (handlers/actions/imports.py).
On Import the file is downloaded and planned again, and refused if its digest differs, so what is
imported is exactly what was previewed. The column mapping is the one map_columns derives from those
same bytes with the corrections applied (crm.imports.columns.with_codes); this avoids a table and a
migration. "Fix columns" opens a modal at once and fills it in once the file's headers are read
(columns_job).

The bot token goes only to Slack: a download URL must be https://files.slack.com/… (or on the host
of the configured Web API, as in tests), and redirects are not followed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from crm.errors import DomainError, InvalidInput
from crm.imports.apply import apply_import
from crm.imports.columns import Codes, ColumnMap, corrected
from crm.imports.limits import MAX_FILE_BYTES, megabytes
from crm.imports.plan import ImportPlan, plan_import
from crm.imports.table import read_table
from crm.models import User
from crm.users import get_or_create_user
from handlers.blocks.import_columns import columns_problem_view, columns_view
from handlers.blocks.imports import import_done, import_preview, import_problem, import_progress
from handlers.blocks.message import Message
from handlers.home_refresh import HomeTarget
from handlers.runtime.errors import background_failure
from handlers.runtime.runtime import Runtime
from handlers.runtime.slack_calls import ReplyTarget, open_view

log = logging.getLogger(__name__)

FILE_ID = re.compile(r"F[A-Z0-9]{2,30}")
DIGEST = re.compile(r"[0-9a-f]{32}")
DOWNLOAD_TIMEOUT = 30  # seconds for the whole file
PROGRESS_PAUSE = 1.0  # seconds between two progress updates of the message
SLACK_FILE_HOSTS = ("files.slack.com",)

CANNOT_READ = (
    "The bot could not download that file from Slack (it may have been deleted, or the app cannot"
    " see it). Upload it again with `/crm import`."
)
NEEDS_SCOPE = (
    "The bot could not read that file: this Slack app lacks the files:read permission. An admin"
    " needs to update the app from manifest.yml and reinstall it."
)
NOT_YOURS = "That file was not uploaded by you; upload your own copy with `/crm import`."
CHANGED = "The file changed since the preview; run `/crm import` again to preview the new one."


@dataclass(frozen=True, slots=True)
class SlackFile:
    id: str
    name: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:32]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 3xx becomes an HTTPError: the token stays put
        return None


def _allowed(url: str, client: WebClient) -> bool:
    parsed, api = urlparse(url), urlparse(client.base_url)
    if parsed.scheme == "https" and parsed.hostname in SLACK_FILE_HOSTS:
        return True
    return parsed.scheme == api.scheme and parsed.netloc == api.netloc


def fetch_file(client: WebClient, *, file_id: str, user_id: str) -> SlackFile:
    """The bytes of `user_id`'s Slack file `file_id`; InvalidInput("file") saying why not.

    The size files.info reports is checked against the import limit before anything is downloaded,
    and the download stops one byte past the limit whatever that size said.
    """
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.warning("files.info failed for user %s: Slack answered %s", user_id, error)
        raise InvalidInput("file", NEEDS_SCOPE if error == "missing_scope" else CANNOT_READ) from None
    except Exception as exc:  # timeout, connection refused
        log.warning("files.info failed for user %s (%s)", user_id, type(exc).__name__)
        raise InvalidInput("file", CANNOT_READ) from None
    if not isinstance(info, dict) or info.get("user") != user_id:
        raise InvalidInput("file", NOT_YOURS)
    size = info.get("size")
    if isinstance(size, int) and size > MAX_FILE_BYTES:
        raise InvalidInput(
            "file", f"The file is larger than {megabytes(MAX_FILE_BYTES)}; split it into smaller files."
        )
    url = info.get("url_private_download") or info.get("url_private")
    if not isinstance(url, str) or not _allowed(url, client):
        raise InvalidInput("file", CANNOT_READ)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=DOWNLOAD_TIMEOUT) as answer:
            # Without files:read Slack answers a sign-in page rather than an error.
            if "text/html" in (answer.headers.get("Content-Type") or ""):
                raise InvalidInput("file", NEEDS_SCOPE)
            data = answer.read(MAX_FILE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("file download failed for user %s (%s)", user_id, type(exc).__name__)
        raise InvalidInput("file", CANNOT_READ) from None
    name = info.get("name") if isinstance(info.get("name"), str) else "file.csv"
    return SlackFile(id=file_id, name=name, data=data)


def _plan(
    db: Session, runtime: Runtime, *, team_id: str, user_id: str, file: SlackFile, codes: Codes
) -> tuple[User, ImportPlan, ColumnMap, Codes]:
    table = read_table(file.data, filename=file.name)
    mapping, changed = corrected(table.headers, codes)
    actor = get_or_create_user(db, team_id=team_id, slack_user_id=user_id, timezone=runtime.settings.timezone)
    return actor, plan_import(db, actor=actor, table=table, mapping=mapping), mapping, changed


def import_value(file: SlackFile, codes: Codes | None = None) -> str:
    """The value of the Import and Fix columns buttons: the file, the digest of the bytes
    previewed, and the columns the user corrected (left out when none)."""
    data: dict[str, object] = {"f": file.id, "d": file.digest}
    if codes:
        data["m"] = {str(i): code for i, code in sorted(codes.items())}
    return json.dumps(data, separators=(",", ":"))


def _unexpected(what: str, exc: BaseException) -> Message:
    return Message(text=background_failure(what, exc))


def preview_job(
    client: WebClient,
    runtime: Runtime,
    *,
    team_id: str,
    user_id: str,
    file_id: str,
    codes: Codes | None = None,
    digest: str | None = None,
) -> None:
    """Download, read and plan the file (a transaction that writes nothing), then DM the preview.

    `codes`: the user's column choices; `digest`: the bytes they were made for (a file changed
    since is refused). A mapping that cannot work is answered with a Fix columns button.
    """
    file = None
    try:
        file = fetch_file(client, file_id=file_id, user_id=user_id)
        if digest is not None and file.digest != digest:
            raise InvalidInput("file", CHANGED)
        with Session(runtime.engine, expire_on_commit=False) as db, db.begin():
            _, plan, mapping, changed = _plan(
                db, runtime, team_id=team_id, user_id=user_id, file=file, codes=codes or {}
            )
        message = import_preview(plan, filename=file.name, value=import_value(file, changed), mapping=mapping)
    except InvalidInput as exc:
        fixable = exc.field == "mapping" and file is not None
        message = import_problem(exc.message, fix_value=import_value(file, codes) if fixable else None)
    except DomainError as exc:
        message = import_problem(exc.message)
    except Exception as exc:
        message = _unexpected("import preview", exc)
    try:
        client.chat_postMessage(channel=user_id, **message.to_dict())
    except Exception as exc:
        log.warning("import preview DM to user %s failed (%s)", user_id, type(exc).__name__)


class _Progress:
    """chat.update of one message with the latest progress, at most every PROGRESS_PAUSE seconds,
    from its own thread: the import's transaction never waits for Slack."""

    def __init__(self, client: WebClient, channel: str, ts: str) -> None:
        self.client, self.channel, self.ts = client, channel, ts
        self._latest: tuple[int, int] | None = None
        self._sent: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-progress", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def report(self, done: int, total: int) -> None:
        self._latest = (done, total)

    def _run(self) -> None:
        while not self._stop.wait(PROGRESS_PAUSE):
            latest = self._latest
            if latest is not None and latest != self._sent and latest[0] < latest[1]:
                self._sent = latest
                update_message(self.client, self.channel, self.ts, import_progress(*latest))

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def update_message(client: WebClient, channel: str, ts: str, message: Message) -> None:
    try:
        client.chat_update(channel=channel, ts=ts, **message.to_dict())
    except Exception as exc:
        log.warning("chat.update of an import message in %s failed (%s)", channel, type(exc).__name__)


def apply_job(
    client: WebClient,
    runtime: Runtime,
    *,
    team_id: str,
    user_id: str,
    file_id: str,
    digest: str,
    codes: Codes,
    channel: str,
    ts: str,
) -> None:
    """Download and plan again, then import all of it in one transaction; the preview message
    (`channel`, `ts`) shows progress, then the summary or why nothing was changed."""
    update_message(client, channel, ts, Message(text="Importing… downloading the file again."))
    progress = _Progress(client, channel, ts)
    try:
        file = fetch_file(client, file_id=file_id, user_id=user_id)
        if file.digest != digest:
            raise InvalidInput("file", CHANGED)
        progress.start()
        with Session(runtime.engine, expire_on_commit=False) as db, db.begin():
            actor, plan, _, _ = _plan(db, runtime, team_id=team_id, user_id=user_id, file=file, codes=codes)
            result = apply_import(db, actor=actor, plan=plan, progress=progress.report)
        runtime.home_publisher.request(HomeTarget.of(actor))
        message = import_done(result)
    except DomainError as exc:
        message = import_problem(exc.message)
    except Exception as exc:
        message = _unexpected("import", exc)
    finally:
        progress.stop()
    update_message(client, channel, ts, message)


def columns_job(
    client: WebClient,
    target: ReplyTarget,
    *,
    trigger_id: str,
    started: float,
    file_id: str,
    digest: str,
    codes: Codes,
) -> None:
    """ "Fix columns": open the modal at once (the trigger lasts 3 s), read the file's headers, then
    fill the modal in with one choice per column, or say why it cannot be."""
    view_id = open_view(
        client, target, trigger_id, columns_problem_view("Reading the file's columns…"), started
    )
    if view_id is None:
        return
    try:
        file = fetch_file(client, file_id=file_id, user_id=target.user_id)
        if file.digest != digest:
            raise InvalidInput("file", CHANGED)
        table = read_table(file.data, filename=file.name)
        mapping, _ = corrected(table.headers, codes)
        sample = table.rows[0][1] if table.rows else []
        view = columns_view(mapping, sample=sample, metadata=json.dumps({"f": file.id, "d": file.digest}))
    except DomainError as exc:
        view = columns_problem_view(f"{exc.message} Nothing was changed.")
    except Exception as exc:
        view = columns_problem_view(_unexpected("reading columns", exc).text)
    try:
        client.views_update(view_id=view_id, view=view)
    except Exception as exc:
        log.warning(
            "views.update of the columns modal for user %s failed (%s)", target.user_id, type(exc).__name__
        )
