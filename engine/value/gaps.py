"""The time between a customer's purchase days: log-normal, each customer's own typical gap
shrunk toward the shop's (more for customers with few gaps). Given the days already waited
since the last purchase, it gives the next purchase date (median and P10–P90) and the chance
of no purchase in a coming window: the churn risk.

Unlike P(alive) from BG/NBD, which gives 1.0 to every one-time buyer, a one-time buyer here
gets the shop's gap distribution, widened by how much customers differ, and a long wait since
the last purchase raises the risk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import norm

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GapModel:
    """Per customer (index order of ``mu``) the log-gap mean and spread."""

    mu: pd.Series
    sigma: pd.Series
    shop_mu: float
    shop_sigma: float


def fit_gaps(gaps: pd.DataFrame, customers: npt.NDArray[np.int64]) -> GapModel:
    """Fit on ``purchase_gaps`` rows; every customer of ``customers`` gets a (mu, sigma)."""
    logs = np.log(np.maximum(gaps["gap"].to_numpy(dtype=np.float64), 1.0))
    frame = pd.DataFrame({"customer_id": gaps["customer_id"].to_numpy(), "log": logs})
    if len(frame) < 2:
        mu0, within, between = float(np.log(30.0)), 1.0, 0.5
        stats = pd.DataFrame({"n": [], "mean": []})
    else:
        mu0 = float(frame["log"].mean())
        g = frame.groupby("customer_id")["log"]
        stats = pd.DataFrame({"n": g.size(), "mean": g.mean()})
        dev = frame["log"] - frame["customer_id"].map(stats["mean"])
        repeat = frame["customer_id"].map(stats["n"]) > 1
        within = float(np.sqrt(np.mean(dev[repeat] ** 2))) if repeat.any() else 0.8
        within = max(within, 0.2)
        between = float(max(stats["mean"].var(ddof=0) - within**2 / max(stats["n"].mean(), 1.0),
                            0.05)) ** 0.5
    n = stats["n"].reindex(customers).fillna(0).to_numpy(dtype=np.float64)
    mean = stats["mean"].reindex(customers).fillna(mu0).to_numpy(dtype=np.float64)
    precision = n / within**2 + 1 / between**2
    mu = (n / within**2 * mean + mu0 / between**2) / precision
    sigma = np.sqrt(within**2 + 1 / precision)  # the gap varies, and so does our estimate
    return GapModel(pd.Series(mu, index=customers), pd.Series(sigma, index=customers), mu0,
                    float(np.sqrt(within**2 + between**2)))


def _survival(days: F64, mu: F64, sigma: F64) -> F64:
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(days, 1e-9)) - mu) / sigma
    return np.asarray(np.where(days <= 0, 1.0, norm.sf(z)), dtype=np.float64)


def next_gap(model: GapModel, customers: npt.NDArray[np.int64], waited: F64, q: float) -> F64:
    """The q-quantile of the days from the last purchase to the next one, given that
    ``waited`` days have passed without one."""
    mu = model.mu.reindex(customers).to_numpy(dtype=np.float64)
    sigma = model.sigma.reindex(customers).to_numpy(dtype=np.float64)
    s = np.maximum(_survival(waited, mu, sigma), 1e-12)
    level = np.clip(1.0 - (1.0 - q) * s, 1e-12, 1 - 1e-12)
    gap = np.exp(mu + sigma * norm.ppf(level))
    return np.asarray(np.maximum(gap, waited + 1e-6), dtype=np.float64)


def churn_by_gaps(gaps: pd.DataFrame, waited: F64, window: F64, usual_gap: F64) -> F64:
    """The chance of no purchase in the next ``window`` days, given ``waited`` days without,
    from the shop's own gaps (the fallback when the log is too short to learn churn from
    churners). A customer with a usual gap is compared with everyone's gaps in units of their
    own usual gap; a one-time buyer with the raw gaps. The survival curves are empirical with
    one extra never-returning customer, so a wait beyond every gap seen reads as gone, and a
    long wait raises the risk (a log-normal would instead say "overdue, so buying soon")."""
    g = gaps.assign(mean=gaps.groupby("customer_id")["gap"].transform("mean"),
                    n=gaps.groupby("customer_id")["gap"].transform("size"))
    raw = np.sort(g["gap"].to_numpy(dtype=np.float64))
    many = g[g["n"] >= 2]
    ratios = np.sort((many["gap"] / many["mean"]).to_numpy(dtype=np.float64))

    def survival(pool: F64, t: F64) -> F64:
        n = len(pool)
        return np.asarray((n - np.searchsorted(pool, t, side="right") + 1) / (n + 1),
                          dtype=np.float64)

    own = np.isfinite(usual_gap) & (usual_gap > 0) & (len(ratios) > 0)
    scale = np.where(own, usual_gap, 1.0)
    now = np.where(own, survival(ratios, waited / scale), survival(raw, waited))
    later = np.where(own, survival(ratios, (waited + window) / scale),
                     survival(raw, waited + window))
    return np.asarray(np.clip(later / now, 0.0, 1.0), dtype=np.float64)
