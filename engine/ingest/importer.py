"""Import a behavior log into a project: inspect, map, stream, account for every line.

``inspect_file`` looks at the start of a file and proposes everything the import needs (the
wizard shows it, the CLI applies it). ``import_file`` is a generator: each ``yield`` is a small
progress report and a point where the import can be cancelled; the whole import is one
transaction, so a cancelled or failed import leaves the project exactly as it was.
"""

from __future__ import annotations

import itertools
import json
import math
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from engine import privacy
from engine.events import EVENT_TYPES
from engine.ingest import reader as rd
from engine.ingest.chunks import (
    REASON_KINDS,
    ChunkContext,
    ImportTotals,
    PreparedChunk,
    prepare_chunk,
    write_chunk,
)
from engine.ingest.notices import ImportWarning
from engine.ingest.orders import OrderFiller
from engine.ingest.preview import (
    FilePreview,
    ImportOptions,
    inspect_file,
)
from engine.ingest.source import (
    FileProblem,
    file_sha256,
    iter_text_lines,
    open_bytes,
)
from storage.imports import BatchInfo, batches_with_sha, event_count, holds_imports, start_batch
from storage.project import Project

#: The reasons a line is rejected, as the keys of ``rejected_by_reason``: the reader's own
#: (stray quotes, over-long lines, JSON nested too deeply) and those of the rows' checks.
ALL_REASON_KINDS = (*REASON_KINDS, *rd.READER_REASON_KINDS)
#: The largest price, quantity or amount a shop's line can hold. Anything larger (or a
#: product that overflows, such as 1e308 x 1e308) is unreadable, like "1e400" is: stored
#: as missing with a warning, so no revenue or model sum can become infinite or NaN.
MAX_NUMBER = 1e15

#: Short, stable names of the reasons a row is rejected (JSON keys of rejected_by_reason).
class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


class DuplicateImport(FileProblem):
    """The same file content was imported before."""


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
    events: int = 0  # events stored: imported lines plus one refund event per refunded order
    warnings: tuple[ImportWarning, ...] = ()

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
            "revenue": round(self.revenue, 2) if math.isfinite(self.revenue) else None,
            "format": self.format,
            "encoding": self.encoding,
            "mapping": dict(self.mapping),
            "events": self.events,
            "warnings": [w.as_json() for w in self.warnings],
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
        _refuse_duplicate(path, batches_with_sha(project, sha))  # early, before any reading
    # The pseudonym key lives in a key file beside the project, never inside it. A key made
    # for this import is removed again when the import does not commit.
    pseudonymize = (
        preview.pseudonymize_default if options.pseudonymize is None else options.pseudonymize
    )
    key = b""
    created_key = legacy_key = False
    if pseudonymize:
        legacy_key = project.get_meta(privacy.LEGACY_META_KEY) is not None
        key, created_key = privacy.ensure_key(project)
    committed = False
    mapping = preview.mapping
    header = preview.header
    ncols = len(header)
    started = time.perf_counter()
    totals = ImportTotals()
    mapping_json: dict[str, Any] = {
        "columns": mapping.describe(header),
        "events": dict(mapping.events),
        "time_format": mapping.time_format,
        "delimiter": preview.delimiter,
        "has_header": preview.has_header,
        "default_event": mapping.default_event,
    }
    ctx = ChunkContext(
        header=list(header) if preview.has_header else [],
        filler=OrderFiller(mapping.filldown) if "session" in mapping.columns else None,
        now_ms=int(time.time() * 1000),
    )
    stream, counter = open_bytes(path, preview.packaging)
    try:
        lines = iter_text_lines(stream, preview.encoding)
        first_line = 1
        above: list[tuple[int, str, str]] = []
        if preview.kind == "csv":
            # Notes above the table (a title, "exported by ..."): kept as rejected lines.
            for _ in range(preview.skipped_rows):
                ln = next(lines, None)
                if ln is None:
                    break
                if ln.strip():
                    note = ln.rstrip("\r\n")
                    above.append((first_line, privacy.mask_line(note, []) if key else note, _ABOVE))
                first_line += 1
        if preview.kind == "csv" and preview.has_header:
            # Skip blank lines before the header, then the header itself.
            for ln in lines:
                if ln.strip():
                    break
                first_line += 1
            first_line += 1
        with project.begin() as conn:
            # Again under the write lock (BEGIN IMMEDIATE): the same file imported by another
            # program at the same moment is committed by now, and this import is refused.
            if not options.allow_duplicate:
                _refuse_duplicate(path, batches_with_sha(conn, sha))
            if legacy_key:  # a project made before key files: the key leaves the project
                project.delete_meta(privacy.LEGACY_META_KEY, conn=conn)
            writer = start_batch(
                conn,
                file_name=path.name,
                sha256=sha,
                fmt=preview.format_key,
                encoding=preview.encoding,
                mapping=mapping_json,
                pseudonymized=pseudonymize,
            )
            if above:
                writer.add_rejected(above)
                totals.lines += len(above)
                totals.rejected += len(above)
                totals.reasons["above_header"] += len(above)
                totals.examples.extend(above[:5])
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
                        escapechar=preview.escape,
                    ),
                    itertools.repeat(None),
                )
            names = {
                fld: header[ci] if ci < len(header) else fld
                for fld, ci in mapping.columns.items()
            }
            customer_ci = mapping.columns.get("customer")

            def produce() -> tuple[rd.Chunk, PreparedChunk] | None:
                nxt = next(chunks, None)
                if nxt is None:
                    return None
                prepared = prepare_chunk(nxt[0], ncols, mapping, key, ctx)
                _bound_numbers(prepared, names)
                return nxt[0], prepared

            # Two-stage pipeline: the next chunk is parsed and prepared on a second thread
            # while this one is written (SQLite releases the GIL while it stores rows).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import") as pool:
                pending = pool.submit(produce)
                while True:
                    if should_stop():
                        raise ImportCancelled()
                    done = pending.result()
                    if done is None:
                        break
                    pending = pool.submit(produce)
                    chunk, prepared = done
                    write_chunk(prepared, writer, totals)
                    if chunk.problems:
                        _write_problems(
                            chunk.problems, writer, totals, key=key, customer_ci=customer_ci,
                            delimiter=preview.delimiter if preview.kind == "csv" else None,
                        )
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
            warnings = _warnings(preview, totals)
            writer.finish(
                lines_read=totals.lines,
                imported=totals.imported,
                rejected=totals.rejected,
                seconds=seconds,
                warnings=[w.as_json() for w in warnings],
            )
            if totals.seen_events:
                mapping_json["events"] = {**mapping_json["events"], **totals.seen_events}
            # The report is made (and its JSON checked) before the commit: nothing computed
            # after the commit can fail on the stored rows, and an error here stores nothing.
            report = ImportReport(
                batch_id=writer.batch_id,
                file_name=path.name,
                lines_read=totals.lines,
                imported=totals.imported,
                rejected=totals.rejected,
                rejected_by_reason={
                    k: totals.reasons[k] for k in ALL_REASON_KINDS if totals.reasons[k]
                },
                customers=len(totals.customers),
                items=len(totals.items),
                new_customers=writer.new_customers,
                events_by_type={e: totals.by_type[e] for e in EVENT_TYPES if totals.by_type[e]},
                first_ms=totals.first,
                last_ms=totals.last,
                revenue=totals.revenue,
                format=preview.format_key,
                encoding=preview.encoding,
                mapping=mapping.describe(header),
                seconds=seconds,
                pseudonymized=pseudonymize,
                examples=totals.examples,
                events=totals.events,
                warnings=tuple(warnings),
            )
            json.dumps(report.as_json(), allow_nan=False)
        committed = True
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        # Damage past the sample (a truncated .gz): the transaction is already rolled back.
        raise FileProblem(f"“{path.name}” could not be read to the end ({exc}).") from exc
    finally:
        stream.close()
        if created_key and not committed and not _other_imports(project):
            # The key made for this import goes with it (unless another process imported
            # into the project with it meanwhile).
            privacy.key_file(project).unlink(missing_ok=True)
    yield ImportProgress(
        totals.lines, totals.imported, totals.rejected, preview.size, preview.size, seconds, report
    )


#: Warnings the whole file recounts: the preview's own (from its first rows) are replaced.
_RECOUNTED = {"unknown_status", "unknown_event", "rounded_ids", "lost_leading_zeros"}
_ABOVE = "A note above the header line, not data."


def _refuse_duplicate(path: Path, earlier: list[BatchInfo]) -> None:
    """Raise DuplicateImport when the file's content was imported before."""
    if earlier:
        raise DuplicateImport(
            f"“{path.name}” was already imported on {earlier[-1].started_at[:10]} "
            f"({earlier[-1].imported:,} events); importing it again would count every "
            "event twice (use --allow-duplicate to do it anyway)."
        )


def _write_problems(
    problems: list[rd.LineProblem],
    writer: Any,
    totals: ImportTotals,
    *,
    key: bytes,
    customer_ci: int | None,
    delimiter: str | None,
) -> None:
    """Store the lines the reader rejected itself (stray quotes, over-long lines, JSON nested
    too deeply) and count them. When pseudonymizing, their text is masked like every other
    rejected line's: the customer field, e-mails and phones (and long numbers when the line
    cannot be split into fields)."""
    rows: list[tuple[int, str, str]] = []
    for problem in problems:
        raw = problem.raw
        if key:
            ids: list[str] = []
            if delimiter is not None and len(delimiter) == 1 and customer_ci is not None:
                fields = raw.split(delimiter)
                if customer_ci < len(fields):
                    ids.append(fields[customer_ci].strip().strip('"').strip())
            raw = privacy.mask_line(raw, ids, numbers=not ids)
        rows.append((problem.line_no, raw, problem.reason))
        totals.reasons[problem.kind] += 1
        if len(totals.examples) < 20:
            totals.examples.append((problem.line_no, problem.reason, raw[:300]))
    writer.add_rejected(rows)
    totals.lines += len(rows)
    totals.rejected += len(rows)


def _bound_numbers(p: PreparedChunk, names: dict[str, str]) -> None:
    """Prices, quantities and amounts beyond ``MAX_NUMBER`` (or infinite) become missing, with
    the "unreadable number" warning; the chunk's revenue is summed again without them."""
    for fld in ("price", "quantity", "amount"):
        values = p.columns.get(fld)
        if values is None:
            continue
        arr = np.asarray(values, dtype=np.float64)  # None reads as NaN
        bad = np.abs(arr) > MAX_NUMBER
        bad |= np.isinf(arr)
        if not bad.any():
            continue
        column = names.get(fld, fld)
        p.warn[("unreadable_number", column)] += int(bad.sum())
        p.warn_example.setdefault(("unreadable_number", column), repr(float(arr[bad][0])))
        for i in np.flatnonzero(bad).tolist():
            values[i] = None
        if fld == "amount":
            p.revenue = float(np.nansum(np.where(bad, np.nan, arr)))
    prices = p.item_first[2]
    for i, v in enumerate(prices):
        if v is not None and not abs(v) <= MAX_NUMBER:
            prices[i] = None


def _other_imports(project: Project) -> bool:
    try:
        return holds_imports(project)
    except Exception:  # noqa: BLE001 - cannot tell: keep the key rather than orphan pseudonyms
        return True


def _warnings(preview: FilePreview, totals: ImportTotals) -> list[ImportWarning]:
    kept = [w for w in preview.warnings if w.code not in _RECOUNTED]
    return kept + totals.warnings()


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


