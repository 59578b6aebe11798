"""A form shown under `crm-bot try`, filled in field by field and submitted as Slack submits it.

`fill <label> = <value>` types into the input whose label starts with <label> (case aside):
- text, e-mail and link inputs take the text as it is;
- a menu takes the choice whose label (or value) starts with the text: `fill Type = call`;
- a date takes YYYY-MM-DD; a date and time YYYY-MM-DD HH:MM in the user's time zone;
- a search menu (a creator, tags) asks the app for its options, as Slack does while one types, and
  takes the one named, else the first: `fill Influencer = maya`; several are separated by commas
  (`fill Tags = food, vegan`);
- an empty value clears the field; file inputs cannot be filled here.

`submit` then sends a view_submission whose state holds every input: what was filled, else what the
form showed (its initial values), as Slack sends untouched inputs. The view keeps the id and hash it
was shown with, so submitting the same form twice is a double submit, as in Slack.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.web_api import APP_ID

TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
SEARCH_MENUS = ("external_select", "multi_external_select")
# (block, element, typed text) → the options the app offers for it
OptionsFor = Callable[[dict[str, Any], dict[str, Any], str], list[dict[str, Any]]]


class FillError(ValueError):
    """A `fill` the form cannot take; its message says why and what it takes."""


def _label(block: dict[str, Any]) -> str:
    return str((block.get("label") or {}).get("text", ""))


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return found


def _option_named(options: list[dict[str, Any]], typed: str) -> dict[str, Any] | None:
    """The option whose label or value is `typed`, else the first whose label starts with it."""
    wanted = typed.casefold()
    for option in options:
        if wanted in (str(option["text"].get("text", "")).casefold(), str(option.get("value")).casefold()):
            return option
    return next((o for o in options if str(o["text"].get("text", "")).casefold().startswith(wanted)), None)


def _shown_value(element: dict[str, Any]) -> dict[str, Any]:
    """The state entry of an input nobody touched: its initial value, or nothing entered."""
    kind = element.get("type", "plain_text_input")
    if kind in TEXT_INPUTS:
        return {"type": kind, "value": element.get("initial_value")}
    if kind in ("static_select", "external_select"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in ("multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": list(element.get("initial_options") or [])}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": element.get("initial_date_time")}
    if kind == "file_input":
        return {"type": kind, "files": []}
    return {"type": kind}


@dataclass
class Form:
    """The form on screen: the view as the app sent it, its id and hash, and each input's state."""

    view: dict[str, Any]
    id: str
    hash: str
    tz: ZoneInfo  # the user's: dates and times are typed and shown in it
    state: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # block → action → entry

    @classmethod
    def shown(cls, view: dict[str, Any], view_id: str, tz: ZoneInfo) -> Form:
        form = cls(view=view, id=view_id, hash=f"try-{secrets.token_hex(4)}", tz=tz)
        for block, element in form.inputs():
            action_id = element.get("action_id", block["block_id"])
            form.state[block["block_id"]] = {action_id: _shown_value(element)}
        return form

    def inputs(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [
            (b, b["element"])
            for b in self.view.get("blocks") or []
            if b.get("type") == "input" and b.get("block_id") and isinstance(b.get("element"), dict)
        ]

    def field(self, label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The input whose label is `label`, or starts with it (case aside); FillError naming the
        labels there are when none does."""
        wanted = label.strip().casefold()
        inputs = self.inputs()
        exact = [(b, e) for b, e in inputs if _label(b).casefold() == wanted]
        starting = [(b, e) for b, e in inputs if _label(b).casefold().startswith(wanted)]
        if wanted and (exact or starting):
            return (exact or starting)[0]
        labels = ", ".join(_label(b) for b, _ in inputs) or "none"
        raise FillError(f"This form has no field “{label.strip()}”. Its fields: {labels}.")

    def fill(self, label: str, typed: str, *, options_for: OptionsFor | None = None) -> str:
        """Set the field `label` from `typed`; returns "Label: what it now holds". A search menu's
        choices come from `options_for(block, element, typed)`: the app's answer to the options
        request Slack sends as one types (see options_request)."""
        block, element = self.field(label)

        def options(text: str) -> list[dict[str, Any]]:
            if element.get("type") not in SEARCH_MENUS:
                return _options(element)
            return options_for(block, element, text) if options_for is not None else []

        entry = self._entry(element, typed.strip(), self.tz, options)
        self.state[block["block_id"]] = {element.get("action_id", block["block_id"]): entry}
        return f"{_label(block)}: {self.shown_text(entry) or '(empty)'}"

    @staticmethod
    def _entry(
        element: dict[str, Any], typed: str, tz: ZoneInfo, options: Callable[[str], list[dict[str, Any]]]
    ) -> dict[str, Any]:
        kind = element.get("type", "plain_text_input")
        if not typed:
            return _shown_value({"type": kind})  # cleared: nothing entered
        if kind in TEXT_INPUTS:
            return {"type": kind, "value": typed}
        if kind == "file_input":
            raise FillError("Files cannot be attached here; leave this field empty.")
        if kind == "datepicker":
            try:
                return {"type": kind, "selected_date": date.fromisoformat(typed).isoformat()}
            except ValueError:
                raise FillError(f"“{typed}” is not a date here; write it as YYYY-MM-DD.") from None
        if kind == "timepicker":
            try:
                return {"type": kind, "selected_time": datetime.strptime(typed, "%H:%M").strftime("%H:%M")}
            except ValueError:
                raise FillError(f"“{typed}” is not a time here; write it as HH:MM.") from None
        if kind == "datetimepicker":
            try:
                local = datetime.strptime(typed, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
            except ValueError:
                raise FillError(f"“{typed}” is not a date and time here; write YYYY-MM-DD HH:MM.") from None
            return {"type": kind, "selected_date_time": int(local.timestamp())}
        if kind.startswith("multi_"):  # several, separated by commas: each chosen as one types it
            picked = []
            for word in (w.strip() for w in typed.split(",") if w.strip()):
                choices = options(word)
                if (option := _chosen(kind, choices, word)) is None:
                    raise FillError(_no_choice(word, choices))
                picked.append(option)
            return {"type": kind, "selected_options": picked}
        if kind in ("static_select", "external_select"):
            choices = options(typed)
            if (option := _chosen(kind, choices, typed)) is None:
                raise FillError(_no_choice(typed, choices))
            return {"type": kind, "selected_option": option}
        raise FillError(f"A {kind.replace('_', ' ')} cannot be filled here.")

    def shown_text(self, entry: dict[str, Any]) -> str:
        """What an input holds, as the form would show it."""
        if entry.get("value"):
            return str(entry["value"])
        if entry.get("selected_option"):
            return str(entry["selected_option"]["text"].get("text", ""))
        if entry.get("selected_options"):
            return ", ".join(str(o["text"].get("text", "")) for o in entry["selected_options"])
        for key in ("selected_date", "selected_time"):
            if entry.get(key):
                return str(entry[key])
        if entry.get("selected_date_time"):
            return datetime.fromtimestamp(entry["selected_date_time"], self.tz).strftime("%Y-%m-%d %H:%M")
        return ""

    def filled_view(self) -> dict[str, Any]:
        """The view with what was filled shown as its inputs' values (for printing the form again)."""
        view = copy.deepcopy(self.view)
        for block in view.get("blocks") or []:
            if block.get("type") != "input" or block.get("block_id") not in self.state:
                continue
            (entry,) = self.state[block["block_id"]].values()
            element = block.get("element") or {}
            for key in (
                "initial_value",
                "initial_option",
                "initial_options",
                "initial_date",
                "initial_time",
                "initial_date_time",
            ):
                element.pop(key, None)
            if shown := self.shown_text(entry):
                element["initial_value"] = shown
        return view

    def submission(self, *, team_id: str, user_id: str, user_name: str) -> dict[str, Any]:
        """The view_submission payload Slack sends when Submit is pressed on this form."""
        view = dict(self.view, id=self.id, hash=self.hash, state={"values": copy.deepcopy(self.state)})
        return {
            "type": "view_submission",
            "team": {"id": team_id, "domain": "crm-try"},
            "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
            "api_app_id": APP_ID,
            "token": "unused",
            "trigger_id": f"{int(time.time())}.{secrets.token_hex(6)}",
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def options_request(
        self, block: dict[str, Any], element: dict[str, Any], typed: str, *, team_id: str, user_id: str
    ) -> dict[str, Any]:
        """The block_suggestion payload Slack sends while `typed` is typed into a search menu."""
        return {
            "type": "block_suggestion",
            "user": {"id": user_id, "team_id": team_id},
            "container": {"type": "view", "view_id": self.id},
            "api_app_id": APP_ID,
            "token": "unused",
            "action_id": element.get("action_id", block["block_id"]),
            "block_id": block["block_id"],
            "value": typed,
            "team": {"id": team_id, "domain": "crm-try"},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": dict(self.view, id=self.id, hash=self.hash),
        }


def _chosen(kind: str, choices: list[dict[str, Any]], typed: str) -> dict[str, Any] | None:
    """The choice `typed` names; in a search menu, whose options the app picked for what was typed
    (best first), the first one when none is spelt like it ("lopez" → Maya Lopez)."""
    named = _option_named(choices, typed)
    if named is None and kind in SEARCH_MENUS and choices:
        return choices[0]
    return named


def _no_choice(typed: str, options: list[dict[str, Any]]) -> str:
    labels = " / ".join(str(o["text"].get("text", "")) for o in options[:10])
    return f"No choice “{typed}” here. " + (f"Choices: {labels}." if labels else "Nothing matches it.")
