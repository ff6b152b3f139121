"""Streaming a file as chunks of records, each with its line number and raw text.

Memory stays flat: at most one chunk of lines is held at a time, whatever the file size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.ingest.source import (
    WHITESPACE,
    is_whitespace,
    split_whitespace,
    whitespace_pattern,
)

#: Columns of a flattened nested OTTO-style JSON line.
JSON_EVENT_COLUMNS = ["session", "aid", "ts", "type"]


@dataclass
class Chunk:
    """Records of one chunk: parsed fields, first line number, and how to get the raw text."""

    rows: list[list[str]]
    first_line_no: int = 1
    _line_nos: list[int] | None = None  # explicit line numbers (JSON lines)
    _lines: list[str] | None = None
    _ends: list[int] | None = None  # line index after each record; None: one line per record
    _raws: list[str] | None = None
    #: Fast path: every record is one line with the right number of fields, parsed by Arrow
    #: into one string array per column (``rows`` is then empty).
    arrow_columns: list[pa.Array] | None = None

    def __len__(self) -> int:
        if self.arrow_columns is not None:
            return len(self.arrow_columns[0]) if self.arrow_columns else 0
        return len(self.rows)

    def _span(self, i: int) -> tuple[int, int]:
        if self._ends is None:
            return i, i + 1
        return (self._ends[i - 1] if i else 0), self._ends[i]

    def line_no(self, i: int) -> int:
        """The file line number where record ``i`` starts."""
        if self._line_nos is not None:
            return self._line_nos[i]
        return self.first_line_no + self._span(i)[0]

    def raw(self, i: int) -> str:
        """The record's text exactly as in the file (without its final line break)."""
        if self._raws is not None:
            return self._raws[i]
        assert self._lines is not None
        a, b = self._span(i)
        return "".join(self._lines[a:b]).rstrip("\r\n")

    def ends_without_newline(self, i: int) -> bool:
        """True for a record that is the file's last line and lacks a line break."""
        if self._lines is None:
            return False
        return not self._lines[self._span(i)[1] - 1].endswith(("\n", "\r"))


def _parse_block(
    block: list[str], delimiter: str, *, escapechar: str | None = None
) -> tuple[list[list[str]], list[int] | None]:
    """Rows of a block and, when some record spans several lines, where each record ends.

    ``delimiter`` is a character or a whitespace sentinel of ``source`` (``WHITESPACE``,
    ``WIDE_WHITESPACE``); under a sentinel every line is one record (a blank line gives ``[]``).
    ``escapechar`` is ``detect_quoting``'s: None when quotes are doubled.
    """
    if is_whitespace(delimiter):
        return [split_whitespace(ln, delimiter, escapechar) for ln in block], None
    rows = list(csv.reader(block, delimiter=delimiter, strict=False, escapechar=escapechar))
    if len(rows) == len(block):
        return rows, None  # the common case: one line, one record
    rows = []
    ends: list[int] = []
    reader = csv.reader(block, delimiter=delimiter, strict=False, escapechar=escapechar)
    append_row, append_end = rows.append, ends.append
    for row in reader:
        append_row(row)
        append_end(reader.line_num)
    return rows, ends


def _arrow_whitespace(block: list[str], delimiter: str, ncols: int) -> list[pa.Array] | None:
    """Arrow's fast path for a whitespace sentinel: the block's lines trimmed and split on the
    separator; None when some line is quoted, blank or has another number of fields (the Python
    path then keeps exact line numbers and rejections)."""
    if ncols < 2 or '"' in "".join(block):
        return None
    try:
        lines = pa.array(block, pa.string())
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    if delimiter == WHITESPACE:
        # Literal split on single spaces, then drop the empty strings between repeated blanks:
        # twice as fast as a regular expression.
        trimmed = pc.utf8_trim(pc.replace_substring(lines, "\t", " "), characters=" \r\n")
        parts = pc.split_pattern(trimmed, " ")
        flat = pc.list_flatten(parts)
        keep = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
        parents = pc.list_parent_indices(parts).to_numpy()[keep]
        if not (np.bincount(parents, minlength=len(block)) == ncols).all():
            return None
        values = flat.filter(pa.array(keep))
        return [values.take(pa.array(np.arange(i, len(values), ncols))) for i in range(ncols)]
    parts = pc.split_pattern_regex(
        pc.utf8_trim(lines, characters=" \t\r\n"), whitespace_pattern(delimiter)
    )
    if not pc.all(pc.equal(pc.list_value_length(parts), ncols)).as_py():
        return None
    return [pc.list_element(parts, i) for i in range(ncols)]


def _arrow_block(
    block: list[str], delimiter: str, ncols: int, *, escapechar: str | None = None
) -> list[pa.Array] | None:
    """Parse a block with Arrow's C++ reader when it is clean: one record per line, every line
    with ``ncols`` fields. Anything else (blank or cut lines, multi-line fields) returns None and
    the block goes through Python's csv module, which keeps exact line numbers."""
    if is_whitespace(delimiter):
        return _arrow_whitespace(block, delimiter, ncols)
    names = [f"c{i}" for i in range(ncols)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer("".join(block).encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=False,
                ignore_empty_lines=False,
                escape_char=escapechar or False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    if table.num_rows != len(block):
        return None
    return [table.column(i).combine_chunks() for i in range(ncols)]


def skip_lines(lines: Iterator[str], n: int) -> int:
    """Consume the first ``n`` lines (notes above the header, ``find_header_row``'s count or the
    user's ``--skip-rows``); returns how many there were (fewer at the end of the file)."""
    skipped = 0
    for _ in islice(lines, max(0, n)):
        skipped += 1
    return skipped


def csv_chunks(
    lines: Iterator[str],
    delimiter: str,
    *,
    first_line_no: int,
    chunk_rows: int,
    ncols: int | None = None,
    skip: int = 0,
    escapechar: str | None = None,
) -> Iterator[Chunk]:
    """Chunks of CSV records. ``first_line_no`` is the file line number of the first line.

    ``skip`` lines are dropped first (they are no records; numbering continues after them).
    ``delimiter`` may be a whitespace sentinel of ``source``; ``escapechar`` is
    ``detect_quoting``'s (None: quotes are doubled).
    """
    line_no = first_line_no + skip_lines(lines, skip)
    whitespace = is_whitespace(delimiter)
    while True:
        block = list(islice(lines, chunk_rows))
        if not block:
            return
        # Keep a quoted field that spans lines inside one chunk (not under whitespace, where a
        # record is always one line).
        quotes = 0 if whitespace else "".join(block).count('"')
        extra = 0
        while quotes % 2 == 1 and extra < 10_000:
            nxt = next(lines, None)
            if nxt is None:
                break
            block.append(nxt)
            quotes += nxt.count('"')
            extra += 1
        fast = None
        if ncols is not None and block[-1].endswith(("\n", "\r")):
            fast = _arrow_block(block, delimiter, ncols, escapechar=escapechar)
        if fast is not None:
            yield Chunk([], line_no, _lines=block, _ends=None, arrow_columns=fast)
            line_no += len(block)
            continue
        try:
            rows, ends = _parse_block(block, delimiter, escapechar=escapechar)
        except csv.Error:
            # NUL bytes (a damaged or binary file): drop them and read what is left.
            block = [ln.replace("\x00", "") for ln in block]
            rows, ends = _parse_block(block, delimiter, escapechar=escapechar)
        yield Chunk(rows, line_no, _lines=block, _ends=ends)
        line_no += len(block)


def jsonl_chunks(
    lines: Iterator[str], *, first_line_no: int, chunk_rows: int
) -> Iterator[tuple[Chunk, list[str] | None]]:
    """Chunks of JSON-lines records; nested ``{"session", "events": [...]}`` lines are flattened.

    Each chunk comes with the column names found so far (None until an object was seen).
    A line that is not valid JSON becomes one record with no fields (rejected downstream).
    """
    line_no = first_line_no
    header: list[str] | None = None
    while True:
        block = list(islice(lines, chunk_rows))
        if not block:
            return
        rows: list[list[str]] = []
        nos: list[int] = []
        raws: list[str] = []
        for text in block:
            raw = text.rstrip("\r\n")
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                if isinstance(obj, dict) and isinstance(obj.get("events"), list):
                    header = JSON_EVENT_COLUMNS
                    session = str(obj.get("session", ""))
                    for ev in obj["events"]:
                        if isinstance(ev, dict):
                            rows.append(
                                [session, str(ev.get("aid", "")), str(ev.get("ts", "")),
                                 str(ev.get("type", ""))]
                            )
                        else:
                            rows.append(["\x00json"])
                        nos.append(line_no)
                        raws.append(raw[:2000])
                elif isinstance(obj, dict):
                    if header is None:
                        header = [str(k) for k in obj]
                    rows.append(["" if obj.get(k) is None else str(obj.get(k)) for k in header])
                    nos.append(line_no)
                    raws.append(raw)
                else:
                    rows.append(["\x00json"])
                    nos.append(line_no)
                    raws.append(raw)
            else:
                rows.append([])
                nos.append(line_no)
                raws.append(raw)
            line_no += 1
        yield Chunk(rows, _line_nos=nos, _raws=raws), header
