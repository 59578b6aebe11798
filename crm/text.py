"""Text a user typed, made safe to store: one cleaning rule for every free-text field in crm.

PostgreSQL text cannot hold NUL (psycopg refuses to send it, which would surface as a crash, not as
a message), and the other C0 control characters are invisible junk pasted from other apps that
confuses Slack's mrkdwn and terminals. So `clean_text`:
- removes C0 control characters and DEL, keeping tab and newline in multi-line text (a CR LF or a
  lone CR becomes a newline first, so pasted Windows text keeps its lines);
- in single-line text (names, subjects, tags, handles) turns every run of whitespace (newlines,
  tabs and the whitespace-like controls such as vertical tab included) into one space;
- trims, and returns None for text that is blank after cleaning;
- refuses text that cannot be stored as UTF-8 (lone surrogates, which JSON can carry) and text
  longer than `max_len` characters after cleaning, with InvalidInput naming the field.
Stripping rather than refusing control characters is deliberate: nobody means to type them, and a
message about invisible characters would leave the user nothing to fix.

Names other people see (an influencer's name, a campaign's name, a user's display name) go through
`clean_name`, which first strips the invisible characters that can disguise text: the bidi controls
(U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069, which can make "gnirpS" read as "Spring" or
reorder a line), and the zero-width ones (U+200B–U+200D, U+2060–U+2065, U+FEFF), which make two
names that look the same differ. One exception: a zero-width joiner between two emoji is kept, since
it is what draws 👩‍💻 as one picture rather than 👩💻. ZWNJ (U+200C) is removed even though Persian
and some Indic spellings use it; those names stay readable, just joined differently.
"""

from __future__ import annotations

import re

from crm.errors import InvalidInput

# Accented letters and the plain letter each is matched as, so that "zoe muller" finds "Zoë Müller"
# and "Martinez" finds "Martínez". Migration 0012 defines the SQL function crm_fold() with these
# same two strings (tests/crm/test_text.py compares the two), and influencers.name_folded is
# crm_fold(name), stored and indexed: a name and what was typed are folded alike, on either side.
# Upper case too: under the C locale, PostgreSQL's lower() leaves accented letters as they are.
FOLD_FROM = (
    "àáâãäåāăąçćčďđèéêëēėęěğìíîïīįłñńňòóôõöøōőřśšşťţùúûüūůűýÿźżž"
    "ÀÁÂÃÄÅĀĂĄÇĆČĎĐÈÉÊËĒĖĘĚĞÌÍÎÏĪĮŁÑŃŇÒÓÔÕÖØŌŐŘŚŠŞŤŢÙÚÛÜŪŮŰÝŸŹŻŽ"
)
FOLD_TO = "aaaaaaaaacccddeeeeeeeegiiiiiilnnnoooooooorsssttuuuuuuuyyzzz" * 2
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """`text` lower-cased with its accents taken off, as crm_fold() does in SQL."""
    return text.lower().translate(_FOLD)


def slug(text: str, *, default: str) -> str:
    """`text` as part of a file name: accents off, lower-case letters and digits joined by "-", at
    most 40 characters ("Été Glow" → "ete-glow"); `default` when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:40].strip("-") or default


# Counts people write as words ("in two weeks", "every three days"), up to twelve.
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
NUMBER_WORDS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

# C0 controls except tab (0x09) and newline (0x0a), plus DEL (0x7f).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The ones str.split() does not already treat as whitespace (it splits on 0x09-0x0d and 0x1c-0x1f).
_CONTROL_NOT_SPACE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_CARRIAGE_RETURN = re.compile(r"\r\n?")

# Bidi controls and zero-width characters, except the zero-width joiner (U+200D), handled below.
_INVISIBLE = re.compile("[\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# The blocks every character of an emoji ZWJ sequence comes from: U+1F000–U+1FAFF (most emoji) and
# the arrows, symbols and dingbats of U+2190–U+2BFF (♀ ⚕ ✈ ❄ ❤ ⬛ …). Neither holds a letter or a space.
_PICTOGRAPH = "\u2190-\u2bff\U0001f000-\U0001faff"
# A ZWJ not between an emoji (optionally ending in the emoji variation selector U+FE0F) and the next.
_STRAY_ZWJ = re.compile(f"(?<![{_PICTOGRAPH}\ufe0f])\u200d|\u200d(?![{_PICTOGRAPH}])")


def clean_text(
    value: str | None,
    *,
    field: str,
    max_len: int | None,
    multiline: bool = False,
    label: str | None = None,
) -> str | None:
    """`value` as it is stored (see the module docstring), None when blank.

    `label` starts the error messages ("The subject can be at most 255 characters."); it defaults
    to the field name. `max_len` None leaves the length to the caller.
    """
    if value is None:
        return None
    label = label or field.replace("_", " ").capitalize()
    if not isinstance(value, str):
        raise InvalidInput(field, f"{label} must be text.")
    if multiline:
        cleaned = _CONTROL.sub("", _CARRIAGE_RETURN.sub("\n", value)).strip()
    else:
        cleaned = " ".join(_CONTROL_NOT_SPACE.sub("", value).split())
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(field, f"{label} contains characters that cannot be stored.") from None
    if max_len is not None and len(cleaned) > max_len:
        raise InvalidInput(field, f"{label} can be at most {max_len:,} characters.")
    return cleaned or None


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE/ILIKE pattern: backslash (the default escape character),
    `%` and `_` are escaped, so a user's "50%_off" matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def strip_invisible(value: str) -> str:
    """`value` without bidi controls and zero-width characters (a ZWJ inside an emoji sequence stays)."""
    value = re.sub("\u200d+", "\u200d", _INVISIBLE.sub("", value))
    return _STRAY_ZWJ.sub("", value)


def clean_name(value: str | None, *, field: str, max_len: int | None, label: str | None = None) -> str | None:
    """A name other people will see, as stored: clean_text (single line) after strip_invisible."""
    if isinstance(value, str):
        value = strip_invisible(value)
    return clean_text(value, field=field, max_len=max_len, label=label)
