"""Each customer's expected spend within the purchase-intent horizon, with a likely range.

Expected spend = P(buy within H days), from the active intent run, × the customer's expected
order value, from a Gamma-Gamma spend model (``engine.spend``): their own orders up to the
run's as-of date, shrunk toward the shop's average, more for customers with few orders. The
Customers table and the card show it; the Campaign page's figures are built from the same
:func:`priced` numbers (``engine.campaign``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.runs import read_signal, signal_reader
from engine.spend import SpendModel, fit_spend, order_stats, orders_of
from engine.tasks.base import CardSection, Column
from engine.words import tr
from storage.project import Project
from storage.queries import purchase_lines
from storage.runs import RunInfo, active_run


@dataclass(frozen=True)
class CustomerValues:
    """Per customer the intent run scored (index ``customer_id``): ``intent``,
    ``order_value`` (with ``order_value_low``/``_high``) and ``expected_spend`` (with
    ``expected_spend_low``/``_high``), as of the intent run's date, over its horizon."""

    frame: pd.DataFrame
    horizon_days: int | None
    as_of_ms: int | None
    model: SpendModel


def setting_int(settings: Mapping[str, Any], key: str) -> int | None:
    """A whole-number run setting, None when missing or not a number."""
    value = settings.get(key)
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def priced(model: SpendModel, stats: pd.DataFrame, ids: np.ndarray,
           intent: np.ndarray) -> dict[str, np.ndarray]:
    """Order value and expected spend (each with its range) of the customers ``ids``, whose
    purchase probabilities are ``intent`` (NaN: not scored), from their ``order_stats``."""
    mine = stats.reindex(ids)
    x = mine["orders"].fillna(0).to_numpy(dtype=np.int64)
    value = model.expected(x, mine["mean_value"])
    low, high = model.interval(x, mine["mean_value"])
    return {
        "order_value": value, "order_value_low": low, "order_value_high": high,
        "expected_spend": intent * value, "expected_spend_low": intent * low,
        "expected_spend_high": intent * high, "orders": x,
        "revenue": mine["value"].fillna(0.0).to_numpy(dtype=np.float64),
    }


_cache: dict[tuple[str, int, str], CustomerValues] = {}
_bases: dict[tuple[str, int, str], tuple[pd.DataFrame, SpendModel]] = {}


def _basis(project: Project, run: RunInfo) -> tuple[pd.DataFrame, SpendModel]:
    """Every customer's ``order_stats`` up to the intent run's as-of date and the spend model
    fitted on them: one scan of the purchases per project and intent run, then kept."""
    key = (str(project.location), run.id, run.created_at)
    if key not in _bases:
        as_of = setting_int(run.settings, "as_of_ms")
        stats = order_stats(orders_of(purchase_lines(project, until_ms=as_of)))
        _bases.clear()  # one project's numbers at a time
        _bases[key] = (stats, fit_spend(stats["orders"], stats["mean_value"]))
    return _bases[key]


def customer_values(project: Project) -> CustomerValues | None:
    """Everyone's expected spend from the active intent run (None without one). One scan of
    the purchases and one model fit per project and intent run, then kept."""
    run = active_run(project, "intent")
    if run is None:
        return None
    key = (str(project.location), run.id, run.created_at)
    if key not in _cache:
        scores = signal_reader(project)("purchase_probability")
        if scores is None:
            return None
        stats, model = _basis(project, run)
        ids = scores.index.to_numpy(dtype=np.int64)
        cols = priced(model, stats, ids, scores.to_numpy(dtype=np.float64))
        frame = pd.DataFrame({"intent": scores.to_numpy(dtype=np.float64), **cols}, index=ids)
        frame.index.name = "customer_id"
        _cache.clear()  # one project's numbers at a time
        _cache[key] = CustomerValues(frame, setting_int(run.settings, "horizon_days"),
                                     setting_int(run.settings, "as_of_ms"), model)
    return _cache[key]


def customer_value(project: Project, customer_id: int) -> pd.Series | None:
    """One customer's row of :func:`customer_values` (None when the run did not score them,
    or without an intent run). From everyone's values when they are read already; else from
    the customer's own score: a card opened before the Customers table is read costs
    milliseconds, not the reading of every customer's score (20 s at 1,000,000)."""
    run = active_run(project, "intent")
    if run is None:
        return None
    known = _cache.get((str(project.location), run.id, run.created_at))
    if known is not None:
        return known.frame.loc[customer_id] if customer_id in known.frame.index else None
    score = read_signal(project, "purchase_probability", customer_id=customer_id)
    if score is None or score.empty:
        return None
    stats, model = _basis(project, run)
    intent = score.to_numpy(dtype=np.float64)[:1]
    cols = priced(model, stats, np.array([customer_id], dtype=np.int64), intent)
    return pd.Series({"intent": float(intent[0]), **{k: v[0] for k, v in cols.items()}},
                     name=customer_id)


def columns() -> list[Column]:
    """The Customers table's expected-spend column (its likely range on hover)."""
    return [Column("expected_spend", tr("Expected spend"), "money", detail="spend_range")]


def value_run_table(project: Project) -> pd.DataFrame | None:
    """The expected spend and its range from the active customer-value run (its own model,
    checked on the shop's past), by customer id; None without one."""
    from storage.runs import run_outputs

    run = active_run(project, "value")
    if run is None:
        return None
    out = run_outputs(project, run.id, names=("expected_spend", "expected_spend_p10",
                                              "expected_spend_p90"))
    ids = out["customer_id"].to_numpy(dtype=np.int64)
    spans = [tr("likely {0:,.2f}–{1:,.2f}").format(lo, hi) if lo == lo and hi == hi else ""
             for lo, hi in zip(out["expected_spend_p10"].tolist(),
                               out["expected_spend_p90"].tolist(), strict=True)]
    return pd.DataFrame({"expected_spend": out["expected_spend"].to_numpy(dtype=np.float64),
                         "spend_range": spans}, index=ids)


def table(values: CustomerValues) -> pd.DataFrame:
    """The columns of :func:`columns` and their ranges ("likely 8.10–17.40") by customer id."""
    f = values.frame
    spans = [tr("likely {0:,.2f}–{1:,.2f}").format(lo, hi) if lo == lo and hi == hi else ""
             for lo, hi in zip(f["expected_spend_low"].tolist(),
                               f["expected_spend_high"].tolist(), strict=True)]
    return pd.DataFrame({"expected_spend": f["expected_spend"].astype(np.float64),
                         "spend_range": spans}, index=f.index)


def card(project: Project, customer_id: int, run: RunInfo | None) -> CardSection | None:
    """What the customer will probably spend, in words (None without an intent score, and
    when a customer-value run says it with its own model on its own card section)."""
    if run is None or active_run(project, "value") is not None:
        return None
    r = customer_value(project, customer_id)
    if r is None or r["intent"] != r["intent"]:
        return None
    days = setting_int(run.settings, "horizon_days")
    headline = (tr("Expected spend in the next {0} days: {1:,.2f} (likely {2:,.2f}–{3:,.2f}).")
                .format(days, r["expected_spend"], r["expected_spend_low"],
                        r["expected_spend_high"]) if days else
                tr("Expected spend: {0:,.2f} (likely {1:,.2f}–{2:,.2f}).").format(
                    r["expected_spend"], r["expected_spend_low"], r["expected_spend_high"]))
    orders = int(r["orders"])
    basis = (tr("their own orders, shrunk toward the shop's average") if orders > 0 else
             tr("the shop's average, as they have not ordered yet"))
    facts = [tr("{0:.0%} chance to buy × {1:,.2f} expected order value ({2}).").format(
        float(r["intent"]), float(r["order_value"]), basis)]
    return CardSection(task="spend", title=tr("Expected spend"), headline=headline, facts=facts)
