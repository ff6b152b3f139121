"""Opening a behavior-log file whatever its packaging: compression, encoding, delimiter, header.

Everything here looks at a sample from the start of the file; the importer then streams the
whole file with the settings found (or the ones the user chose instead).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import charset_normalizer

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";", "|")

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


class FileProblem(Exception):
    """Something about the whole file prevents an import; the message is one plain sentence."""


@dataclass(frozen=True)
class Packaging:
    """How the bytes of a file are stored."""

    compression: str | None  # "gzip", "zip" or None
    member: str | None  # the file inside a zip archive


def sniff_packaging(path: Path) -> Packaging:
    """Recognise gzip and zip by their magic bytes, not by the file name."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError as exc:
        raise FileProblem(f"The file “{path}” does not exist.") from exc
    except IsADirectoryError as exc:
        raise FileProblem(f"“{path}” is a folder, not a file.") from exc
    except PermissionError as exc:
        raise FileProblem(f"IntentLens is not allowed to read “{path}”.") from exc
    if magic[:2] == b"\x1f\x8b":
        return Packaging("gzip", None)
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
                sizes = {n: zf.getinfo(n).file_size for n in names}
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileProblem(f"“{path.name}” is a damaged zip archive ({exc}).") from exc
        if not names:
            raise FileProblem(f"The archive “{path.name}” is empty.")
        # An .xlsx is a zip too; its largest part is not always under xl/ (docProps, media).
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            raise FileProblem(
                f"“{path.name}” is an Excel workbook: save it as CSV in Excel, then import the CSV."
            )
        return Packaging("zip", max(names, key=lambda n: sizes[n]))
    return Packaging(None, None)


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk, so progress works through compression."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:  # noqa: D102
        return True

    # zipfile seeks (to the central directory at the end), so the counter must pass seeks on.
    def seekable(self) -> bool:  # noqa: D102
        return bool(self.raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:  # noqa: D102
        return int(self.raw.seek(offset, whence))

    def tell(self) -> int:  # noqa: D102
        return int(self.raw.tell())

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # noqa: D102
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:  # noqa: D102
        self.raw.close()
        super().close()


def open_bytes(path: Path, packaging: Packaging) -> tuple[IO[bytes], CountingReader]:
    """The decompressed bytes of the file, and the counter of bytes read from disk."""
    counter = CountingReader(path.open("rb"))
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if packaging.compression == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb")), counter
    if packaging.compression == "zip":
        zf = zipfile.ZipFile(buffered)
        assert packaging.member is not None
        return zf.open(packaging.member), counter
    return buffered, counter


def read_sample(path: Path, packaging: Packaging, size: int = SAMPLE_BYTES) -> bytes:
    """The first ``size`` decompressed bytes."""
    try:
        stream, _ = open_bytes(path, packaging)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileProblem(f"“{path.name}” is damaged: it cannot be decompressed ({exc}).") from exc
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileProblem(f"“{path.name}” is damaged: it cannot be decompressed ({exc}).") from exc
    finally:
        stream.close()


_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "big5", "cp936"}


_RARE_WESTERN = {
    "cp437", "cp850", "cp852", "cp858", "cp860", "cp861", "cp863", "cp865", "cp775", "cp1257",
    "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "iso8859_4", "iso8859_10",
    "iso8859_13",
}


def _reads_as_cp1252(sample: bytes) -> bool:
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0 and not any(0x80 <= ord(ch) < 0xA0 for ch in text)


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a sample: BOMs first, then strict UTF-8, then charset-normalizer."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if head and head.count(0) > len(head) // 4:
        # UTF-16 without a BOM: ASCII characters leave a zero byte on one side.
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    results = charset_normalizer.from_bytes(sample[:200_000])
    best = results.best()
    if best is None:
        return "latin-1"
    name = best.encoding.lower()
    # Short Western samples often tie between code pages (cp1250 sorts first and turns "Peña"
    # into "Peńa"); on a tie prefer Windows-1252, what Western Excel and shop systems write.
    for match in results:
        if (
            match.encoding.lower() in ("cp1252", "latin_1")
            and match.chaos == best.chaos
            and match.coherence == best.coherence
        ):
            name = match.encoding.lower()
            break
    if name in _RARE_WESTERN and _reads_as_cp1252(sample):
        # DOS, Mac and Baltic code pages are guesses on short samples, not what Excel or a
        # shop writes: a sample that Windows-1252 reads cleanly ("€" is byte 0x80) is that.
        name = "cp1252"
    if name in _CHINESE or name.startswith("gb"):
        return "gb18030"  # superset of GB2312/GBK, as Chinese Excel writes them
    if name in ("ascii", "utf_8"):
        return "utf-8"
    return name


def decode_sample(sample: bytes, encoding: str) -> str:
    """Decode a sample, dropping a character cut in half at its end."""
    return sample.decode(encoding, errors="replace").rstrip("\ufffd")


_NEWLINE = re.compile(r"\r\n|\r|\n")


def sample_lines(text: str, limit: int = 200) -> list[str]:
    """Complete lines of a sample (the last, possibly cut, line is left out when others exist).

    Lines break at ``\\n``, ``\\r\\n`` and ``\\r`` only, as the importer reads the file, so line
    ``i`` of the sample is line ``i + 1`` of the file (``str.splitlines`` also breaks at form
    feeds and other separators, which would shift the numbers).
    """
    if not text:
        return []
    lines = _NEWLINE.split(text)
    if text.endswith(("\n", "\r")):
        lines.pop()  # the empty text after the last line break
    elif len(lines) > 1:
        lines.pop()  # cut by the end of the sample
    return lines[:limit]


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
    return (
        f"The line is {line.length:,} characters long, more than the {MAX_LINE_CHARS:,} a line "
        "may have: it was left out (only its start is kept here)."
    )


def bounded_lines(text: IO[str], limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of ``text`` (line endings kept); a line longer than ``limit`` characters comes
    as a ``LongLine`` holding only its start, so no line is ever held whole in memory."""
    readline = text.readline
    while True:
        line = readline(limit)
        if not line:
            return
        if len(line) < limit or line[-1] in "\n\r":
            yield line
            continue
        length, ended = len(line), False
        while True:
            more = readline(limit)
            if not more:
                break
            length += len(more)
            if more[-1] in "\n\r":
                ended = True
                break
        yield LongLine(line[:LONG_LINE_KEEP], length, ended)


def iter_text_lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded lines, keeping their line endings (needed to see a cut-off last line).

    Lines longer than ``MAX_LINE_CHARS`` come as ``LongLine`` (see ``bounded_lines``); the
    bytes are decompressed and decoded in small pieces whatever the length of a line.
    """
    return bounded_lines(io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline=""))


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


# --- delimiter, quoting and where the table starts ---------------------------------------------


def _mode(counts: list[int]) -> int:
    """The most frequent count; on a tie the larger one."""
    return max(set(counts), key=lambda c: (counts.count(c), c))


def _real_counts(body: list[str], delim: str) -> list[int]:
    # A stray quote costs its own line only, so it cannot hide the columns of the lines below.
    return [len(row) for _, _, row in split_records(list(body), delim) if row is not None]


def _consistency(counts: list[int]) -> tuple[int, float, int]:
    """(dominant count, its share, where it first occurs) of the records' field counts.

    The dominant count is the most frequent one among records of two fields or more (1 when
    there are none). Up to 10 records above its first occurrence are notes, not part of the
    share (when it occurs at least twice), so a title and an export date above a short table
    do not dilute it.
    """
    wide = [c for c in counts if c >= 2]
    mode = _mode(wide or counts)
    first = counts.index(mode)
    n = counts.count(mode)
    lead = min(first, 10) if n >= 2 else 0
    return mode, n / (len(counts) - lead), first


_DECIMAL_COMMA = re.compile(r"\d,\d{1,2}(?!\d)")


def detect_delimiter(lines: list[str], *, whitespace: bool = True) -> str:
    """The delimiter that splits the sample lines into the most consistent number of columns.

    Consistency is the share of the (first 50 non-blank) records that have the dominant column
    count, counted from the first one that has it, so notes above the header do not change the
    answer. Returns one of ``DELIMITERS``, or ``WHITESPACE``/``WIDE_WHITESPACE`` when runs of
    blanks split the lines more consistently than any real delimiter does (and the same way on
    at least half of them); on a tie the real delimiter wins, and a comma, semicolon or pipe
    found on nine lines in ten (from its first dominant line on) with a dominant count on at
    least half of them is never overruled (a CSV whose rows hold "2023-05-01 10:00" splits on
    spaces too). Falls back to ``","`` when nothing splits the lines into two columns or more.
    ``whitespace=False`` considers the real delimiters only.
    """
    body = [ln.replace("\x00", "") for ln in lines[:50] if ln.strip()]
    if not body:
        return ","
    best, best_score, best_share, best_first = ",", -1.0, 0.0, 0
    for delim in DELIMITERS:
        counts = _real_counts(body, delim)
        if not counts or max(counts) < 2:
            continue
        mode, share, first = _consistency(counts)
        score = share + (0.01 * min(mode, 30))
        # As before notes were discounted: the dominant count of all records is 2 or more;
        # or, now, most of the records below the notes have it.
        plain = _mode(counts) >= 2
        if mode >= 2 and (plain or share >= 0.5) and score > best_score:
            best, best_score, best_share, best_first = delim, score, share, first
    if best == "," and any(";" in ln for ln in body):
        # Decimal commas ("61,80 €") split a ';' file's rows on ',' just as consistently:
        # when nearly every comma sits between digits, the ';' is the delimiter.
        commas = sum(ln.count(",") for ln in body)
        decimal = sum(len(_DECIMAL_COMMA.findall(ln)) for ln in body)
        semi_mode, semi_share, _ = _consistency(_real_counts(body, ";"))
        if commas and decimal >= 0.8 * commas and semi_mode >= 2 and semi_share >= 0.5:
            best, best_share, best_first = ";", semi_share, 0
    if not whitespace:
        return best
    if best_score >= 0 and best != "\t" and best_share >= 0.5:
        # Records and lines differ only with multi-line quoted fields: close enough here.
        tail = body[best_first:]
        if sum(best in ln for ln in tail) >= 0.9 * len(tail):
            return best
    ws_best, ws_share = "", 0.0
    for delim in WHITESPACE_DELIMITERS:
        mode, share, _ = _consistency([len(split_whitespace(ln, delim)) for ln in body])
        if mode >= 2 and share > ws_share:  # WIDE only when strictly more consistent
            ws_best, ws_share = delim, share
    if ws_best and ws_share >= 0.5 and (best_score < 0 or ws_share > best_share):
        return ws_best
    return best


def _records(lines: list[str], delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank records of the lines, each with the index of the line where it starts."""
    out: list[tuple[int, list[str]]] = []
    if is_whitespace(delimiter):
        for i, ln in enumerate(lines):
            row = split_whitespace(ln, delimiter)
            if row:
                out.append((i, row))
        return out
    clean = [ln.replace("\x00", "") for ln in lines]
    for start, _end, fields in split_records(clean, delimiter):
        if fields is not None and any(f.strip() for f in fields):  # ";;;" is blank too
            out.append((start, fields))
    return out


def _filled(row: list[str]) -> int:
    """Fields up to the last non-blank one: a note padded to the table's width ("Report;;;")
    has fewer."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def _names_columns(row: list[str]) -> bool:
    """Every field is a word, none a number or a date: a header, whatever its language."""
    return all(
        f.strip() and not _numeric(f) and any(ch.isalpha() for ch in f) for f in row
    )


def _known_names(row: list[str], known: set[str]) -> int:
    from engine.ingest.formats import normalize_name

    return sum(normalize_name(f) in known for f in row)


def find_header_row(lines: list[str], delimiter: str, known: set[str]) -> int:
    """How many lines of ``lines`` (sample lines from the top of the file) to skip before the
    table: the header, or the first data line of a file without one. Skipped lines are notes
    ("Orders report", "Exported 2024-03-01 by admin") and blank lines (also ``;;;``), also blank
    lines above the header of a file without notes; 0 for a file that starts with its table.

    The table starts at the first record that has the dominant column count D and is followed by
    3 records with D columns too (all when fewer remain; under whitespace also directly, without
    a blank line between, since a title can have D words). A record above it is only a note
    when it cannot be part of the table: it names at most one ``known`` column, and, for a real
    delimiter, has fewer than D fields (a header over broken lines, or over rows longer than it,
    stays the table's first line). A later record is the header instead of the one found when
    one of the next two names columns (at least two and half of its fields are known names,
    more than the one found), or when the records above it in the run are notes padded with
    empty fields to the table's width ("Bericht;Bestellungen;;") and it names every column with
    a word. Nothing but blank lines is skipped when fewer than half of the records from the
    table's start have D fields (no table: prose, one column). Whether the first table line is
    a header is left to ``looks_like_header``.
    """
    recs = _records(lines[:200], delimiter)
    if not recs:
        return 0
    counts = [len(r) for _, r in recs]
    wide = [c for c in counts if c >= 2]
    if not wide:
        return recs[0][0]
    dom = _mode(wide)
    ws = is_whitespace(delimiter)

    def run(i: int) -> bool:
        if counts[i] != dom or any(n != dom for n in counts[i + 1 : i + 4]):
            return False
        # Under whitespace the next record must follow directly: a title has words, not columns.
        return not ws or i + 1 == len(recs) or recs[i + 1][0] == recs[i][0] + 1

    start = next((i for i in range(len(recs)) if run(i)), None)
    if start is None:
        start = counts.index(dom)
    names = [_known_names(r, known) for _, r in recs[: start + 6]]
    for i in range(start):
        if names[i] >= 2 or (not ws and counts[i] >= dom and _filled(recs[i][1]) == dom):
            start = i  # not a note: the table starts here
            break
    need = max(2, (dom + 1) // 2)
    for j in range(start + 1, min(start + 6, len(recs))):
        if counts[j] != dom:
            continue
        if j <= start + 2 and names[j] >= need and names[j] > names[start]:
            start = j
            break
        padded = all(counts[k] == dom > _filled(recs[k][1]) for k in range(start, j))
        if not padded:
            break
        if _filled(recs[j][1]) == dom and _names_columns(recs[j][1]):
            start = j
            break
    rest = counts[start:]
    if 2 * rest.count(dom) <= len(rest):
        return recs[0][0]
    return recs[start][0]


_OPENING = {d: re.compile(rf'(?:^|{re.escape(d)})[ \t]*"') for d in DELIMITERS}
_OPENING_WS = re.compile(r'(?:^|[ \t])"')


def quoting_seen(lines: list[str], delimiter: str) -> bool:
    """Whether some field of the sample is wrapped in double quotes."""
    pat = _OPENING_WS if is_whitespace(delimiter) else _OPENING.get(delimiter)
    if pat is None:
        pat = re.compile(rf'(?:^|{re.escape(delimiter)})[ \t]*"')
    return any(pat.search(ln) for ln in lines[:200] if '"' in ln)


def detect_quoting(lines: list[str], delimiter: str) -> tuple[str, str | None]:
    """(quote character, escape character) of the sample: the quote is always ``"``; the escape
    is ``\\`` when a quote is escaped with a backslash inside a field (``"say \\"hi\\""``, as
    R's ``write.table`` and MySQL write), else None: quotes are doubled (``""``), as the csv
    module and Excel write. A backslash before a closing quote (``"C:\\"``) is not an escape."""
    sep = "[ \t]" if is_whitespace(delimiter) else re.escape(delimiter)
    escaped = re.compile(rf'\\"(?!{sep}|[ \t]*$)')
    for ln in lines[:200]:
        if '\\"' in ln and escaped.search(ln.rstrip("\r\n")):
            return '"', "\\"
    return '"', None


@dataclass(frozen=True)
class Layout:
    """How the text of a delimited file is laid out."""

    delimiter: str  # a character of DELIMITERS, or WHITESPACE / WIDE_WHITESPACE
    skip: int  # lines above the header (or first data line): notes and blank lines
    quotechar: str
    escapechar: str | None
    quoted: bool  # some field is wrapped in quotes


def detect_layout(
    lines: list[str],
    known: set[str],
    *,
    delimiter: str | None = None,
    skip_rows: int | None = None,
) -> Layout:
    """Delimiter, skipped lines and quoting of sample lines (``sample_lines``) at once.

    ``delimiter`` and ``skip_rows`` are what the user forced, if anything. The delimiter is
    detected again below the notes, so notes with stray commas cannot decide it.
    """
    if skip_rows is not None:
        skip = max(0, skip_rows)
        delim = delimiter or detect_delimiter(lines[skip:])
    else:
        delim = delimiter or detect_delimiter(lines)
        skip = find_header_row(lines, delim, known)
        if delimiter is None and skip:
            again = detect_delimiter(lines[skip:])
            if again != delim:
                delim = again
                skip = find_header_row(lines, delim, known)
    body = lines[skip:]
    quotechar, escapechar = detect_quoting(body, delim)
    return Layout(delim, skip, quotechar, escapechar, quoting_seen(body, delim))


DELIMITER_NAMES = {
    ",": "comma",
    "\t": "tab",
    ";": "semicolon",
    "|": "pipe",
    WHITESPACE: "spaces",
    WIDE_WHITESPACE: "aligned columns",
}


def describe_delimiter(delimiter: str) -> str:
    """A short word for a delimiter, for the wizard and the CLI ("comma", "spaces", …)."""
    return DELIMITER_NAMES.get(delimiter, f"“{delimiter}”")


def delimiter_from_name(name: str) -> str:
    """The delimiter a user typed: a character (a tab stays a tab, one space is
    ``WHITESPACE``, two or more are ``WIDE_WHITESPACE``), or a word: ``comma``, ``tab`` or
    ``\\t``, ``semicolon``, ``pipe``, ``space``/``spaces``/``whitespace``, ``aligned``/``fixed``."""
    if name in DELIMITERS:
        return name
    if name and not name.strip(" "):
        return WHITESPACE if len(name) == 1 else WIDE_WHITESPACE
    words = {
        "comma": ",", "tab": "\t", "\\t": "\t", "semicolon": ";", "pipe": "|",
        "space": WHITESPACE, "spaces": WHITESPACE, "whitespace": WHITESPACE, "ws": WHITESPACE,
        "aligned": WIDE_WHITESPACE, "fixed": WIDE_WHITESPACE, "wide": WIDE_WHITESPACE,
    }
    return words.get(name.strip().lower(), name)


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def looks_like_header(first: list[str], second: list[str] | None, known: set[str]) -> bool:
    """Whether the first row names the columns rather than holding data."""
    from engine.ingest.formats import normalize_name

    if any(normalize_name(f) in known for f in first):
        return True
    if second is None:
        return not any(_numeric(f) for f in first if f.strip())
    first_numeric = sum(_numeric(f) for f in first if f.strip())
    second_numeric = sum(_numeric(f) for f in second if f.strip())
    if first_numeric != second_numeric:
        return first_numeric < second_numeric
    # No numbers tell them apart ("kunde_nr,zeitpunkt" over "K1,2023-01-01 08:00"): column
    # names are never dates, and a behavior log's rows always hold one.
    from engine.ingest.timeparse import detect_time_format

    def dates(row: list[str]) -> int:
        return sum(detect_time_format([f]) is not None for f in row if f.strip())

    return dates(first) < dates(second)


def file_sha256(path: Path) -> str:
    """The content hash that recognises a file imported before."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
