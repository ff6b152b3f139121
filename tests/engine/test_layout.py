"""Layout forms of real exports: whitespace-aligned columns (SAS, R, CDNOW-style logs, fixed-width
reports), notes above the header, and how fields are quoted.

Every expected value is written out: the delimiter found, the lines skipped, the fields of each
row, and each record's file line number and raw text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.ingest import reader as rd
from engine.ingest import run_import
from engine.ingest.formats import KNOWN_COLUMN_NAMES
from engine.ingest.layout import (
    Layout,
    delimiter_from_name,
    describe_delimiter,
    detect_delimiter,
    detect_layout,
    detect_quoting,
    find_header_row,
    quoting_seen,
)
from engine.ingest.records import WHITESPACE, WIDE_WHITESPACE, split_whitespace
from engine.ingest.source import sample_lines
from storage.project import Project

CDNOW = (
    " 00001 19970101  1   11.77\n"
    " 00001 19970118  2   89.00\n"
    " 00002 19970112  1   12.00\n"
    " 00003 19970102  2   20.76\n"
)
CDNOW_ROWS = [
    ["00001", "19970101", "1", "11.77"],
    ["00001", "19970118", "2", "89.00"],
    ["00002", "19970112", "1", "12.00"],
    ["00003", "19970102", "2", "20.76"],
]
HEADER = "   customer   date        qty  amount\n"


def _lines(body: str) -> Iterator[str]:
    """The file's lines as the importer reads them: with their line breaks."""
    return iter(body.splitlines(keepends=True))


def _records(chunks: Iterator[rd.Chunk]) -> list[tuple[int, str, list[str]]]:
    """(line number, raw text, fields) of every record, whichever path parsed the chunk."""
    out = []
    for chunk in chunks:
        if chunk.arrow_columns is not None:
            rows = [list(r) for r in zip(*(c.to_pylist() for c in chunk.arrow_columns), strict=True)]
        else:
            rows = chunk.rows
        out.extend((chunk.line_no(i), chunk.raw(i), rows[i]) for i in range(len(chunk)))
    return out


# --- whitespace-aligned columns -----------------------------------------------------------------


def test_whitespace_aligned_without_header() -> None:
    lines = sample_lines(CDNOW)
    assert detect_delimiter(lines) == WHITESPACE == " "
    assert find_header_row(lines, WHITESPACE, KNOWN_COLUMN_NAMES) == 0
    assert rd._parse_block(lines, WHITESPACE) == (CDNOW_ROWS, None)
    expected = [
        (1, " 00001 19970101  1   11.77", CDNOW_ROWS[0]),
        (2, " 00001 19970118  2   89.00", CDNOW_ROWS[1]),
        (3, " 00002 19970112  1   12.00", CDNOW_ROWS[2]),
        (4, " 00003 19970102  2   20.76", CDNOW_ROWS[3]),
    ]
    # Arrow's fast path (ncols given) and the Python path give the same records.
    fast = list(rd.csv_chunks(_lines(CDNOW), WHITESPACE, first_line_no=1, chunk_rows=2, ncols=4))
    assert [c.arrow_columns is not None for c in fast] == [True, True]
    assert _records(iter(fast)) == expected
    slow = rd.csv_chunks(_lines(CDNOW), WHITESPACE, first_line_no=1, chunk_rows=3)
    assert _records(slow) == expected


def test_whitespace_aligned_with_header_blank_and_broken_lines() -> None:
    body = HEADER + CDNOW[:54] + "\n" + " 00002 19970112\n" + "\t00003\t19970102\t 2 \t20.76  \r\n"
    lines = sample_lines(body)
    assert detect_delimiter(lines) == WHITESPACE
    assert find_header_row(lines, WHITESPACE, KNOWN_COLUMN_NAMES) == 0
    assert detect_layout(lines, KNOWN_COLUMN_NAMES) == Layout(WHITESPACE, 0, '"', None, False)
    # The header is line 1; the importer reads on from line 2.
    chunks = rd.csv_chunks(
        _lines(body), WHITESPACE, first_line_no=1, chunk_rows=100, ncols=4, skip=1
    )
    assert _records(chunks) == [
        (2, " 00001 19970101  1   11.77", ["00001", "19970101", "1", "11.77"]),
        (3, " 00001 19970118  2   89.00", ["00001", "19970118", "2", "89.00"]),
        (4, "", []),
        (5, " 00002 19970112", ["00002", "19970112"]),
        (6, "\t00003\t19970102\t 2 \t20.76  ", ["00003", "19970102", "2", "20.76"]),
    ]


def test_split_whitespace_fields() -> None:
    assert split_whitespace("  a \t b  c \r\n", WHITESPACE) == ["a", "b", "c"]
    assert split_whitespace(" \t \n", WHITESPACE) == []
    assert split_whitespace('"Logo Mug" 3 "say ""hi"""', WHITESPACE) == ["Logo Mug", "3", 'say "hi"']
    assert split_whitespace('5" "a b"x "open', WHITESPACE) == ['5"', '"a', 'b"x', '"open']
    assert split_whitespace('"say \\"hi\\"" 2', WHITESPACE, "\\") == ['say "hi"', "2"]
    assert split_whitespace('"C:\\" 2', WHITESPACE) == ["C:\\", "2"]
    assert split_whitespace("alice   Logo Mug  1\tx y", WIDE_WHITESPACE) == [
        "alice", "Logo Mug", "1", "x y",
    ]
    # A non-breaking space is part of a value, not a separator.
    assert split_whitespace("a\u00a0b c", WHITESPACE) == ["a\u00a0b", "c"]


def test_fixed_width_report_with_spaces_inside_values_splits_on_wide_gaps() -> None:
    body = (
        "customer   item          qty\n"
        "alice      Logo Mug      1\n"
        "bob        Cup           2\n"
        "carol      Tea Pot Big   3\n"
    )
    lines = sample_lines(body)
    assert detect_delimiter(lines) == WIDE_WHITESPACE == "  "
    assert find_header_row(lines, WIDE_WHITESPACE, KNOWN_COLUMN_NAMES) == 0
    assert rd._parse_block(lines, WIDE_WHITESPACE) == (
        [
            ["customer", "item", "qty"],
            ["alice", "Logo Mug", "1"],
            ["bob", "Cup", "2"],
            ["carol", "Tea Pot Big", "3"],
        ],
        None,
    )
    chunks = rd.csv_chunks(
        _lines(body), WIDE_WHITESPACE, first_line_no=1, chunk_rows=10, ncols=3, skip=1
    )
    assert _records(chunks) == [
        (2, "alice      Logo Mug      1", ["alice", "Logo Mug", "1"]),
        (3, "bob        Cup           2", ["bob", "Cup", "2"]),
        (4, "carol      Tea Pot Big   3", ["carol", "Tea Pot Big", "3"]),
    ]


def test_r_write_table_quoted_and_backslash_escaped() -> None:
    body = (
        '"customer" "date" "item"\n'
        '"1" "2023-01-01" "Logo Mug"\n'
        '"2" "2023-01-02" "say \\"hi\\""\n'
    )
    lines = sample_lines(body)
    assert detect_delimiter(lines) == WHITESPACE
    assert detect_quoting(lines, WHITESPACE) == ('"', "\\")
    assert quoting_seen(lines, WHITESPACE) is True
    assert detect_layout(lines, KNOWN_COLUMN_NAMES) == Layout(WHITESPACE, 0, '"', "\\", True)
    chunks = rd.csv_chunks(
        _lines(body), WHITESPACE, first_line_no=1, chunk_rows=10, ncols=3, escapechar="\\"
    )
    assert _records(chunks) == [
        (1, '"customer" "date" "item"', ["customer", "date", "item"]),
        (2, '"1" "2023-01-01" "Logo Mug"', ["1", "2023-01-01", "Logo Mug"]),
        (3, '"2" "2023-01-02" "say \\"hi\\""', ["2", "2023-01-02", 'say "hi"']),
    ]


def test_whitespace_fast_path_agrees_with_python_path() -> None:
    block = [
        " a  b\tc\n", "a b c\r\n", "\ta\t\tb c \n", "x\u00a0y b c\n", "é ü\x00 c\r",
    ]
    fast = rd._arrow_block(block, WHITESPACE, 3)
    assert fast is not None
    rows = [list(r) for r in zip(*(c.to_pylist() for c in fast), strict=True)]
    assert rows == rd._parse_block(block, WHITESPACE)[0] == [
        ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"], ["x\u00a0y", "b", "c"],
        ["é", "ü\x00", "c"],
    ]
    # Quoted, blank or short lines leave the block to the Python path.
    assert rd._arrow_block(['"a b" c d\n'], WHITESPACE, 3) is None
    assert rd._arrow_block(["a b c\n", "\n"], WHITESPACE, 3) is None
    assert rd._arrow_block(["a b c\n", "a b\n"], WHITESPACE, 3) is None
    wide = rd._arrow_block(["a b  c\td\n", "e   f g  h\n"], WIDE_WHITESPACE, 3)
    assert wide is not None
    assert [c.to_pylist() for c in wide] == [["a b", "e"], ["c", "f g"], ["d", "h"]]


# --- real delimiters stay what they are ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "customer,item,qty\nalice,Logo Mug,1\nbob,Cup,2\ncarol,Tea Pot,3\n",
        "alice,Logo Mug Big\nbob,Tea Cup Red\n",
        "customer,time,event\nc1,2023-05-01 10:00:00,view\nc2,2023-05-01 10:05:00,cart\n",
        # Ragged rows, one space each: the comma still wins.
        "customer,time,event,item,price\nc1,2023-01-01 10:00,view\n"
        "c2,2023-01-01 11:00,view,sku,3.5\nc3,2023-01-01 12:00,view\n",
    ],
)
def test_comma_file_with_spaces_in_values_stays_comma(body: str) -> None:
    lines = sample_lines(body)
    assert detect_delimiter(lines) == ","
    assert find_header_row(lines, ",", KNOWN_COLUMN_NAMES) == 0


def test_comma_rows_keep_their_spaces() -> None:
    body = "customer,item,qty\nalice,Logo Mug,1\nbob,Cup,2\n"
    chunks = rd.csv_chunks(_lines(body), ",", first_line_no=1, chunk_rows=10, ncols=3, skip=1)
    assert _records(chunks) == [
        (2, "alice,Logo Mug,1", ["alice", "Logo Mug", "1"]),
        (3, "bob,Cup,2", ["bob", "Cup", "2"]),
    ]


def test_tab_file_with_spaces_and_commas_in_values() -> None:
    body = (
        "customer\ttime\tevent\tcategory\n"
        "alice\t2023-05-01 10:00:00\tview\tHome & Garden\n"
        "bob\t2023-05-01 10:05:00\tcart\tToys, Games\n"
    )
    lines = sample_lines(body)
    assert detect_delimiter(lines) == "\t"
    assert detect_layout(lines, KNOWN_COLUMN_NAMES) == Layout("\t", 0, '"', None, False)
    chunks = rd.csv_chunks(_lines(body), "\t", first_line_no=1, chunk_rows=10, ncols=4, skip=1)
    assert _records(chunks) == [
        (
            2,
            "alice\t2023-05-01 10:00:00\tview\tHome & Garden",
            ["alice", "2023-05-01 10:00:00", "view", "Home & Garden"],
        ),
        (
            3,
            "bob\t2023-05-01 10:05:00\tcart\tToys, Games",
            ["bob", "2023-05-01 10:05:00", "cart", "Toys, Games"],
        ),
    ]


def test_tab_file_without_spaces_stays_tab() -> None:
    body = "customer\ttime\tevent\nc1\t20230501\tview\nc2\t20230502\t\n"
    assert detect_delimiter(sample_lines(body)) == "\t"


# --- notes above the header ---------------------------------------------------------------------


NOTES = (
    "Orders report\n"
    "Exported 2024-03-01 by admin\n"
    "\n"
    "customer,time,event,item,price\n"
    "alice,2023-05-01 10:00:00,view,sku1,2.50\n"
    "bob,2023-05-01 10:05:00,cart,sku2,3.00\n"
    "alice,2023-05-01 10:06:00,purchase,sku1,2.50\n"
)


def test_notes_above_the_header_are_skipped() -> None:
    lines = sample_lines(NOTES)
    assert detect_delimiter(lines) == ","
    assert find_header_row(lines, ",", KNOWN_COLUMN_NAMES) == 3
    assert detect_layout(lines, KNOWN_COLUMN_NAMES) == Layout(",", 3, '"', None, False)
    chunks = rd.csv_chunks(_lines(NOTES), ",", first_line_no=1, chunk_rows=2, ncols=5, skip=3)
    assert _records(chunks) == [
        (4, "customer,time,event,item,price", ["customer", "time", "event", "item", "price"]),
        (
            5,
            "alice,2023-05-01 10:00:00,view,sku1,2.50",
            ["alice", "2023-05-01 10:00:00", "view", "sku1", "2.50"],
        ),
        (
            6,
            "bob,2023-05-01 10:05:00,cart,sku2,3.00",
            ["bob", "2023-05-01 10:05:00", "cart", "sku2", "3.00"],
        ),
        (
            7,
            "alice,2023-05-01 10:06:00,purchase,sku1,2.50",
            ["alice", "2023-05-01 10:06:00", "purchase", "sku1", "2.50"],
        ),
    ]


def test_skip_lines_consumes_the_notes() -> None:
    lines = _lines(NOTES)
    assert rd.skip_lines(lines, 3) == 3
    assert next(lines) == "customer,time,event,item,price\n"
    assert rd.skip_lines(iter(["a\n"]), 5) == 1
    assert rd.skip_lines(iter(["a\n"]), -2) == 0


def test_notes_above_a_whitespace_table() -> None:
    body = "Orders report\nExported 2024-03-01 by admin\n\n" + HEADER + CDNOW
    lines = sample_lines(body)
    assert detect_delimiter(lines) == WHITESPACE
    # "Exported 2024-03-01 by admin" has 4 words like the table has 4 columns: still a note.
    assert find_header_row(lines, WHITESPACE, KNOWN_COLUMN_NAMES) == 3
    body = "Bericht vom 1. Maerz\n\nkunde datum menge betrag\n" + CDNOW
    assert find_header_row(sample_lines(body), WHITESPACE, KNOWN_COLUMN_NAMES) == 2


@pytest.mark.parametrize(
    ("body", "delimiter", "skip"),
    [
        (  # Google-Analytics-style comment block
            "# ------------------------\n# Shop\n# Orders\n# 20240101-20240131\n"
            "# ------------------------\n\ncustomer,time,event\n"
            "c1,2024-01-01 10:00,view\nc2,2024-01-02 10:00,view\n",
            ",",
            6,
        ),
        (  # notes with the delimiter in them, fewer fields than the table
            "Report:,Orders\nDate:,2024-03-01\n\ncustomer,time,event,item,price\n"
            "c1,2024-01-01,view,s,1\nc2,2024-01-01,view,s,1\nc3,2024-01-01,view,s,1\n",
            ",",
            3,
        ),
        (  # semicolon export, a note with a trailing semicolon
            "Bestellungen;\nExportiert am 01.03.2024\nkunde;zeit;aktion\n"
            "K1;2024-01-01;view\nK2;2024-01-01;view\n",
            ";",
            2,
        ),
        (  # notes padded with ';' to the table's width, as Excel saves them; ';;;' is blank
            "Bericht;Bestellungen März 2023;;\nErstellt am;01.04.2023;;\n;;;\n"
            "Bestellnr;Kunden-Nr;Datum;Total\n10001;K-501;02.03.2023 02:01;49,90\n"
            "10002;K-502;02.03.2023 22:32;12,50\n10003;K-503;03.03.2023 22:24;89,00\n",
            ";",
            3,
        ),
        ("\n\ncustomer,time,event\nc1,2024-01-01,view\n", ",", 2),  # blank lines only
        ("Export\n\nc1,2024-01-01,view\nc2,2024-01-01,view\nc3,2024-01-01,view\n", ",", 2),
        ("Orders\ncustomer,time\nc1,2024\n", ",", 1),  # short file: all remaining lines
        # Prose is no table: nothing skipped (the importer then says no line splits).
        ("This is some text.\nNot a table at all, really.\nJust words here and there\n", ",", 0),
    ],
)
def test_notes_forms(body: str, delimiter: str, skip: int) -> None:
    lines = sample_lines(body)
    assert detect_delimiter(lines) == delimiter
    assert find_header_row(lines, delimiter, KNOWN_COLUMN_NAMES) == skip
    assert detect_layout(lines, KNOWN_COLUMN_NAMES) == Layout(delimiter, skip, '"', None, False)


@pytest.mark.parametrize(
    "rows",
    [
        ["x,y", "c0,2020-01-01 10:00:00,view", "c1,2020-01-02 10:00:00,view"],
        ["a,b,c,d,e"] * 5 + ["c0,2020-01-01 10:00:00,view"],  # longer broken rows dominate
        ["x,y"] * 4 + ["c0,2020-01-01 10:00:00,view"],  # shorter broken rows dominate
        ["", "c0,2020-01-01 10:00:00,view", "", "c1,2020-01-02 10:00:00,view"],
        ["c0,2020-01-01 10:00:00,view", "", "a,b,c,d,e", "a,b,c,d,e", "a,b,c,d,e", "a,b,c,d,e"],
    ],
)
def test_a_header_over_broken_lines_is_never_skipped(rows: list[str]) -> None:
    lines = ["customer,time,event", *rows]
    assert find_header_row(lines, ",", KNOWN_COLUMN_NAMES) == 0
    assert detect_layout(lines, KNOWN_COLUMN_NAMES).skip == 0


def test_forced_skip_and_delimiter() -> None:
    lines = sample_lines(NOTES)
    assert detect_layout(lines, KNOWN_COLUMN_NAMES, skip_rows=1) == Layout(
        ",", 1, '"', None, False
    )
    assert detect_layout(lines, KNOWN_COLUMN_NAMES, delimiter=";", skip_rows=0) == Layout(
        ";", 0, '"', None, False
    )
    ws = sample_lines(HEADER + CDNOW)
    assert detect_layout(ws, KNOWN_COLUMN_NAMES, delimiter=WIDE_WHITESPACE).delimiter == "  "


# --- quoting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "delimiter", "quoting", "seen"),
    [
        (["a,b,c", "1,2,3"], ",", ('"', None), False),
        (['a,"b, c",d', 'x,"say ""hi""",y'], ",", ('"', None), True),
        (['a,"say \\"hi\\"",d'], ",", ('"', "\\"), True),
        (['a;"C:\\";b', 'c;"D:\\"'], ";", ('"', None), True),  # backslash before closing quote
        (['a,5",b'], ",", ('"', None), False),  # inches: a quote inside a value
        (['a\t "b c"\td'], "\t", ('"', None), True),
        (['1 "x \\"y\\"" 2'], WHITESPACE, ('"', "\\"), True),
        (['1 5" 2'], WHITESPACE, ('"', None), False),
    ],
)
def test_detect_quoting(
    lines: list[str], delimiter: str, quoting: tuple[str, str | None], seen: bool
) -> None:
    assert detect_quoting(lines, delimiter) == quoting
    assert quoting_seen(lines, delimiter) is seen


def test_backslash_escapes_in_comma_files() -> None:
    body = 'c1,"say \\"hi\\"",3\nc2,"a ""b""",4\n'
    records = [
        (1, 'c1,"say \\"hi\\"",3', ["c1", 'say "hi"', "3"]),
        (2, 'c2,"a ""b""",4', ["c2", 'a "b"', "4"]),
    ]
    for ncols in (3, None):  # Arrow and the csv module alike
        chunks = rd.csv_chunks(
            _lines(body), ",", first_line_no=1, chunk_rows=10, ncols=ncols, escapechar="\\"
        )
        assert _records(chunks) == records


# --- sample lines, names ------------------------------------------------------------------------


def test_sample_lines_break_like_the_importer() -> None:
    # A form feed or a line separator inside a value is no line break when importing.
    assert sample_lines("a,b\x0cc\r\nd,e\u2028f\rg,h\n") == ["a,b\x0cc", "d,e\u2028f", "g,h"]
    assert sample_lines("a,b\nc,d") == ["a,b"]  # the last line may be cut
    assert sample_lines("a,b") == ["a,b"]
    assert sample_lines("a\n\n") == ["a", ""]
    assert sample_lines("") == []


def test_delimiter_names() -> None:
    assert [describe_delimiter(d) for d in (",", "\t", ";", "|", " ", "  ")] == [
        "comma", "tab", "semicolon", "pipe", "spaces", "aligned columns",
    ]
    assert [delimiter_from_name(n) for n in ("tab", "\\t", "space", "whitespace", "aligned")] == [
        "\t", "\t", WHITESPACE, WHITESPACE, WIDE_WHITESPACE,
    ]
    assert [delimiter_from_name(n) for n in (",", ";", " ", "  ", "\t")] == [
        ",", ";", WHITESPACE, WIDE_WHITESPACE, "\t",
    ]


# --- end to end ---------------------------------------------------------------------------------


def test_whitespace_file_imports_with_exact_rejected_lines(project: Project, tmp_path: Path) -> None:
    body = (
        HEADER
        + " 00001 19970101  1   11.77\n"
        + " 00001 19970118  2   89.00\n"
        + "\n"
        + " 00002 19970112  1   12.00\n"
        + " 00003 19970102\n"
    )
    path = tmp_path / "cdnow.txt"
    path.write_text(body, encoding="utf-8")
    report = run_import(project, path)
    assert (report.lines_read, report.imported, report.rejected) == (5, 3, 2)
    with project.connect() as conn:
        rejected = [
            tuple(r)
            for r in conn.execute(text("SELECT line_no, raw FROM rejected_rows ORDER BY line_no"))
        ]
        customers = {k for (k,) in conn.execute(text("SELECT key FROM customers"))}
    assert rejected == [(4, ""), (6, " 00003 19970102")]
    assert customers == {"00001", "00002"}
