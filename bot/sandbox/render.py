"""Block Kit as readable text, for `crm-bot try`: messages, and modals with their fields.

Plain functions over the JSON Slack receives (what the app sent), so what is rendered is exactly
what Slack would have been given. Buttons are listed as [Label], selects as [Label ▾], inputs as
"Label: …" lines; mrkdwn links become "label (url)", mentions "@U…", and entities are unescaped.
"""

from __future__ import annotations

import re
from typing import Any

RULE = "─" * 48
_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def mrkdwn_text(text: str) -> str:
    """Slack's mrkdwn as plain text: <url|label> → "label (url)", <@U1> → @U1, <#C1|x> → #x, *bold* →
    bold, &amp; → &. `code` keeps its backticks: it marks what to type."""

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return label or target
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return label or "@" + target[1:].split("^")[0]
        if label and label != target:
            return f"{label} ({target})"
        return target

    text = _BOLD.sub(r"\1", _LINK.sub(link, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any) -> str:
    """The words of a text object (plain_text or mrkdwn), or of a bare string."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_text(text) if obj.get("type") == "mrkdwn" else text


def element_text(element: dict[str, Any]) -> str:
    """One interactive element as a short bracketed label."""
    kind = element.get("type", "")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind == "overflow":
        return "[⋯ " + " | ".join(_text(o.get("text")) for o in element.get("options", [])) + "]"
    if kind.endswith("select"):
        initial = element.get("initial_option") or {}
        shown = _text(initial.get("text")) or _text(element.get("placeholder")) or "choose"
        return f"[{shown} ▾]"
    if kind == "datepicker":
        return f"[{element.get('initial_date') or _text(element.get('placeholder')) or 'pick a date'} 📅]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    return f"[{kind}]"


def _input_value(element: dict[str, Any]) -> str:
    """What an input shows before anything is typed: initial value, else placeholder, else its kind."""
    kind = element.get("type", "")
    for key in ("initial_value", "initial_date", "initial_time"):
        if element.get(key):
            return str(element[key])
    if element.get("initial_option"):
        return _text(element["initial_option"].get("text"))
    if element.get("initial_options"):
        return ", ".join(_text(o.get("text")) for o in element["initial_options"])
    options = element.get("options") or []
    if options and kind.endswith("select"):
        choices = " / ".join(_text(o.get("text")) for o in options[:8])
        return f"one of: {choices}" + (" / …" if len(options) > 8 else "")
    placeholder = _text(element.get("placeholder"))
    described = {
        "plain_text_input": "text",
        "url_text_input": "a link",
        "datepicker": "a date",
        "file_input": "a file",
        "external_select": "search",
        "multi_external_select": "search, several",
    }.get(kind, kind.replace("_", " "))
    return f"{placeholder} ({described})" if placeholder else f"({described})"


def _field(field: Any) -> str:
    """A section field, "*Label*\nvalue" in Slack, as "Label: value" on one line."""
    lines = _text(field).splitlines() or [""]
    if isinstance(field, dict) and str(field.get("text", "")).startswith("*") and len(lines) > 1:
        return f"{lines[0]}: {' '.join(lines[1:])}"
    return " ".join(lines)


def block_lines(block: dict[str, Any]) -> list[str]:
    """One block as text lines."""
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"))
        return [title.upper(), "═" * min(len(title), 48)]
    if kind == "divider":
        return [RULE]
    if kind == "section":
        lines = _text(block.get("text")).splitlines() if block.get("text") else []
        for field in block.get("fields") or []:
            lines.append("  " + _field(field))
        accessory = block.get("accessory")
        if accessory:
            label = element_text(accessory)
            if lines:
                lines[-1] = f"{lines[-1]}  {label}"
            else:
                lines = [label]
        return lines
    if kind == "context":
        parts = [element_text(e) if e.get("type") == "image" else _text(e) for e in block.get("elements", [])]
        return ["  " + " · ".join(p for p in parts if p)]
    if kind == "actions":
        return ["  ".join(element_text(e) for e in block.get("elements", []))]
    if kind == "input":
        label = _text(block.get("label"))
        optional = " (optional)" if block.get("optional") else ""
        lines = [f"• {label}{optional}: {_input_value(block.get('element') or {})}"]
        if block.get("hint"):
            lines.append(f"    {_text(block['hint'])}")
        return lines
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return [_rich_text(block)]
    return [f"[{kind} block]"]


def _rich_text(node: Any) -> str:
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "link":
            return str(node.get("text") or node.get("url", ""))
        return "".join(_rich_text(child) for child in node.get("elements", []))
    return ""


def message_text(message: dict[str, Any]) -> str:
    """A message (blocks, else its text fallback) as text."""
    blocks = message.get("blocks") or []
    if not blocks:
        return mrkdwn_text(str(message.get("text") or ""))
    return "\n".join(line for block in blocks for line in block_lines(block))


def view_text(view: dict[str, Any]) -> str:
    """A modal as text: its title, its blocks (each input field with its label), its buttons."""
    title = _text(view.get("title")) or "Form"
    lines = [f"┌─ Form: {title} ─"]
    lines.extend("│ " + line for block in view.get("blocks", []) for line in block_lines(block))
    buttons = [f"[{_text(view[key])}]" for key in ("submit", "close") if view.get(key)]
    lines.append("└─ " + "  ".join(buttons or ["[Close]"]))
    return "\n".join(lines)
