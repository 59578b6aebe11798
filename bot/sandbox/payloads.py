"""The payloads `crm-bot try` sends the app, shaped as Slack sends them over Socket Mode (the same
shapes as the test harness's, tests/slack/payloads.py, which product code does not import): a slash
command, App Home opened, a click on a button of the last answer, and the Log to CRM shortcut."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from bot.sandbox.web_api import APP_ID, Call

CHANNEL_ID = "CTRYDEMO01"
_WEB_LINK = re.compile(r"https?://[^\s<>]+")


MENUS = ("overflow", "static_select")  # their options can be clicked like buttons


@dataclass(frozen=True)
class Button:
    """A button of the last answer, or one option of a menu (`option`): its element, its block,
    and the message or view it is in."""

    label: str
    element: dict[str, Any]
    block_id: str
    message: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    option: dict[str, Any] | None = None


def buttons_of(blocks: Any, **where: Any) -> list[Button]:
    """The buttons of `blocks` in the order they are shown (actions blocks' elements, accessories),
    with each option of an overflow or static menu as one more."""
    found = []
    for block in blocks if isinstance(blocks, list) else []:
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        block_id = str(block.get("block_id") or "b")
        for element in elements:
            if not isinstance(element, dict):
                continue
            if element.get("type") == "button":
                label = str((element.get("text") or {}).get("text", ""))
                found.append(Button(label, element, block_id, **where))
            elif element.get("type") in MENUS:
                for option in element.get("options") or []:
                    label = str((option.get("text") or {}).get("text", ""))
                    found.append(Button(label, element, block_id, option=option, **where))
    return found


def form_buttons(view: dict[str, Any], view_id: str) -> list[Button]:
    """The buttons of a form on screen (a modal): a click on one comes from that view."""
    return buttons_of(view.get("blocks"), view={**view, "id": view_id})


def shown_buttons(call: Call) -> list[Button]:
    """The buttons of what one shown call put in front of the user (a reply, a message, App Home)."""
    if call.method == "response_url":
        message = {"text": call.params.get("text"), "blocks": call.params.get("blocks") or []}
        return buttons_of(message["blocks"], message=message)
    if call.method in ("chat.postEphemeral", "chat.postMessage", "chat.update"):
        message = {"text": call.params.get("text"), "blocks": call.json_param("blocks") or []}
        return buttons_of(message["blocks"], message=message)
    view = call.json_param("view") or {}
    if call.method == "views.publish" and view.get("type") == "home":
        return buttons_of(view.get("blocks"), view=view)
    return []


def command(text: str, *, team_id: str, user_id: str, user_name: str, response_url: str) -> dict[str, Any]:
    """A slash command's payload, as Slack sends it over Socket Mode: `text` with &, < and >
    encoded, as Slack encodes what a user types (so `<b>` is text, not Slack markup)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        "token": "unused",
        "team_id": team_id,
        "team_domain": "crm-try",
        "channel_id": CHANNEL_ID,
        "channel_name": "crm-try",
        "user_id": user_id,
        "user_name": user_name.split()[0].lower(),
        "command": "/crm",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.{secrets.token_hex(6)}",
    }


def home_opened(*, team_id: str, user_id: str) -> dict[str, Any]:
    """The user opened the App Home tab (an Events API event_callback)."""
    now = time.time()
    return {
        "type": "event_callback",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event_id": f"EvTRY{secrets.token_hex(5).upper()}",
        "event_time": int(now),
        "event": {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id[1:],
            "tab": "home",
            "event_ts": f"{now:.6f}",
        },
    }


def message_action(
    callback_id: str, text: str, *, team_id: str, user_id: str, user_name: str, response_url: str
) -> dict[str, Any]:
    """A message shortcut (`callback_id`) used on a message saying `text`, posted in the channel by
    a teammate, as Slack sends it over Socket Mode (tests/slack/payloads.py's shape). The text is
    encoded as Slack stores what a user typed: &, < and > escaped, and each web link in <…>."""
    now = time.time()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _WEB_LINK.sub(lambda m: f"<{m.group(0)}>", text)
    ts = f"{int(now)}.000200"
    return {
        "type": "message_action",
        "token": "unused",
        "action_ts": f"{now:.6f}",
        "team": {"id": team_id, "domain": "crm-try"},
        "user": {"id": user_id, "username": user_name, "team_id": team_id},
        "channel": {"id": CHANNEL_ID, "name": "crm-try"},
        "is_enterprise_install": False,
        "callback_id": callback_id,
        "trigger_id": f"{int(now)}.{secrets.token_hex(6)}",
        "response_url": response_url,
        "message_ts": ts,
        "message": {"type": "message", "user": "UTRYAUTHOR", "text": text, "ts": ts, "team": team_id},
    }


def block_actions(
    button: Button, *, team_id: str, user_id: str, user_name: str, response_url: str
) -> dict[str, Any]:
    """A click on `button` (or the choice of a menu's option), as Slack sends it over Socket Mode
    (tests/slack/payloads.py's shape)."""
    now = time.time()
    action: dict[str, Any] = {
        "type": "button",
        "action_id": button.element.get("action_id"),
        "block_id": button.block_id,
        "text": button.element.get("text"),
        "value": button.element.get("value", ""),
        "action_ts": f"{now:.6f}",
    }
    if button.option is not None:  # a menu's option chosen
        action = {
            "type": button.element.get("type"),
            "action_id": button.element.get("action_id"),
            "block_id": button.block_id,
            "selected_option": button.option,
            "action_ts": f"{now:.6f}",
        }
        if "placeholder" in button.element:
            action["placeholder"] = button.element["placeholder"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "team_id": team_id},
        "api_app_id": APP_ID,
        "token": "unused",
        "trigger_id": f"{int(now)}.{secrets.token_hex(6)}",
        "team": {"id": team_id, "domain": "crm-try"},
        "is_enterprise_install": False,
        "actions": [action],
        "state": {"values": {}},
    }
    if button.view is not None:
        payload["container"] = {"type": "view", "view_id": button.view.get("id", "VTRYHOME")}
        payload["view"] = {"id": "VTRYHOME", **button.view}
    else:
        ts = f"{int(now)}.000100"
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": CHANNEL_ID,
            "is_ephemeral": True,
        }
        payload["channel"] = {"id": CHANNEL_ID, "name": "crm-try"}
        payload["message"] = {"type": "message", "ts": ts, **(button.message or {})}
        payload["response_url"] = response_url
    return payload
