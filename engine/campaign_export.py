"""The campaign list's export: the list as shown, with the recommended items of each customer.

Split from :mod:`engine.campaign` (which re-exports :func:`export_campaign`); like every export
it goes through :func:`engine.exports.write_csv`. The recommendations come from
``engine.recommend.read.recommendations`` when that module and an active recommendations run
exist, and are left blank otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from storage.project import Project

#: The columns of a campaign export before the recommended items (``item_1``, ``reason_1``...).
EXPORT_COLUMNS = (
    "customer", "intent", "expected_spend", "expected_spend_low", "expected_spend_high",
    "segment", "last_seen",
)
_XLSX_FORMATS = {"intent": "0.0%", "expected_spend": "#,##0.00",
                 "expected_spend_low": "#,##0.00", "expected_spend_high": "#,##0.00"}


def export_campaign(
    project: Project,
    rows: pd.DataFrame,
    out: str | Path,
    *,
    recommended: int = 3,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Write exactly ``rows`` (the list as shown, in its order) to ``out``: CSV, or an Excel
    workbook for a ``.xlsx`` name, through :func:`engine.exports.write_csv` (never over a
    database, atomically, formula cells neutralised). Columns: :data:`EXPORT_COLUMNS`
    (``last_seen`` as a date), then ``item_k``/``reason_k`` for k = 1..``recommended`` from the
    active recommendations model (the item's name, or its key without one; blank without a
    model). Returns the rows written."""
    from engine.exports import check_target, write_csv

    check_target(out, project)
    last = pd.to_datetime(rows["last_ms"].to_numpy(dtype=np.float64), unit="ms")
    table = pd.DataFrame({
        "customer": _text(rows["customer"]),
        "intent": np.round(rows["intent"].to_numpy(dtype=np.float64), 6),
        **{c: np.round(rows[c].to_numpy(dtype=np.float64), 2)
           for c in ("expected_spend", "expected_spend_low", "expected_spend_high")},
        "segment": _text(rows["segment"]),
        "last_seen": pd.Series(last).dt.floor("D"),
    })
    k = max(int(recommended), 0)
    picks = _recommended(project, rows["customer_id"].astype(int).tolist(), k)
    for i in range(k):
        table[f"item_{i + 1}"] = pd.Series(
            [_at(picks.get(c), i, 0) for c in rows["customer_id"].astype(int)], dtype=object)
        table[f"reason_{i + 1}"] = pd.Series(
            [_at(picks.get(c), i, 1) for c in rows["customer_id"].astype(int)], dtype=object)
    return write_csv(table, out, project=project, formats=_XLSX_FORMATS,
                     should_stop=should_stop)


def _text(values: pd.Series) -> pd.Series:
    """Text cells; empty ones as missing (an empty cell, not an empty string)."""
    return pd.Series([None if v is None or v != v or str(v) == "" else str(v)
                      for v in values.tolist()], dtype=object)


def _at(picks: list[tuple[str, str]] | None, i: int, j: int) -> str | None:
    value = picks[i][j] if picks is not None and i < len(picks) else ""
    return value or None


def _recommended(project: Project, ids: list[int], k: int) -> dict[int, list[tuple[str, str]]]:
    """customer id -> up to ``k`` (item, reason) from the active recommendations model, best
    first; empty without one (or when this version has no recommendations)."""
    if k == 0 or not ids:
        return {}
    try:
        from engine.recommend.read import recommendations
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("engine.recommend"):
            return {}
        raise
    recs = recommendations(project, ids, k)
    if recs is None or recs.empty:
        return {}
    recs = recs.sort_values(["customer_id", "rank"], kind="stable")
    out: dict[int, list[tuple[str, str]]] = {}
    for cid, item, name, reason in zip(
        recs["customer_id"].astype(int), recs["item"], recs["name"], recs["reason"],
        strict=True,
    ):
        label = name if isinstance(name, str) and name else item
        picks = out.setdefault(int(cid), [])
        if len(picks) < k:
            picks.append(("" if label is None else str(label),
                          "" if not isinstance(reason, str) else reason))
    return out
