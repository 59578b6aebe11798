"""read_table: encodings, delimiters, Excel quoting and the file limits, on files built in code."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.errors import InvalidInput
from crm.imports.limits import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS
from crm.imports.table import read_table


def test_utf8_with_bom_and_semicolons():
    data = "\ufeffName;Handle\r\nZoë Ünal;@zoe\r\n".encode()
    table = read_table(data)
    assert table.headers == ["Name", "Handle"]  # no BOM glued to the first header
    assert table.delimiter == ";" and table.encoding == "utf-8-sig"
    assert table.rows == [(2, ["Zoë Ünal", "@zoe"])]


def test_cp1252_is_read_when_the_bytes_are_not_utf8():
    data = "name,notes\nJosé,“quoted” – café\n".encode("cp1252")
    table = read_table(data)
    assert table.encoding == "cp1252"
    assert table.rows[0][1] == ["José", "“quoted” – café"]


def test_tabs_and_quoted_newlines_keep_spreadsheet_row_numbers():
    data = b'name\thandle\tnotes\n"A, B"\t@a\t"line one\nline two"\n\nC\t@c\t\n'
    table = read_table(data, filename="roster.tsv")
    assert table.delimiter == "\t"
    assert table.rows == [(2, ["A, B", "@a", "line one\nline two"]), (4, ["C", "@c", ""])]


def test_comma_delimiter_ignores_semicolons_inside_quotes():
    table = read_table(b'"a;b;c",handle,x\n1,2,3\n')
    assert table.delimiter == "," and table.headers == ["a;b;c", "handle", "x"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"name,handle\n", "no rows"),
        (b"name,handle\n,\n", "no rows"),
        (b"PK\x03\x04\x00\x00binary", "binary"),
        (bytes(range(0x80, 0x100)) * 4, "binary"),  # not UTF-8, and 0x81 is not cp1252 either
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, words):
    with pytest.raises(InvalidInput) as caught:
        read_table(data)
    assert caught.value.field == "file" and words in caught.value.message


def test_over_the_size_limit_is_refused_naming_it():
    with pytest.raises(InvalidInput, match="20 MB"):
        read_table(b"name,handle\n" + b"a" * MAX_FILE_BYTES)


def test_over_the_row_limit_is_refused_naming_it():
    data = b"handle\n" + b"a\n" * (MAX_ROWS + 1)
    with pytest.raises(InvalidInput, match="50,000 rows"):
        read_table(data)
    assert len(read_table(b"handle\n" + b"a\n" * MAX_ROWS).rows) == MAX_ROWS


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_over_1_mb_is_refused_naming_the_row(quoted):
    big = "x" * (MAX_CELL_CHARS + 1)
    cell = f'"{big}"' if quoted else big
    with pytest.raises(InvalidInput, match=r"Row 3 .*1 MB"):
        read_table(f"handle,notes\n@a,ok\n@b,{cell}\n".encode())


_cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from([",", ";", "\t", '"', "\n", "é", "€"]),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_round_trip_through_any_delimiter_and_encoding(rows, delimiter, encoding):
    rows = [r for r in rows if any(c.strip() for c in r)]
    if encoding == "cp1252":
        try:
            "".join(c for r in rows for c in r).encode("cp1252")
        except UnicodeEncodeError:
            return
    if not rows:
        return
    headers = ["name", "handle", "notes"]
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([headers, *rows])
    table = read_table(out.getvalue().encode(encoding))
    assert table.headers == headers and table.delimiter == delimiter
    assert [cells for _, cells in table.rows] == rows
