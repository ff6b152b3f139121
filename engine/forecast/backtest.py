"""The rolling-origin backtest: every method forecasts from several past dates, each using only
what came before it, and is scored on what then sold. The residuals give the ranges.

Metrics per level (over every series, period and origin of the level):
- WAPE: total absolute error over total units sold;
- MASE: each series' mean absolute error over its in-sample seasonal-naive error, averaged;
- pinball: the mean quantile loss of P10, P50 and P90, over mean units sold;
- coverage_80: the share of actual periods inside P10–P90 (about 0.8 when the range is honest).

Ranges are conformal: the spread of each level's past errors (scaled by each series' recent
level, by steps ahead) around the point forecast. In the backtest, an origin's range comes from
the other origins' errors only, so its coverage is measured honestly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
QUANTILES = (0.1, 0.5, 0.9)
#: Steps ahead are grouped in this many buckets for the ranges (nearer steps, narrower).
STEP_BUCKETS = 4
#: Fewer errors than this in a bucket: the range pools every step's errors.
MIN_POOL = 40


def conformal_quantiles(errors: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The 10% and 90% points of past errors with the split-conformal finite-sample
    correction: with n errors, the ranks floor(0.1 (n + 1)) and ceil(0.9 (n + 1)), so a
    range drawn from few errors is wider rather than falsely narrow."""
    e = np.sort(errors)
    n = len(e)
    lo = int(np.floor(0.1 * (n + 1))) - 1
    hi = int(np.ceil(0.9 * (n + 1))) - 1
    return np.array([e[max(lo, 0)], e[min(hi, n - 1)]], dtype=np.float64)


def origins(periods: int, h: int, count: int, min_history: int) -> list[int]:
    """Backtest origins, latest last: the latest leaves exactly ``h`` periods to check, the
    others step back by half a horizon; none with less than ``min_history`` periods before."""
    step = max(1, h // 2)
    found = [periods - h - j * step for j in range(count)]
    return sorted(o for o in found if o >= min_history)


def recent_scale(units: Matrix, o: int) -> npt.NDArray[np.float64]:
    """Each series' recent level at origin ``o`` (mean of 13 periods, never zero)."""
    recent = np.clip(units[:, max(0, o - 13):o], 0.0, None).mean(axis=1)
    whole = np.clip(units[:, :o], 0.0, None).mean(axis=1)
    return np.asarray(np.where(recent > 0, recent, np.maximum(whole, 0.05)), dtype=np.float64)


def mase_scale(units: Matrix, o: int, season: int) -> npt.NDArray[np.float64]:
    """In-sample mean absolute seasonal-naive error of each series before origin ``o``."""
    y = units[:, :o]
    m = season if o > season else 1
    if o <= m:
        return np.full(units.shape[0], np.nan)
    return np.asarray(np.abs(y[:, m:] - y[:, :-m]).mean(axis=1), dtype=np.float64)


def buckets(h: int) -> npt.NDArray[np.int64]:
    """The bucket of each step 1..h."""
    return np.minimum((np.arange(h) * STEP_BUCKETS) // max(h, 1), STEP_BUCKETS - 1)


@dataclass
class Residuals:
    """Scaled errors (actual − forecast) / recent level, per origin and step bucket."""

    by_origin: list[list[npt.NDArray[np.float64]]] = field(default_factory=list)

    def add(self, actual: Matrix, point: Matrix, scale: npt.NDArray[np.float64]) -> None:
        r = (actual - point) / scale[:, None]
        b = buckets(actual.shape[1])
        self.by_origin.append([r[:, b == j].ravel() for j in range(STEP_BUCKETS)])

    def quantiles(self, leave_out: int | None = None) -> Matrix:
        """(bucket, [q10, q90]) of the pooled errors, without origin ``leave_out`` (when other
        origins exist)."""
        use = [r for i, r in enumerate(self.by_origin)
               if i != leave_out or len(self.by_origin) == 1]
        out = np.zeros((STEP_BUCKETS, 2))
        every = np.concatenate([np.concatenate(r) for r in use]) if use else np.zeros(0)
        every = every[np.isfinite(every)]
        for j in range(STEP_BUCKETS):
            pool = np.concatenate([r[j] for r in use]) if use else np.zeros(0)
            pool = pool[np.isfinite(pool)]
            if len(pool) < MIN_POOL:  # a few errors (the whole shop): every step's together
                pool = every
            if len(pool):
                out[j] = conformal_quantiles(pool)
        return out


def interval(point: Matrix, scale: npt.NDArray[np.float64], q: Matrix
             ) -> tuple[Matrix, Matrix]:
    """P10 and P90 around a point forecast from scaled error quantiles; never below zero, and
    P10 ≤ P50 ≤ P90."""
    b = buckets(point.shape[1])
    lo = point + q[b, 0][None, :] * scale[:, None]
    hi = point + q[b, 1][None, :] * scale[:, None]
    return np.clip(np.minimum(lo, point), 0.0, None), np.maximum(hi, point)


def pinball(actual: Matrix, p10: Matrix, p50: Matrix, p90: Matrix) -> float:
    """Mean quantile loss of the three quantiles (unscaled)."""
    total = 0.0
    for q, pred in zip(QUANTILES, (p10, p50, p90), strict=True):
        d = actual - pred
        total += float(np.mean(np.maximum(q * d, (q - 1) * d)))
    return total / len(QUANTILES)


@dataclass
class Scores:
    """What one method did at one level, summed over the origins."""

    abs_error: float = 0.0
    actual: float = 0.0
    mase_parts: list[float] = field(default_factory=list)
    pinball_parts: list[float] = field(default_factory=list)
    covered: int = 0
    cells: int = 0
    #: Absolute error per (origin, series): the paired bootstrap resamples these.
    errors: list[npt.NDArray[np.float64]] = field(default_factory=list)

    def add(self, actual: Matrix, p10: Matrix, p50: Matrix, p90: Matrix,
            mase_den: npt.NDArray[np.float64]) -> None:
        err = np.abs(actual - p50)
        self.abs_error += float(err.sum())
        self.actual += float(np.abs(actual).sum())
        ok = np.isfinite(mase_den) & (mase_den > 0)
        self.mase_parts.extend((err[ok].mean(axis=1) / mase_den[ok]).tolist())
        self.pinball_parts.append(pinball(actual, p10, p50, p90))
        self.covered += int(((actual >= p10) & (actual <= p90)).sum())
        self.cells += actual.size
        self.errors.append(err.sum(axis=1) if actual.shape[0] > 1 else err.ravel())

    def metrics(self) -> dict[str, float]:
        mean_actual = self.actual / max(self.cells, 1)
        return {
            "wape": self.abs_error / self.actual if self.actual > 0 else float("nan"),
            "mase": float(np.mean(self.mase_parts)) if self.mase_parts else float("nan"),
            "pinball": (float(np.mean(self.pinball_parts)) / mean_actual
                        if mean_actual > 0 else float("nan")),
            "coverage_80": self.covered / self.cells if self.cells else float("nan"),
        }


def paired_interval(a: Scores, b: Scores, *, seed: int, draws: int = 1000
                    ) -> tuple[float, float, float]:
    """How much lower B's total absolute error is than A's, as a share of A's, with a 95%
    paired-bootstrap interval over the cells both were scored on: (estimate, low, high).
    Positive means B is better."""
    ea, eb = np.concatenate(a.errors), np.concatenate(b.errors)
    total = ea.sum()
    if total <= 0 or len(ea) == 0:
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    diff = np.empty(draws)
    for start in range(0, draws, 50):  # in chunks: draws x cells indices stay small
        idx = rng.integers(0, len(ea), size=(min(50, draws - start), len(ea)))
        sa, sb = ea[idx].sum(axis=1), eb[idx].sum(axis=1)
        diff[start:start + len(idx)] = (sa - sb) / np.maximum(sa, 1e-12)
    lo, hi = np.quantile(diff, [0.025, 0.975])
    return float((total - eb.sum()) / total), float(lo), float(hi)

