"""CSV exports a shop owner hands to other tools: rejected rows (and, later, scores, segments)."""

from __future__ import annotations

import csv
from pathlib import Path

from storage.project import Project
from storage.queries import iter_rejected

REJECTED_COLUMNS = ("file", "line", "reason", "raw")


def export_rejected(project: Project, out: str | Path, batch_id: int | None = None) -> int:
    """Write rejected rows (file, line, reason, raw) as UTF-8 CSV; returns the row count."""
    path = Path(out)
    n = 0
    # utf-8-sig so Excel shows non-ASCII text (Chinese column values) correctly.
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECTED_COLUMNS)
        for file_name, line, reason, raw in iter_rejected(project, batch_id):
            writer.writerow((file_name, line, reason, raw))
            n += 1
    return n
