"""Training the sales forecast: build the series, backtest every method from several past
origins, choose the best per level, then forecast from the as-of date with P10–P90 ranges."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY
from engine.forecast import backtest as bt
from engine.forecast.buyers import BuyerSignal
from engine.forecast.config import (
    LEVELS,
    METHODS,
    ForecastConfig,
    levels_down_to,
    settings_dict,
)
from engine.forecast.local import CHEAP, REGULAR_ONLY, forecast_local, season_length
from engine.forecast.series import Panel, build_panel, choose_period
from engine.forecast.words import forecast_verdict, level_verdict
from engine.tasks.base import NoData, Progress, Verdict
from engine.words import tr

Matrix = npt.NDArray[np.float64]
TASK = "forecast"
#: Periods of history before the earliest backtest origin.
MIN_HISTORY = 8
#: Periods of recent history a run keeps per series for the charts.
KEEP_HISTORY = 52


@dataclass
class ForecastResult:
    """What a forecast run produced (``engine.tasks.forecast`` turns it into a RunRecord)."""

    settings: dict[str, Any]
    metrics: dict[str, Any]
    history: dict[str, Any]
    verdict: str
    outputs: pd.DataFrame
    status: str = "done"
    extra: dict[str, Any] = field(default_factory=dict)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, UTC).date().isoformat()


#: The global model's variants: (method, views and carts, expected buyers).
GLOBAL_VARIANTS = (
    ("global_gbm", True, True),
    ("global_gbm_no_buyers", True, False),
    ("global_gbm_no_signals", False, False),
)


def _forecasts(panel: Panel, o: int, h: int, methods: tuple[str, ...], seed: int,
               buyers: BuyerSignal | None = None) -> dict[str, Matrix]:
    """Each of ``methods`` forecasting every series ``h`` periods from origin ``o`` (the
    global model falls back on the moving average when the history is too short for it).
    Without expected buyers (``buyers`` None or unavailable), or without views and carts in the
    log, the variants that differ only by them are the same model, fitted once."""
    from engine.forecast.gbm import fit_predict

    y = panel.units[:, :o]
    local = tuple(m for m in CHEAP + REGULAR_ONLY if m in methods or m == "moving_average")
    out = forecast_local(local, y, h, panel.period_days)
    season = season_length(panel.period_days, o)
    has_buyers = buyers is not None and buyers.available
    views = has_signals(panel)

    def same(m: str) -> str:
        """The variant fitted for ``m``: variants with the same features are one model."""
        if m == "global_gbm" and not has_buyers:
            m = "global_gbm_no_buyers"
        if m == "global_gbm_no_buyers" and not views:
            m = "global_gbm_no_signals"
        return m

    variants = {m: same(m) for m in methods if m.startswith("global_gbm")}
    for key, signals, with_buyers in GLOBAL_VARIANTS:
        if key not in variants.values():
            continue
        pred = fit_predict(panel, o, h, signals=signals, season=season, seed=seed,
                           buyers=buyers if with_buyers else None)
        out[key] = out["moving_average"].copy() if pred is None else pred
    for m, fitted in variants.items():
        out[m] = out[fitted]
    return {m: out[m] for m in methods}


def has_signals(panel: Panel) -> bool:
    """Whether the log has any views or carts of the forecast series."""
    return bool(panel.views.any() or panel.carts.any())


def _unit_revenue(panel: Panel) -> npt.NDArray[np.float64]:
    """Revenue per unit of each series over its latest 13 periods (or its whole history)."""
    u13 = np.clip(panel.units[:, -13:], 0, None).sum(axis=1)
    r13 = panel.revenue[:, -13:].sum(axis=1)
    u = np.clip(panel.units, 0, None).sum(axis=1)
    r = panel.revenue.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(u13 > 0, r13 / u13, np.where(u > 0, r / u, 0.0))


def train_forecast(events: pd.DataFrame, config: ForecastConfig, *,
                   should_stop: Callable[[], bool], methods: tuple[str, ...] = METHODS,
                   ) -> Iterator[Progress | ForecastResult]:
    """Backtest, choose, forecast; yield progress and end with a :class:`ForecastResult`.

    ``methods`` (keys of ``METHODS``, seasonal naive always among them) narrows what is
    measured: the speed benchmark's baseline runs the simplest two."""
    methods = tuple(m for m in METHODS if m in methods or m == "seasonal_naive")
    started = time.perf_counter()
    config = config.resolved(events)
    as_of = int(config.as_of_ms or 0)
    period_days = choose_period(events, as_of, config.period)
    h = config.weeks * 7 // period_days
    levels = levels_down_to(config.level)
    too_long = _too_long(events, as_of, period_days, config.weeks)
    if too_long:
        raise NoData(too_long)
    panel = build_panel(events, as_of, period_days=period_days, levels=levels,
                        max_items=config.max_items, min_periods=MIN_HISTORY + h)
    starts = bt.origins(panel.periods, h, config.origins, MIN_HISTORY)
    if not starts:
        raise NoData(tr("The log is too short to check a forecast of {0} weeks on its own past: "
                        "choose fewer weeks ahead.").format(config.weeks))
    counts = {lvl: len(panel.rows(lvl)) for lvl in levels}
    levels = tuple(lvl for lvl in levels if counts[lvl] > 0)  # a log without categories
    unit = tr("weeks") if period_days == 7 else tr("days")
    yield Progress(TASK, "note", message=tr(
        "Forecasting {0} items, {1} categories and the whole shop by {2}, {3} {2} ahead; "
        "checking every method from {4} past dates.").format(
            counts.get("item", 0), counts.get("category", 0), unit, h, len(starts)))

    buyers = None
    if "global_gbm" in methods:
        yield Progress(TASK, "note", message=tr(
            "Learning each customer's chance to buy from the periods before every date, for "
            "the expected buyers of each item and category."))
        buyers = BuyerSignal(events, panel, as_of, config.seed)
    scores = {lvl: {m: bt.Scores() for m in methods} for lvl in levels}
    residuals = {lvl: {m: bt.Residuals() for m in methods} for lvl in levels}
    per_origin: list[tuple[int, dict[str, Matrix]]] = []
    epochs: list[dict[str, Any]] = []
    finest = levels[-1]
    for i, o in enumerate(starts):
        if should_stop():
            raise NoData(tr("The forecast was stopped before it could check itself; nothing "
                            "was saved."))
        preds = _forecasts(panel, o, h, methods, config.seed + i, buyers)
        per_origin.append((o, preds))
        actual = panel.units[:, o:o + h]
        scale = bt.recent_scale(panel.units, o)
        for lvl in levels:
            rows = panel.rows(lvl)
            for m in methods:
                residuals[lvl][m].add(actual[rows], preds[m][rows], scale[rows])
        rows = panel.rows(finest)
        err = {m: float(np.abs(actual[rows] - preds[m][rows]).sum()) for m in methods}
        total = float(np.abs(actual[rows]).sum()) or 1.0
        best = min(err.values()) / total
        epochs.append({"epoch": i + 1, "phase": "backtest", "valid_wape": best,
                       "origin": _iso(int(panel.starts_ms[o]))})
        elapsed = time.perf_counter() - started
        yield Progress(TASK, "epoch", phase="backtest", epoch=i + 1, epochs=len(starts) + 1,
                       metrics={"valid_wape": best}, elapsed_s=elapsed,
                       eta_s=elapsed / (i + 1) * (len(starts) - i),
                       message=tr("Checked the forecast from {0}.").format(
                           _iso(int(panel.starts_ms[o]))))

    for i, (o, preds) in enumerate(per_origin):
        actual = panel.units[:, o:o + h]
        scale = bt.recent_scale(panel.units, o)
        mase_den = bt.mase_scale(panel.units, o, season_length(period_days, o))
        for lvl in levels:
            rows = panel.rows(lvl)
            for m in methods:
                q = residuals[lvl][m].quantiles(leave_out=i)
                p10, p90 = bt.interval(preds[m][rows], scale[rows], q)
                scores[lvl][m].add(actual[rows], p10, preds[m][rows], p90, mase_den[rows])

    level_info: dict[str, dict[str, Any]] = {}
    for lvl in levels:
        measured = {m: scores[lvl][m].metrics() for m in methods}
        ranked = sorted(methods, key=lambda m: (np.nan_to_num(measured[m]["wape"], nan=np.inf),
                                                methods.index(m)))
        served = ranked[0]
        info: dict[str, Any] = {"methods": measured, "served": served,
                                "series": counts[lvl]}
        if served != "seasonal_naive":
            info["versus_naive"] = list(bt.paired_interval(
                scores[lvl]["seasonal_naive"], scores[lvl][served], seed=config.seed))
        if {"global_gbm_no_buyers", "global_gbm_no_signals"} <= set(methods) and \
                has_signals(panel):
            info["signals"] = list(bt.paired_interval(
                scores[lvl]["global_gbm_no_signals"], scores[lvl]["global_gbm_no_buyers"],
                seed=config.seed))
        if {"global_gbm", "global_gbm_no_buyers"} <= set(methods) and buyers is not None:
            info["buyers"] = (list(bt.paired_interval(
                scores[lvl]["global_gbm_no_buyers"], scores[lvl]["global_gbm"],
                seed=config.seed)) if buyers.available else None)
        info["verdict"] = level_verdict(lvl, info, period_days)
        level_info[lvl] = info

    if should_stop():
        raise NoData(tr("The forecast was stopped before the final forecast; nothing was saved."))
    yield Progress(TASK, "note", message=tr("Forecasting from {0} with the best method of each "
                                            "level.").format(_iso(as_of)))
    final = _final(panel, h, levels, level_info, residuals, config.seed, buyers)
    epochs.append({"epoch": len(starts) + 1, "phase": "final"})
    yield Progress(TASK, "epoch", phase="final", epoch=len(starts) + 1, epochs=len(starts) + 1,
                   elapsed_s=time.perf_counter() - started, eta_s=0.0)

    finest_info = level_info[finest]
    verdict = forecast_verdict(levels, level_info, period_days)
    metrics = {
        "level": config.level,
        "period_days": period_days,
        "periods_ahead": h,
        "levels": level_info,
        "methods": finest_info["methods"],
        "served": finest_info["served"],
        "origins": [_iso(int(panel.starts_ms[o])) for o in starts],
        "series": final["aggregates"],
        "history_starts": [int(v) for v in panel.starts_ms[-KEEP_HISTORY:]],
        "forecast_starts": [int(v) for v in panel.future_starts(h)],
    }
    yield ForecastResult(
        settings={**settings_dict(config), "period_days": period_days},
        metrics=metrics, history={"epochs": epochs}, verdict=verdict,
        outputs=final["items"],
    )


def _final(panel: Panel, h: int, levels: tuple[str, ...], info: dict[str, dict[str, Any]],
           residuals: dict[str, dict[str, bt.Residuals]], seed: int,
           buyers: BuyerSignal | None) -> dict[str, Any]:
    """The served method of each level forecast from the whole history, with its range."""
    t = panel.periods
    wanted = tuple(m for m in METHODS if m in {info[lvl]["served"] for lvl in levels})
    local = _forecasts(panel, t, h, wanted, seed, buyers)
    scale = bt.recent_scale(panel.units, t)
    price = _unit_revenue(panel)
    p10 = np.zeros((len(panel.key), h))
    p50, p90 = p10.copy(), p10.copy()
    for lvl in levels:
        rows = panel.rows(lvl)
        served = info[lvl]["served"]
        p50[rows] = local[served][rows]
        lo, hi = bt.interval(p50[rows], scale[rows], residuals[lvl][served].quantiles())
        p10[rows], p90[rows] = lo, hi
    keep = slice(max(0, t - KEEP_HISTORY), t)
    aggregates = []
    for r in np.flatnonzero(panel.level != "item"):
        aggregates.append({
            "level": str(panel.level[r]), "key": panel.key[r],
            "history_units": [round(float(v), 4) for v in panel.units[r, keep]],
            "history_revenue": [round(float(v), 2) for v in panel.revenue[r, keep]],
            "p10": [round(float(v), 4) for v in p10[r]],
            "p50": [round(float(v), 4) for v in p50[r]],
            "p90": [round(float(v), 4) for v in p90[r]],
            "unit_revenue": round(float(price[r]), 4),
        })
    return {"aggregates": aggregates, "items": _item_outputs(panel, h, p10, p50, p90, price)}


def _item_outputs(panel: Panel, h: int, p10: Matrix, p50: Matrix, p90: Matrix,
                  price: npt.NDArray[np.float64]) -> pd.DataFrame:
    """Item rows for ``run_outputs``: the forecast per coming period, the sales of the kept
    history (periods with sales only) and a summary (recent units per period, unit revenue)."""
    rows = panel.rows("item")
    if len(rows) == 0:
        return pd.DataFrame(columns=["item", "period", "name", "value"])
    keys = np.array(panel.key, dtype=object)[rows]
    future = np.array([_iso(int(v)) for v in panel.future_starts(h)], dtype=object)
    parts = []
    for name, values in (("units_p10", p10), ("units_p50", p50), ("units_p90", p90)):
        parts.append(pd.DataFrame({
            "item": np.repeat(keys, h), "period": np.tile(future, len(rows)),
            "name": name, "value": values[rows].ravel(),
        }))
    t = panel.periods
    first = max(0, t - KEEP_HISTORY)
    past = np.array([_iso(int(v)) for v in panel.starts_ms[first:]], dtype=object)
    for name, values in (("units", panel.units), ("revenue", panel.revenue)):
        block = values[rows, first:]
        r, c = np.nonzero(block)
        parts.append(pd.DataFrame({"item": keys[r], "period": past[c], "name": name,
                                   "value": block[r, c]}))
    recent = panel.units[rows, max(0, t - h):].mean(axis=1)
    for name, values in (("recent", recent), ("unit_revenue", price[rows])):
        parts.append(pd.DataFrame({"item": keys, "period": None, "name": name,
                                   "value": values}))
    return pd.concat(parts, ignore_index=True)


__all__ = ["LEVELS", "ForecastResult", "train_forecast"]


def check(events: pd.DataFrame, config: ForecastConfig) -> Verdict:
    """Whether the log holds enough periods of sales for this forecast, with the numbers."""
    config = config.resolved(events)
    as_of = int(config.as_of_ms or 0)
    period_days = choose_period(events, as_of, config.period)
    h = config.weeks * 7 // period_days
    sold = events[(events["event"] == "purchase") & (events["time_ms"] <= as_of)]
    if sold.empty:
        return Verdict(False, tr("The sales forecast needs purchases in the log, and it has "
                                 "none up to the as-of date."), {"purchases": 0.0})
    periods = _periods(sold, as_of, period_days)
    checks = len(bt.origins(periods, h, config.origins, MIN_HISTORY))
    unit = tr("weeks") if period_days == 7 else tr("days")
    items = int(sold["item"].nunique())
    numbers = {"periods": float(periods), "purchases": float(len(sold)),
               "items": float(items), "backtest_origins": float(checks)}
    if checks == 0:
        return Verdict(False, _too_long(events, as_of, period_days, config.weeks), numbers)
    return Verdict(True, tr(
        "{0} {1} of sales ({2:,} purchases of {3:,} items): enough to forecast {4} weeks ahead "
        "and check it from {5} past dates.").format(
            periods, unit, len(sold), items, config.weeks, checks), numbers)


def _periods(sold: pd.DataFrame, as_of: int, period_days: int) -> int:
    """Whole periods of sales from the first purchase up to the as-of date."""
    first_day = int(sold["time_ms"].min() // MS_PER_DAY)
    return (int(as_of // MS_PER_DAY) - first_day + 1) // period_days


def _too_long(events: pd.DataFrame, as_of: int, period_days: int, weeks: int) -> str:
    """"" when the log holds enough periods to forecast ``weeks`` ahead and check it on the
    past; else the sentence, with how many weeks ahead would fit."""
    sold = events[(events["event"] == "purchase") & (events["time_ms"] <= as_of)]
    if sold.empty:
        return ""  # said by the panel: no purchases at all
    periods = _periods(sold, as_of, period_days)
    h = weeks * 7 // period_days
    if periods >= MIN_HISTORY + h:
        return ""
    unit = tr("weeks") if period_days == 7 else tr("days")
    fit = max(0, (periods - MIN_HISTORY) * period_days // 7)
    if fit == 0:
        return tr("{0} {1} of sales: too few to forecast even one week ahead and check it on "
                  "the past; import more history.").format(periods, unit)
    return tr("{0} {1} of sales: too few to forecast {2} weeks ahead and check it on the past "
              "(it needs {3}); at most {4} weeks ahead fit.").format(
                  periods, unit, weeks, MIN_HISTORY + h, fit)
