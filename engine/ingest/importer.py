"""Import a behavior log into a project: inspect, map, stream, account for every line.

``inspect_file`` looks at the start of a file and proposes everything the import needs (the
wizard shows it, the CLI applies it). ``import_file`` is a generator: each ``yield`` is a small
progress report and a point where the import can be cancelled; the whole import is one
transaction, so a cancelled or failed import leaves the project exactly as it was.
"""

from __future__ import annotations

import itertools
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine import privacy
from engine.events import EVENT_TYPES
from engine.ingest import reader as rd
from engine.ingest.chunks import prepare_chunk, stage_chunk, write_chunk
from engine.ingest.import_report import (
    ALL_REASON_KINDS,
    ImportCancelled,
    ImportProgress,
    ImportReport,
)
from engine.ingest.import_steps import (
    import_warnings,
    other_imports,
    refuse_duplicate,
    write_problems,
)
from engine.ingest.mapping_memory import batch_mapping
from engine.ingest.orders import OrderFiller
from engine.ingest.prepared import ChunkContext, ImportTotals, PreparedChunk, reason_text
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
from engine.words import tr
from storage.imports import ImportWriter, batches_with_sha, event_count, start_batch
from storage.project import Project

__all__ = ["import_file", "run_import"]


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
        refuse_duplicate(path, batches_with_sha(project, sha))  # early, before any reading
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
    writer: ImportWriter | None = None
    mapping = preview.mapping
    header = preview.header
    ncols = len(header)
    started = time.perf_counter()
    totals = ImportTotals()
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
        above_reason = reason_text("above_header")
        if preview.kind == "csv":
            # Notes above the table (a title, "exported by ..."): kept as rejected lines.
            for _ in range(preview.skipped_rows):
                ln = next(lines, None)
                if ln is None:
                    break
                if ln.strip():
                    note = ln.rstrip("\r\n")
                    above.append((first_line, privacy.mask_line(note, []) if key else note, above_reason))
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
                refuse_duplicate(path, batches_with_sha(conn, sha))
            if legacy_key:  # a project made before key files: the key leaves the project
                project.delete_meta(privacy.LEGACY_META_KEY, conn=conn)
            writer = start_batch(
                conn,
                file_name=path.name,
                sha256=sha,
                fmt=preview.format_key,
                encoding=preview.encoding,
                mapping=batch_mapping(preview, options, pseudonymize=pseudonymize),
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
            customer_ci = mapping.columns.get("customer")

            def parse() -> tuple[rd.Chunk, PreparedChunk] | None:
                nxt = next(chunks, None)
                if nxt is None:
                    return None
                return nxt[0], prepare_chunk(nxt[0], ncols, mapping, key, ctx)

            def stage(
                parsed: Future[tuple[rd.Chunk, PreparedChunk] | None],
            ) -> tuple[rd.Chunk, PreparedChunk] | None:
                done = parsed.result()
                if done is not None:
                    stage_chunk(done[1], writer)
                return done

            # Three-stage pipeline: while this thread writes a chunk, a second one stages the
            # next (ids given, rows made into an SQLite image) and a third parses and prepares
            # the one after (SQLite and the staging driver release the GIL while they work).
            # Each stage takes the chunks in file order.
            with ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="import-read"
            ) as reading, ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="import-stage"
            ) as staging:
                pending = staging.submit(stage, reading.submit(parse))
                parsed = reading.submit(parse)
                while True:
                    if should_stop():
                        raise ImportCancelled()
                    done = pending.result()
                    if done is None:
                        break
                    pending = staging.submit(stage, parsed)
                    parsed = reading.submit(parse)
                    chunk, prepared = done
                    write_chunk(prepared, writer, totals)
                    if chunk.problems:
                        write_problems(
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
            warnings = import_warnings(preview, totals)
            writer.finish(
                lines_read=totals.lines,
                imported=totals.imported,
                rejected=totals.rejected,
                seconds=seconds,
                warnings=[w.as_json() for w in warnings],
                # The final mapping, with the words first met in later chunks: what the
                # import really used, and what "same mapping as last time" repeats.
                mapping=batch_mapping(
                    preview, options, pseudonymize=pseudonymize, seen_events=totals.seen_events
                ),
            )
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
        raise FileProblem(
            tr("“{0}” could not be read to the end ({1}).").format(path.name, exc)
        ) from exc
    finally:
        stream.close()
        if writer is not None:
            writer.close()
        if created_key and not committed and not other_imports(project):
            # The key made for this import goes with it (unless another process imported
            # into the project with it meanwhile).
            privacy.key_file(project).unlink(missing_ok=True)
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


