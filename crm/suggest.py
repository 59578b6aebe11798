"""“Did you mean …?”: which of a few known words someone probably meant, in one place.

`close_matches` puts first the word people commonly use *instead* of one of ours (“hot” for warm,
“delete” for remove), then the known words spelled closest to what was typed (difflib, ignoring
case). The synonym tables are the domain's vocabulary, so crm and the Slack handlers suggest the same
thing for statuses, interaction types and platforms; callers with their own words (subcommands,
campaign names) pass their own choices. Pure functions: no Slack, no database.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping

# difflib's default: "shwo" → show and "activ" → active pass, "hot" → cold does not.
CUTOFF = 0.6

STATUS_SYNONYMS: Mapping[str, str] = {
    "hot": "warm",
    "lead": "saved",
    "new": "saved",
    "prospect": "saved",
    "reached": "contacted",
    "emailed": "contacted",
    "pitched": "contacted",
    "lost": "cold",
    "dead": "cold",
    "partner": "partnered",
    "signed": "partnered",
    "active": "partnered",
}
# A campaign assignment's statuses (planned, active, completed, cancelled) as people also write them.
ASSIGNMENT_STATUS_SYNONYMS: Mapping[str, str] = {
    "done": "completed",
    "finished": "completed",
    "live": "active",
    "running": "active",
    "started": "active",
    "dropped": "cancelled",
}
# Keys are what people type; values are the words `/crm log` takes (file = file_upload).
INTERACTION_SYNONYMS: Mapping[str, str] = {
    "mail": "email",
    "e-mail": "email",
    "phone": "call",
    "zoom": "meeting",
    "meet": "meeting",
    "coffee": "meeting",
    "lunch": "meeting",
    "dinner": "meeting",
    "visit": "meeting",
    "upload": "file",
    "attachment": "file",
    "comment": "note",
}
PLATFORM_SYNONYMS: Mapping[str, str] = {
    "ig": "instagram",
    "insta": "instagram",
    "tt": "tiktok",
    "yt": "youtube",
    "twitter": "x",
    "li": "linkedin",
    "medium": "blog",
    "substack": "blog",
    "website": "blog",
}


def close_matches(
    word: str,
    choices: Iterable[str],
    *,
    n: int = 3,
    synonyms: Mapping[str, str] | None = None,
    cutoff: float = CUTOFF,
) -> list[str]:
    """Up to `n` of `choices` that `word` probably meant, best first, as the choices are spelled.

    A synonym counts only when its target is among `choices`; a word that is a synonym of a choice
    that does not exist (yet) gets no spelling guesses either: “remove” must not suggest “rename”.
    """
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    typed = (word or "").strip().lower()
    if not typed or not by_lower:
        return []
    if synonyms and typed in synonyms:
        target = synonyms[typed].lower()
        return [by_lower[target]] if target in by_lower else []
    found = difflib.get_close_matches(typed, list(by_lower), n=n, cutoff=cutoff)
    return [by_lower[match] for match in found]


def quoted(choice: str) -> str:
    return f"“{choice}”"


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    n: int = 1,
    synonyms: Mapping[str, str] | None = None,
    fmt: Callable[[str], str] = quoted,
) -> str:
    """'Did you mean “warm”?' (or '… “a” or “b”?'), or '' when nothing is close."""
    found = close_matches(word, choices, n=n, synonyms=synonyms)
    if not found:
        return ""
    return f"Did you mean {' or '.join(fmt(choice) for choice in found)}?"


def one_of(choices: Iterable[str], *, fmt: Callable[[str], str] = str) -> str:
    """'a, b or c': choices for a sentence."""
    items = [fmt(choice) for choice in choices]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


# How close a mistyped word of a phrase must be to a known one to be respelled: "nxt", "dys", "wek"
# are 0.86 from what they meant; "maya" is 0.57 from "may".
RESPELL_CUTOFF = 0.75


def respell(text: str, words: Collection[str], *, makes_sense: Callable[[str], bool]) -> str | None:
    """`text` with each word that is not among `words` (lower-case) but spelt close to one respelled
    to it, when `makes_sense` accepts the result ("nxt week" → "next week"); None when no word
    needed it or the result still makes no sense. Digits and punctuation are left as they are."""
    typed = text.split()
    fixed = []
    for word in typed:
        lowered = word.lower()
        guess = (
            []
            if lowered in words or not lowered.isalpha()
            else close_matches(lowered, words, n=1, cutoff=RESPELL_CUTOFF)
        )
        fixed.append(guess[0] if guess else word)
    if fixed == typed:
        return None
    candidate = " ".join(fixed)
    return candidate if makes_sense(candidate) else None
