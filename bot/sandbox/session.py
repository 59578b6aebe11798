"""`crm-bot try`: type (or pipe) `/crm …` lines, read the answers, with no Slack app at all.

Each line goes through the production app (bot/app.py create_app) exactly as a Socket Mode envelope
would: a slash-command payload from a demo user of a demo workspace (bot/demo_workspace.py, so the
scheduled jobs never post for it), checked like every payload (handlers/runtime/payloads.py), then
app.dispatch. The app's WebClient points at a loopback stand-in for Slack (web_api.py) that records
what the app sends; once the listener and its background replies are done, the session prints the
acknowledgement, the response_url replies and the forms (views.open) as text (render.py). A file
the app uploads (an export, a chart, a QR code) is written to a folder of the session's, and its
path printed.
`home` shows the App Home the same way (an app_home_opened event). `click <label>` (or `click <n>`)
presses a button of the last answer, as a block_actions payload from that message or App Home.
`fill <field> = <value>` fills in the form on screen and `submit` submits it (forms.py);
`shortcut <text>` uses Log to CRM on a message saying <text>, posted in the channel by a teammate. The
database is the bot's own: the embedded PostgreSQL or DATABASE_URL, migrated first.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.config import Settings
from bot.demo_workspace import check_demo_team_id
from bot.sandbox.executor import TrackingExecutor
from bot.sandbox.forms import FillError, Form
from bot.sandbox.payloads import (
    Button,
    block_actions,
    command,
    form_buttons,
    home_opened,
    message_action,
    shown_buttons,
)
from bot.sandbox.render import message_text, view_text
from bot.sandbox.web_api import Call, LoopbackWebApi, Profile
from handlers.home_refresh import HomePublisher
from handlers.ids import Shortcut
from handlers.runtime.payloads import malformed_reason

# Stand-in credentials: the app needs them to build its client; nothing leaves this machine.
TOKEN = "xoxb-0-0-crmtrysession"
SIGNING_SECRET = "0" * 32
# Longest a line may take (listener, replies, App Home refresh) before the session moves on.
LINE_TIMEOUT = 30.0
EXIT_WORDS = ("exit", "quit", ":q")
FORM_METHODS = ("views.open", "views.push", "views.update")  # the calls that put a form on screen
BANNER = """\
Influencer CRM — try it without Slack. You are {name} ({user_id}) in demo workspace {team_id}.
Type /crm commands as in Slack (`/crm help` lists them; the /crm may be left out), `home` for the
App Home, `exit` to leave. Buttons are shown as [Label]: `click Label` presses one of the last
answer's. Forms list their fields: `fill Type = call` fills one in, `submit` sends the form.
`shortcut <message text>` uses Log to CRM on a message saying that.
Load the sample workspace first for something to look at: crm-bot demo-data
"""


def _profiles() -> dict[str, Profile]:
    """users.info answers: the sample workspace's teammates (bot/demo.py), so names and zones match."""
    from bot.demo import TEAMMATES

    return {uid: Profile(name, tz, admin) for uid, name, _email, tz, admin in TEAMMATES}


class TrySession:
    """The app, its database and the stand-in Web API for one `crm-bot try` run; `close()` at the end."""

    def __init__(self, settings: Settings, database_url: str, *, team_id: str, user_id: str) -> None:
        from bot.app import create_app
        from bot.db import make_engine

        self.team_id, self.user_id = team_id, user_id
        self.files_dir: Path | None = None  # made at the first upload
        self.buttons: list[Button] = []  # the last answer's, for `click`
        self.form: Form | None = None  # the form on screen, for `fill` and `submit`
        self._form_ids = itertools.count(1)
        profiles = _profiles()
        # Anyone else acted as (`--user-id UNEW00001`: trying it as a new user) is a plain member, as
        # Slack's users.info would describe them; otherwise their first command would log a failed
        # look-up and /crm admin would say Slack could not confirm them.
        profiles.setdefault(user_id, Profile(f"Teammate {user_id}"))
        self.web_api = LoopbackWebApi(team_id=team_id, profiles=profiles).start()
        self.settings = dataclasses.replace(
            settings,
            slack_bot_token=TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_app_token=None,
            slack_api_url=self.web_api.api_url,
            database_url=database_url,
            admin_channel=None,
        )
        self.engine: Engine = make_engine(database_url)
        self.executor = TrackingExecutor()
        client = WebClient(base_url=self.web_api.api_url, token=TOKEN)
        self.home = HomePublisher(client, self.engine)
        self.app: App = create_app(
            self.settings,
            client=client,
            engine=self.engine,
            background=self.executor,
            work=self.executor,
            home_publisher=self.home,
        )

    @property
    def user_name(self) -> str:
        profile = self.web_api.profiles.get(self.user_id)
        return profile.name if profile else self.user_id

    def close(self) -> None:
        self._drain()
        self.home.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        self.web_api.stop()
        self.engine.dispose()

    # ---- one line -------------------------------------------------------------------------------
    def run(self, line: str) -> str:
        """The answer to one line (`/crm …`, or `home`) as text."""
        words = line.strip()
        if words == "home":
            return self._dispatch(
                home_opened(team_id=self.team_id, user_id=self.user_id), shows=("views.publish",)
            )
        if words == "click" or words.startswith("click "):
            return self._click(words.removeprefix("click").strip())
        if words == "fill" or words.startswith("fill "):
            return self._fill(words.removeprefix("fill").strip())
        if words == "submit":
            return self._submit()
        if words == "shortcut" or words.startswith("shortcut "):  # Log to CRM on a message saying this
            said = words.removeprefix("shortcut").strip()
            if not said:
                return "Give the message's text: shortcut Maya replied: happy to do a reel in March"
            payload = message_action(
                Shortcut.LOG_TO_CRM, said, **self._who(), response_url=self.web_api.response_url()
            )
            return self._dispatch(payload, shows=FORM_METHODS)
        if words.startswith("/") and not (words == "/crm" or words.startswith("/crm ")):
            return "Only /crm commands can be tried here (for example /crm help)."
        text = words.removeprefix("/crm").strip()
        payload = command(text, **self._who(), response_url=self.web_api.response_url())
        return self._dispatch(payload, shows=FORM_METHODS)

    def _click(self, which: str) -> str:
        """Press the last answer's button `which` (its label, or the start of it; or its number)."""
        if not self.buttons:
            return "The last answer has no button to click."
        if which.isdigit() and 1 <= int(which) <= len(self.buttons):
            button = self.buttons[int(which) - 1]
        else:
            matches = [b for b in self.buttons if b.label.casefold().startswith(which.casefold())]
            if not which or not matches:
                shown = " ".join(f"[{b.label}]" for b in self.buttons)
                return f"No button “{which}” in the last answer. Its buttons: {shown}"
            button = matches[0]
        shows = FORM_METHODS
        if button.view is not None and button.view.get("type") == "home":  # its refresh is what it shows
            shows = (*shows, "views.publish")
        payload = block_actions(button, **self._who(), response_url=self.web_api.response_url())
        return self._dispatch(payload, shows=shows)

    def _fill(self, assignment: str) -> str:
        """`fill <field> = <value>`: type into the form on screen (bot/sandbox/forms.py)."""
        if self.form is None:
            return "No form is open. Forms open from commands such as /crm log @maya call."
        label, equals, typed = assignment.partition("=")
        if not equals or not label.strip():
            return "Write it as fill <field> = <value>, for example: fill Type = call"
        try:
            said = self.form.fill(label, typed, options_for=self._options)
        except FillError as problem:
            return str(problem)
        return said

    def _options(self, block: dict[str, Any], element: dict[str, Any], typed: str) -> list[dict[str, Any]]:
        """The options the app offers for `typed` in a search menu (a block_suggestion request)."""
        assert self.form is not None
        payload = self.form.options_request(block, element, typed, team_id=self.team_id, user_id=self.user_id)
        response = self.app.dispatch(BoltRequest(mode="socket_mode", body=payload))
        try:
            answer = json.loads(response.body or "{}")
        except ValueError:
            return []
        options = list(answer.get("options") or [])
        for group in answer.get("option_groups") or []:
            options.extend(group.get("options") or [])
        return options

    def _submit(self) -> str:
        """`submit`: send the form on screen as Slack sends a view_submission."""
        if self.form is None:
            return "No form is open to submit."
        form = self.form
        if not form.view.get("submit"):  # read-only (e.g. "Campaign created"): it only closes
            return "This form has nothing to submit; it only closes."
        payload = form.submission(team_id=self.team_id, user_id=self.user_id, user_name=self.user_name)
        return self._dispatch(payload, shows=FORM_METHODS, submitted=form)

    def _tz(self) -> ZoneInfo:
        """The user's time zone, as users.info gives it to the app."""
        return ZoneInfo(self.web_api.profiles[self.user_id].tz)

    def _who(self) -> dict[str, str]:
        return {"team_id": self.team_id, "user_id": self.user_id, "user_name": self.user_name}

    def _dispatch(
        self, payload: dict[str, Any], *, shows: tuple[str, ...], submitted: Form | None = None
    ) -> str:
        reason = malformed_reason(payload)
        if reason is not None:  # never for the payloads built here; checked as Socket Mode does
            return f"(refused: {reason})"
        self._drain()  # an App Home refresh still running from the previous line is not this line's
        mark = self.web_api.count
        response = self.app.dispatch(BoltRequest(mode="socket_mode", body=payload))
        self._drain()
        form_before = self.form
        parts = [self._answer_text(response.body, submitted)] if response.body else []
        if submitted is not None and not response.body:
            self.form = None  # acknowledged with nothing to show: the form closed
            parts.append("(Submitted; the form closed.)")
        buttons: list[Button] = []
        for call in self.web_api.calls_since(mark):
            view = (
                call.json_param("view")
                if call.method in ("views.open", "views.push", "views.update")
                else None
            )
            if isinstance(view, dict) and call.method in shows:  # a form: kept for `fill` and `submit`
                view_id = str(call.params.get("view_id") or f"VTRYFORM{next(self._form_ids):04d}")
                self.form = Form.shown(view, view_id, self._tz())
                parts.append(view_text(self.form.filled_view()))
                continue
            text = self._saved_files(call) if call.method == "files.completeUploadExternal" else None
            if text := text or _call_text(call, shows):
                parts.append(text)
                buttons += shown_buttons(call)
        if self.form is not None and self.form is not form_before:  # a form shown now: its buttons too
            buttons += form_buttons(self.form.view, self.form.id)
        self.buttons = buttons
        parts = [p for p in parts if p.strip()]
        return "\n\n".join(parts) if parts else "(no answer)"

    def _saved_files(self, call: Call) -> str:
        """The files of an upload written to the session's folder: its comment, and where each is."""
        comment = call.params.get("initial_comment")
        lines = [message_text({"text": comment})] if isinstance(comment, str) and comment else []
        for file in call.json_param("files") or []:
            upload = self.web_api.uploads.get(str(file.get("id")))
            if upload is None:
                continue
            filename, data = upload
            if self.files_dir is None:
                self.files_dir = Path(tempfile.mkdtemp(prefix="crm-try-files-"))
            path = self.files_dir / f"{file.get('id')}-{Path(filename).name}"
            path.write_bytes(data)
            lines.append(f"📎 {file.get('title') or filename} ({len(data):,} bytes): {path}")
        return "\n".join(lines)

    def _drain(self) -> None:
        deadline = time.monotonic() + LINE_TIMEOUT
        while time.monotonic() < deadline:
            self.executor.drain(max(0.0, deadline - time.monotonic()))
            try:
                self.home.drain(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return
            if not self.executor.pending and not self.home.pending:
                return

    def _answer_text(self, body: str, submitted: Form | None) -> str:
        """The acknowledgement as the user sees it: a message, or for a submitted form its errors
        (by field label), the form it turned into, or nothing (it closed)."""
        try:
            answer = json.loads(body)
        except ValueError:
            return body
        if not isinstance(answer, dict):
            return body
        action = answer.get("response_action")
        if action == "errors":
            blocks = submitted.view.get("blocks", []) if submitted is not None else []
            labels = {b.get("block_id"): (b.get("label") or {}).get("text") for b in blocks}
            errors = answer.get("errors", {}).items()
            return "\n".join(f"! {labels.get(field) or field}: {error}" for field, error in errors)
        if submitted is not None and action in ("update", "push") and isinstance(answer.get("view"), dict):
            view_id = submitted.id if action == "update" else f"VTRYFORM{next(self._form_ids):04d}"
            self.form = Form.shown(answer["view"], view_id, self._tz())
            return view_text(self.form.filled_view())
        if submitted is not None and action in ("clear", None) and not answer.get("blocks"):
            self.form = None
            return "(Submitted; the form closed.)"
        return message_text(answer)


def _call_text(call: Call, shows: tuple[str, ...]) -> str | None:
    """What the user would see from one Web API call: a reply, an ephemeral or DM message, a form."""
    if call.method == "response_url":
        return message_text(call.params)
    if call.method in ("chat.postEphemeral", "chat.postMessage", "chat.update"):
        return message_text({"text": call.params.get("text"), "blocks": call.json_param("blocks")})
    if call.method in shows:
        view = call.json_param("view") or {}
        if view.get("type") == "home":
            return "APP HOME\n" + message_text(view)
        return view_text(view)
    return None


def _lines(stream: TextIO, interactive: bool) -> Iterator[str]:
    """Lines typed at a prompt (with line editing where available), or read from a pipe."""
    if not interactive:
        yield from stream
        return
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        pass
    while True:
        try:
            yield input("crm> ")
        except EOFError:
            print()
            return


def run_lines(session: TrySession, lines: Iterable[str], out: TextIO, *, echo: bool) -> None:
    """Answer each line on `out`; `echo` repeats each command first (a piped script's transcript)."""
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line in EXIT_WORDS:
            return
        if echo:
            print(f"» {line}", file=out)
        print(session.run(line), file=out)
        print(file=out, flush=True)


def main(settings: Settings, database_url: str, args: argparse.Namespace) -> int:
    """`crm-bot try`: migrate, then answer lines from the terminal or a pipe until exit or end of input."""
    from bot.migrate import upgrade

    problem = check_demo_team_id(args.team_id)
    if problem is not None:
        print(f"crm-bot try: {problem}", file=sys.stderr)
        return 1
    if not (args.user_id.isalnum() and args.user_id.isupper() and args.user_id[:1] in "UW"):
        print(f"crm-bot try: --user-id {args.user_id!r} is not a Slack user id (U…)", file=sys.stderr)
        return 1
    upgrade(database_url)
    root = logging.getLogger()
    if root.level == logging.INFO:  # the session's output is the answers; warnings still show
        root.setLevel(logging.WARNING)
    session = TrySession(settings, database_url, team_id=args.team_id, user_id=args.user_id)
    interactive = sys.stdin.isatty()
    try:
        if interactive:
            print(BANNER.format(name=session.user_name, user_id=args.user_id, team_id=args.team_id))
        run_lines(session, _lines(sys.stdin, interactive), sys.stdout, echo=not interactive)
    finally:
        session.close()
    return 0
