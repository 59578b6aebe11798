"""Canned `ok: true` answers of the fake Web API, shaped like Slack's documented responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from tests.slack.fake_slack import FakeSlack


def user_profile(user_id: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """users.info's `user` object: defaults (UTC, not admin) overridden by FakeSlack.set_user()."""
    from tests.slack.fake_slack import TEAM_ID

    tz = overrides.get("tz", "UTC")
    offset = overrides.get("tz_offset")
    if offset is None:
        offset = int(datetime.now(UTC).astimezone(ZoneInfo(tz)).utcoffset().total_seconds())
    name = overrides.get("name", user_id.lower())
    real_name = overrides.get("real_name", name.title())
    return {
        "id": user_id,
        "team_id": overrides.get("team_id", TEAM_ID),
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": overrides.get("tz_label", tz),
        "tz_offset": offset,
        "is_admin": overrides.get("is_admin", False),
        "is_owner": overrides.get("is_owner", False),
        "is_primary_owner": overrides.get("is_primary_owner", False),
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1_700_000_000,
        "profile": {
            "real_name": real_name,
            "display_name": overrides.get("display_name", name),
            "email": overrides.get("email"),
            "team": overrides.get("team_id", TEAM_ID),
        },
    }


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _view(fake: FakeSlack, params: dict[str, Any], *, view_id: str | None = None) -> dict[str, Any]:
    from tests.slack.fake_slack import APP_ID, BOT_ID, TEAM_ID

    view = dict(_decoded(params.get("view")) or {})
    n = next(fake._seq)
    view_id = view_id or params.get("view_id") or f"V{n:09d}"
    return {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view.get("type", "modal"),
        "title": view.get("title"),
        "submit": view.get("submit"),
        "close": view.get("close"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "external_id": view.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{1_700_000_000 + n}.{n:08x}",
        "clear_on_close": view.get("clear_on_close", False),
        "notify_on_close": view.get("notify_on_close", False),
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _history(fake: FakeSlack, params: dict[str, Any]) -> dict[str, Any]:
    """conversations.history as Slack answers it: newest first, between `oldest` and `latest`
    (exclusive unless `inclusive`), `limit` per page (default 100, at most 999) with a cursor, and
    message metadata only when `include_all_metadata` is set."""
    inclusive = _flag(params.get("inclusive"))
    oldest = float(params.get("oldest") or 0)
    latest = float(params["latest"]) if params.get("latest") else float("inf")
    limit = min(int(params.get("limit") or 100), 999)
    offset = int(params.get("cursor") or 0)  # the cursor is the offset of the next page here

    def within(ts: float) -> bool:
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    with fake._cond:
        stored = list(fake.messages.get(str(params.get("channel", "")), []))
    matching = sorted(
        (m for m in stored if within(float(m["ts"]))), key=lambda m: float(m["ts"]), reverse=True
    )
    page = matching[offset : offset + limit]
    if not _flag(params.get("include_all_metadata")):
        page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
    has_more = offset + limit < len(matching)
    return {
        "ok": True,
        "messages": page,
        "has_more": has_more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": str(offset + limit) if has_more else ""},
    }


def _upload_url(fake: FakeSlack, params: dict[str, Any]) -> dict[str, Any]:
    """files.getUploadURLExternal: a file id and an upload_url on the fake (tests/slack/fake_slack.py
    UPLOAD_PATH); `filename` and `length` are required, as Slack requires them."""
    from tests.slack.fake_slack import UPLOAD_PATH

    if not params.get("filename") or not str(params.get("length", "")).isdigit():
        return {"ok": False, "error": "invalid_arguments"}
    file_id = f"F{next(fake._seq):09d}"
    return {"ok": True, "upload_url": f"{fake.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}


def _complete_upload(fake: FakeSlack, params: dict[str, Any]) -> dict[str, Any]:
    """files.completeUploadExternal: shares uploaded files in `channel_id`. As Slack does, a channel
    id must be a C/G/D/Z id (a user id is refused: a DM is opened first) and each file's bytes must
    have been uploaded."""
    import re

    files = _decoded(params.get("files")) or []
    channel = params.get("channel_id")
    if channel is not None and not re.fullmatch(r"[CGDZ][A-Z0-9]{8,}", str(channel)):
        return {"ok": False, "error": "invalid_arguments"}
    done = []
    for item in files:
        if item.get("id") not in fake.uploads:
            return {"ok": False, "error": "file_not_found"}
        shared = {"channel": channel, "title": item.get("title"), "comment": params.get("initial_comment")}
        with fake._cond:
            fake.shared_files[item["id"]] = shared
        done.append({"id": item["id"], "title": item.get("title"), "channels": [channel] if channel else []})
    return {"ok": True, "files": done}


def canned_answer(fake: FakeSlack, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """What Slack answers to a successful `method` call with `params`."""
    from tests.slack.fake_slack import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

    if method == "auth.test":
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Acme Creators",
            "user": "crm",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }
    if method == "apps.connections.open":  # Socket Mode: the test's loopback WebSocket, if it serves one
        url = fake.socket_mode_url or f"wss://wss-primary.slack.com/link/?ticket=fake-ticket&app_id={APP_ID}"
        return {"ok": True, "url": url}
    if method == "chat.postMessage":
        ts = fake._message_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": params.get("text", ""),
            "blocks": _decoded(params.get("blocks")) or [],
            "ts": ts,
        }
        if params.get("metadata"):  # {"event_type": ..., "event_payload": {...}}
            message["metadata"] = _decoded(params["metadata"])
        channel = params.get("channel", "")
        if channel.startswith(("U", "W")):  # posting to a user id goes to the app's DM with them
            channel = "D" + channel[1:]
        fake._post_message(channel, message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}
    if method == "conversations.history":
        return _history(fake, params)
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": fake._next_ts()}
    if method == "chat.update":
        return {
            "ok": True,
            "channel": params.get("channel"),
            "ts": params.get("ts"),
            "text": params.get("text", ""),
            "message": {"text": params.get("text", ""), "blocks": _decoded(params.get("blocks")) or []},
        }
    if method == "chat.getPermalink":
        channel, ts = params.get("channel", ""), str(params.get("message_ts", ""))
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }
    if method in ("views.open", "views.push"):
        return {"ok": True, "view": _view(fake, params)}
    if method == "views.update":
        return {"ok": True, "view": _view(fake, params, view_id=params.get("view_id"))}
    if method == "views.publish":
        view = _view(fake, params)
        view["type"] = "home"
        return {"ok": True, "view": view}
    if method == "conversations.open":
        users = str(params.get("users", ""))
        first = users.split(",")[0]
        return {"ok": True, "channel": {"id": "D" + first[1:] if first else "D000000000"}}
    if method == "users.info":
        user_id = str(params.get("user", ""))
        if not user_id.startswith(("U", "W")):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user_profile(user_id, fake.users.get(user_id, {}))}
    if method == "files.info":
        info = fake.files.get(str(params.get("file", "")))
        if info is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": info, "comments": [], "response_metadata": {"next_cursor": ""}}
    if method == "files.getUploadURLExternal":
        return _upload_url(fake, params)
    if method == "files.completeUploadExternal":
        return _complete_upload(fake, params)
    if method == "chat.unfurl":
        # As Slack requires: `unfurls` (a JSON map of URL -> attachment), and channel + ts or
        # unfurl_id + source, each pair complete.
        unfurls = _decoded(params.get("unfurls"))
        by_message = bool(params.get("channel")) and bool(params.get("ts"))
        sources = ("composer", "conversations_history")
        by_id = bool(params.get("unfurl_id")) and params.get("source") in sources
        if not isinstance(unfurls, dict) or not unfurls or by_message == by_id:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}
    return {"ok": False, "error": "unknown_method"}
