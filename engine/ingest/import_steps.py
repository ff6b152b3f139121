"""The importer's smaller steps: refusing a file imported before, storing the lines the reader
rejected itself, and the warnings of the whole file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import privacy
from engine.ingest import reader as rd
from engine.ingest.import_report import DuplicateImport
from engine.ingest.notices import ImportWarning
from engine.ingest.prepared import ImportTotals
from engine.ingest.preview import FilePreview
from engine.words import counted, tr
from storage.imports import BatchInfo, holds_imports
from storage.project import Project

#: Warnings the whole file recounts: the preview's own (from its first rows) are replaced.
RECOUNTED = {"unknown_status", "unknown_event", "rounded_ids", "lost_leading_zeros"}


def refuse_duplicate(path: Path, earlier: list[BatchInfo]) -> None:
    """Raise DuplicateImport when the file's content was imported before."""
    if earlier:
        raise DuplicateImport(
            tr(
                "“{0}” was already imported on {1} ({2}); importing it again would "
                "count every event twice (use --allow-duplicate to do it anyway)."
            ).format(path.name, earlier[-1].started_at[:10],
                     counted(earlier[-1].imported, tr("{0:,} event"), tr("{0:,} events")))
        )


def write_problems(
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


def other_imports(project: Project) -> bool:
    """Whether the project holds imports (True when that cannot be told)."""
    try:
        return holds_imports(project)
    except Exception:  # noqa: BLE001 - cannot tell: keep the key rather than orphan pseudonyms
        return True


def import_warnings(preview: FilePreview, totals: ImportTotals) -> list[ImportWarning]:
    """The preview's warnings that the whole file does not recount, then the recounted ones."""
    kept = [w for w in preview.warnings if w.code not in RECOUNTED]
    return kept + totals.warnings()
