"""Training the customer-value predictions: each is fitted one horizon back and checked on the
latest period against simple methods, then refitted up to the as-of date for every customer.

- Expected spend over the next H days: fitted on the window (D − 2H, D − H], checked on
  (D − H, D]; against "own past spend rate, shrunk to the shop's" and "everyone spends the shop
  average", by mean absolute error, the spend the top 10% captured, and P10–P90 coverage.
- Next purchase date, for customers with two purchase days or more: the gap model fitted up to
  a cut D − F, F the churn window below (D − H when the log is too short for that), and checked
  on every such customer over the F days after it, against "last purchase + their mean gap"
  and the shop's usual gap for everyone, by the median error in days. Customers who did not
  come back count too (survival analysis' censoring): a date before the end of the follow-up is
  wrong by at least the days up to it, a later one is not known wrong. Scoring only those who
  came back would reward short guesses (a constant "30 days after the last order" beat both
  methods that way on UCI Online Retail).
- Churn risk: no purchase in a window of 3 × the customer's usual gap (at least
  ``churn_min_days``); checked with one window W for everyone from D − W, against "days since
  the last purchase", by AUC.

Every "beats" is a paired bootstrap interval over the checked customers that excludes zero.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY
from engine.stats import Metric, auc_metric, mean_metric, paired_bootstrap
from engine.tasks.base import NoData, Progress, Verdict
from engine.value.config import ValueConfig, churn_band, settings_dict
from engine.value.drivers import drivers
from engine.value.features import (
    customer_features,
    first_purchase_after,
    orders,
    purchase_gaps,
    window_spend,
)
from engine.value.gaps import churn_by_gaps, fit_gaps, next_gap
from engine.value.spend import fit_churn, fit_spend, predict_churn, predict_spend
from engine.value.words import value_verdict
from engine.words import tr

TASK = "value"
F64 = npt.NDArray[np.float64]
#: What each prediction needs before it is made.
MIN_BUYERS = 30
MIN_REPEAT = 20


@dataclass
class ValueResult:
    """What a value run produced (``engine.tasks.value`` turns it into a RunRecord)."""

    settings: dict[str, Any]
    metrics: dict[str, Any]
    verdict: str
    outputs: pd.DataFrame


def interval(a: F64, b: F64, metric: Metric, seed: int) -> list[float]:
    """[difference, low, high] of ``metric`` between A and B over the same customers, from
    the shared paired bootstrap (``engine.stats``): positive means A's figure is higher."""
    found = paired_bootstrap(a, b, metric, seed)
    return [found.diff, found.lo, found.hi]


def top_share_metric(actual: F64, share: float = 0.1) -> Metric:
    """The share of what was spent that the top ``share`` of customers by a prediction made,
    per resample (weights [draws, n]); the row on the boundary counts in part."""
    spent = np.clip(actual, 0.0, None)

    def metric(pred: F64, weights: F64) -> F64:
        order = np.argsort(-pred, kind="stable")
        w = weights[:, order]
        act = spent[order]
        limit = share * w.sum(axis=1, keepdims=True)
        before = np.cumsum(w, axis=1) - w
        taken = np.clip(limit - before, 0.0, w)
        num, den = (taken * act).sum(axis=1), (w * act).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan))

    return metric


def median_metric(values: F64, weights: F64) -> F64:
    """The weighted median of per-row values, per resample (the verdict states medians)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[:, order]
    cum = np.cumsum(w, axis=1)
    at = np.argmax(cum >= cum[:, -1:] / 2.0, axis=1)
    return np.asarray(v[at], dtype=np.float64)


def _auc(score: F64, label: npt.NDArray[np.bool_]) -> float:
    return float(auc_metric(label)(score, np.ones((1, len(score))))[0])


def _top_capture(pred: F64, actual: F64) -> float:
    return float(top_share_metric(actual)(pred, np.ones((1, len(pred))))[0])


def date_errors(pred: F64, true_gap: F64, censored_at: F64) -> F64:
    """Days off per customer, those who did not come back included: where the next purchase
    was seen (``true_gap`` finite, days from the last purchase), |predicted − true|; where it
    was not by the end of the follow-up (``censored_at`` days after the last purchase),
    max(0, censored_at − predicted): a date before then is wrong by at least that much, a
    later one is not known wrong. Predicting "never" scores 0 on those, and infinity on the
    rest."""
    seen = np.isfinite(true_gap)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(seen, np.abs(pred - np.where(seen, true_gap, 0.0)),
                                   np.maximum(censored_at - pred, 0.0)), dtype=np.float64)


def date_check(events: pd.DataFrame, od: pd.DataFrame, cut: int, until: int, h: int,
               seed: int) -> tuple[dict[str, Any], list[float]]:
    """The next-order check from ``cut`` to ``until``: every customer with two purchase days
    or more by the cut, the gap model fitted up to it; the metrics and the paired interval of
    "last purchase + mean gap" against the model (positive: the model errs less)."""
    pop = _population(events, cut)
    x = customer_features(events, od, cut, h, pop)
    repeat = x["purchase_days"].to_numpy() >= 2
    ids = pop[repeat]
    follow = (until - cut) / MS_PER_DAY
    found: dict[str, Any] = {"customers": int(len(ids)), "follow_up_days": round(follow, 1),
                             "period": [int(cut), int(until)]}
    if len(ids) < 5:
        return found, [math.nan] * 3
    waited = x["days_since_purchase"].to_numpy()[repeat]
    usual = x["usual_gap"].to_numpy()[repeat]
    last = cut - waited * MS_PER_DAY
    true_gap = (first_purchase_after(od, cut, until, ids).to_numpy() - last) / MS_PER_DAY
    censored_at = waited + follow
    seen = np.isfinite(true_gap)
    gaps = fit_gaps(purchase_gaps(od, cut), ids)
    lo, mid, hi = (next_gap(gaps, ids, waited, q) for q in (0.1, 0.5, 0.9))
    constant = float(np.median(usual))  # the shop's usual gap, as known at the cut
    e_model, e_base, e_const = (date_errors(p, true_gap, censored_at)
                                for p in (mid, usual, np.full(len(ids), constant)))
    with np.errstate(invalid="ignore"):
        inside = (true_gap[seen] >= lo[seen]) & (true_gap[seen] <= hi[seen])
    found.update({
        "observed": int(seen.sum()), "censored_share": float(1.0 - seen.mean()),
        # Coverage among those who came back only: the range of one who did not is unknown.
        "gap_model": {"median_abs_days": float(np.median(e_model)),
                      "coverage_80": float(inside.mean()) if seen.any() else math.nan},
        "last_plus_gap": {"median_abs_days": float(np.median(e_base))},
        "constant_gap": {"median_abs_days": float(np.median(e_const)), "days": constant},
    })
    return found, interval(e_base, e_model, median_metric, seed)


def _stacked(events: pd.DataFrame, od: pd.DataFrame, last_cut: int, h: int, seed: int,
             cuts: int = 4) -> tuple[pd.DataFrame, F64]:
    """Features and next-H-days spend at up to ``cuts`` cut-offs, half a horizon apart, the
    latest at ``last_cut`` (its window must end by the next check): more examples per fit."""
    xs, ys = [], []
    first = int(events["time_ms"].min()) + h * MS_PER_DAY
    for j in range(cuts):
        cut = last_cut - j * (h * MS_PER_DAY // 2)
        if cut <= first and j > 0:
            break
        pop = _population(events, cut)
        xs.append(customer_features(events, od, cut, h, pop))
        ys.append(window_spend(od, cut, cut + h * MS_PER_DAY, pop).to_numpy())
    return pd.concat(xs), np.concatenate(ys)


def _population(events: pd.DataFrame, cut: int) -> npt.NDArray[np.int64]:
    return np.unique(events.loc[events["time_ms"] <= cut, "customer_id"].to_numpy(np.int64))


def _shrunk_rate(x: pd.DataFrame, horizon: int) -> F64:
    """Own past spend per day × H, shrunk to the shop's rate as if H more days were seen."""
    days = x["tenure_days"].fillna(0).to_numpy() + 1.0
    spend = x["spend"].to_numpy().clip(min=0)
    shop = spend.sum() / days.sum() if days.sum() > 0 else 0.0
    return np.asarray((spend + shop * horizon) / (days + horizon) * horizon, dtype=np.float64)


def check(events: pd.DataFrame, config: ValueConfig) -> Verdict:
    """What the log allows, with live counts: buyers of the latest period (spend), customers
    with two purchase days (next order), customers with three orders."""
    config = config.resolved(events)
    d, h = int(config.as_of_ms or 0), int(config.horizon_days or 30)
    od = orders(events[events["time_ms"] <= d])
    buys = od[od["buy"]]
    recent = int(buys.loc[buys["time_ms"] > d - h * MS_PER_DAY, "customer_id"].nunique())
    days = buys.assign(day=buys["time_ms"] // MS_PER_DAY).drop_duplicates(["customer_id", "day"])
    per = days.groupby("customer_id").size()
    repeat, three = int((per >= 2).sum()), int((buys.groupby("customer_id").size() >= 3).sum())
    numbers = {"recent_buyers": float(recent), "repeat_customers": float(repeat),
               "three_orders": float(three)}
    priced = bool((buys["value"].abs() > 0).any())
    spend = (tr("enough for expected spend") if recent >= MIN_BUYERS and priced else
             tr("expected spend needs prices or amounts in the log") if not priced else
             tr("expected spend needs {0}").format(MIN_BUYERS))
    dates = (tr("enough for next-order dates") if repeat >= MIN_REPEAT else
             tr("next-order dates need {0}").format(MIN_REPEAT))
    message = tr("{0:,} customers bought in the last {1} days: {2}; {3:,} customers bought on "
                 "two days or more: {4}; {5:,} have 3+ orders.").format(
        recent, h, spend, repeat, dates, three)
    # The run checks itself on the latest H days, fitted on the H days before them.
    if recent >= MIN_BUYERS and len(_population(events, d - 2 * h * MS_PER_DAY)) < MIN_BUYERS:
        return Verdict(False, tr("The log is too short to check customer value: it needs two "
                                 "periods of {0} days before the as-of date.").format(h), numbers)
    return Verdict(recent >= MIN_BUYERS, message, numbers)


def train_value(events: pd.DataFrame, config: ValueConfig, *,
                should_stop: Callable[[], bool]) -> Iterator[Progress | ValueResult]:
    """Check each prediction on the latest period, then predict for every customer."""
    started = time.perf_counter()
    config = config.resolved(events)
    d, h = int(config.as_of_ms or 0), int(config.horizon_days or 30)
    hms = h * MS_PER_DAY
    events = events[events["time_ms"] <= d]
    gate = check(events, config)
    yield Progress(TASK, "note", message=gate.message)
    if not gate.ok and gate.numbers.get("recent_buyers", 0.0) >= MIN_BUYERS:
        raise NoData(gate.message)  # buyers enough, but not two periods of H days
    if not gate.ok:
        raise NoData(tr("Customer value needs at least {0} customers who bought in the last {1} "
                        "days: choose a longer horizon, or import more orders.").format(
            MIN_BUYERS, h))
    od = orders(events)
    steps = 4

    def step(i: int, text: str) -> Progress:
        elapsed = time.perf_counter() - started
        return Progress(TASK, "epoch", phase="check", epoch=i, epochs=steps, elapsed_s=elapsed,
                        eta_s=elapsed / i * (steps - i), message=text)

    # ---- expected spend ----------------------------------------------------------------------
    cut_t, cut_v = d - 2 * hms, d - hms
    pop_t, pop_v = _population(events, cut_t), _population(events, cut_v)
    if len(pop_t) < MIN_BUYERS:
        raise NoData(tr("The log is too short to check customer value: it needs two periods of "
                        "{0} days before the as-of date.").format(h))
    fit_t = fit_spend(*_stacked(events, od, cut_t, h, config.seed), config.seed)
    x_v = customer_features(events, od, cut_v, h, pop_v)
    actual = window_spend(od, cut_v, d, pop_v).to_numpy()
    pred = predict_spend(fit_t, x_v)
    shrunk = _shrunk_rate(x_v, h)
    shop_avg = np.full(len(pop_v), window_spend(od, cut_t, cut_v, pop_t).mean())
    spend_metrics: dict[str, Any] = {"nobody_buys_mae": float(np.mean(np.abs(actual)))}
    for key, values in (("spend_model", pred["expected"]), ("shrunk_mean", shrunk),
                        ("shop_average", shop_avg)):
        spend_metrics[key] = {"mae": float(np.mean(np.abs(values - actual))),
                              "rmse": float(np.sqrt(np.mean((values - actual) ** 2))),
                              "top10_capture": _top_capture(values, actual)}
    spend_metrics["spend_model"]["coverage_80"] = float(np.mean(
        (actual >= pred["p10"] - 1e-9) & (actual <= pred["p90"] + 1e-9)))
    # An expected spend is a mean: squared error is the error it makes smallest (absolute
    # error favours predicting nothing for everyone, as most customers buy nothing).
    spend_gap = interval((shrunk - actual) ** 2, (pred["expected"] - actual) ** 2,
                         mean_metric, config.seed)
    capture_gap = interval(pred["expected"], shrunk, top_share_metric(actual), config.seed)
    found_drivers = drivers(fit_t.buy, x_v, actual > 0, h, config.seed)
    if should_stop():
        raise NoData(tr("Customer value was stopped; nothing was saved."))
    yield step(1, tr("Checked expected spend on the latest {0} days.").format(h))

    # ---- the shop's usual gap: the churn window, and the next-order follow-up -----------------
    x_d = customer_features(events, od, d, h, _population(events, d))
    shop_gap = float(np.nanmedian(x_d["usual_gap"])) if x_d["usual_gap"].notna().any() else 30.0
    window = max(float(config.churn_min_days), 3.0 * shop_gap)
    cut_c = d - int(window * MS_PER_DAY)
    # The log's real start: a few stray early rows (one in September before a log of late
    # November) must not make a week of history look like a month.
    first = int(np.quantile(events["time_ms"].to_numpy(), 0.01)) if len(events) else d
    long_enough = cut_c > first + 30 * MS_PER_DAY

    # ---- next purchase date -------------------------------------------------------------------
    # Followed for the churn window, long enough that most who come back are seen (else H).
    date_metrics, date_gap = date_check(events, od, cut_c if long_enough else cut_v, d, h,
                                        config.seed)
    yield step(2, tr("Checked next-order dates on {0:,} customers.").format(
        date_metrics["customers"]))

    # ---- churn ---------------------------------------------------------------------------------
    churn_metrics: dict[str, Any] = {"window_days": round(window, 1)}
    churn_gap = [math.nan] * 3
    churn_fit = None
    if long_enough:
        pop_c = _population(events, cut_c)
        x_c = customer_features(events, od, cut_c, h, pop_c)
        buyers = x_c["orders"].to_numpy() > 0
        ids = pop_c[buyers]
        label = ~np.isfinite(first_purchase_after(od, cut_c, d, ids).to_numpy())
        if buyers.sum() >= MIN_BUYERS and 0 < label.sum() < len(label):
            p, churn_fit = fit_churn(x_c[buyers], label, config.seed)
            recency = x_c["days_since_purchase"].to_numpy()[buyers]
            churn_metrics.update({
                "customers": int(len(ids)), "churned": float(label.mean()),
                "period": [int(cut_c), int(d)],
                "churn_model": {"auc": _auc(p, label)}, "recency": {"auc": _auc(recency, label)},
            })
            churn_gap = interval(p, recency, auc_metric(label), config.seed)
    yield step(3, tr("Checked churn risk with a window of {0:.0f} days.").format(window))

    # ---- every customer as of D -------------------------------------------------------------
    pop_d = x_d.index.to_numpy(dtype=np.int64)
    fit_v = fit_spend(*_stacked(events, od, cut_v, h, config.seed), config.seed)
    final = predict_spend(fit_v, x_d)
    gaps_d = fit_gaps(purchase_gaps(od, d), pop_d)
    waited_d = x_d["days_since_purchase"].to_numpy()
    bought = np.isfinite(waited_d)
    repeat_d = x_d["purchase_days"].to_numpy() >= 2
    last_d = d - np.nan_to_num(waited_d) * MS_PER_DAY
    quant = {q: np.where(repeat_d, last_d + next_gap(gaps_d, pop_d, np.nan_to_num(waited_d), q)
                         * MS_PER_DAY, np.nan) for q in (0.1, 0.5, 0.9)}
    if churn_fit is not None:  # learned on the shop's own churners, one window for all
        own_window = np.full(len(pop_d), window)
        risk = predict_churn(churn_fit, x_d)
    else:  # too short a log to learn from: the gap model, 3 x each customer's usual gap
        own_window = np.maximum(float(config.churn_min_days),
                                3.0 * x_d["usual_gap"].fillna(shop_gap).to_numpy())
        risk = churn_by_gaps(purchase_gaps(od, d), np.nan_to_num(waited_d), own_window,
                             x_d["usual_gap"].to_numpy())
    churn = np.where(bought, risk, np.nan)
    outputs = pd.DataFrame({
        "customer_id": pop_d,
        "expected_spend": final["expected"], "expected_spend_p10": final["p10"],
        "expected_spend_p90": final["p90"], "buy_probability": final["p_buy"],
        "next_purchase_ms": quant[0.5], "next_purchase_p10_ms": quant[0.1],
        "next_purchase_p90_ms": quant[0.9], "churn_risk": churn,
        "churn_window_days": np.where(bought, own_window, np.nan),
    })
    yield step(4, tr("Predicted value, next order and churn for {0:,} customers.").format(
        len(pop_d)))
    metrics = {
        "gate": dict(gate.numbers),
        "drivers": found_drivers,
        "spend": {**spend_metrics, "versus_shrunk_mean": spend_gap,
                  "top10_versus_shrunk_mean": capture_gap, "customers": len(pop_v),
                  "period": [int(cut_v), int(d)]},
        "next_purchase": {**date_metrics, "versus_last_plus_gap": date_gap},
        "churn": {**churn_metrics, "versus_recency": churn_gap,
                  "bands": {"High": 0.7, "Medium": 0.4},
                  "share": {b: float(np.mean([churn_band(v) == b for v in churn[bought]]))
                            for b in ("High", "Medium", "Low")} if bought.any() else {}},
    }
    verdict = value_verdict(metrics, h)
    yield ValueResult(settings=settings_dict(config), metrics=metrics, verdict=verdict,
                      outputs=outputs)
