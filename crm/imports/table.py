"""Reading a CSV or TSV file into rows of text: encoding, delimiter and the file limits.

UTF-8 (a byte-order mark is dropped) is tried first; bytes that are not UTF-8 are read as cp1252, the
code page Excel on Windows saves in, unless they are not cp1252 either (or hold NUL bytes): then the
file is binary and refused. The delimiter is the one of `,` `;` tab found most often in the header
line outside quotes (a `.tsv` name means tab when the header has one). Quoting is Excel's: a quoted
cell may hold the delimiter, doubled quotes and newlines.

Rows are parsed one at a time and counted as they come, so a file over MAX_ROWS stops the parse at
the first row too many. Row numbers are a spreadsheet's: the header is row 1, so the first data row
is row 2, and a cell holding a newline does not shift the rows after it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from crm.errors import InvalidInput
from crm.imports.limits import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS, megabytes

FIELD = "file"
DELIMITERS = (",", ";", "\t")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header and data rows; `rows` are (row number, cells), blank lines left out."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str


def read_table(data: bytes, *, filename: str | None = None) -> Table:
    """The table in `data` (CSV or TSV); InvalidInput("file") naming the problem or the limit."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            FIELD, f"The file is larger than {megabytes(MAX_FILE_BYTES)}; split it into smaller files."
        )
    text, encoding = _decode(data)
    if not text.strip():
        raise InvalidInput(FIELD, "The file is empty.")
    delimiter = _delimiter(text, filename)
    csv.field_size_limit(MAX_CELL_CHARS + 1)  # one character over, so that an oversized cell is seen
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, dialect="excel")
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            for cell in cells:
                if len(cell) > MAX_CELL_CHARS:
                    raise _cell_too_large(number)
            if headers is None:
                if not any(c.strip() for c in cells):
                    number -= 1  # blank lines before the header are not rows
                    continue
                headers = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(
                    FIELD,
                    f"The file has more than {MAX_ROWS:,} rows, the limit; split it into smaller files.",
                )
            rows.append((number, cells))
    except csv.Error:
        raise _cell_too_large(number + 1) from None
    if headers is None:
        raise InvalidInput(FIELD, "The file is empty.")
    if not rows:
        raise InvalidInput(FIELD, "The file has a header row but no rows under it.")
    return Table(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data:
        raise _binary()
    if data.startswith(_BOM):
        data, bom = data[len(_BOM) :], True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _binary() from None
    # Control characters other than tab and line ends do not occur in a text export.
    if sum(1 for c in text if c < " " and c not in "\t\r\n") > len(text) // 100:
        raise _binary()
    return text, "cp1252"


def _cell_too_large(number: int) -> InvalidInput:
    return InvalidInput(
        FIELD, f"Row {number} has a cell larger than {megabytes(MAX_CELL_CHARS)}, the limit per cell."
    )


def _binary() -> InvalidInput:
    return InvalidInput(FIELD, "That file is not a CSV or TSV text file (it looks binary); export it as CSV.")


def _delimiter(text: str, filename: str | None) -> str:
    """The delimiter the header line uses most often outside quotes (comma on a tie or none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text.lstrip("\r\n"):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    if filename and filename.lower().endswith(".tsv") and counts["\t"]:
        return "\t"
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
