"""Slack's message markup read back as plain text, and the links and @handles a message carries.

A message's `text` arrives in Slack's markup: `<https://instagram.com/sophie.glow|@sophie.glow>`,
`<@U0123>`, `<#C0123|general>`, `<!here>`, with `&`, `<` and `>` escaped as `&amp;`, `&lt;`, `&gt;`
(https://docs.slack.dev/messaging/formatting-message-text). What we store is what a person reads:

    <url|label>        label (url)      or just `url` when the label is the URL, or just `label` when
                                        it is the URL as the author typed it (Slack adds `http://`
                                        to `instagram.com/x`, and `mailto:` to an address)
    <url>              url
    <@U0123>           @Sophie          when the message names that user (the author's user_profile,
                                        or a legacy `<@U0123|sophie>`), else @U0123
    <#C0123|general>   #general         (#C0123 without a name)
    <!here> <!channel> @here @channel   as text: stored, and shown later only through mrkdwn()
    <!subteam^S1|@design>  @design      and any other `<!…|fallback>` as its fallback
    &lt; &gt; &amp;    < > &

Markup is parsed before unescaping, so a `&lt;b&gt;` the author typed becomes the text `<b>`, never
markup; a `<` Slack did not escape (not a real message) is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from crm.profiles import handles_in
from handlers.blocks.text import unescape

# One piece of markup, `<target|label>` or `<target>`, with no `<` or `>` inside (Slack escapes those
# in text and labels). A link's target has no whitespace, so a stray "< and >" is not markup; a
# `<!date^…^{date} at {time}|…>` token may have some.
_MARKUP = re.compile(r"<(?P<target>[@#!][^<>|]*|[^\s<>|]+)(?:\|(?P<label>[^<>]*))?>")
_SPECIAL_MENTIONS = ("here", "channel", "everyone")
# Schemes Slack adds to what the author typed when it turns it into a link.
_ADDED_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_WEB_LINK = re.compile(r"^https?://", re.IGNORECASE)


def plain_text(text: str, *, names: Mapping[str, str] | None = None) -> str:
    """`text` in Slack's markup as plain text (see the module docstring); `names` maps user ids to
    the names to show for their mentions."""
    names = names or {}
    out: list[str] = []
    end = 0
    for match in _MARKUP.finditer(text):
        out.append(unescape(text[end : match.start()]))
        out.append(_plain_markup(unescape(match["target"]), unescape(match["label"] or ""), names))
        end = match.end()
    out.append(unescape(text[end:]))
    return "".join(out)


def _plain_markup(target: str, label: str, names: Mapping[str, str]) -> str:
    if target.startswith("@"):
        user_id = target[1:]
        name = names.get(user_id) or label.removeprefix("@") or user_id
        return f"@{name}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!"):
        command = target[1:]
        if command in _SPECIAL_MENTIONS:
            return f"@{command}"
        if label:
            return label
        kind, _, ident = command.partition("^")
        return f"@{ident}" if kind == "subteam" and ident else command
    if not label or label == target:
        return target
    if any(target.lower() == scheme + label.lower() for scheme in _ADDED_SCHEMES):
        return label
    return f"{label} ({target})"


def user_names(message: Mapping[str, Any]) -> dict[str, str]:
    """Names the message itself gives for user ids: its author's, from `user_profile`.

    (A message_action payload carries the author's profile; rich_text `user` elements carry only ids.)
    """
    profile = message.get("user_profile")
    author = message.get("user")
    if not isinstance(profile, dict) or not isinstance(author, str):
        return {}
    for key in ("display_name", "real_name", "name"):
        name = profile.get(key)
        if isinstance(name, str) and name.strip():
            return {author: " ".join(name.split())}
    return {}


def message_plain_text(message: Mapping[str, Any]) -> str | None:
    """The message's `text` as plain text (None when it has none), its author's mentions named."""
    text = message.get("text")
    if not isinstance(text, str) or not text:
        return None
    return plain_text(text, names=user_names(message))


def message_links(message: Mapping[str, Any], *, limit: int = 10) -> list[str]:
    """The web (http/https) links in the message, each once, in order, at most `limit`: the URLs in
    its text's markup, then the link elements of its rich_text blocks."""
    found: dict[str, None] = {}
    text = message.get("text")
    if isinstance(text, str):
        for match in _MARKUP.finditer(text):
            found.setdefault(unescape(match["target"]), None)
    for url in _rich_text_links(message.get("blocks")):
        found.setdefault(url, None)
    return [url for url in found if _WEB_LINK.match(url)][:limit]


def message_references(message: Mapping[str, Any], *, limit: int = 10) -> list[str]:
    """What in the message may name a creator, each once, in order, at most `limit`: its web links
    (message_links), the e-mail addresses it links (`<mailto:…>`), then the @handles written in its
    text outside Slack's markup (a `<@U…>` mention is a Slack user, not a creator)."""
    found = dict.fromkeys(message_links(message, limit=limit))
    text = message.get("text")
    if isinstance(text, str):
        for match in _MARKUP.finditer(text):
            target = unescape(match["target"])
            if target.lower().startswith("mailto:"):
                found.setdefault(target[len("mailto:") :], None)
        for handle in handles_in(unescape(_MARKUP.sub(" ", text))):
            found.setdefault(f"@{handle}", None)
    return list(found)[:limit]


def _rich_text_links(node: Any, depth: int = 0) -> Iterator[str]:
    """URLs of `{"type": "link", "url": …}` elements anywhere in a blocks tree (blocks, then their
    `elements`, nested in sections, lists and quotes); depth is bounded against a forged payload."""
    if depth > 20:
        return
    if isinstance(node, list):
        for item in node:
            yield from _rich_text_links(item, depth + 1)
    elif isinstance(node, dict):
        if node.get("type") == "link" and isinstance(node.get("url"), str):
            yield node["url"]
        yield from _rich_text_links(node.get("elements"), depth + 1)
