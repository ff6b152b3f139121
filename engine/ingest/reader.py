"""Streaming a file as chunks of records, each with its line number and raw text.

Memory stays flat: at most one chunk of lines is held at a time, whatever the file size.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

import pyarrow as pa
import pyarrow.csv as pacsv

from engine.ingest.jsonlines import MAX_JSON_DEPTH, json_rows, too_deep
from engine.ingest.records import (
    MAX_LINE_CHARS,
    LongLine,
    arrow_split_whitespace,
    describe_long_line,
    is_whitespace,
    split_records,
    split_whitespace,
)
from engine.words import tr

#: Characters of text held in one chunk at most (besides ``chunk_rows``), so long lines cannot
#: pile up: memory stays bounded whatever the file.
CHUNK_CHARS = 32 << 20

#: Short names of the reasons the reader itself rejects a line (keys of ``rejected_by_reason``).
READER_REASON_KINDS = ("unclosed_quote", "line_too_long", "nested_too_deep")


def _unclosed_quote() -> str:
    return tr(
        "A quote (\") opens a value on this line but is not closed where it should be: the line "
        "was left out and reading went on with the next line."
    )


def _too_deep() -> str:
    return tr("The line nests values more than {0} levels deep: not an event, left out.").format(
        MAX_JSON_DEPTH
    )


@dataclass(frozen=True)
class LineProblem:
    """A physical line the reader rejects itself: no record was made of it."""

    line_no: int
    raw: str
    reason: str
    kind: str  # one of READER_REASON_KINDS


def _long_line_problem(line_no: int, line: LongLine) -> LineProblem:
    return LineProblem(line_no, line + "…", describe_long_line(line), "line_too_long")


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
    #: Line index where each record starts, when some lines between records are no record
    #: (``problems``); None: each record starts where the one before ended.
    _starts: list[int] | None = None
    #: Lines of this chunk rejected by the reader (stray quotes, over-long lines, ...): they are
    #: no records, and ``len(chunk) + len(chunk.problems)`` is the number of lines read.
    problems: list[LineProblem] = field(default_factory=list)

    def __len__(self) -> int:
        if self.arrow_columns is not None:
            return len(self.arrow_columns[0]) if self.arrow_columns else 0
        return len(self.rows)

    def _span(self, i: int) -> tuple[int, int]:
        if self._ends is None:
            return i, i + 1
        if self._starts is not None:
            return self._starts[i], self._ends[i]
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

    ``delimiter`` is a character or a whitespace sentinel of ``records`` (``WHITESPACE``,
    ``WIDE_WHITESPACE``); under a sentinel every line is one record (a blank line gives ``[]``).
    ``escapechar`` is ``detect_quoting``'s: None when quotes are doubled. A line where a stray
    quote opens (see ``records.split_records``) is left out.
    """
    if is_whitespace(delimiter):
        return [split_whitespace(ln, delimiter, escapechar) for ln in block], None
    if block and block[-1].count('"') % 2 == 0:
        try:
            rows = list(csv.reader(block, delimiter=delimiter, strict=False, escapechar=escapechar))
        except csv.Error:
            rows = []
        if len(rows) == len(block):
            return rows, None  # the common case: one line, one record
    # Record by record: a stray quote costs its own line (left out), not the lines below it.
    rows, ends = [], []
    for _start, end, row in split_records(list(block), delimiter, escapechar=escapechar):
        if row is not None:
            rows.append(row)
            ends.append(end)
    return rows, ends


def _arrow_block(
    block: list[str], delimiter: str, ncols: int, *, escapechar: str | None = None
) -> list[pa.Array] | None:
    """Parse a block with Arrow's C++ reader when it is clean: one record per line, every line
    with ``ncols`` fields. Anything else (blank or cut lines, multi-line fields) returns None and
    the block goes through Python's csv module, which keeps exact line numbers."""
    if is_whitespace(delimiter):
        return arrow_split_whitespace(block, delimiter, ncols)
    text = "".join(block)
    # Arrow reads an empty line as a record of empty values; it is no record (an empty line,
    # as the csv module says).
    if not block[0].strip() or "\n\n" in text or "\n\r\n" in text or "\r\r" in text:
        return None
    names = [f"c{i}" for i in range(ncols)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
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


def _take(lines: Iterator[str], chunk_rows: int) -> list[str]:
    """The next block of lines: ``chunk_rows`` lines, or fewer when they hold ``CHUNK_CHARS``
    characters already (lines are read a few at a time so long ones cannot pile up)."""
    block: list[str] = []
    size = 0
    # records.BoundedLines hands out many lines at once, a block of text at most.
    take = getattr(lines, "take", None)
    while len(block) < chunk_rows and size < CHUNK_CHARS:
        if take is not None:
            part = take(chunk_rows - len(block))
        else:
            step = min(chunk_rows - len(block), max(1, (CHUNK_CHARS - size) // MAX_LINE_CHARS))
            part = list(islice(lines, step))
        if not part:
            break
        block += part
        size += sum(map(len, part))
    return block


def _parse_bounded(
    block: list[str],
    more: Iterator[str] | None,
    delimiter: str,
    *,
    escapechar: str | None,
    ncols: int | None,
    first_line_no: int,
) -> tuple[list[list[str]], list[int], list[int], list[LineProblem]]:
    """Records of a block, record by record (``records.split_records``): the rows, the start
    and end line index of each, and the lines rejected on their own (stray quotes, over-long
    lines). Lines are pulled from ``more`` (and appended to ``block``) while the block's last
    record is open."""
    rows: list[list[str]] = []
    starts: list[int] = []
    ends: list[int] = []
    problems: list[LineProblem] = []
    for start, end, row in split_records(
        block, delimiter, escapechar=escapechar, ncols=ncols, more=more
    ):
        if row is not None:
            rows.append(row)
            starts.append(start)
            ends.append(end)
            continue
        line = block[start]
        if type(line) is LongLine:
            problems.append(_long_line_problem(first_line_no + start, line))
        else:
            problems.append(
                LineProblem(
                    first_line_no + start, line.rstrip("\r\n"), _unclosed_quote(), "unclosed_quote"
                )
            )
    return rows, starts, ends, problems


def _whitespace_block(
    block: list[str], delimiter: str, escapechar: str | None, first_line_no: int
) -> Chunk:
    """A block under a whitespace sentinel that holds over-long lines: each other line is one
    record."""
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: list[LineProblem] = []
    for i, ln in enumerate(block):
        if type(ln) is LongLine:
            problems.append(_long_line_problem(first_line_no + i, ln))
        else:
            rows.append(split_whitespace(ln, delimiter, escapechar))
            starts.append(i)
    return Chunk(
        rows, first_line_no, _lines=block, _ends=[i + 1 for i in starts], _starts=starts,
        problems=problems,
    )


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
    ``delimiter`` may be a whitespace sentinel of ``records``; ``escapechar`` is
    ``detect_quoting``'s (None: quotes are doubled). ``ncols``, the number of columns, lets a
    clean block take Arrow's fast path and tells a stray quote from a multi-line value.

    One malformed line costs only that line: a stray quote, an over-long line (``LongLine``)
    or unreadable text is rejected on its own (``Chunk.problems``) and reading goes on.
    """
    line_no = first_line_no + skip_lines(lines, skip)
    whitespace = is_whitespace(delimiter)
    while True:
        block = _take(lines, chunk_rows)
        if not block:
            return
        has_long = LongLine in map(type, block)
        # Arrow reads a quote left open on the last line as a value ending at the block's end:
        # that line goes the careful way (it may be a multi-line value, or a stray quote).
        if (
            not has_long
            and ncols is not None
            and block[-1].endswith(("\n", "\r"))
            and block[-1].count('"') % 2 == 0
        ):
            fast = _arrow_block(block, delimiter, ncols, escapechar=escapechar)
            if fast is not None:
                yield Chunk([], line_no, _lines=block, _ends=None, arrow_columns=fast)
                line_no += len(block)
                continue
        if whitespace:
            if has_long:
                yield _whitespace_block(block, delimiter, escapechar, line_no)
            else:
                rows, _ = _parse_block(block, delimiter, escapechar=escapechar)
                yield Chunk(rows, line_no, _lines=block, _ends=None)
            line_no += len(block)
            continue
        # One line, one record (no quote left open): the csv module reads the block at once.
        if not has_long and "".join(block).count('"') % 2 == 0:
            try:
                rows = list(
                    csv.reader(block, delimiter=delimiter, strict=False, escapechar=escapechar)
                )
            except csv.Error:  # NUL bytes: read record by record below
                rows = []
            if len(rows) == len(block):
                yield Chunk(rows, line_no, _lines=block, _ends=None)
                line_no += len(block)
                continue
        if "\x00" in "".join(block):
            # NUL bytes (a damaged or binary file): drop them and read what is left.
            block = [
                ln if type(ln) is LongLine else ln.replace("\x00", "") for ln in block
            ]
        more = (ln if type(ln) is LongLine else ln.replace("\x00", "") for ln in lines)
        rows, starts, ends, problems = _parse_bounded(
            block, more, delimiter, escapechar=escapechar, ncols=ncols, first_line_no=line_no
        )
        yield Chunk(rows, line_no, _lines=block, _ends=ends, _starts=starts, problems=problems)
        line_no += len(block)


def jsonl_chunks(
    lines: Iterator[str], *, first_line_no: int, chunk_rows: int
) -> Iterator[tuple[Chunk, list[str] | None]]:
    """Chunks of JSON-lines records; nested ``{"session", "events": [...]}`` lines are flattened.

    Each chunk comes with the column names found so far (None until an object was seen).
    A line that is not valid JSON becomes one record with no fields (rejected downstream); an
    over-long line or one nested deeper than ``MAX_JSON_DEPTH`` is rejected by the reader
    (``Chunk.problems``).
    """
    line_no = first_line_no
    header: list[str] | None = None
    while True:
        block = _take(lines, chunk_rows)
        if not block:
            return
        rows: list[list[str]] = []
        nos: list[int] = []
        raws: list[str] = []
        problems: list[LineProblem] = []
        for text in block:
            if type(text) is LongLine:
                problems.append(_long_line_problem(line_no, text))
                line_no += 1
                continue
            raw = text.rstrip("\r\n")
            if raw.strip():
                if too_deep(raw):
                    problems.append(LineProblem(line_no, raw[:2000], _too_deep(), "nested_too_deep"))
                    line_no += 1
                    continue
                try:
                    got, header, nested = json_rows(raw, header)
                except RecursionError:  # deeper than Python reads: never a real event
                    problems.append(LineProblem(line_no, raw[:2000], _too_deep(), "nested_too_deep"))
                    line_no += 1
                    continue
                rows += got
                nos += [line_no] * len(got)
                raws += [raw[:2000] if nested else raw] * len(got)
            else:
                rows.append([])
                nos.append(line_no)
                raws.append(raw)
            line_no += 1
        yield Chunk(rows, _line_nos=nos, _raws=raws, problems=problems), header
