"""What a chunk carries on its way into a project: the reasons a line is rejected, what every chunk
of one import shares, a chunk made ready for the database, and the totals of the whole import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.ingest.notices import ImportWarning, chunk_warning
from engine.ingest.numbers import MAX_NUMBER
from engine.ingest.orders import OrderFiller
from engine.words import counted, tr

REASON_KINDS = (
    "cut_off_line",
    "wrong_column_count",
    "empty_line",
    "missing_customer",
    "bad_time",
    "missing_event",
    "bad_json",
    "repeated_header",
    "totals_row",
    "above_header",
    "number_too_large",
)


def reason_text(kind: str, **kw: Any) -> str:
    """The reason of a rejected line in words; ``kind`` is one of ``REASON_KINDS``."""
    if kind == "cut_off_line":
        return tr(
            "The line is cut off: the file ends in the middle of it ({0} of {1} values)."
        ).format(kw["found"], kw["expected"])
    if kind == "wrong_column_count":
        return tr("Expected {0} but found {1}.").format(
            counted(kw["expected"], tr("{0} value"), tr("{0} values")), kw["found"])
    if kind == "empty_line":
        return tr("The line is empty.")
    if kind == "missing_customer":
        return tr("No customer id.")
    if kind == "bad_time":
        return tr("The time “{0}” could not be read (expected {1}).").format(
            kw["value"], kw["fmt"]
        )
    if kind == "missing_event":
        return tr("No event type.")
    if kind == "repeated_header":
        return tr("A repeated header line (the column names again), not data.")
    if kind == "totals_row":
        return tr("A totals row, not an event.")
    if kind == "above_header":
        return tr("A note above the header line, not data.")
    if kind == "number_too_large" and "price" in kw:
        return tr(
            "The price “{0}” times the quantity “{1}” is more than any real sale (over {2}): "
            "the line was left out. Check this line in the file."
        ).format(kw["price"], kw["quantity"], f"{MAX_NUMBER:,.0f}")
    if kind == "number_too_large":
        return tr(
            "The number “{0}” in column “{1}” is too large to be a real price, quantity or "
            "amount (over {2}): the line was left out. Check this line in the file."
        ).format(kw["value"], kw["column"], f"{MAX_NUMBER:,.0f}")
    return tr("The line is not valid JSON.")


class IdSet:
    """The distinct ids an import met (customer or item ids: small positive integers), one bit
    each: a set of Python ints would cost about 70 bytes per id and a Python object per row."""

    def __init__(self) -> None:
        self._seen = np.zeros(0, dtype=bool)

    def update(self, ids: npt.ArrayLike) -> None:
        """Add ids (any shape of integer array or list)."""
        arr = np.asarray(ids, dtype=np.int64).ravel()
        if not len(arr):
            return
        if arr.min() < 0:
            raise ValueError("ids are never negative")
        top = int(arr.max()) + 1
        if top > len(self._seen):
            grown = np.zeros(max(top, 2 * len(self._seen)), dtype=bool)
            grown[: len(self._seen)] = self._seen
            self._seen = grown
        self._seen[arr] = True

    def __len__(self) -> int:
        return int(np.count_nonzero(self._seen))

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | np.integer) or not 0 <= value < len(self._seen):
            return False
        return bool(self._seen[value])


@dataclass
class ImportTotals:
    lines: int = 0
    imported: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    customers: IdSet = field(default_factory=IdSet)
    items: IdSet = field(default_factory=IdSet)
    first: int | None = None
    last: int | None = None
    revenue: float = 0.0
    examples: list[tuple[int, str, str]] = field(default_factory=list)
    seen_events: dict[str, str] = field(default_factory=dict)
    events: int = 0  # events written: one per imported line, plus one per refund of an order
    warn: Counter[tuple[str, str]] = field(default_factory=Counter)
    warn_example: dict[tuple[str, str], str] = field(default_factory=dict)
    id_digits: Counter[tuple[int, bool]] = field(default_factory=Counter)
    id_column: str = ""

    def warnings(self) -> list[ImportWarning]:
        """The warnings counted over the whole file."""
        out = [
            chunk_warning(code, column, rows, self.warn_example.get((code, column), ""))
            for (code, column), rows in self.warn.items()
        ]
        padded = Counter({n: c for (n, zero), c in self.id_digits.items() if zero})
        if padded:
            width = padded.most_common(1)[0][0]
            short = sum(c for (n, zero), c in self.id_digits.items() if not zero and n < width)
            if short:
                out.append(chunk_warning("lost_leading_zeros", self.id_column, short))
        return out


@dataclass
class PreparedChunk:
    """A chunk made ready for the database (see ``prepare_chunk``)."""

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
    columns: dict[str, Any] = field(default_factory=dict)  # lists or numpy arrays
    revenue: float = 0.0
    n_events: int = 0
    warn: Counter[tuple[str, str]] = field(default_factory=Counter)
    warn_example: dict[tuple[str, str], str] = field(default_factory=dict)
    id_digits: Counter[tuple[int, bool]] = field(default_factory=Counter)
    id_column: str = ""
    seen_customers: set[str] = field(default_factory=set)  # original ids (pseudonymizing only)
    # Filled by ``chunks.stage_chunk``: the ids of ``cust_keys`` and ``item_keys``, the events
    # per type, and the rows staged for the writer (``storage.imports.StagedRows``).
    customer_ids: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    item_ids: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    by_type: Counter[str] = field(default_factory=Counter)
    staged: Any = None


@dataclass
class ChunkContext:
    """What every chunk of one import shares: the header, the order filler, today."""

    header: list[str]
    filler: OrderFiller | None = None
    now_ms: int = 0
