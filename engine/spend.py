"""Expected order value per customer: the Gamma-Gamma spend model (Fader, Hardie & Lee, 2005).

A customer's order values z are Gamma(p, ν) around their own typical order value p/ν; across
customers ν is Gamma(q, γ) (shape q, rate γ). Given a customer's x orders with mean value m̄,
ν is Gamma(p·x + q, γ + x·m̄) afterwards, and the expected order value is

    E[M | x, m̄] = p·(γ + x·m̄) / (p·x + q − 1)
                = w·m̄ + (1 − w)·μ,   w = p·x / (p·x + q − 1),   μ = p·γ / (q − 1),

the customer's own mean shrunk toward the population mean μ, less the more orders they made;
a customer with no order gets μ. The range is the middle 80% of the same posterior: the 10% and
90% quantiles of ν give p/ν₉₀ and p/ν₁₀, the range of the customer's typical order value (not
of one single order, which varies more). With a heavy tail of big spenders (q near 1) the
expectation of a customer with no order can lie above that range: a few large customers pull
the average up, while most new customers spend less.

Orders are counted as ``storage.runs.customer_summary`` counts purchases (distinct order ids,
or lines at the same moment), and refunds subtract: a customer's mean order value is their net
spend over their orders (never below zero).

p and q are fitted by maximum likelihood (scipy) on the customers with orders, once at least
:data:`MIN_REPEAT` of them ordered twice or more (one order each says little about how much a
customer's orders vary); γ follows from them and the customers' average mean order value (see
:func:`fit_spend` for why). With fewer, a simple shrinkage stands in: the same formulas with
p = 2, q = 3, γ = μ (the shop's mean order value), i.e. E = (μ + x·m̄) / (x + 1), the shop's
mean counting as one extra order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.events import MS_PER_DAY
from engine.words import join_sentences, tr

#: Customers with two or more orders needed before p, q and γ are fitted.
MIN_REPEAT = 20
#: The fallback prior (see the module docstring): the shop's mean counts as one order.
FALLBACK_P, FALLBACK_Q = 2.0, 3.0
#: The share of the posterior the order-value range covers.
LEVEL = 0.8
#: Bounds of log p and log(q − 1) in the fit.
_BOUNDS = [(-7.0, 9.0), (-7.0, 9.0)]


@dataclass(frozen=True)
class SpendModel:
    """A fitted (or fallback) Gamma-Gamma spend model; ``fitted`` says which, ``customers``
    how many customers with orders it was fitted on."""

    p: float
    q: float
    gamma: float
    fitted: bool
    customers: int

    @property
    def mean(self) -> float:
        """The population mean order value μ = p·γ / (q − 1): a customer with no order."""
        return self.p * self.gamma / (self.q - 1.0)

    def _posterior(
        self, orders: np.ndarray | pd.Series, mean_value: np.ndarray | pd.Series
    ) -> tuple[np.ndarray, np.ndarray]:
        x = np.nan_to_num(np.asarray(orders, dtype=np.float64), nan=0.0).clip(min=0.0)
        m = np.nan_to_num(np.asarray(mean_value, dtype=np.float64), nan=0.0).clip(min=0.0)
        m = np.where(x > 0, m, 0.0)
        return self.p * x + self.q, self.gamma + x * m  # shape and rate of ν

    def expected(
        self, orders: np.ndarray | pd.Series, mean_value: np.ndarray | pd.Series
    ) -> np.ndarray:
        """E[M | x, m̄] for each customer (x = 0 or a missing m̄: the population mean)."""
        shape, rate = self._posterior(orders, mean_value)
        return np.asarray(self.p * rate / (shape - 1.0), dtype=np.float64)

    def interval(
        self,
        orders: np.ndarray | pd.Series,
        mean_value: np.ndarray | pd.Series,
        level: float = LEVEL,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The middle ``level`` of each customer's typical order value p/ν afterwards: (low,
        high) from the upper and lower quantiles of ν ~ Gamma(p·x + q, γ + x·m̄)."""
        from scipy.special import gammaincinv

        shape, rate = self._posterior(orders, mean_value)
        tail = (1.0 - level) / 2.0
        nu_high = gammaincinv(shape, 1.0 - tail) / rate
        nu_low = gammaincinv(shape, tail) / rate
        return (np.asarray(self.p / nu_high, dtype=np.float64),
                np.asarray(self.p / nu_low, dtype=np.float64))


def log_likelihood(
    p: float, q: float, gamma: float, orders: np.ndarray, mean_value: np.ndarray
) -> np.ndarray:
    """Each customer's log-likelihood of their mean order value m̄ given x ≥ 1 orders:
    x·m̄ is Gamma(p·x, ν), ν is Gamma(q, γ), ν integrated out."""
    from scipy.special import gammaln

    x = np.asarray(orders, dtype=np.float64)
    m = np.asarray(mean_value, dtype=np.float64)
    px = p * x
    return np.asarray(
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
        + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + gamma),
        dtype=np.float64,
    )


def fallback(shop_mean: float, customers: int = 0) -> SpendModel:
    """The simple shrinkage used when too few customers ordered twice: E = (μ + x·m̄)/(x + 1)."""
    mu = shop_mean if math.isfinite(shop_mean) and shop_mean > 0 else 1.0
    gamma = mu * (FALLBACK_Q - 1.0) / FALLBACK_P
    return SpendModel(FALLBACK_P, FALLBACK_Q, gamma, fitted=False, customers=customers)


def fit_spend(
    orders: np.ndarray | pd.Series, mean_value: np.ndarray | pd.Series
) -> SpendModel:
    """Fit the spend model on the customers with orders and a positive mean order value: p and
    q by maximum likelihood, γ tied to them by μ = p·γ/(q − 1) = the customers' average mean
    order value. The fallback shrinkage when fewer than :data:`MIN_REPEAT` ordered twice or the
    fit does not converge.

    Why γ is tied rather than free: E[m̄] = E[p/ν] = μ, so the average of the customers' means
    estimates μ without bias, while a free γ follows a heavy tail of big spenders: on the demo
    shop it drove q to 1.001 and μ to about 100 times any ordinary customer's mean (new
    customers were then expected to spend 16,863), and the check on the latest 30 days was
    nine times worse than the shop average. On the UCI Online Retail orders both fits agree
    (μ 374.6 and 374.1).
    """
    from scipy.optimize import minimize  # on first use: scipy takes a while to import

    x = np.asarray(orders, dtype=np.float64)
    m = np.asarray(mean_value, dtype=np.float64)
    keep = (x >= 1) & np.isfinite(m) & (m > 0)
    x, m = x[keep], m[keep]
    shop_mean = float((x * m).sum() / x.sum()) if len(x) else math.nan
    if int((x >= 2).sum()) < MIN_REPEAT:
        return fallback(shop_mean, len(x))
    # The fit is scale-free (γ scales with money): fit in units of the customers' average
    # mean, so μ = 1 there and γ = (q − 1)/p.
    mu = float(m.mean())
    ms = m / mu

    def loss(theta: np.ndarray) -> float:
        p, q = math.exp(theta[0]), 1.0 + math.exp(theta[1])
        return -float(log_likelihood(p, q, (q - 1.0) / p, x, ms).mean())

    start = np.array([math.log(FALLBACK_P), math.log(FALLBACK_Q - 1.0)])
    found = minimize(loss, start, method="L-BFGS-B", bounds=_BOUNDS)
    theta = found.x
    if not (found.success and np.all(np.isfinite(theta)) and math.isfinite(found.fun)):
        return fallback(shop_mean, len(x))
    p, q = math.exp(theta[0]), 1.0 + math.exp(theta[1])
    return SpendModel(p, q, mu * (q - 1.0) / p, fitted=True, customers=len(x))


def orders_of(lines: pd.DataFrame) -> pd.DataFrame:
    """Purchase and refund lines (``storage.queries.purchase_lines``) as orders: one row per
    customer and order key with ``customer_id``, ``time_ms`` (its first line), ``value`` (net
    of refunds) and ``lines`` (purchase lines; 0 for a refund whose order is not in the data)."""
    if lines.empty:
        return pd.DataFrame({
            "customer_id": pd.Series(dtype=np.int64), "time_ms": pd.Series(dtype=np.int64),
            "value": pd.Series(dtype=np.float64), "lines": pd.Series(dtype=np.int64),
        })
    work = pd.DataFrame({
        "customer_id": lines["customer_id"].to_numpy(dtype=np.int64),
        "order_key": lines["order_key"].astype(object).fillna("").to_numpy(),
        "time_ms": lines["time_ms"].to_numpy(dtype=np.int64),
        "value": np.nan_to_num(lines["amount"].to_numpy(dtype=np.float64), nan=0.0),
        "lines": (lines["event"].to_numpy(dtype=object) == "purchase").astype(np.int64),
    })
    grouped = work.groupby(["customer_id", "order_key"], sort=False).agg(
        time_ms=("time_ms", "min"), value=("value", "sum"), lines=("lines", "sum"))
    return grouped.reset_index()[["customer_id", "time_ms", "value", "lines"]]


def order_stats(
    orders: pd.DataFrame, *, after_ms: int | None = None, until_ms: int | None = None
) -> pd.DataFrame:
    """Per customer with orders or refunds in (``after_ms``, ``until_ms``], indexed by
    customer id: ``orders`` (orders with a purchase line), ``value`` (net spend) and
    ``mean_value`` (net spend per order, at least 0; NaN without an order)."""
    keep = np.ones(len(orders), dtype=bool)
    t = orders["time_ms"].to_numpy(dtype=np.int64)
    if after_ms is not None:
        keep &= t > after_ms
    if until_ms is not None:
        keep &= t <= until_ms
    part = orders[keep]
    stats = pd.DataFrame({
        "orders": (part["lines"] > 0).groupby(part["customer_id"]).sum().astype(np.int64),
        "value": part.groupby("customer_id")["value"].sum().astype(np.float64),
    })
    stats.index.name = "customer_id"
    n = stats["orders"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, stats["value"].to_numpy().clip(min=0.0) / n, np.nan)
    stats["mean_value"] = mean
    return stats


@dataclass(frozen=True)
class SpendCheck:
    """The order-value model checked on the validation period: the customers who ordered in
    it, the mean absolute error of the model's expected order value against their actual mean
    order value there, the same for "everyone spends the shop average", and a sentence."""

    customers: int
    mae_model: float
    mae_shop_average: float
    sentence: str


def check_spend(orders: pd.DataFrame, as_of_ms: int, horizon_days: int) -> SpendCheck:
    """Fit on the orders up to ``as_of_ms − horizon_days`` and predict the mean order value of
    each customer who ordered in the following ``horizon_days`` (up to ``as_of_ms``)."""
    cut = int(as_of_ms) - int(horizon_days) * MS_PER_DAY
    before = order_stats(orders, until_ms=cut)
    window = order_stats(orders, after_ms=cut, until_ms=as_of_ms)
    buyers = window[window["orders"] > 0]
    total_orders = int(before["orders"].sum())
    if buyers.empty or total_orders == 0:
        return SpendCheck(len(buyers), math.nan, math.nan, tr(
            "Order values could not be checked: nobody ordered in the latest {0} days, or "
            "nobody before them.").format(horizon_days))
    model = fit_spend(before["orders"], before["mean_value"])
    ids = buyers.index
    predicted = model.expected(
        before["orders"].reindex(ids, fill_value=0), before["mean_value"].reindex(ids))
    actual = buyers["mean_value"].to_numpy(dtype=np.float64)
    shop_average = float(before["value"].sum()) / total_orders
    mae_model = float(np.mean(np.abs(predicted - actual)))
    mae_shop = float(np.mean(np.abs(shop_average - actual)))
    sentence = tr(
        "Order values checked on the latest {0} days: for the {1:,} customers who ordered then, "
        "the expected order value was off by {2:,.2f} on average, against {3:,.2f} for "
        "“everyone spends the shop average”.").format(horizon_days, len(ids), mae_model, mae_shop)
    if not mae_model < mae_shop:
        sentence = join_sentences(sentence, tr(
            "That is no better than the shop average, so read the money figures as rough."))
    return SpendCheck(len(ids), mae_model, mae_shop, sentence)
