"""Reading modal submissions: state values by block id, and the private_metadata round trip.

Everything here comes back from Slack, so nothing is trusted: metadata is parsed strictly and ids
are only ever used through crm calls that filter by the acting user.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from crm.errors import InvalidInput
from handlers.blocks.text import PRIVATE_METADATA


def element_value(element: dict[str, Any]) -> Any:
    """The value of one input element in view.state, in Python terms (None when empty)."""
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        chosen = element.get("selected_option")
        return chosen.get("value") if chosen else None
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return [o.get("value") for o in element.get("selected_options") or [] if o.get("value") is not None]
    if kind == "datepicker":
        raw = element.get("selected_date")
        return date.fromisoformat(raw) if raw else None
    if kind == "datetimepicker":
        raw = element.get("selected_date_time")
        return datetime.fromtimestamp(int(raw), UTC) if raw is not None else None
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "file_input":
        return list(element.get("files") or [])
    value = element.get("value")  # plain_text_input, url_text_input, email_text_input, number_input
    if isinstance(value, str):
        value = value.strip()
    return value or None


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: value} for every input of a submitted view (one element per input block)."""
    values: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            values[block_id] = element_value(element)
    return values


def dump_metadata(**values: str | uuid.UUID | None) -> str:
    """private_metadata: a small JSON object of strings, None values left out."""
    data = {k: str(v) for k, v in values.items() if v is not None}
    text = json.dumps(data, separators=(",", ":"))
    if len(text) > PRIVATE_METADATA:
        raise ValueError(f"private_metadata of {len(text)} characters; Slack allows {PRIVATE_METADATA}")
    return text


def load_metadata(view: dict[str, Any]) -> dict[str, str]:
    """The view's private_metadata as {str: str}; anything else is refused as a broken form."""
    raw = view.get("private_metadata") or "{}"
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InvalidInput("form", "This form is damaged; close it and open it again.")
    return data


def metadata_id(data: dict[str, str], key: str) -> uuid.UUID | None:
    """A UUID from metadata, None when absent; a malformed one is refused."""
    raw = data.get(key)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput("form", "This form is damaged; close it and open it again.") from None


def parse_id(raw: Any, *, field: str, what: str = "item") -> uuid.UUID:
    """A UUID that came back from Slack (button or select value); InvalidInput(field) if it is not one."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise InvalidInput(field, f"That {what} could not be found.") from None
