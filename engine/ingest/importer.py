"""Import a behavior log into a project: inspect, map, stream, account for every line.

``inspect_file`` looks at the start of a file and proposes everything the import needs (the
wizard shows it, the CLI applies it). ``import_file`` is a generator: each ``yield`` is a small
progress report and a point where the import can be cancelled; the whole import is one
transaction, so a cancelled or failed import leaves the project exactly as it was.
"""

from __future__ import annotations

import itertools
import secrets
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from storage.imports import batches_with_sha, event_count, start_batch
from storage.project import Project

PSEUDONYM_KEY = "pseudonym_key"

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
            "revenue": round(self.revenue, 2),
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
        earlier = batches_with_sha(project, sha)
        if earlier:
            raise DuplicateImport(
                f"“{path.name}” was already imported on {earlier[-1].started_at[:10]} "
                f"({earlier[-1].imported:,} events); importing it again would count every "
                "event twice (use --allow-duplicate to do it anyway)."
            )
    # A new pseudonym key is stored inside the import's transaction, so a cancelled or failed
    # import leaves no trace in the project.
    pseudonymize = (
        preview.pseudonymize_default if options.pseudonymize is None else options.pseudonymize
    )
    key_hex = project.get_meta(PSEUDONYM_KEY) if pseudonymize else None
    new_key_hex = secrets.token_hex(32) if pseudonymize and key_hex is None else None
    key = bytes.fromhex(key_hex or new_key_hex or "")
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
                    above.append((first_line, ln.rstrip("\r\n"), _ABOVE))
                first_line += 1
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
            def produce() -> PreparedChunk | None:
                nxt = next(chunks, None)
                return None if nxt is None else prepare_chunk(nxt[0], ncols, mapping, key, ctx)

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
                    write_chunk(prepared, writer, totals)
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
        pseudonymized=pseudonymize,
        examples=totals.examples,
        events=totals.events,
        warnings=tuple(warnings),
    )
    yield ImportProgress(
        totals.lines, totals.imported, totals.rejected, preview.size, preview.size, seconds, report
    )


#: Warnings the whole file recounts: the preview's own (from its first rows) are replaced.
_RECOUNTED = {"unknown_status", "unknown_event", "rounded_ids", "lost_leading_zeros"}
_ABOVE = "A note above the header line, not data."


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


