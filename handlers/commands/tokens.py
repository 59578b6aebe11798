"""Turn slash-command text into words: Slack markup undone, quotes group words with spaces.

`/crm show "Maya Lopez"` → ["show", "Maya Lopez"]. Never raises: any text gives some list of tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Slack wraps links and mentions in <…> when the command escapes them, and always encodes &, <, >.
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
# Slack clients may turn "…" into “…”; either pairs up. Single quotes group words only when closed,
# so an apostrophe (O'Brien) stays part of its word.
_DOUBLE_OPEN, _DOUBLE_CLOSE = '"“„«', '"”“»'
_SINGLE_OPEN, _SINGLE_CLOSE = "'‘", "'’"


def _unmarkup(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "#")):  # <@U123|maya> → @maya, <#C1|general> → #general
        return f"{target[0]}{label}" if label else target
    if target.startswith("mailto:"):
        return target.removeprefix("mailto:")
    if target.startswith("!"):  # <!here>, <!date^…|label>
        return label or target[1:]
    return target  # a link: keep the URL, drop the label Slack shows


# Control characters other than tab and newline: PostgreSQL text cannot hold NUL, and none of them
# means anything in a command.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def unescape(text: str) -> str:
    """Slack's encoding of command text undone: links to URLs, then &lt; &gt; &amp; to characters."""
    text = _CONTROL.sub("", text)
    text = _MARKUP.sub(_unmarkup, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tokenize(text: str) -> list[str]:
    """Split on whitespace; a token starting with a quote runs to its closing quote (or the end)."""
    return [word for word, _ in spans(unescape(text or ""))]


def as_typed(words: Sequence[str]) -> str:
    """Words as they would be typed again: one with spaces (a quoted name) in quotes."""
    return " ".join(f'"{w[:80]}"' if " " in w else w[:80] for w in words)


def as_command(words: Sequence[str]) -> str | None:
    """The command text, as Slack sends it (&, <, > encoded), that tokenize() reads back as exactly
    `words` (one with spaces quoted); None when no text would (a word with spaces and a quote)."""
    typed = " ".join(f'"{w}"' if any(c.isspace() for c in w) else w for w in words)
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text if tokenize(text) == list(words) else None


def respelled_problem(what: str, typed: str, meant: str, *, command: str, before: Sequence[str]) -> str:
    """'“nxt week” is not a date I understand. Did you mean “next week”? /crm followup @maya next
    week': the words `typed` (after the words `before` them) respelled to what they probably meant."""
    example = f"/crm {command} {as_typed(before)} {meant}"
    return f"“{typed[:60]}” is not a {what} I understand. Did you mean “{meant}”? {example}"


def rest_after(text: str, count: int) -> str:
    """The unescaped text after the first `count` tokens, spacing and quotes kept (for note text)."""
    text = unescape(text or "")
    found = spans(text)
    if count <= 0:
        return text.strip()
    if len(found) < count:
        return ""
    return text[found[count - 1][1] :].strip()


def spans(text: str) -> list[tuple[str, int]]:
    """(token, index just past it in `text`) for each token of already-unescaped `text`."""
    tokens: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        ch = text[i]
        if ch in _DOUBLE_OPEN or ch in _SINGLE_OPEN:
            closers = _DOUBLE_CLOSE if ch in _DOUBLE_OPEN else _SINGLE_CLOSE
            end = next((j for j in range(i + 1, n) if text[j] in closers), -1)
            if end != -1 or ch in _DOUBLE_OPEN:  # an unclosed double quote runs to the end
                stop = n if end == -1 else end
                word = text[i + 1 : stop].strip()
                if word:
                    tokens.append((word, min(stop + 1, n)))
                i = stop + 1
                continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        tokens.append((text[i:j], j))
        i = j
    return tokens
