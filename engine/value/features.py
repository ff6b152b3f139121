"""What the value models know about each customer at a cut-off date: their orders (purchase
lines at the same moment are one order; refunds subtract), purchase days, gaps and recent
activity. Nothing after the cut-off is read."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY

#: Columns of :func:`customer_features`, in order (the models' inputs).
FEATURES = (
    "orders", "purchase_days", "spend", "mean_order", "days_since_purchase", "usual_gap",
    "gap_ratio", "tenure_days", "days_since_event", "events_recent", "events_before",
    "trend", "carts_recent", "views_recent",
)


def orders(events: pd.DataFrame) -> pd.DataFrame:
    """Orders: customer_id, time_ms, value (purchase lines at one moment, net of refunds at
    that moment), with purchases only counted as orders."""
    sales = events[events["event"].isin(("purchase", "refund"))]
    qty = sales["quantity"].abs().fillna(1.0)
    sign = np.where(sales["event"] == "refund", -1.0, 1.0)
    value = sales["amount"].where(sales["amount"].notna(),
                                  sign * sales["price"].abs() * qty).fillna(0.0)
    frame = pd.DataFrame({"customer_id": sales["customer_id"].to_numpy(),
                          "time_ms": sales["time_ms"].to_numpy(),
                          "value": value.to_numpy(dtype=np.float64),
                          "buy": (sales["event"] == "purchase").to_numpy()})
    grouped = frame.groupby(["customer_id", "time_ms"], sort=True).agg(
        value=("value", "sum"), buy=("buy", "max")).reset_index()
    return grouped


def customer_features(events: pd.DataFrame, order_rows: pd.DataFrame, cut_ms: int,
                      horizon_days: int, customers: npt.NDArray[np.int64]) -> pd.DataFrame:
    """One row per customer of ``customers`` (index) with ``FEATURES`` as of ``cut_ms``."""
    idx = pd.Index(customers, name="customer_id")
    ev = events[events["time_ms"] <= cut_ms]
    od = order_rows[(order_rows["time_ms"] <= cut_ms)]
    buys = od[od["buy"]]
    by = buys.groupby("customer_id")
    out = pd.DataFrame(index=idx)
    out["orders"] = by.size().reindex(idx).fillna(0)
    days = buys.assign(day=buys["time_ms"] // MS_PER_DAY).drop_duplicates(["customer_id", "day"])
    out["purchase_days"] = days.groupby("customer_id").size().reindex(idx).fillna(0)
    out["spend"] = od.groupby("customer_id")["value"].sum().reindex(idx).fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_order"] = np.where(out["orders"] > 0, out["spend"].clip(lower=0)
                                     / out["orders"], np.nan)
    last_buy = by["time_ms"].max().reindex(idx)
    first_buy = by["time_ms"].min().reindex(idx)
    out["days_since_purchase"] = (cut_ms - last_buy) / MS_PER_DAY
    span = (last_buy - first_buy) / MS_PER_DAY
    with np.errstate(invalid="ignore", divide="ignore"):
        out["usual_gap"] = np.where(out["purchase_days"] >= 2,
                                    span / (out["purchase_days"] - 1), np.nan)
        out["gap_ratio"] = out["days_since_purchase"] / out["usual_gap"]
    evg = ev.groupby("customer_id")["time_ms"]
    out["tenure_days"] = ((cut_ms - evg.min()) / MS_PER_DAY).reindex(idx)
    out["days_since_event"] = ((cut_ms - evg.max()) / MS_PER_DAY).reindex(idx)
    h = horizon_days * MS_PER_DAY
    recent = ev[ev["time_ms"] > cut_ms - h]
    before = ev[(ev["time_ms"] > cut_ms - 2 * h) & (ev["time_ms"] <= cut_ms - h)]
    out["events_recent"] = recent.groupby("customer_id").size().reindex(idx).fillna(0)
    out["events_before"] = before.groupby("customer_id").size().reindex(idx).fillna(0)
    out["trend"] = (out["events_recent"] + 1) / (out["events_before"] + 1)
    for kind, col in (("cart", "carts_recent"), ("view", "views_recent")):
        part = recent[recent["event"] == kind]
        out[col] = part.groupby("customer_id").size().reindex(idx).fillna(0)
    return out[list(FEATURES)].astype(np.float64)


def window_spend(order_rows: pd.DataFrame, after_ms: int, until_ms: int,
                 customers: npt.NDArray[np.int64]) -> pd.Series:
    """Each customer's net spend in (after, until] (0 when none)."""
    part = order_rows[(order_rows["time_ms"] > after_ms) & (order_rows["time_ms"] <= until_ms)]
    return part.groupby("customer_id")["value"].sum().reindex(customers).fillna(0.0)


def first_purchase_after(order_rows: pd.DataFrame, after_ms: int, until_ms: int,
                         customers: npt.NDArray[np.int64]) -> pd.Series:
    """Each customer's first purchase time in (after, until] (NaN when none)."""
    buys = order_rows[order_rows["buy"] & (order_rows["time_ms"] > after_ms)
                      & (order_rows["time_ms"] <= until_ms)]
    return buys.groupby("customer_id")["time_ms"].min().reindex(customers).astype(np.float64)


def purchase_gaps(order_rows: pd.DataFrame, cut_ms: int) -> pd.DataFrame:
    """Gaps in days between a customer's consecutive purchase days up to the cut:
    customer_id, gap."""
    buys = order_rows[order_rows["buy"] & (order_rows["time_ms"] <= cut_ms)]
    days = (buys["time_ms"] // MS_PER_DAY).to_numpy()
    cust = buys["customer_id"].to_numpy()
    frame = pd.DataFrame({"customer_id": cust, "day": days}).drop_duplicates()
    frame = frame.sort_values(["customer_id", "day"], kind="stable")
    gap = frame.groupby("customer_id")["day"].diff()
    return pd.DataFrame({"customer_id": frame["customer_id"], "gap": gap}).dropna()
