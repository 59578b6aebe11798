"""The limits of one import, defined once: refused up front, each message naming its limit."""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MB
MAX_ROWS = 50_000  # data rows, the header not counted
MAX_CELL_CHARS = 1024 * 1024  # 1 MB of text in one cell
APPLY_BATCH = 500  # creators apply_import writes per batch; it reports progress after each
LOOKUP_BATCH = 5_000  # identity keys per SELECT when planning


def megabytes(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"
