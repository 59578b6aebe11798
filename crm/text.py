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
"""

from __future__ import annotations

import re

from crm.errors import InvalidInput

# C0 controls except tab (0x09) and newline (0x0a), plus DEL (0x7f).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The ones str.split() does not already treat as whitespace (it splits on 0x09-0x0d and 0x1c-0x1f).
_CONTROL_NOT_SPACE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_CARRIAGE_RETURN = re.compile(r"\r\n?")


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
