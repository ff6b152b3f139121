"""The methods that forecast each series on its own: seasonal naive, moving average, the
intermittent-demand methods (Croston, TSB, ADIDA) and, where a series is long and regular
enough, AutoETS and AutoARIMA (statsforecast).

Each takes a (series, periods) history and returns a (series, horizon) point forecast, never
negative.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]

#: Methods that run on every series of a level.
CHEAP = ("seasonal_naive", "moving_average", "croston", "tsb", "adida")
#: Methods that run only on long, regular series (others take the moving average).
REGULAR_ONLY = ("auto_ets", "auto_arima")
#: Share of periods with sales that makes a series regular.
REGULAR_SHARE = 0.8
#: At most this many regular series (the biggest sellers) per call get each heavy method; the
#: rest take the moving average. AutoARIMA costs about half a second a series on 2 cores.
HEAVY_MAX = {"auto_ets": 200, "auto_arima": 12}


def season_length(period_days: int, periods: int) -> int:
    """Periods in one cycle: a week of days, a year of weeks; 1 when the history is shorter
    than two cycles (then seasonal naive is plain naive)."""
    m = 7 if period_days == 1 else 52
    return m if periods >= 2 * m else 1


def seasonal_naive(y: Matrix, h: int, m: int) -> Matrix:
    """The same period of the last cycle (the last value when m is 1)."""
    last = y[:, -m:]
    reps = int(np.ceil(h / m))
    return np.asarray(np.clip(np.tile(last, reps)[:, :h], 0.0, None), dtype=np.float64)


def moving_average(y: Matrix, h: int, window: int) -> Matrix:
    """The mean of the latest ``window`` periods."""
    mean = y[:, -window:].mean(axis=1, keepdims=True)
    return np.asarray(np.clip(np.repeat(mean, h, axis=1), 0.0, None), dtype=np.float64)


def average_window(period_days: int) -> int:
    """Periods a moving average looks back: four weeks."""
    return 28 if period_days == 1 else 4


def regular(y: Matrix, m: int) -> npt.NDArray[np.bool_]:
    """Series long and regular enough for AutoETS and AutoARIMA."""
    long_enough = y.shape[1] >= max(2 * m, 16)
    return np.asarray(((y > 0).mean(axis=1) >= REGULAR_SHARE) & long_enough, dtype=np.bool_)


def _statsforecast(models: list[object], y: Matrix, h: int) -> Matrix:
    """statsforecast's forecasts of ``models`` (one per column of the result), per series."""
    import pandas as pd
    from statsforecast import StatsForecast

    s, t = y.shape
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(s), t),
        "ds": np.tile(np.arange(1, t + 1), s),
        "y": np.clip(y, 0.0, None).ravel(),
    })
    sf = StatsForecast(models=models, freq=1, n_jobs=1)
    with warnings.catch_warnings():  # convergence notes of single series; the backtest judges
        warnings.simplefilter("ignore")
        out = sf.forecast(df=frame, h=h)
    out = out.sort_values(["unique_id", "ds"], kind="stable")
    cols = [c for c in out.columns if c not in ("unique_id", "ds")]
    return np.stack([np.clip(out[c].to_numpy(dtype=np.float64).reshape(s, h), 0.0, None)
                     for c in cols])


def forecast_local(methods: tuple[str, ...], y: Matrix, h: int, period_days: int
                   ) -> dict[str, Matrix]:
    """Each of ``methods`` (keys of ``CHEAP`` and ``REGULAR_ONLY``) forecast ``h`` periods."""
    from statsforecast.models import ADIDA, TSB, AutoARIMA, AutoETS, CrostonOptimized

    m = season_length(period_days, y.shape[1])
    window = min(average_window(period_days), y.shape[1])
    out: dict[str, Matrix] = {}
    if "seasonal_naive" in methods:
        out["seasonal_naive"] = seasonal_naive(y, h, m)
    if "moving_average" in methods:
        out["moving_average"] = moving_average(y, h, window)
    wanted = [k for k in ("croston", "tsb", "adida") if k in methods]
    if wanted:
        makers = {"croston": CrostonOptimized, "tsb": lambda: TSB(alpha_d=0.2, alpha_p=0.2),
                  "adida": ADIDA}
        stacked = _statsforecast([makers[k]() for k in wanted], y, h)  # type: ignore[operator]
        out.update(dict(zip(wanted, stacked, strict=True)))
    heavy = [k for k in REGULAR_ONLY if k in methods]
    if heavy:
        fits = regular(y, m)
        volume = np.where(fits, y.sum(axis=1), -np.inf)
        base = out.get("moving_average", moving_average(y, h, window))
        makers2 = {"auto_ets": lambda: AutoETS(season_length=m),
                   "auto_arima": lambda: AutoARIMA(season_length=m, approximation=True)}
        for k in heavy:
            found = base.copy()
            rows = np.argsort(-volume, kind="stable")[: min(HEAVY_MAX[k], int(fits.sum()))]
            if len(rows):
                found[rows] = _statsforecast([makers2[k]()], y[rows], h)[0]  # type: ignore[no-untyped-call]
            out[k] = found
    return out
