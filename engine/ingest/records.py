"""Splitting text into records: fields separated by runs of blanks, lines of bounded length, and
records whose quoted values span lines, with stray quotes bounded.

What ``source`` decodes and ``layout`` detects is read with these; so is every chunk ``reader``
streams. A malformed line (a stray quote, an over-long line) costs that line only.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.words import tr

#: Sentinel delimiter: fields separated by any run of spaces and/or tabs, as SAS, R
#: (``write.table``) and CDNOW-style logs write them. Leading and trailing blanks of a line are
#: ignored, so a leading space does not make an empty first field.
WHITESPACE = " "
#: Sentinel delimiter: fields separated by two or more spaces, or by a tab (fixed-width
#: reports whose values hold single spaces, such as ``Logo Mug``). Chosen by detection only
#: when it splits the lines more consistently than ``WHITESPACE`` does.
WIDE_WHITESPACE = "  "
WHITESPACE_DELIMITERS = (WHITESPACE, WIDE_WHITESPACE)
csv.field_size_limit(16 * 1024 * 1024)


# --- splitting on whitespace -------------------------------------------------------------------

_ANY_SEP = r"[ \t]+"
_WIDE_SEP = r"[ \t]{2,}|\t"
_SPLIT = {WHITESPACE: re.compile(_ANY_SEP), WIDE_WHITESPACE: re.compile(_WIDE_SEP)}
_QUOTED = r'"((?:[^"]|"")*)"'
_QUOTED_ESC = r'"((?:[^"\\]|\\.|"")*)"'
_TOKENS: dict[tuple[str, bool], re.Pattern[str]] = {
    (WHITESPACE, False): re.compile(_QUOTED + r"(?=[ \t]|$)|([^ \t]+)"),
    (WHITESPACE, True): re.compile(_QUOTED_ESC + r"(?=[ \t]|$)|([^ \t]+)"),
    (WIDE_WHITESPACE, False): re.compile(_QUOTED + r"(?=[ \t]{2,}|\t|$)|([^ \t]+(?: [^ \t]+)*)"),
    (WIDE_WHITESPACE, True): re.compile(
        _QUOTED_ESC + r"(?=[ \t]{2,}|\t|$)|([^ \t]+(?: [^ \t]+)*)"
    ),
}
_UNQUOTE = re.compile(r'\\(.)|""')
_STRIP = " \t\r\n"


def is_whitespace(delimiter: str) -> bool:
    """Whether ``delimiter`` is one of the whitespace sentinels rather than a character."""
    return delimiter in WHITESPACE_DELIMITERS


def whitespace_pattern(delimiter: str) -> str:
    """The regular expression (Python and RE2 alike) of one field separator of a sentinel."""
    return _ANY_SEP if delimiter == WHITESPACE else _WIDE_SEP


def split_whitespace(line: str, delimiter: str, escapechar: str | None = None) -> list[str]:
    """The fields of one line under a whitespace sentinel.

    Leading/trailing blanks and the line break are ignored; a blank line gives ``[]`` (as the
    csv module does). A field wrapped in double quotes (``"Logo Mug"``) stays one field, without
    its quotes; ``""`` inside it is one quote, and so is ``\\"`` when ``escapechar`` is a
    backslash. Quotes that do not wrap a whole field are kept as text.
    """
    text = line.strip(_STRIP)
    if '"' not in text:
        return _SPLIT[delimiter].split(text) if text else []
    escaped = escapechar == "\\"
    out: list[str] = []
    for m in _TOKENS[delimiter, escaped].finditer(text):
        quoted = m.group(1)
        if quoted is None:
            out.append(m.group(2))
        elif escaped and "\\" in quoted:
            out.append(_UNQUOTE.sub(lambda u: u.group(1) or '"', quoted))
        else:
            out.append(quoted.replace('""', '"'))
    return out


def arrow_split_whitespace(block: list[str], delimiter: str, ncols: int) -> list[pa.Array] | None:
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


# --- lines of bounded length ---------------------------------------------------------------

#: The longest line read as data, in characters (line break included). A longer line is
#: rejected on its own: it is read in pieces of this size and dropped, so memory stays bounded
#: (a gzip of one 1 GB line costs a few MB, not gigabytes).
MAX_LINE_CHARS = 1 << 20
#: How much of an over-long line is kept as its raw text.
LONG_LINE_KEEP = 200


class LongLine(str):
    """An over-long line: its first ``LONG_LINE_KEEP`` characters, without the line break.

    ``length`` is the whole line's length in characters; ``ended`` whether a line break ended it.
    Readers never parse it: it is rejected with ``describe_long_line``.
    """

    length: int
    ended: bool

    def __new__(cls, head: str, length: int, ended: bool) -> LongLine:  # noqa: D102
        self = super().__new__(cls, head)
        self.length = length
        self.ended = ended
        return self


def describe_long_line(line: LongLine) -> str:
    """Why an over-long line was left out, in words."""
    return tr(
        "The line is {0:,} characters long, more than the {1:,} a line may have: it was left "
        "out (only its start is kept here)."
    ).format(line.length, MAX_LINE_CHARS)


#: Characters of text read at a time by ``BoundedLines``.
BLOCK_CHARS = 1 << 20
#: Line breaks of ``str.splitlines`` that are no line break in a file (only ``\n``, ``\r`` and
#: ``\r\n`` are, as Python's ``newline=""`` reading says).
_OTHER_BREAKS = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_BREAK = re.compile(r"\r\n|\r|\n")


def _is_long(line: str, limit: int) -> bool:
    """Whether a line (with its break, if any) has more than ``limit`` characters: a line
    without a break (the last one of a file) may have ``limit - 1``."""
    return len(line) > limit or (len(line) == limit and line[-1] not in "\n\r")


class BoundedLines:
    """The lines of a text stream, line endings kept (lines end at ``\n``, ``\r\n`` or
    ``\r``); a line longer than ``limit`` characters comes as a ``LongLine`` holding only its
    start, so no line is ever held whole in memory (at most ``block`` + ``limit`` characters
    are). An iterator of lines; ``take(n)`` hands out many at once.

    The text is read in blocks of ``block`` characters and split by ``str.splitlines`` (in C:
    a million lines in a fraction of a second, where reading them one by one took seconds)."""

    def __init__(self, text: IO[str], limit: int = MAX_LINE_CHARS,
                 block: int = BLOCK_CHARS) -> None:
        self._read = text.read
        self._limit = limit
        self._block = block
        self._ready: list[str] = []  # lines split and not handed out yet
        self._pos = 0  # next line of ``_ready``
        self._tail = ""  # the start of a line whose break was not read yet (< limit chars)
        self._done = False

    def __iter__(self) -> BoundedLines:
        return self

    def __next__(self) -> str:
        if self._pos >= len(self._ready) and not self._fill():
            raise StopIteration
        line = self._ready[self._pos]
        self._pos += 1
        return line

    def take(self, n: int) -> list[str]:
        """Up to ``n`` of the next lines, from at most one block of text (so a caller can
        bound what it holds); an empty list only at the end of the text."""
        if self._pos >= len(self._ready) and not self._fill():
            return []
        out = self._ready[self._pos : self._pos + n]
        self._pos += len(out)
        return out

    def _fill(self) -> bool:
        """Split the next block into ``_ready``; False at the end of the text."""
        self._ready, self._pos = [], 0
        while not self._ready:
            block = "" if self._done else self._read(self._block)
            if block:
                text, self._tail = self._tail + block, ""
            elif self._tail:  # the end of the text: what is left are its last lines
                self._done = True
                text, self._tail = self._tail, ""
            else:
                self._done = True
                return False
            if any(b in text for b in _OTHER_BREAKS):
                lines = _LINES.findall(text)
            else:
                lines = text.splitlines(keepends=True)
            if block:
                # The last line may go on in the next block ("\r" may start a "\r\n").
                if lines and lines[-1][-1] != "\n":
                    self._tail = lines.pop()
                if len(self._tail) >= self._limit:
                    start, self._tail = self._tail, ""
                    if start[-1] == "\r":  # a whole line; its break may be "\r\n"
                        more = self._read(1)
                        if more == "\n":
                            start += more
                        else:
                            self._tail = more
                        lines.append(self._finish(start))
                    else:
                        lines.append(self._skip_long(start))  # leaves what follows in _tail
            if max(map(len, lines), default=0) >= self._limit:
                lines = [self._finish(ln) for ln in lines]
            self._ready = lines
        return True

    def _finish(self, line: str) -> str:
        """A whole line as handed out: itself, or its ``LongLine``."""
        if type(line) is not LongLine and _is_long(line, self._limit):
            return LongLine(line[:LONG_LINE_KEEP], len(line), line[-1] in "\n\r")
        return line

    def _skip_long(self, start: str) -> LongLine:
        """The ``LongLine`` of a line that starts with ``start`` (``limit`` characters or more,
        no break yet): the rest is read and dropped up to its break; what follows the break is
        kept for the next lines."""
        length = len(start)
        while True:
            block = self._read(self._block)
            if not block:
                self._done = True
                return LongLine(start[:LONG_LINE_KEEP], length, False)
            found = _BREAK.search(block)
            if found is None:
                length += len(block)
                continue
            end = found.end()
            if found.group() == "\r" and end == len(block):  # "\r\n" cut by the block's end?
                more = self._read(1)
                if more == "\n":
                    end += 1
                    block += more
                else:
                    self._done = self._done or not more
                    block += more
            length += end
            self._tail = block[end:]
            return LongLine(start[:LONG_LINE_KEEP], length, True)


def bounded_lines(text: IO[str], limit: int = MAX_LINE_CHARS) -> BoundedLines:
    """The lines of ``text`` (line endings kept); a line longer than ``limit`` characters comes
    as a ``LongLine`` holding only its start, so no line is ever held whole in memory."""
    return BoundedLines(text, limit)


# --- records that may span lines, with stray quotes bounded ------------------------------------

#: A quoted value may span at most this many physical lines and characters (a note of a few
#: lines in a Shopify or Taobao export fits easily). A quote still open beyond that, or at the
#: end of the text, is a stray quote: only the line where it opened is rejected.
MAX_QUOTED_LINES = 100
MAX_QUOTED_CHARS = 64 * 1024


class _Feed:
    """The lines a csv reader pulls: the given ones, then, for a record still open at their
    end, more from ``more``. A record may span at most ``MAX_QUOTED_LINES`` lines and
    ``MAX_QUOTED_CHARS`` characters: beyond that the feed ends (``cut``); ``dry`` says the
    text ended inside a record."""

    __slots__ = ("lines", "more", "pos", "start", "chars", "cut", "dry")

    def __init__(self, lines: list[str], more: Iterator[str] | None) -> None:
        self.lines = lines
        self.more = more
        self.pos = 0  # index of the next line to hand out
        self.start = 0  # index of the line where the current record starts
        self.chars = 0
        self.cut = False
        self.dry = False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        pos = self.pos
        lines = self.lines
        if pos > self.start:  # inside a record: a quoted value goes on to the next line
            if pos - self.start >= MAX_QUOTED_LINES or self.chars > MAX_QUOTED_CHARS:
                self.cut = True
                raise StopIteration
            if pos == len(lines):
                nxt = None if self.more is None else next(self.more, None)
                if nxt is None:
                    self.dry = True
                    raise StopIteration
                lines.append(nxt)
            if type(lines[pos]) is LongLine:
                self.cut = True
                raise StopIteration
        elif pos >= len(lines):
            raise StopIteration
        line = lines[pos]
        self.pos = pos + 1
        self.chars += len(line)
        return line


def _runs_records_together(
    row: list[str], lines: list[str], start: int, end: int, ncols: int, reader: Any
) -> bool:
    """Whether the record ``row`` read from ``lines[start:end]`` is really several records that
    a stray quote on line ``start`` ran together: it has the wrong number of fields, or the
    lines after ``start`` up to ``end``, read afresh, are records of ``ncols`` fields each
    (a multi-line note's own lines never read like that: its last line holds the closing
    quote). With fewer than 3 columns a record of the right size is taken as it is."""
    if len(row) != ncols:
        return True
    if ncols < 3:
        return False
    feed = _Feed(lines[start + 1 : end + MAX_QUOTED_LINES], None)
    records = reader(feed)
    while feed.pos < end - start - 1:
        feed.start, feed.chars, feed.cut, feed.dry = feed.pos, 0, False, False
        try:
            fields = next(records)
        except (csv.Error, StopIteration):
            return False
        if feed.dry:  # open at the end of the lines at hand: cannot tell, keep it as read
            return True
        if feed.cut or len(fields) != ncols:
            return False
    return True


def split_records(
    lines: list[str],
    delimiter: str,
    *,
    escapechar: str | None = None,
    ncols: int | None = None,
    more: Iterator[str] | None = None,
) -> Iterator[tuple[int, int, list[str] | None]]:
    """``(start, end, fields)`` of each record of ``lines`` (a real delimiter, not whitespace):
    the record spans ``lines[start:end]``. ``fields`` is None for a line that is rejected on its
    own, and parsing resumes on the next line: an over-long line (``LongLine``), or the line
    where a quote opens that is not closed where it should be (still open after
    ``MAX_QUOTED_LINES`` lines or ``MAX_QUOTED_CHARS`` characters, or at the end of the text,
    or, with ``ncols`` known, closing into a record that is not one). One malformed line so
    costs only that line. For a record still open at the end of ``lines``, more lines are
    taken from ``more`` and appended to ``lines``.
    """

    def reader(src: Any) -> Any:
        return csv.reader(src, delimiter=delimiter, strict=False, escapechar=escapechar)

    feed = _Feed(lines, more)
    records = reader(feed)
    while feed.pos < len(lines):
        start = feed.pos
        if type(lines[start]) is LongLine:
            feed.pos = start + 1
            yield start, start + 1, None
            continue
        feed.start, feed.chars, feed.cut, feed.dry = start, 0, False, False
        try:
            row: list[str] | None = next(records)
        except (csv.Error, StopIteration):
            row = None
        end = feed.pos
        if (
            row is None
            or feed.cut
            or feed.dry
            or (
                end - start > 1
                and ncols is not None
                and _runs_records_together(row, lines, start, end, ncols, reader)
            )
        ):
            feed.pos = start + 1
            records = reader(feed)  # a fresh state after the cut
            yield start, start + 1, None
            continue
        yield start, end, row

