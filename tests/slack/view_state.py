"""`view.state.values` for a submitted modal, built from the modal's own input blocks.

fill_state(view, {block_id: value}) finds each input block's element (type and action_id) in `view`
and encodes `value` the way Slack does for that element type. Blocks not given are present with
Slack's "nothing entered" value (value: None / selected_option: None / ...), as in real payloads.

Value forms by element type:
  plain_text_input, email_text_input, url_text_input, number_input   str
  static_select, external_select, radio_buttons                      option value (str)
  multi_static_select, multi_external_select, checkboxes             list of option values
  datepicker "YYYY-MM-DD" (str or date), timepicker "HH:MM", datetimepicker int (Unix time)
  users_select / conversations_select / channels_select              id (str)
  multi_users_select / multi_conversations_select                    list of ids
  file_input                                                         list of file dicts or ids
"""

from __future__ import annotations

from datetime import date
from typing import Any


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _options(element):
        if option.get("value") == value:
            return option
    # external selects (and new values) have no static options: Slack echoes what was chosen
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def encode(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The state entry Slack sends for `element` holding `value` (None = nothing entered)."""
    kind = element.get("type", "plain_text_input")
    entry: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"):
        entry["value"] = None if value is None else str(value)
    elif kind in ("static_select", "external_select", "radio_buttons"):
        entry["selected_option"] = None if value is None else _option(element, str(value))
    elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        entry["selected_options"] = [_option(element, str(v)) for v in value or []]
    elif kind == "datepicker":
        entry["selected_date"] = value.isoformat() if isinstance(value, date) else value
    elif kind == "timepicker":
        entry["selected_time"] = value
    elif kind == "datetimepicker":
        entry["selected_date_time"] = None if value is None else int(value)
    elif kind == "users_select":
        entry["selected_user"] = value
    elif kind == "conversations_select":
        entry["selected_conversation"] = value
    elif kind == "channels_select":
        entry["selected_channel"] = value
    elif kind == "multi_users_select":
        entry["selected_users"] = list(value or [])
    elif kind in ("multi_conversations_select", "multi_channels_select"):
        key = "selected_conversations" if kind == "multi_conversations_select" else "selected_channels"
        entry[key] = list(value or [])
    elif kind == "file_input":
        entry["files"] = [f if isinstance(f, dict) else {"id": f} for f in value or []]
    else:
        raise ValueError(f"fill_state does not know element type {kind!r}")
    return entry


def fill_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """state.values for `view` with `values` by block_id; KeyError for a block_id not in the view."""
    inputs = {
        b["block_id"]: b["element"]
        for b in view.get("blocks") or []
        if b.get("type") == "input" and b.get("block_id") and b.get("element")
    }
    unknown = set(values) - set(inputs)
    if unknown:
        raise KeyError(f"no input block {sorted(unknown)} in the view; it has {sorted(inputs)}")
    return {
        block_id: {element.get("action_id", block_id): encode(element, values.get(block_id))}
        for block_id, element in inputs.items()
    }
