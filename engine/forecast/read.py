"""What the Forecast page, the CLI's export and the card read from a forecast run.

A run keeps the whole shop's and each category's history and forecast in its metrics (a few
series), and each item's forecast, recent history and summary as rows of ``run_outputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.forecast.config import LABELS
from engine.tasks.base import NoData
from engine.words import tr
from storage.project import Project
from storage.queries import read_frame
from storage.runs import RunInfo, active_run

TASK = "forecast"
#: Columns of ``export PROJECT forecast`` (a contract).
EXPORT_COLUMNS = ("series", "level", "measure", "period", "p10", "p50", "p90")


@dataclass(frozen=True)
class SeriesChoice:
    """One series a user can pick: ``level`` ("shop", "category" or "item"), ``key`` (the
    category name, the item id as the shop knows it, "" for the shop) and its label."""

    level: str
    key: str
    label: str


@dataclass(frozen=True)
class SeriesView:
    """History and forecast of one series and one measure ("units" or "revenue").

    Periods are given by their first day (UTC epoch ms); ``period_days`` is 7 or 1. The
    forecast has the P10, P50 and P90 of each coming period. ``method`` says what forecast it
    (in words), ``error`` the backtest error of its level in one sentence.
    """

    level: str
    key: str
    label: str
    measure: str
    period_days: int
    history_starts: list[int]
    history: list[float]
    forecast_starts: list[int]
    p10: list[float]
    p50: list[float]
    p90: list[float]
    method: str
    error: str


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, UTC).date().isoformat()


def _aggregates(run: RunInfo) -> list[dict[str, Any]]:
    found = run.metrics.get("series", [])
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def _int_list(value: Any) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list) else []


def _item_rows(project: Project, run: RunInfo, item: str | None = None) -> pd.DataFrame:
    """The run's item outputs: item, name, category, period, output name, value."""
    sql = ("SELECT i.key AS item, i.name AS item_name, i.category, o.period, o.name, o.value "
           "FROM run_outputs o JOIN items i ON i.id = o.item_id WHERE o.run_id = :r")
    params: dict[str, object] = {"r": run.id}
    if item is not None:
        sql += " AND i.key = :k"
        params["k"] = item
    return read_frame(project, sql, params, {
        "item": "object", "item_name": "object", "category": "object", "period": "object",
        "name": "object", "value": "float64"})


def choices(project: Project, run: RunInfo) -> list[SeriesChoice]:
    """The series of a run: the shop, its categories, then its items by expected units."""
    found = [SeriesChoice("shop", "", tr("Whole shop"))]
    found += [SeriesChoice("category", str(s["key"]), str(s["key"]))
              for s in _aggregates(run) if s.get("level") == "category"]
    rows = read_frame(
        project,
        "SELECT i.key AS item, i.name AS item_name, SUM(o.value) AS units FROM run_outputs o "
        "JOIN items i ON i.id = o.item_id WHERE o.run_id = :r AND o.name = 'units_p50' "
        "GROUP BY i.key, i.name ORDER BY units DESC, i.key",
        {"r": run.id}, {"item": "object", "item_name": "object", "units": "float64"})
    for item, name in zip(rows["item"], rows["item_name"], strict=True):
        label = f"{name} ({item})" if isinstance(name, str) and name else str(item)
        found.append(SeriesChoice("item", str(item), label))
    return found


def _method_and_error(run: RunInfo, level: str) -> tuple[str, str]:
    levels = run.metrics.get("levels", {})
    info = levels.get(level, {}) if isinstance(levels, dict) else {}
    served = str(info.get("served", ""))
    return tr(LABELS.get(served, served)), str(info.get("verdict", ""))


def series_view(project: Project, run: RunInfo, level: str, key: str,
                measure: str = "units") -> SeriesView:
    """One series' history and forecast; ValueError when the run has no such series."""
    if measure not in ("units", "revenue"):
        raise ValueError(f"Unknown measure {measure!r}: choose units or revenue.")
    period_days = int(run.metrics.get("period_days") or 7)
    method, error = _method_and_error(run, level)
    future = _int_list(run.metrics.get("forecast_starts"))
    if level in ("shop", "category"):
        for s in _aggregates(run):
            if s.get("level") == level and str(s.get("key")) == key:
                price = float(s.get("unit_revenue") or 0.0) if measure == "revenue" else 1.0
                label = tr("Whole shop") if level == "shop" else key
                q = [[float(v) * price for v in s.get(k, [])] for k in ("p10", "p50", "p90")]
                return SeriesView(
                    level, key, label, measure, period_days,
                    _int_list(run.metrics.get("history_starts")),
                    [float(v) for v in s.get(f"history_{measure}", [])], future,
                    q[0], q[1], q[2], method=method, error=error)
        raise ValueError(f"This forecast has no {level} called {key!r}.")
    rows = _item_rows(project, run, key)
    if rows.empty:
        raise ValueError(f"This forecast has no item {key!r}.")
    summary = rows[rows["period"].isna()].set_index("name")["value"]
    price = float(summary.get("unit_revenue", 0.0)) if measure == "revenue" else 1.0
    dated = rows[rows["period"].notna()]
    history_starts = _int_list(run.metrics.get("history_starts"))
    sold = dated[dated["name"] == measure].set_index("period")["value"]
    history = [float(sold.get(_iso(ms), 0.0)) for ms in history_starts]
    quantiles = []
    for name in ("units_p10", "units_p50", "units_p90"):
        part = dated[dated["name"] == name].set_index("period")["value"]
        quantiles.append([float(part.get(_iso(ms), 0.0)) * price for ms in future])
    shown = rows["item_name"].iloc[0]
    label = f"{shown} ({key})" if isinstance(shown, str) and shown else key
    return SeriesView(level, key, label, measure, period_days, history_starts, history, future,
                      quantiles[0], quantiles[1], quantiles[2], method=method, error=error)


def stock_p90(p50: np.ndarray, p90: np.ndarray) -> np.ndarray:
    """Units that cover the summed periods with about 90% confidence: the summed P50 plus the
    periods' P90 margins added as independent errors (the root of their squares), per row."""
    margin = np.sqrt((np.clip(p90 - p50, 0.0, None) ** 2).sum(axis=1))
    return np.asarray(p50.sum(axis=1) + margin)


def movers(project: Project, run: RunInfo, *, cover_periods: int | None = None) -> pd.DataFrame:
    """Items whose demand is rising or falling most, with the numbers and the stock to hold.

    Columns: ``item`` (as the shop knows it), ``name``, ``category``, ``recent`` (units per
    period over the latest periods), ``expected`` (P50 units per period over the horizon),
    ``change`` (expected / recent − 1; NaN when nothing sold recently), ``stock_p90`` (units
    that cover the next ``cover_periods`` periods with 90% confidence; default the whole
    horizon). Sorted by the size of the change in units per period, biggest first.
    """
    rows = _item_rows(project, run)
    columns = ["item", "name", "category", "recent", "expected", "change", "stock_p90"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    future = [_iso(ms) for ms in _int_list(run.metrics.get("forecast_starts"))]
    n = len(future) if cover_periods is None else max(1, min(int(cover_periods), len(future)))
    info = rows.drop_duplicates("item").set_index("item")[["item_name", "category"]]
    summary = rows[rows["period"].isna()].pivot_table(
        index="item", columns="name", values="value", aggfunc="first")
    grids = {}
    for q in ("units_p50", "units_p90"):
        part = rows[rows["name"] == q].pivot_table(
            index="item", columns="period", values="value", aggfunc="first")
        grids[q] = part.reindex(index=info.index, columns=future).fillna(0.0).to_numpy()
    p50, p90 = grids["units_p50"], grids["units_p90"]
    recent = summary.get("recent", pd.Series(dtype=float)).reindex(info.index).fillna(0.0)
    expected = p50.mean(axis=1) if p50.shape[1] else np.zeros(len(info))
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(recent.to_numpy() > 0, expected / recent.to_numpy() - 1.0, np.nan)
    out = pd.DataFrame({
        "item": info.index.astype(str), "name": info["item_name"].to_numpy(),
        "category": info["category"].to_numpy(), "recent": recent.to_numpy(),
        "expected": expected, "change": change,
        "stock_p90": stock_p90(p50[:, :n], p90[:, :n]),
    })
    # The biggest change in units first: a slow item going from 0.02 to 0.05 a day is a big
    # percentage but no purchasing decision; an item that sold nothing recently counts its
    # whole expected demand.
    size = np.abs(out["expected"].to_numpy() - out["recent"].to_numpy())
    order = np.lexsort((out["item"].to_numpy(), -size))
    return out.iloc[order].reset_index(drop=True)


def forecast_table(project: Project, run: RunInfo) -> pd.DataFrame:
    """Every forecast of the run in the export's columns: ``series``, ``level``, ``measure``
    (units or revenue), ``period`` (the period's first day, ISO), ``p10``, ``p50``, ``p90``."""
    future = [_iso(ms) for ms in _int_list(run.metrics.get("forecast_starts"))]
    parts = []
    for s in _aggregates(run):
        name = tr("Whole shop") if s.get("level") == "shop" else str(s.get("key"))
        price = float(s.get("unit_revenue") or 0.0)
        q = [np.asarray(s.get(k, []), dtype=np.float64) for k in ("p10", "p50", "p90")]
        for measure, factor in (("units", 1.0), ("revenue", price)):
            parts.append(pd.DataFrame({
                "series": name, "level": s.get("level"), "measure": measure,
                "period": future, "p10": q[0] * factor, "p50": q[1] * factor,
                "p90": q[2] * factor}))
    rows = _item_rows(project, run)
    dated = rows[rows["name"].isin(("units_p10", "units_p50", "units_p90"))]
    if not dated.empty:
        wide = dated.pivot_table(index=["item", "period"], columns="name", values="value",
                                 aggfunc="first").reset_index()
        price = (rows[rows["name"] == "unit_revenue"].set_index("item")["value"]
                 .reindex(wide["item"]).fillna(0.0).to_numpy())
        for measure, factor in (("units", 1.0), ("revenue", price)):
            parts.append(pd.DataFrame({
                "series": wide["item"].astype(str), "level": "item", "measure": measure,
                "period": wide["period"], "p10": wide["units_p10"] * factor,
                "p50": wide["units_p50"] * factor, "p90": wide["units_p90"] * factor}))
    if not parts:
        return pd.DataFrame(columns=list(EXPORT_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(EXPORT_COLUMNS)]


def export_forecast(project: Project, out: str | Path, *,
                    should_stop: Callable[[], bool] = lambda: False) -> int:
    """Write the active forecast (``EXPORT_COLUMNS``) as CSV, or XLSX for a name ending in
    .xlsx; returns the row count. Through ``write_csv``: never over a database, atomically,
    formulas neutralised."""
    from engine.exports import check_target, write_csv

    check_target(out, project)
    run = active_run(project, TASK)
    if run is None:
        raise NoData(tr("There is no sales forecast yet: train the sales forecast first."))
    table = forecast_table(project, run)
    # Days, not text: the CSV writes them ISO, a workbook as date cells Excel sorts by.
    table = table.assign(period=pd.to_datetime(table["period"]))
    return write_csv(table, out, EXPORT_COLUMNS, project=project, float_format="%.4f",
                     should_stop=should_stop)


def period_label(ms: int, period_days: int) -> str:
    """A period in words: "week of 2025-11-03" or "2025-11-03"."""
    day = _iso(ms)
    return tr("week of {0}").format(day) if period_days == 7 else day

