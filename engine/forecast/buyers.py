"""Expected buyers: the demand signal only IntentLens has, built from customer-level intent.

At the start of every period, each customer's chance to buy in it comes from the intent task's
RFM logistic regression (recency, frequency, purchase occasions and timing: ``engine.intent``),
fitted on the periods before the forecast origin only. A series' expected buyers in a period are
the sum, over customers, of that chance times the customer's share of interest in the series:
their purchases, carts, favorites and views before the origin, by item and by category. The
whole shop's expected buyers are the plain sum.

The deep intent model is not used here: it cannot be refitted at every backtest origin in
seconds, and a signal that cannot be checked on the past has no place in a backtested forecast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY

if TYPE_CHECKING:
    from engine.forecast.series import Panel
    from engine.intent.steps import Steps

Matrix = npt.NDArray[np.float64]
#: Past periods whose buyers teach each origin's customer model (the latest ones).
TRAIN_PERIODS: Final[int] = 6
#: Customer examples at most per customer-model fit (drawn at random beyond that).
MAX_EXAMPLES: Final[int] = 50_000
#: The customer model is refitted every this many periods; a period between two refits is
#: scored by the latest model fitted before it (still nothing from it or after).
REFIT_EVERY: Final[int] = 4
#: How much each kind of event says about where a customer's next purchase goes.
INTEREST: Final[dict[str, float]] = {"purchase": 4.0, "cart": 2.0, "favorite": 2.0, "view": 1.0}
#: Fewer customers with history than this, or buyers of one kind only: no signal.
MIN_CUSTOMERS: Final[int] = 20


class BuyerSignal:
    """Expected buyers per series and period, each period's from what was known before it.

    Everything is computed once per period and shared by the backtest origins: the customers'
    aggregates at the period's start, a customer model fitted on the periods just before it,
    and the interest shares of the events before it.
    """

    def __init__(self, events: pd.DataFrame, panel: Panel, as_of_ms: int, seed: int) -> None:
        from engine.intent.steps import build_steps

        self.panel = panel
        self.seed = seed
        self.period_ms = panel.period_days * MS_PER_DAY
        events = events[events["time_ms"] <= as_of_ms]
        self.steps: Steps | None = None
        if events["customer_id"].nunique() >= MIN_CUSTOMERS:
            self.steps = build_steps(events, as_of_ms)
            self._interest = self._interest_rows(events)
        self._aggregates: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32],
                                          npt.NDArray[np.float32]]] = {}
        self._chances: dict[int, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None] = {}
        self._models: dict[int, Callable[[npt.NDArray[np.float32]],
                                         npt.NDArray[np.float64]] | None] = {}
        self._share_cache: dict[int, Any] = {}

    @property
    def available(self) -> bool:
        """Whether the log has customers enough to say anything."""
        return self.steps is not None

    def _cutoff(self, t: int) -> int:
        """The last moment before period ``t`` (events up to it are known at its start)."""
        return int(self.panel.starts_ms[0] + t * self.period_ms - 1)

    def _examples(self, t: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32],
                                         npt.NDArray[np.float32]]:
        """(customer index, aggregates, bought in period t) of every customer with history."""
        from engine.intent.dataset import examples_at

        if t not in self._aggregates:
            assert self.steps is not None
            # Labels read period t; the steps end at the as-of date, so a future one has none.
            ex = examples_at(self.steps, self._cutoff(t), 1, self.period_ms)
            self._aggregates[t] = (ex.cust, ex.agg, ex.label)
        return self._aggregates[t]

    def _interest_rows(self, events: pd.DataFrame) -> pd.DataFrame:
        """(customer index, time, series row, weight) of every interest event in a series."""
        assert self.steps is not None
        panel = self.panel
        kinds = events["event"].map(INTEREST)
        rows = events[kinds.notna()]
        weight = kinds[kinds.notna()].to_numpy(dtype=np.float64)
        cust = np.searchsorted(self.steps.customer_ids,
                               rows["customer_id"].to_numpy(dtype=np.int64))
        times = rows["time_ms"].to_numpy(dtype=np.int64)
        parts = []
        for level, column in (("category", "category"), ("item", "item")):
            series = panel.rows(level)
            if len(series) == 0:
                continue
            index = {panel.key[r]: r for r in series}
            target = rows[column].map(index).to_numpy(dtype=np.float64)
            known = rows[column].notna().to_numpy()
            # Shares are of all the customer's interest at this level, kept series or not.
            parts.append(pd.DataFrame({
                "cust": cust[known], "time_ms": times[known], "level": level,
                "row": np.nan_to_num(target[known], nan=-1).astype(np.int64),
                "weight": weight[known],
            }))
        return (pd.concat(parts, ignore_index=True) if parts
                else pd.DataFrame(columns=["cust", "time_ms", "level", "row", "weight"]))

    def _shares(self, t: int) -> Any:
        """(customers, series) sparse: each customer's share of interest per series before
        period ``t`` (1 for the whole shop)."""
        from scipy import sparse

        assert self.steps is not None
        if t in self._share_cache:
            return self._share_cache[t]
        n, s = self.steps.n_customers, len(self.panel.key)
        known = self._interest[self._interest["time_ms"] <= self._cutoff(t)]
        out = sparse.csr_matrix((n, s))
        for _, part in known.groupby("level", sort=False):
            cust = part["cust"].to_numpy(dtype=np.int64)
            w = part["weight"].to_numpy(dtype=np.float64)
            total = np.bincount(cust, weights=w, minlength=n)
            kept = part["row"].to_numpy(dtype=np.int64) >= 0
            share = w[kept] / total[cust[kept]]
            out = out + sparse.csr_matrix((share, (cust[kept], part["row"].to_numpy()[kept])),
                                          shape=(n, s))
        shop = sparse.csr_matrix((np.ones(n), (np.arange(n), np.zeros(n, dtype=np.int64))),
                                 shape=(n, s))
        self._share_cache[t] = out + shop
        return self._share_cache[t]

    def _model(self, r: int) -> Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float64]] | None:
        """The customer model fitted on the periods just before period ``r`` (their labels end
        by its start); None when they cannot teach one."""
        from engine.intent.evaluate import rfm_logistic

        if r in self._models:
            return self._models[r]
        xs, ys = [], []
        for back in range(max(1, r - TRAIN_PERIODS), r):
            _, agg, label = self._examples(back)
            xs.append(agg)
            ys.append(label)
        found = None
        if xs:
            x, y = np.vstack(xs), np.concatenate(ys).astype(np.int64)
            if len(y) > MAX_EXAMPLES:
                keep = np.random.default_rng(self.seed + r).choice(len(y), MAX_EXAMPLES,
                                                                    replace=False)
                x, y = x[keep], y[keep]
            buyers = int(y.sum())
            if min(buyers, len(y) - buyers) >= MIN_CUSTOMERS:
                found = rfm_logistic(x, y)
        self._models[r] = found
        return found

    def _chance(self, t: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None:
        """(customer index, chance to buy in period ``t``) from the latest customer model
        fitted before ``t``; None when there is none."""
        if t not in self._chances:
            model = self._model(t - t % REFIT_EVERY)
            if model is None:
                self._chances[t] = None
            else:
                cust, agg, _ = self._examples(t)
                self._chances[t] = (cust, model(agg))
        return self._chances[t]

    def matrix(self, periods: list[int]) -> Matrix:
        """(series, panel periods + 1) expected buyers, filled at ``periods`` (period
        ``panel.periods`` is the first future one), each from what was known before it; NaN
        elsewhere, and where the log cannot teach a customer model."""
        out = np.full((len(self.panel.key), self.panel.periods + 1), np.nan)
        if self.steps is None:
            return out
        n = self.steps.n_customers
        for t in periods:
            found = self._chance(t)
            if found is None:
                continue
            chance = np.zeros(n)
            chance[found[0]] = found[1]
            out[:, t] = np.asarray(self._shares(t).T @ chance, dtype=np.float64)
        return out
