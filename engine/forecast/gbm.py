"""One global model across every series: gradient boosting on lags, calendar, price change,
category, the views and carts before a period and the expected buyers from the customers'
intent (scikit-learn's HistGradientBoosting).

Direct multi-step: one row per (series, forecast origin, steps ahead), the target scaled by the
series' recent level, so a best seller and a slow item share one model (the M5 recipe).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from engine.events import MS_PER_DAY
from engine.forecast.backtest import recent_scale
from engine.forecast.series import Panel

if TYPE_CHECKING:
    from engine.forecast.buyers import BuyerSignal

Matrix = npt.NDArray[np.float64]

#: Training rows at most per fit (drawn at random beyond that).
MAX_ROWS = 100_000
#: Forecast origins at most a fit learns from.
MAX_TRAIN_ORIGINS = 12
#: Periods a series needs before an origin can teach the model.
MIN_HISTORY = 8
#: Categories the model tells apart (the others share one code).
MAX_CATEGORIES = 200
_SIGNAL_COLUMNS = 5


def _category_codes(panel: Panel, o: int) -> npt.NDArray[np.float64]:
    """A code per series for its category, the biggest sellers before origin ``o`` first."""
    sales = np.clip(panel.units[:, :o], 0, None).sum(axis=1)
    totals: dict[str, float] = {}
    for c, s in zip(panel.category, sales, strict=True):
        totals[c] = totals.get(c, 0.0) + float(s)
    kept = [c for c, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:MAX_CATEGORIES]]
    code = {c: float(i) for i, c in enumerate(kept)}
    return np.array([code.get(c, float(MAX_CATEGORIES)) for c in panel.category])


def features(panel: Panel, o: int, h: int, *, signals: bool, season: int,
             categories: npt.NDArray[np.float64], buyers: Matrix | None = None
             ) -> tuple[Matrix, npt.NDArray[np.float64]]:
    """Rows for every series and step 1..h forecast from origin ``o`` (history ``[:, :o]``),
    series-major; and each series' scale. ``buyers`` (series, periods + 1), when given, holds
    the expected buyers of each period as known at its start (``engine.forecast.buyers``)."""
    y = panel.units
    s = y.shape[0]
    sc = recent_scale(y, o)
    hist = y[:, :o] / sc[:, None]

    def lag(j: int) -> npt.NDArray[np.float64]:
        return hist[:, o - j] if o - j >= 0 else np.full(s, np.nan)

    window4 = hist[:, max(0, o - 4):o]
    sold = y[:, :o] > 0
    since = np.where(sold.any(axis=1), o - 1 - np.where(sold, np.arange(o), -1).max(axis=1), o)
    rev = panel.revenue
    units4 = np.clip(y[:, max(0, o - 4):o], 0, None).sum(axis=1)
    units13 = np.clip(y[:, max(0, o - 13):o], 0, None).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        price4 = rev[:, max(0, o - 4):o].sum(axis=1) / units4
        price13 = rev[:, max(0, o - 13):o].sum(axis=1) / units13
        price_change = np.where((units4 > 0) & (units13 > 0), price4 / price13, np.nan)
    base = [
        lag(1), lag(2), lag(3), lag(4), window4.mean(axis=1),
        (hist[:, max(0, o - 13):o] > 0).mean(axis=1), since.astype(np.float64),
        np.log1p(sc), (panel.level == "item").astype(np.float64) * 2
        + (panel.level == "category"), categories, price_change,
    ]
    if signals:
        views, carts = panel.views, panel.carts
        base += [
            np.log1p(views[:, o - 1]), np.log1p(views[:, max(0, o - 4):o].mean(axis=1)),
            np.log1p(carts[:, o - 1]), np.log1p(carts[:, max(0, o - 4):o].mean(axis=1)),
            np.log1p(views[:, max(0, o - 4):o].sum(axis=1)) - np.log1p(units4),
        ]
    if buyers is not None:
        now = buyers[:, o]
        base += [np.log1p(now), now / sc]
    per_series = np.column_stack(base)
    steps = np.arange(1, h + 1)
    rows = np.repeat(per_series, h, axis=0)
    k = np.tile(steps, s).astype(np.float64)
    target = o + steps - 1  # period index of each step's target
    start_days = (panel.starts_ms[0] // MS_PER_DAY + target * panel.period_days)
    dow = ((start_days + 3) % 7).astype(np.float64)
    week_of_year = ((start_days.astype("datetime64[D]") - start_days.astype("datetime64[D]")
                     .astype("datetime64[Y]")).astype(np.int64) // 7).astype(np.float64)
    calendar = np.column_stack([np.tile(dow if panel.period_days == 1 else week_of_year, s)])
    if season > 1:
        back = target - season * np.ceil(steps / season).astype(np.int64)
        seasonal = np.where(back >= 0, hist[:, np.clip(back, 0, o - 1)], np.nan)
    else:
        seasonal = np.repeat(hist[:, o - 1:o], h, axis=1)
    return np.column_stack([rows, k, calendar, seasonal.ravel()]), sc


def _train_origins(first: int, last: int) -> list[int]:
    """Origins a fit learns from: evenly spread up to ``last``, the latest always in."""
    if last < first:
        return []
    spread = np.linspace(first, last, num=min(MAX_TRAIN_ORIGINS, last - first + 1))
    return sorted({int(round(v)) for v in spread})


def fit_predict(panel: Panel, o: int, h: int, *, signals: bool, season: int, seed: int,
                buyers: BuyerSignal | None = None) -> Matrix | None:
    """Train on the history before origin ``o`` and forecast ``h`` periods from it; None when
    the history is too short to teach anything. With ``buyers``, the expected buyers from the
    customers' intent are features too."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    categories = _category_codes(panel, o)
    origins = _train_origins(MIN_HISTORY, o - 1)
    expected = buyers.matrix(origins + [o]) if buyers is not None else None
    if expected is not None and not np.isfinite(expected[:, origins]).any():
        expected = None  # no past period could learn them: the model goes without
    xs, ys, ws = [], [], []
    for t in origins:
        steps = min(h, o - t)  # targets must lie before the origin being forecast
        x, sc = features(panel, t, steps, signals=signals, season=season, categories=categories,
                         buyers=expected)
        target = panel.units[:, t:t + steps] / sc[:, None]
        xs.append(x)
        ys.append(np.clip(target, 0.0, None).ravel())
        ws.append(np.repeat(sc, steps))
    if not xs:
        return None
    x_train, y_train, w_train = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    rng = np.random.default_rng(seed)
    if len(y_train) > MAX_ROWS:
        keep = rng.choice(len(y_train), MAX_ROWS, replace=False)
        x_train, y_train, w_train = x_train[keep], y_train[keep], w_train[keep]
    category_column = 9
    model = HistGradientBoostingRegressor(
        loss="poisson", learning_rate=0.08, max_iter=150, max_leaf_nodes=31,
        min_samples_leaf=40, categorical_features=[category_column], random_state=seed,
    )
    with threadpool_limits(limits=1, user_api="openmp"):  # its default threads fight the GUI
        model.fit(x_train, y_train, sample_weight=w_train)
        x, sc = features(panel, o, h, signals=signals, season=season, categories=categories,
                         buyers=expected)
        pred = model.predict(x).reshape(-1, h)
    # Boosting with a log link can run away on a series unlike any it learned from (one
    # wholesale order of 80,000 units): never more than twice the series' best period so far.
    cap = np.maximum(2.0 * panel.units[:, :o].max(axis=1, initial=0.0), sc)
    return np.asarray(np.clip(pred * sc[:, None], 0.0, cap[:, None]), dtype=np.float64)
