"""Import a behavior log into a project: inspect, map, stream, account for every line.

``inspect_file`` looks at the start of a file and proposes everything the import needs (the
wizard shows it, the CLI applies it). ``import_file`` is a generator: each ``yield`` is a small
progress report and a point where the import can be cancelled; the whole import is one
transaction, so a cancelled or failed import leaves the project exactly as it was.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from engine.events import EVENT_TYPES, FIELDS
from engine.ingest import reader as rd
from engine.ingest.formats import (
    FORMAT_KEYS,
    KNOWN_COLUMN_NAMES,
    REQUIRED_FIELDS,
    Mapping,
    canonical_event,
    column_index,
    detect_known_format,
    normalize_name,
    propose_columns,
)
from engine.ingest.source import (
    FileProblem,
    Packaging,
    decode_sample,
    detect_delimiter,
    detect_encoding,
    file_sha256,
    iter_text_lines,
    looks_like_header,
    open_bytes,
    read_sample,
    sample_lines,
    sniff_packaging,
)
from engine.ingest.timeparse import describe_format, detect_time_format, is_missing, parse_times
from storage.imports import batches_with_sha, event_count, start_batch
from storage.project import Project

PSEUDONYM_KEY = "pseudonym_key"

#: Short, stable names of the reasons a row is rejected (JSON keys of rejected_by_reason).
REASON_KINDS = (
    "cut_off_line",
    "wrong_column_count",
    "empty_line",
    "missing_customer",
    "bad_time",
    "missing_event",
    "bad_json",
)


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


class DuplicateImport(FileProblem):
    """The same file content was imported before."""


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose (or the CLI flags said); None means "detect"."""

    format: str | None = None  # a known format key, "csv" for the generic mapping, None = detect
    columns: dict[str, str] = field(default_factory=dict)  # field -> column name/number; "" unmaps
    events: dict[str, str] = field(default_factory=dict)  # raw event word -> canonical event
    encoding: str | None = None
    delimiter: str | None = None
    has_header: bool | None = None
    time_format: str | None = None
    pseudonymize: bool = False
    allow_duplicate: bool = False
    chunk_rows: int = 100_000


@dataclass(frozen=True)
class FilePreview:
    """What IntentLens found in a file, and the mapping it proposes."""

    path: Path
    size: int
    packaging: Packaging
    kind: str  # "csv" or "jsonl"
    encoding: str
    delimiter: str
    has_header: bool
    format_key: str
    format_title: str
    header: list[str]
    rows: list[list[str]]
    mapping: Mapping
    ambiguous: dict[str, list[int]]
    missing: list[str]
    event_counts: list[tuple[str, int, str]]  # raw word, rows in the sample, canonical event
    time_format: str | None

    @property
    def ready(self) -> bool:
        """True when the mapping is complete enough to import."""
        return not self.problems()

    def problems(self) -> list[str]:
        """What must be settled before importing, in plain sentences naming the --map flags."""
        out: list[str] = []
        for fld in self.missing:
            out.append(
                f"No column looks like the {fld}: choose one with --map {fld}=COLUMN."
            )
        for fld, cands in self.ambiguous.items():
            if fld in self.mapping.columns:
                continue
            names = " or ".join(f"“{self.header[i]}”" for i in cands)
            out.append(f"The {fld} could be {names}: choose one with --map {fld}=COLUMN.")
        if "time" in self.mapping.columns and self.time_format is None:
            col = self.header[self.mapping.columns["time"]]
            out.append(
                f"The times in column “{col}” are in a form IntentLens does not know: "
                "choose another column with --map time=COLUMN."
            )
        return out

    def parsed_preview(self, limit: int = 20) -> pd.DataFrame:
        """The first rows as they would be imported (canonical fields), for the wizard."""
        rows = [r for r in self.rows[:limit] if len(r) == len(self.header)]
        data: dict[str, list[Any]] = {}
        for fld in FIELDS:
            idx = self.mapping.columns.get(fld)
            if idx is not None:
                data[fld] = [r[idx] for r in rows]
        frame = pd.DataFrame(data)
        if "time" in frame and self.time_format:
            ms = parse_times(frame["time"], self.time_format)
            frame["time"] = [
                "?" if m == np.iinfo(np.int64).min
                else datetime.fromtimestamp(m / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
                for m in ms
            ]
        if "event" in frame:
            frame["event"] = [self.mapping.events.get(v.strip(), "?") for v in frame["event"]]
        elif rows:
            frame["event"] = self.mapping.default_event
        return frame


def _binary_text(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > 0.02 * min(len(text), 20_000)


def inspect_file(path: str | Path, options: ImportOptions | None = None) -> FilePreview:
    """Look at the start of a file and propose how to import it.

    Raises FileProblem with one sentence for problems with the whole file: missing, empty,
    not text, an Excel workbook.
    """
    options = options or ImportOptions()
    path = Path(path)
    packaging = sniff_packaging(path)
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(f"“{path.name}” is empty: there is nothing to import.")
    if packaging.member and packaging.member.startswith(("xl/", "[Content_Types]")):
        raise FileProblem(
            f"“{path.name}” is an Excel workbook: save it as CSV in Excel, then import the CSV."
        )
    sample = read_sample(path, packaging)
    if not sample.strip():
        raise FileProblem(f"“{path.name}” is empty: there is nothing to import.")
    encoding = options.encoding or detect_encoding(sample)
    try:
        text = decode_sample(sample, encoding)
    except LookupError as exc:
        raise FileProblem(f"IntentLens does not know the text encoding “{encoding}”.") from exc
    if _binary_text(text):
        raise FileProblem(f"“{path.name}” is not a text (CSV) file: it holds binary data.")
    lines = sample_lines(text)
    first = next((ln for ln in lines if ln.strip()), "")
    kind = "jsonl" if first.lstrip().startswith("{") else "csv"

    if kind == "jsonl":
        chunk, header = next(
            rd.jsonl_chunks(iter(lines), first_line_no=1, chunk_rows=len(lines) or 1),
            (rd.Chunk([]), None),
        )
        delimiter, has_header = ",", True
        header = header or []
        rows = [r for r in chunk.rows if r and r != ["\x00json"]][:200]
    else:
        delimiter = options.delimiter or detect_delimiter(lines)
        parsed = [r for r in rd._parse_block(lines, delimiter)[0] if r][:201]
        if not parsed:
            raise FileProblem(f"“{path.name}” is empty: there is nothing to import.")
        ncols = max(set(map(len, parsed)), key=[len(r) for r in parsed].count)
        if ncols < 2:
            raise FileProblem(
                f"“{path.name}” does not look like a CSV file: no line splits into columns."
            )
        named = {normalize_name(c) for c in options.columns.values() if c and not c.isdigit()}
        if options.has_header is not None:
            has_header = options.has_header
        elif named & {normalize_name(f) for f in parsed[0]}:
            has_header = True  # the user mapped a column by a name the first line holds
        else:
            has_header = looks_like_header(
                parsed[0], parsed[1] if len(parsed) > 1 else None, KNOWN_COLUMN_NAMES
            )
        if has_header:
            header = [h.strip().lstrip("\ufeff") for h in parsed[0]]
            rows = parsed[1:]
        else:
            header = [f"column {i + 1}" for i in range(ncols)]
            rows = parsed[:200]

    known = None
    if options.format not in (None, "csv"):
        known = FORMAT_KEYS.get(str(options.format))
        if known is None:
            names = ", ".join(sorted(FORMAT_KEYS))
            raise FileProblem(f"Unknown format “{options.format}”: use one of {names} or csv.")
    elif options.format is None:
        known = detect_known_format(header if has_header else None, rows)

    ambiguous: dict[str, list[int]] = {}
    missing: list[str] = []
    refund_prefix = None
    cat_fallback = None
    default_event = "purchase"
    if known is not None:
        columns = {}
        for fld, col in known.columns.items():
            idx = column_index(header, col)
            if idx is not None:
                columns[fld] = idx
        refund_prefix = known.refund_prefix
        default_event = known.default_event
        if known.category_fallback:
            cat_fallback = column_index(header, known.category_fallback)
        format_key, format_title = known.key, known.title
    else:
        proposal = propose_columns(header, rows)
        columns, ambiguous, missing = proposal.columns, proposal.ambiguous, proposal.missing
        format_key, format_title = "csv", "columns matched by their names"
    for fld, col in options.columns.items():
        if fld not in FIELDS:
            raise FileProblem(
                f"“{fld}” is not a field IntentLens knows; use one of: {', '.join(FIELDS)}."
            )
        if col == "":  # the user unmapped this field
            columns.pop(fld, None)
            ambiguous.pop(fld, None)
            if fld in REQUIRED_FIELDS and fld not in missing:
                missing.append(fld)
            continue
        idx = column_index(header, col)
        if idx is None:
            cols = ", ".join(f"“{h}”" for h in header)
            raise FileProblem(f"The file has no column “{col}” (its columns: {cols}).")
        columns = {f: i for f, i in columns.items() if i != idx or f == fld}
        columns[fld] = idx
        ambiguous.pop(fld, None)
        if fld in missing:
            missing.remove(fld)
    if options.columns and known is None:
        missing = [f for f in REQUIRED_FIELDS if f not in columns and f not in ambiguous]

    # Lines with the wrong number of values will be rejected: they must not sway detection.
    whole = [r for r in rows if len(r) == len(header)] or rows
    time_format = options.time_format
    if time_format is None and "time" in columns:
        values = [r[columns["time"]] for r in whole if len(r) > columns["time"]]
        time_format = detect_time_format(values)

    counts: Counter[str] = Counter()
    if "event" in columns:
        ei = columns["event"]
        counts.update(r[ei].strip() for r in whole if len(r) > ei and r[ei].strip())
    events: dict[str, str] = {}
    for raw in counts:
        events[raw] = canonical_event(raw) or "other"
    for raw, canon in options.events.items():
        if canon not in EVENT_TYPES:
            raise FileProblem(
                f"“{canon}” is not an event IntentLens knows; use one of: {', '.join(EVENT_TYPES)}."
            )
        events[raw] = canon
    event_counts = [(raw, counts.get(raw, 0), events[raw]) for raw in events]
    event_counts.sort(key=lambda t: -t[1])
    mapping = Mapping(
        columns=columns,
        events=events,
        default_event=default_event,
        time_format=time_format,
        refund_prefix=refund_prefix,
        category_fallback=cat_fallback,
    )
    return FilePreview(
        path=path,
        size=size,
        packaging=packaging,
        kind=kind,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        format_key=format_key,
        format_title=format_title,
        header=header,
        rows=rows,
        mapping=mapping,
        ambiguous=ambiguous,
        missing=missing,
        event_counts=event_counts,
        time_format=time_format,
    )


@dataclass(frozen=True)
class ImportReport:
    """What an import did; ``as_json`` gives the CLI's --json object."""

    batch_id: int
    file_name: str
    lines_read: int
    imported: int
    rejected: int
    rejected_by_reason: dict[str, int]
    customers: int
    items: int
    new_customers: int
    events_by_type: dict[str, int]
    first_ms: int | None
    last_ms: int | None
    revenue: float
    format: str
    encoding: str
    mapping: dict[str, str]
    seconds: float
    pseudonymized: bool
    examples: list[tuple[int, str, str]]  # (line, reason, raw) of the first rejected rows

    def as_json(self) -> dict[str, Any]:
        """The documented JSON keys (a contract for users' scripts)."""

        def iso(ms: int | None) -> str | None:
            if ms is None:
                return None
            return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")

        return {
            "lines_read": self.lines_read,
            "imported": self.imported,
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "customers": self.customers,
            "items": self.items,
            "events_by_type": dict(self.events_by_type),
            "first_time": iso(self.first_ms),
            "last_time": iso(self.last_ms),
            "revenue": round(self.revenue, 2),
            "format": self.format,
            "encoding": self.encoding,
            "mapping": dict(self.mapping),
        }


@dataclass(frozen=True)
class ImportProgress:
    """A progress report; the last one of a finished import carries the report."""

    lines_read: int
    imported: int
    rejected: int
    bytes_done: int
    bytes_total: int
    elapsed_s: float
    report: ImportReport | None = None

    @property
    def rows_per_s(self) -> float:
        """Lines read per second so far."""
        return self.lines_read / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def fraction(self) -> float:
        """Share of the file read (0..1)."""
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 0.0


def pseudonym_key(project: Project) -> bytes:
    """The project's secret key for pseudonyms (made on first use, kept in the project)."""
    value = project.get_meta(PSEUDONYM_KEY)
    if value is None:
        value = secrets.token_hex(32)
        project.set_meta(PSEUDONYM_KEY, value)
    return bytes.fromhex(value)


def pseudonymize(keys: list[str], key: bytes) -> list[str]:
    """Keyed hashes of customer keys: stable within a project, useless without its key."""
    return [
        "anon-" + hmac.new(key, k.encode("utf-8"), hashlib.sha256).hexdigest()[:16] for k in keys
    ]


def _numbers(values: pd.Series) -> npt.NDArray[np.float64]:
    text = values.astype("string").str.strip()
    nums = pd.to_numeric(text, errors="coerce")
    if nums.isna().sum() > text.eq("").sum() + 0.5 * len(text) * 0 and text.str.contains(",").any():
        # "1,234.50" (thousands) or "12,50" (decimal comma, as European exports write it)
        decimal_comma = text.str.fullmatch(r"-?\d+,\d{1,2}").fillna(False)
        fixed = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
        fixed = fixed.where(decimal_comma, fixed.str.replace(",", "", regex=False))
        nums = pd.to_numeric(fixed, errors="coerce")
    return np.asarray(nums.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)


def _text(values: pd.Series) -> pd.Series:
    # Arrow-backed strings: strip and compare run in C++, not per Python object.
    text = values.astype("string[pyarrow]").str.strip()
    return text.where(text != "", pd.NA)


def _series(values: Any) -> pd.Series:
    """A column of text values (an Arrow array or a tuple of str) as a pandas Series."""
    if isinstance(values, pa.Array):
        return pd.Series(pd.arrays.ArrowStringArray(values))
    return pd.Series(values, dtype="object")


def _drop_float_suffix(keys: pd.Series) -> pd.Series:
    """Spreadsheets turn ids into floats ("17850.0"); the shop's id is "17850"."""
    floaty = keys.str.fullmatch(r"\d+\.0").fillna(False)
    if not floaty.any():
        return keys
    return keys.where(~floaty, keys.str.slice(0, -2))


def _obj_floats(a: npt.NDArray[np.float64]) -> list[Any]:
    out = a.astype(object)
    out[np.isnan(a)] = None
    return list(out.tolist())


def _reason(kind: str, **kw: Any) -> str:
    if kind == "cut_off_line":
        return (
            f"The line is cut off: the file ends in the middle of it "
            f"({kw['found']} of {kw['expected']} values)."
        )
    if kind == "wrong_column_count":
        return f"Expected {kw['expected']} values but found {kw['found']}."
    if kind == "empty_line":
        return "The line is empty."
    if kind == "missing_customer":
        return "No customer id."
    if kind == "bad_time":
        return f"The time “{kw['value']}” could not be read (expected {kw['fmt']})."
    if kind == "missing_event":
        return "No event type."
    return "The line is not valid JSON."


@dataclass
class _Totals:
    lines: int = 0
    imported: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    customers: set[int] = field(default_factory=set)
    items: set[int] = field(default_factory=set)
    first: int | None = None
    last: int | None = None
    revenue: float = 0.0
    examples: list[tuple[int, str, str]] = field(default_factory=list)
    seen_events: dict[str, str] = field(default_factory=dict)


@dataclass
class _Prepared:
    """A chunk made ready for the database (see ``_prepare``)."""

    lines: int
    n: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str, str]] = field(default_factory=list)
    seen_events: dict[str, str] = field(default_factory=dict)
    cust_keys: list[str] = field(default_factory=list)
    cust_codes: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))
    times: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    events: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    item_keys: list[str] = field(default_factory=list)
    item_codes: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, np.intp))
    item_first: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    columns: dict[str, list[Any]] = field(default_factory=dict)
    revenue: float = 0.0


def import_file(
    project: Project,
    path: str | Path,
    options: ImportOptions | None = None,
    *,
    preview: FilePreview | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[ImportProgress]:
    """Import a file into the project, yielding progress; the last report carries the result.

    Raises FileProblem (one sentence) for problems with the whole file, DuplicateImport when
    the same content was imported before (unless ``options.allow_duplicate``), and
    ImportCancelled when ``should_stop`` turns true; in every such case the project is unchanged.
    """
    options = options or ImportOptions()
    path = Path(path)
    if preview is None:
        preview = inspect_file(path, options)
    problems = preview.problems()
    if problems:
        raise FileProblem(problems[0])
    sha = file_sha256(path)
    if not options.allow_duplicate:
        earlier = batches_with_sha(project, sha)
        if earlier:
            raise DuplicateImport(
                f"“{path.name}” was already imported on {earlier[-1].started_at[:10]} "
                f"({earlier[-1].imported:,} events); importing it again would count every "
                "event twice (use --allow-duplicate to do it anyway)."
            )
    # A new pseudonym key is stored inside the import's transaction, so a cancelled or failed
    # import leaves no trace in the project.
    key_hex = project.get_meta(PSEUDONYM_KEY) if options.pseudonymize else None
    new_key_hex = secrets.token_hex(32) if options.pseudonymize and key_hex is None else None
    key = bytes.fromhex(key_hex or new_key_hex or "")
    mapping = preview.mapping
    header = preview.header
    ncols = len(header)
    started = time.perf_counter()
    totals = _Totals()
    mapping_json: dict[str, Any] = {
        "columns": mapping.describe(header),
        "events": dict(mapping.events),
        "time_format": mapping.time_format,
        "delimiter": preview.delimiter,
        "has_header": preview.has_header,
    }
    stream, counter = open_bytes(path, preview.packaging)
    try:
        lines = iter_text_lines(stream, preview.encoding)
        first_line = 1
        if preview.kind == "csv" and preview.has_header:
            # Skip blank lines before the header, then the header itself.
            for ln in lines:
                if ln.strip():
                    break
                first_line += 1
            first_line += 1
        with project.begin() as conn:
            if new_key_hex is not None:
                project.set_meta(PSEUDONYM_KEY, new_key_hex, conn=conn)
            writer = start_batch(
                conn,
                file_name=path.name,
                sha256=sha,
                fmt=preview.format_key,
                encoding=preview.encoding,
                mapping=mapping_json,
                pseudonymized=options.pseudonymize,
            )
            # About 60 bytes per line; rebuild indexes afterwards when the load dominates.
            expected = preview.size * (8 if preview.packaging.compression else 1) // 60
            if expected > 100_000 and expected > 2 * event_count(conn):
                writer.defer_indexes()
            chunks: Iterator[tuple[rd.Chunk, list[str] | None]]
            if preview.kind == "jsonl":
                chunks = rd.jsonl_chunks(lines, first_line_no=1, chunk_rows=options.chunk_rows)
            else:
                chunks = zip(
                    rd.csv_chunks(
                        lines,
                        preview.delimiter,
                        first_line_no=first_line,
                        chunk_rows=options.chunk_rows,
                        ncols=ncols,
                    ),
                    itertools.repeat(None),
                )
            def produce() -> _Prepared | None:
                nxt = next(chunks, None)
                return None if nxt is None else _prepare(nxt[0], ncols, mapping, key)

            # Two-stage pipeline: the next chunk is parsed and prepared on a second thread
            # while this one is written (SQLite releases the GIL while it stores rows).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") as pool:
                pending = pool.submit(produce)
                while True:
                    if should_stop():
                        raise ImportCancelled()
                    prepared = pending.result()
                    if prepared is None:
                        break
                    pending = pool.submit(produce)
                    _write(prepared, writer, totals)
                    yield ImportProgress(
                        totals.lines,
                        totals.imported,
                        totals.rejected,
                        counter.count,
                        preview.size,
                        time.perf_counter() - started,
                    )
            if should_stop():
                raise ImportCancelled()
            seconds = time.perf_counter() - started
            writer.finish(
                lines_read=totals.lines,
                imported=totals.imported,
                rejected=totals.rejected,
                seconds=seconds,
            )
            new_customers = writer.new_customers
            batch_id = writer.batch_id
            if totals.seen_events:
                mapping_json["events"] = {**mapping_json["events"], **totals.seen_events}
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        # Damage past the sample (a truncated .gz): the transaction is already rolled back.
        raise FileProblem(f"“{path.name}” could not be read to the end ({exc}).") from exc
    finally:
        stream.close()
    report = ImportReport(
        batch_id=batch_id,
        file_name=path.name,
        lines_read=totals.lines,
        imported=totals.imported,
        rejected=totals.rejected,
        rejected_by_reason={k: totals.reasons[k] for k in REASON_KINDS if totals.reasons[k]},
        customers=len(totals.customers),
        items=len(totals.items),
        new_customers=new_customers,
        events_by_type={e: totals.by_type[e] for e in EVENT_TYPES if totals.by_type[e]},
        first_ms=totals.first,
        last_ms=totals.last,
        revenue=totals.revenue,
        format=preview.format_key,
        encoding=preview.encoding,
        mapping=mapping.describe(header),
        seconds=seconds,
        pseudonymized=options.pseudonymize,
        examples=totals.examples,
    )
    yield ImportProgress(
        totals.lines, totals.imported, totals.rejected, preview.size, preview.size, seconds, report
    )


def run_import(
    project: Project,
    path: str | Path,
    options: ImportOptions | None = None,
    **kwargs: Any,
) -> ImportReport:
    """Run an import to the end and return its report (for scripts and tests)."""
    report = None
    for progress in import_file(project, path, options, **kwargs):
        report = progress.report or report
    assert report is not None
    return report


def _prepare(chunk: rd.Chunk, ncols: int, mapping: Mapping, key: bytes) -> _Prepared:
    """Everything about a chunk that needs no database: runs on the import's second thread
    while the previous chunk is written."""
    rows = chunk.rows
    p = _Prepared(lines=len(chunk))
    rejected = p.rejected

    def reject(i: int, kind_: str, **kw: Any) -> None:
        reason = _reason(kind_, **kw)
        line, raw = chunk.line_no(i), chunk.raw(i)
        rejected.append((line, raw, reason))
        p.reasons[kind_] += 1
        if len(p.examples) < 20:
            p.examples.append((line, reason, raw[:300]))

    good: list[int] = []
    if chunk.arrow_columns is not None:
        good = list(range(len(chunk)))
    for i, row in enumerate(rows):
        n = len(row)
        if n == ncols:
            good.append(i)
        elif n == 0 or (n == 1 and not row[0].strip()):
            reject(i, "empty_line")
        elif row == ["\x00json"]:
            reject(i, "bad_json")
        elif n < ncols and chunk.ends_without_newline(i):
            reject(i, "cut_off_line", found=n, expected=ncols)
        else:
            reject(i, "wrong_column_count", found=n, expected=ncols)
    if not good:
        return p
    cols: list[Any]
    if chunk.arrow_columns is not None:
        cols = chunk.arrow_columns
        n_good = len(chunk)
    else:
        good_rows = [rows[i] for i in good] if len(good) != len(rows) else rows
        cols = list(zip(*good_rows, strict=True))
        n_good = len(good_rows)
    idx = np.asarray(good)

    def column(fld: str) -> pd.Series | None:
        ci = mapping.columns.get(fld)
        return None if ci is None else _series(cols[ci])

    def text_column(fld: str) -> pd.Series | None:
        raw = column(fld)
        return None if raw is None else _text(raw)

    customer_col = text_column("customer")
    raw_times = column("time")
    assert customer_col is not None and raw_times is not None
    assert mapping.time_format is not None
    customers = _drop_float_suffix(customer_col)
    times = parse_times(raw_times, mapping.time_format)
    bad_customer = customers.isna().to_numpy()
    bad_time = is_missing(times) & ~bad_customer

    raw_events = text_column("event")
    if raw_events is not None:
        lookup: dict[str, str] = {}
        for word in raw_events.dropna().unique():
            canon = mapping.events.get(word)
            if canon is None:
                canon = canonical_event(word) or "other"
                p.seen_events.setdefault(word, canon)
            lookup[word] = canon
        events = raw_events.map(lookup)
        bad_event = events.isna().to_numpy() & ~bad_customer & ~bad_time
        raw_event_vals: pd.Series = raw_events
    else:
        events = pd.Series([mapping.default_event] * n_good, dtype="object")
        bad_event = np.zeros(n_good, dtype=bool)
        raw_event_vals = pd.Series([None] * n_good, dtype="object")
    session = text_column("session")
    if mapping.refund_prefix and session is not None:
        refunds = session.fillna("").str.startswith(mapping.refund_prefix).to_numpy(dtype=bool)
        events = events.where(~refunds, "refund")

    for j in np.flatnonzero(bad_customer):
        reject(int(idx[j]), "missing_customer")
    time_words = describe_format(mapping.time_format)
    for j in np.flatnonzero(bad_time):
        reject(int(idx[j]), "bad_time", value=raw_times.iloc[j], fmt=time_words)
    for j in np.flatnonzero(bad_event):
        reject(int(idx[j]), "missing_event")
    keep = ~(bad_customer | bad_time | bad_event)
    n = int(keep.sum())
    if n == 0:
        return p

    def sel(s: pd.Series) -> pd.Series:
        return s[keep].reset_index(drop=True)

    def opt(fld: str) -> pd.Series | None:
        values = text_column(fld)
        return None if values is None else sel(values)

    def num(fld: str) -> npt.NDArray[np.float64]:
        values = column(fld)
        out: npt.NDArray[np.float64] = (
            np.full(n, np.nan) if values is None else _numbers(values)[keep]
        )
        return out

    customers = sel(customers)
    times = times[keep]
    events = sel(events)
    raw_event_vals = sel(raw_event_vals)
    session = None if session is None else sel(session)
    item = opt("item")
    if item is not None:
        item = _drop_float_suffix(item)
    category = opt("category")
    if mapping.category_fallback is not None:
        fallback = sel(_text(_series(cols[mapping.category_fallback])))
        category = fallback if category is None else category.fillna(fallback)
    name = opt("name")
    query = opt("query")
    price = num("price")
    quantity = num("quantity")
    amount_given = num("amount")

    ev = events.to_numpy(dtype=object)
    is_purchase = ev == "purchase"
    is_refund = ev == "refund"
    # Revenue: the amount, else price x quantity (a missing quantity counts as one piece).
    amount = np.where(
        np.isnan(amount_given), price * np.where(np.isnan(quantity), 1.0, quantity), amount_given
    )
    amount = np.where(is_refund, -np.abs(amount), amount)
    amount = np.where(is_purchase | is_refund, amount, np.nan)

    cust_codes, cust_uniques = pd.factorize(customers)
    cust_keys = [str(k) for k in np.asarray(cust_uniques, dtype=object).tolist()]
    if key:
        cust_keys = pseudonymize(cust_keys, key)
        if session is not None and mapping.columns.get("session") == mapping.columns["customer"]:
            # The session column is the customer column (OTTO, YooChoose): it must not keep
            # the original id next to its pseudonym.
            session = pd.Series(np.asarray(cust_keys, dtype=object)[cust_codes], dtype="object")
    p.n = n
    p.cust_keys, p.cust_codes = cust_keys, np.asarray(cust_codes)
    p.times, p.events = times, ev
    if item is not None:
        codes, uniques = pd.factorize(item)
        if len(uniques):
            pos = pd.Series(np.arange(n))[codes >= 0].groupby(codes[codes >= 0]).first().to_numpy()

            def first_of(s: pd.Series | None) -> list[Any]:
                if s is None:
                    return [None] * len(pos)
                return list(s.iloc[pos].to_numpy(dtype=object, na_value=None).tolist())

            p.item_keys = [str(u) for u in np.asarray(uniques, dtype=object).tolist()]
            p.item_codes = np.asarray(codes)
            p.item_first = (first_of(category), first_of(name), _obj_floats(price[pos]))

    # Only columns with at least one value go into the INSERT: binding NULLs costs as much as
    # binding values (measured: 6 bound columns insert 2.7x faster than 12 with 6 NULL).
    columns = p.columns
    columns["time_ms"] = times.tolist()
    columns["event"] = ev.tolist()

    def put_text(name_: str, s: pd.Series | None) -> None:
        if s is not None and s.notna().any():
            columns[name_] = list(s.to_numpy(dtype=object, na_value=None).tolist())

    def put_float(name_: str, a: npt.NDArray[np.float64]) -> None:
        if not np.isnan(a).all():
            columns[name_] = _obj_floats(a)

    put_text("raw_event", raw_event_vals)
    put_text("category", category)
    put_float("price", price)
    put_float("quantity", quantity)
    put_float("amount", amount)
    put_text("session", session)
    put_text("query", query)
    p.revenue = float(np.nansum(amount))
    return p


def _write(p: _Prepared, writer: Any, totals: _Totals) -> None:
    """The database half of a chunk: ids for customers and items, then the rows."""
    totals.lines += p.lines
    totals.reasons.update(p.reasons)
    totals.examples.extend(p.examples[: max(0, 20 - len(totals.examples))])
    for word, canon in p.seen_events.items():
        totals.seen_events.setdefault(word, canon)
    writer.add_rejected(p.rejected)
    totals.rejected += len(p.rejected)
    if p.n == 0:
        return
    n = p.n
    cust_ids = np.asarray(writer.customer_ids(p.cust_keys), dtype=np.int64)[p.cust_codes]
    columns = dict(p.columns)
    columns["customer_id"] = cust_ids.tolist()
    if p.item_keys:
        cats, names, prices = p.item_first
        ids = np.asarray(writer.item_ids(p.item_keys, cats, names, prices), dtype=np.int64)
        codes = p.item_codes
        obj = ids[np.where(codes >= 0, codes, 0)].astype(object)
        obj[codes < 0] = None
        columns["item_id"] = list(obj.tolist())
        totals.items.update(ids.tolist())
    writer.add_events(columns, n)
    totals.imported += n
    totals.by_type.update(Counter(p.events.tolist()))
    totals.customers.update(np.unique(cust_ids).tolist())
    tmin, tmax = int(p.times.min()), int(p.times.max())
    totals.first = tmin if totals.first is None else min(totals.first, tmin)
    totals.last = tmax if totals.last is None else max(totals.last, tmax)
    totals.revenue += p.revenue


def describe_preview(preview: FilePreview) -> str:
    """What was detected, in one line for the CLI."""
    return (
        f"{preview.path.name}: {preview.format_title}; encoding {preview.encoding}; "
        f"{'header' if preview.has_header else 'no header'}; "
        f"times as {describe_format(preview.time_format or '?')}"
    )


def with_options(preview: FilePreview, **changes: Any) -> FilePreview:
    """A copy of a preview with some fields changed (the wizard edits mappings this way)."""
    return replace(preview, **changes)
