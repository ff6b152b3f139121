"""Recommendations read models: each customer's list with its reasons in words, the top pick per
customer for the customer table, the export, and the categories a customer is moving towards.

They read the active recommend run's outputs (see ``engine.recommend.serve`` for their form);
one customer's list is one indexed query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import text

from engine.events import MS_PER_DAY
from engine.recommend.reasons import reason_text, unpack
from engine.tasks.base import NoData
from engine.words import tr
from storage.project import Project
from storage.queries import read_frame
from storage.runs import RunInfo, active_run

TASK: Final[str] = "recommend"
#: Columns of :func:`recommendations`.
COLUMNS: Final[tuple[str, ...]] = (
    "customer_id", "customer", "rank", "item", "name", "score", "reason")
#: The CSV contract of ``export recommendations``.
EXPORT_COLUMNS: Final[tuple[str, ...]] = ("customer", "rank", "item", "name", "score", "reason")
#: Customers per query of the export (bounded memory on any project).
CHUNK: Final[int] = 5000

_SQL = (
    "SELECT o.customer_id, c.key AS customer, i.key AS item, o.name, o.value, "
    "i.name AS item_name FROM run_outputs o JOIN customers c ON c.id = o.customer_id "
    "JOIN items i ON i.id = o.item_id WHERE o.run_id = :r "
    "AND o.name IN ('rec_rank', 'rec_score', 'rec_why', 'rec_why_item')"
)
_ACTIVE = ("SELECT id FROM model_runs WHERE task = :t AND active = 1 ORDER BY id DESC "
           "LIMIT 1")


def empty() -> pd.DataFrame:
    """A frame with the columns of :func:`recommendations` and no rows."""
    return pd.DataFrame({
        "customer_id": pd.Series(dtype="int64"), "customer": pd.Series(dtype="object"),
        "rank": pd.Series(dtype="int64"), "item": pd.Series(dtype="object"),
        "name": pd.Series(dtype="object"), "score": pd.Series(dtype="float64"),
        "reason": pd.Series(dtype="object"),
    })


def recommendations(project: Project, customer_ids: list[int] | None = None,
                    k: int = 10) -> pd.DataFrame:
    """The top ``k`` recommendations of the given customers (every customer when None) from
    the active recommend run: customer_id, customer (the shop's id), rank, item (its key), name
    (or ""), score and reason, by customer then rank. Empty (same columns) without a run."""
    if customer_ids is None:
        run = active_run(project, TASK)
        parts = [] if run is None else list(iter_recommendations(project, run, k))
        return pd.concat(parts, ignore_index=True) if parts else empty()
    ids = sorted({int(c) for c in customer_ids})
    # One connection, the run's id and the customers' rows: a card click costs milliseconds
    # (no JSON of the run is parsed, no intermediate frame is built).
    with project.connect() as conn:
        run_id = conn.execute(text(_ACTIVE), {"t": TASK}).scalar()
        if run_id is None or not ids:
            return empty()
        where = f" AND o.customer_id IN ({','.join(str(c) for c in ids)})"
        rows = conn.execute(text(_SQL + where), {"r": int(run_id)}).all()
    return _assemble(rows, k)


def iter_recommendations(project: Project, run: RunInfo, k: int,
                         chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """Every customer's top ``k`` of ``run``, a slice of customers at a time."""
    with project.connect() as conn:
        bounds = conn.execute(text(
            "SELECT MIN(customer_id), MAX(customer_id) FROM run_outputs WHERE run_id = :r"
        ), {"r": run.id}).one()
    if bounds[0] is None:
        return
    low, high = int(bounds[0]), int(bounds[1])
    sql = _SQL + " AND o.customer_id BETWEEN :lo AND :hi"
    for lo in range(low, high + 1, chunk):
        with project.connect() as conn:
            rows = conn.execute(text(sql), {"r": run.id, "lo": lo, "hi": lo + chunk - 1}).all()
        if rows:
            yield _assemble(rows, k)


_SLOT = {"rec_rank": 4, "rec_score": 5, "rec_why": 6}


def _assemble(long: Sequence[Sequence[Any]], k: int) -> pd.DataFrame:
    """One row per recommendation from the long outputs' rows (customer_id, customer, item,
    name, value, item name), reasons in words. Plain Python: a pivot costs tens of
    milliseconds, more than the whole query of one customer."""
    recs: dict[tuple[int, str], list[Any]] = {}
    quoted: dict[tuple[int, int], str] = {}
    nan = float("nan")
    for cid, cust, item, name, value, iname in long:
        value = nan if value is None else float(value)
        label = "" if iname is None else str(iname)
        if name == "rec_why_item":
            if value == value:
                quoted[(int(cid), int(value))] = label or str(item)
            continue
        row = recs.get((cid, item))
        if row is None:
            row = recs[(cid, item)] = [int(cid), str(cust), str(item), label, nan, nan, nan]
        row[_SLOT[name]] = value
    rows = sorted((r for r in recs.values() if r[4] == r[4] and r[4] <= k),
                  key=lambda r: (r[0], r[4]))
    reasons = []
    for r in rows:
        code, count, days = unpack(r[6]) if r[6] == r[6] else (0, 0, 0)
        reasons.append(reason_text(code, count, days, quoted.get((r[0], int(r[4])), "")))
    if not rows:
        return empty()
    cols = list(zip(*rows, strict=True))
    return pd.DataFrame({
        "customer_id": np.asarray(cols[0], dtype=np.int64),
        "customer": np.asarray(cols[1], dtype=object),
        "rank": np.asarray(cols[4], dtype=np.float64).astype(np.int64),
        "item": np.asarray(cols[2], dtype=object),
        "name": np.asarray(cols[3], dtype=object),
        "score": np.asarray(cols[5], dtype=np.float64),
        "reason": np.asarray(reasons, dtype=object),
    })


def top_pick(project: Project, run: RunInfo) -> pd.Series:
    """Each customer's first recommendation (the item's name, else its key), by customer id."""
    frame = read_frame(
        project,
        "SELECT o.customer_id, i.key AS item, i.name AS item_name FROM run_outputs o "
        "JOIN items i ON i.id = o.item_id WHERE o.run_id = :r AND o.name = 'rec_rank' "
        "AND o.value = 1",
        {"r": run.id},
        {"customer_id": "int64", "item": "object", "item_name": "object"},
    )
    names = frame["item_name"].where(frame["item_name"].notna() & (frame["item_name"] != ""),
                                     frame["item"])
    return pd.Series(names.astype(str).to_numpy(), dtype=object,
                     index=frame["customer_id"].astype("int64").to_numpy(), name="next_item")


def export_recommendations(project: Project, out: str | Path, k: int = 10, *,
                           should_stop: Callable[[], bool] = lambda: False) -> int:
    """Write customer, rank, item, name, score, reason for every customer of the active run
    (their top ``k``); returns the row count. Through ``write_csv``: never over a database,
    atomically, formulas neutralised, XLSX when the name ends in .xlsx."""
    from engine.exports import check_target, write_csv

    check_target(out, project)
    run = active_run(project, TASK)
    if run is None:
        raise NoData(tr("There are no recommendations yet: train recommendations first."))

    def rows() -> Iterator[tuple[object, ...]]:
        for frame in iter_recommendations(project, run, k):
            yield from zip(frame["customer"], frame["rank"].astype(int), frame["item"],
                           frame["name"], frame["score"].astype(float), frame["reason"],
                           strict=True)

    return write_csv(rows(), out, EXPORT_COLUMNS, project=project, float_format="%.6f",
                     should_stop=should_stop)


def drifting_categories(project: Project, customer_id: int, as_of_ms: int, *,
                        recent_days: int = 30, earlier_days: int | None = None,
                        min_gain: float = 0.1, min_recent: int = 2
                        ) -> list[tuple[str, float, float]]:
    """The categories whose share of the customer's interactions rose: (category, share in the
    ``earlier_days`` before the last ``recent_days``, share in the last ``recent_days``), the
    biggest rise first. A category counts when its share rose by ``min_gain`` and it had at
    least ``min_recent`` interactions recently."""
    earlier = 3 * recent_days if earlier_days is None else earlier_days
    start = as_of_ms - (recent_days + earlier) * MS_PER_DAY
    frame = read_frame(
        project,
        "SELECT e.time_ms, COALESCE(e.category, i.category) AS category FROM events e "
        "LEFT JOIN items i ON i.id = e.item_id WHERE e.customer_id = :c AND e.time_ms > :s "
        "AND e.time_ms <= :t AND e.event IN ('view', 'click', 'cart', 'favorite', 'like', "
        "'purchase')",
        {"c": int(customer_id), "s": int(start), "t": int(as_of_ms)},
        {"time_ms": "int64", "category": "object"},
    )
    frame = frame[frame["category"].notna()]
    if frame.empty:
        return []
    recent = frame["time_ms"].astype("int64") > as_of_ms - recent_days * MS_PER_DAY
    now = frame.loc[recent, "category"].astype(str).value_counts()
    before = frame.loc[~recent, "category"].astype(str).value_counts()
    if now.sum() == 0 or before.sum() == 0:
        return []
    out = []
    for cat, n in now.items():
        share_now = float(n) / float(now.sum())
        share_before = float(before.get(cat, 0)) / float(before.sum())
        if n >= min_recent and share_now - share_before >= min_gain:
            out.append((str(cat), share_before, share_now))
    return sorted(out, key=lambda t: t[1] - t[2])
