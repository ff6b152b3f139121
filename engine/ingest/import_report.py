"""What an import tells its caller: progress while it runs, the report at the end, and the two
ways it stops without changing the project (cancelled, or the same file imported before)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engine.ingest import reader as rd
from engine.ingest.notices import ImportWarning
from engine.ingest.prepared import REASON_KINDS
from engine.ingest.source import FileProblem
from engine.words import tr

#: The reasons a line is rejected, as the keys of ``rejected_by_reason``: the reader's own
#: (stray quotes, over-long lines, JSON nested too deeply) and those of the rows' checks.
ALL_REASON_KINDS = (*REASON_KINDS, *rd.READER_REASON_KINDS)

#: Each reason in a few words, for the counts of an import's summary ("no customer id 12").
REASON_LABELS = {
    "cut_off_line": "cut off",
    "wrong_column_count": "wrong number of values",
    "empty_line": "empty",
    "missing_customer": "no customer id",
    "bad_time": "time not readable",
    "missing_event": "no event type",
    "bad_json": "not valid JSON",
    "repeated_header": "header line repeated",
    "totals_row": "totals rows",
    "above_header": "notes above the header",
    "number_too_large": "number too large",
    "unclosed_quote": "quote not closed",
    "line_too_long": "line too long",
    "nested_too_deep": "nested too deeply",
}


def reason_label(kind: str) -> str:
    """A rejection reason in a few words of the user's language (never the internal name)."""
    return tr(REASON_LABELS.get(kind, "other problems"))


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
