"""Reading modal submissions: state values by block id, and the private_metadata round trip.

Everything here comes back from Slack, so nothing is trusted: metadata is parsed strictly and ids
are only ever used through crm calls that filter by the acting user.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from crm.errors import InvalidInput
from handlers.blocks.text import PRIVATE_METADATA


class _Malformed(ValueError):
    """A state value without the form Slack gives that element type; carries what to tell the user."""


# What the user sees next to a field whose value came back malformed (never the value itself).
_ASK = {
    "datepicker": "Pick a date from the calendar.",
    "datetimepicker": "Pick a date and time.",
    "timepicker": "Pick a time.",
    "users_select": "Pick a person from the list.",
    "file_input": "Attach the file again.",
}
_ASK_OPTION = "Pick one of the options."
_ASK_TEXT = "Type this again."
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}")
# Slack's datetimepicker offers years 0001-9999 at most; anything outside is not a pick.
_EARLIEST, _LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)


def _text(value: Any, kind: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _Malformed(_ASK.get(kind, _ASK_TEXT))


def _option_value(option: Any) -> str:
    if not isinstance(option, dict) or not isinstance(option.get("value"), str):
        raise _Malformed(_ASK_OPTION)
    return option["value"]


def _date(raw: Any) -> date | None:
    if raw is None:
        return None
    if not (isinstance(raw, str) and _DATE.fullmatch(raw)):  # fromisoformat alone takes "20260101"
        raise _Malformed(_ASK["datepicker"])
    try:
        return date.fromisoformat(raw)
    except ValueError:  # 2026-02-30
        raise _Malformed(_ASK["datepicker"]) from None


def _instant(raw: Any) -> datetime | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise _Malformed(_ASK["datetimepicker"])
    try:
        when = datetime.fromtimestamp(raw, UTC)
    except (OverflowError, OSError, ValueError):
        raise _Malformed(_ASK["datetimepicker"]) from None
    if not _EARLIEST <= when <= _LATEST:
        raise _Malformed(_ASK["datetimepicker"])
    return when


def _files(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Malformed(_ASK["file_input"])
    for file in raw:
        if not (
            isinstance(file, dict)
            and all(isinstance(file.get(k), str | None) for k in ("id", "name", "permalink"))
        ):
            raise _Malformed(_ASK["file_input"])
    return raw


def element_value(element: dict[str, Any]) -> Any:
    """The value of one input element in view.state, in Python terms (None when empty).

    Raises _Malformed when the value does not have the form Slack gives that element type.
    """
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        chosen = element.get("selected_option")
        return None if chosen is None else _option_value(chosen)
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        chosen = element.get("selected_options")
        if chosen is None:
            return []
        if not isinstance(chosen, list):
            raise _Malformed(_ASK_OPTION)
        return [_option_value(o) for o in chosen]
    if kind == "datepicker":
        return _date(element.get("selected_date"))
    if kind == "datetimepicker":
        return _instant(element.get("selected_date_time"))
    if kind == "timepicker":
        raw = _text(element.get("selected_time"), kind)
        if raw is not None and not _TIME.fullmatch(raw):
            raise _Malformed(_ASK[kind])
        return raw
    if kind == "users_select":
        return _text(element.get("selected_user"), kind)
    if kind == "file_input":
        return _files(element.get("files"))
    value = _text(element.get("value"), kind)  # plain_text_input, url/email_text_input, number_input
    if value is None:
        return None
    return value.strip() or None


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: value} for every input of a submitted view (one element per input block).

    A value that does not have its element type's form (a forged `2026-02-30`, a string where an
    option belongs) is InvalidInput on its block, so the modal shows it inline. The message never
    quotes the value: it may be anything, and error messages can reach the log.
    """
    values: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            try:
                values[block_id] = element_value(element)
            except _Malformed as exc:
                raise InvalidInput(block_id, str(exc)) from None
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


def required_id(view: dict[str, Any], key: str) -> uuid.UUID:
    """An id the modal was opened with; a form without it is damaged (InvalidInput on `form`)."""
    value = metadata_id(load_metadata(view), key)
    if value is None:
        raise InvalidInput("form", "This form is damaged; close it and open it again.")
    return value


def parse_id(raw: Any, *, field: str, what: str = "item") -> uuid.UUID:
    """A UUID that came back from Slack (button or select value); InvalidInput(field) if it is not one."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise InvalidInput(field, f"That {what} could not be found.") from None
