"""The sales series a forecast learns from: units and revenue per period for the whole shop,
each category and each item, with the views and carts that came before them.

Periods end on the as-of day: the latest period is the ``period_days`` days up to and
including it, so no period is cut short by the as-of date (the first, partial one is dropped).
Units count purchased quantity minus refunded quantity (1 per event without a quantity);
revenue is each row's amount (refunds negative), or price × quantity where no amount is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY
from engine.tasks.base import NoData
from engine.words import tr

Matrix = npt.NDArray[np.float64]

#: Days of history a log may span and still be forecast by day (when it is busy).
DAILY_MAX_SPAN = 182
#: Share of days with a sale that makes a short log busy enough to forecast by day.
DAILY_MIN_BUSY = 0.8


@dataclass(frozen=True)
class Panel:
    """Every series of a forecast, one row each: shop first, then categories, then items.

    ``units``/``revenue``/``views``/``carts`` are (series, periods) matrices; ``starts_ms`` the
    first day of each period; ``category`` the category of each series ("" for the shop and
    items without one).
    """

    level: npt.NDArray[np.str_]
    key: list[str]
    category: list[str]
    units: Matrix
    revenue: Matrix
    views: Matrix
    carts: Matrix
    starts_ms: npt.NDArray[np.int64]
    period_days: int

    @property
    def periods(self) -> int:
        return int(self.units.shape[1])

    def rows(self, level: str) -> npt.NDArray[np.int64]:
        """The row numbers of one level's series."""
        return np.flatnonzero(self.level == level)

    def future_starts(self, periods: int) -> npt.NDArray[np.int64]:
        """The first days of the ``periods`` periods after the last one."""
        step = self.period_days * MS_PER_DAY
        return np.asarray(self.starts_ms[-1] + step * np.arange(1, periods + 1), dtype=np.int64)


def choose_period(events: pd.DataFrame, as_of_ms: int, wanted: str) -> int:
    """Days per period: 1 for a short, busy log (or when asked), 7 otherwise."""
    if wanted == "day":
        return 1
    if wanted == "week":
        return 7
    sales = events.loc[events["event"] == "purchase", "time_ms"].to_numpy()
    sales = sales[sales <= as_of_ms]
    if len(sales) == 0:
        return 7
    days = sales // MS_PER_DAY
    span = int(as_of_ms // MS_PER_DAY - days.min()) + 1
    busy = len(np.unique(days)) / span
    return 1 if span < DAILY_MAX_SPAN and busy >= DAILY_MIN_BUSY else 7


def _sales_rows(events: pd.DataFrame) -> pd.DataFrame:
    """Purchases and refunds as (time_ms, item, category, units, revenue)."""
    sales = events[events["event"].isin(("purchase", "refund"))]
    qty = sales["quantity"].abs().fillna(1.0).where(lambda q: q > 0, 1.0)
    sign = np.where(sales["event"] == "refund", -1.0, 1.0)
    price = sales["price"].abs()
    revenue = sales["amount"].where(sales["amount"].notna(), sign * price * qty).fillna(0.0)
    return pd.DataFrame({
        "time_ms": sales["time_ms"].to_numpy(),
        "item": sales["item"].to_numpy(dtype=object),
        "category": sales["category"].to_numpy(dtype=object),
        "units": sign * qty.to_numpy(),
        "revenue": revenue.to_numpy(dtype=np.float64),
    })


def _accumulate(index: npt.NDArray[np.int64], period: npt.NDArray[np.int64],
                values: npt.NDArray[np.float64], shape: tuple[int, int]) -> Matrix:
    out = np.zeros(shape, dtype=np.float64)
    ok = (index >= 0) & (period >= 0)
    np.add.at(out, (index[ok], period[ok]), values[ok])
    return out


def build_panel(events: pd.DataFrame, as_of_ms: int, *, period_days: int, levels: tuple[str, ...],
                max_items: int, min_periods: int) -> Panel:
    """The series of ``levels`` from the events up to the as-of date.

    Items are the ``max_items`` best sellers of the history; NoData in one sentence when the
    log holds fewer than ``min_periods`` whole periods of sales.
    """
    events = events[events["time_ms"] <= as_of_ms]
    sales = _sales_rows(events)
    if sales.empty:
        raise NoData(tr("The sales forecast needs purchases in the log, and it has none up to "
                        "the as-of date."))
    last_day = int(as_of_ms // MS_PER_DAY)
    first_day = int(sales["time_ms"].min() // MS_PER_DAY)
    periods = (last_day - first_day + 1) // period_days
    if periods < min_periods:
        unit = tr("weeks") if period_days == 7 else tr("days")
        raise NoData(tr("The sales forecast needs at least {0} {1} of sales before the as-of "
                        "date; this log has {2}.").format(min_periods, unit, periods))
    starts = np.array([(last_day - (periods - 1 - t) * period_days - (period_days - 1))
                       * MS_PER_DAY for t in range(periods)], dtype=np.int64)

    def period_of(times: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        back = (last_day - times // MS_PER_DAY) // period_days
        return (periods - 1 - back).astype(np.int64)

    item_units = sales.groupby("item", dropna=True)["units"].sum()
    items = item_units[item_units > 0].sort_values(ascending=False, kind="stable")
    items = items.index[:max_items] if "item" in levels else items.index[:0]
    item_category = (events.dropna(subset=["item", "category"]).groupby("item")["category"]
                     .agg(lambda c: c.value_counts().index[0]) if "item" in levels
                     else pd.Series(dtype=object))
    categories = (sorted(str(c) for c in sales["category"].dropna().unique())
                  if "category" in levels else [])

    level = ["shop"] + ["category"] * len(categories) + ["item"] * len(items)
    keys = [""] + categories + [str(i) for i in items]
    cats = [""] + categories + [str(item_category.get(i, "") or "") for i in items]
    n = len(keys)
    shape = (n, periods)
    cat_row = {c: 1 + j for j, c in enumerate(categories)}
    item_row = {k: 1 + len(categories) + j for j, k in enumerate(items)}

    def matrix(rows: pd.DataFrame, times: npt.NDArray[np.int64], values: npt.NDArray[np.float64]
               ) -> Matrix:
        p = period_of(times)
        out = _accumulate(np.zeros(len(rows), dtype=np.int64), p, values, shape)
        if categories:
            c = rows["category"].map(cat_row).fillna(-1).to_numpy(dtype=np.int64)
            out += _accumulate(c, p, values, shape)
        if len(items):
            i = rows["item"].map(item_row).fillna(-1).to_numpy(dtype=np.int64)
            out += _accumulate(i, p, values, shape)
        return out

    units = matrix(sales, sales["time_ms"].to_numpy(dtype=np.int64),
                   sales["units"].to_numpy(dtype=np.float64))
    revenue = matrix(sales, sales["time_ms"].to_numpy(dtype=np.int64),
                     sales["revenue"].to_numpy(dtype=np.float64))
    signals = []
    for kind in ("view", "cart"):
        rows = events[events["event"] == kind]
        signals.append(matrix(rows, rows["time_ms"].to_numpy(dtype=np.int64),
                              np.ones(len(rows), dtype=np.float64)))
    return Panel(
        level=np.array(level), key=keys, category=cats, units=units, revenue=revenue,
        views=signals[0], carts=signals[1], starts_ms=starts, period_days=period_days,
    )
