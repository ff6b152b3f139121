"""Where the table of a delimited file is: its delimiter, its quoting, the notes above it, and
whether its first line names the columns.

Everything here looks at the sample lines ``source.sample_lines`` gives; ``detect_layout``
decides all at once, and the importer streams the whole file with what it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.ingest.records import (
    WHITESPACE,
    WHITESPACE_DELIMITERS,
    WIDE_WHITESPACE,
    is_whitespace,
    split_records,
    split_whitespace,
)

DELIMITERS = (",", "\t", ";", "|")


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
    from engine.ingest.timedetect import detect_time_format

    def dates(row: list[str]) -> int:
        return sum(detect_time_format([f]) is not None for f in row if f.strip())

    return dates(first) < dates(second)
