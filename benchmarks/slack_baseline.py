"""The baseline of benchmarks/slack_load.py: a bare Bolt app, served the way ours is.

What a minimal Slack app on the same stack costs per request, so that our figures can be read as
ratios against it (CONVENTIONS.md: measure beside a bare Bolt app):
- slack_bolt's App with process_before_response=True, as bot/app.py builds ours: the listener runs
  in the request's thread and the ack leaves when it returns;
- the signature checked once on the raw bytes with the same function as ours (bot.verification
  .check_headers, slack_sdk's SignatureVerifier), Bolt's own verification off, as in bot/wsgi.py;
- the same gunicorn settings (bot.server.gunicorn_options: gthread, WEB_CONCURRENCY workers x
  HTTP_THREADS threads, keep-alive) on the same database and the same fake Web API;
- one `/crm` listener: one indexed SELECT (the user by (team_id, slack_user_id), the unique index
  every request of ours also uses to find its actor), ack, then a reply to the response_url from a
  background thread pool of bot.app.BACKGROUND_THREADS threads (after the ack, as ours replies).

No middleware, no runtime, no error handling beyond Bolt's: the point is the floor, not a product.
The engine is the project's plain bot.db.make_engine (pool_pre_ping on: one `SELECT 1` per checkout,
as the listener engine's guarded checkout does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.app import BACKGROUND_THREADS
from bot.config import Settings
from bot.db import make_engine
from bot.server import gunicorn_options
from bot.verification import check_headers
from crm.models import User
from handlers.blocks.text import mrkdwn
from handlers.runtime.after_ack import WORK_THREADS

USER_BY_SLACK_ID = text(
    "SELECT id, display_name FROM users WHERE team_id = :team_id AND slack_user_id = :user_id"
)


def _bolt_app(settings: Settings, background: ThreadPoolExecutor) -> App:
    """Bolt's App as both bare apps use it: signature checked once before Bolt (baseline_wsgi), no
    auth.test at start, the ack sent when the listener returns."""
    return App(
        client=WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=False,
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=background,
    )


def create_baseline_app(settings: Settings, database_url: str) -> App:
    """The bare Bolt app: `/crm` looks the user up, acks, and replies after the ack."""
    engine = make_engine(database_url)
    background = ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="baseline-slack")
    app = _bolt_app(settings, background)

    @app.command("/crm")
    def crm(ack, command, respond) -> None:
        with engine.connect() as conn:
            row = conn.execute(
                USER_BY_SLACK_ID, {"team_id": command["team_id"], "user_id": command["user_id"]}
            ).first()
        ack()
        name = row.display_name if row is not None else "stranger"
        background.submit(respond, text=f"Hello {name}: {command['text']}", response_type="ephemeral")

    return app


def create_floor_app(settings: Settings, database_url: str) -> App:
    """The conventions' floor: the bare app's `/crm`, written the way CONVENTIONS.md asks.

    Ack first; then, on a pool of WORK_THREADS threads, one ORM Session in one transaction loads the
    user as an entity; after the commit, a reply built with slack_sdk.models (escaped by the one
    mrkdwn helper, validated by to_dict) goes out from the background pool. No crm service, no
    card, and none of ours' bad-day machinery (deadlines, breaker, reply retries and fallbacks):
    what any listener written this way costs before it does anything of its own.
    """
    engine = make_engine(database_url)
    background = ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="floor-slack")
    work = ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="floor-work")
    app = _bolt_app(settings, background)

    def answer(command: dict[str, Any], respond) -> None:
        with Session(engine, expire_on_commit=False) as db, db.begin():
            user = db.scalars(
                select(User).where(
                    User.team_id == command["team_id"], User.slack_user_id == command["user_id"]
                )
            ).one_or_none()
        name = user.display_name if user is not None and user.display_name else "stranger"
        blocks = [
            SectionBlock(text=MarkdownTextObject(text=f"Hello *{mrkdwn(name)}*: {mrkdwn(command['text'])}")),
            ContextBlock(elements=[MarkdownTextObject(text=f"from {mrkdwn(command['user_id'])}")]),
        ]
        message = {"text": f"Hello {name}", "blocks": [b.to_dict() for b in blocks]}
        background.submit(respond, response_type="ephemeral", **message)

    @app.command("/crm")
    def crm(ack, command, respond) -> None:
        ack()
        work.submit(answer, command, respond)

    return app


def baseline_wsgi(app: App, signing_secret: str) -> Callable:
    """POST /slack/events (signature checked, then Bolt) and GET /healthz (always 200)."""

    def wsgi(environ: dict[str, Any], start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/slack/events":
            start_response("200 OK", [("content-type", "text/plain"), ("content-length", "2")])
            return [b"ok"]
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            key[5:].lower().replace("_", "-") if key.startswith("HTTP_") else key.lower().replace("_", "-"): v
            for key, v in environ.items()
            if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")
        }
        if check_headers(signing_secret, raw, headers) is not None:
            start_response("401 Unauthorized", [("content-length", "0")])
            return [b""]
        response = app.dispatch(BoltRequest(body=raw.decode("utf-8"), headers=headers))
        body = (response.body or "").encode("utf-8")
        out = [(k, v[0] if isinstance(v, list | tuple) else v) for k, v in response.headers.items()]
        out = [(k, v) for k, v in out if k.lower() != "content-length"] + [("content-length", str(len(body)))]
        start_response(f"{response.status} {'OK' if response.status == 200 else 'Error'}", out)
        return [body]

    return wsgi


class BaselineGunicorn(BaseApplication):
    """gunicorn with bot.server.gunicorn_options, each worker building its own bare app."""

    def __init__(self, settings: Settings, database_url: str, *, floor: bool = False) -> None:
        self.settings = settings
        self.database_url = database_url
        self.floor = floor
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)
        self.cfg.set("loglevel", "warning")
        self.cfg.set("proc_name", "crm-baseline")

    def load(self):
        create = create_floor_app if self.floor else create_baseline_app
        app = create(self.settings, self.database_url)
        return baseline_wsgi(app, self.settings.slack_signing_secret or "")


def serve_baseline(settings: Settings, database_url: str, floor: bool = False) -> None:
    BaselineGunicorn(settings, database_url, floor=floor).run()
