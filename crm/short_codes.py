"""Short-link codes: random base62 strings from `secrets`, and the shape check done before any query.

A code is CODE_LENGTH characters drawn uniformly from [0-9A-Za-z] by `secrets.choice`: 62^8 ≈ 2·10^14
values, so a code cannot be guessed from another, and a collision between two assignments is about
n / 2·10^14 per new link (one in a billion at 200,000 links); the UNIQUE index on
campaign_influencers.short_code refuses one if it happens. `looks_like_code` accepts a slightly
wider range of lengths than we issue, so codes can grow later without breaking printed ones.
"""

from __future__ import annotations

import secrets
import string

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
CODE_LENGTH = 8
MIN_LENGTH = 7
MAX_LENGTH = 16  # campaign_influencers.short_code is VARCHAR(16)
_ALLOWED = frozenset(ALPHABET)


def new_code() -> str:
    """A fresh random code of CODE_LENGTH base62 characters."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def looks_like_code(value: str) -> bool:
    """Whether `value` has the shape of a code (7-16 ASCII letters and digits): anything else is
    answered 404 without a database query."""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and all(ch in _ALLOWED for ch in value)
