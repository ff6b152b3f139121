"""Behaviour features per customer, computed from an event frame with vectorised groupbys.

Nothing after ``as_of_ms`` is read, so features "as of" a date are the same whether or not the
project already holds later events. Only pandas/numpy: no torch import here.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY

#: At most this many categories get their own share column; the rest count as "other".
MAX_CATEGORIES: Final[int] = 8
#: A category beyond those that is the main one of at least this share of customers is kept.
MAIN_CATEGORY_SHARE: Final[float] = 0.02
MAX_EXTRA_CATEGORIES: Final[int] = 8

_FUNNEL: Final[tuple[str, ...]] = (
    "view",
    "search",
    "cart",
    "remove_cart",
    "favorite",
    "purchase",
    "refund",
)
#: Count-like columns: heavy tailed, so they are log1p'd before scaling.
COUNT_COLUMNS: Final[tuple[str, ...]] = (
    "recency_days",
    "tenure_days",
    "events",
    "active_days",
    "sessions",
    "events_per_session",
    "purchase_days",
    "monetary",
    "basket_value",
    "basket_quantity",
    "price_level",
    *(f"n_{e}" for e in _FUNNEL),
)
CATEGORY_PREFIX: Final[str] = "cat_"


def _category_labels(category: pd.Series, customer: pd.Series) -> pd.Series:
    """Category per row: the MAX_CATEGORIES most active ones, plus any category that is the
    main one of at least MAIN_CATEGORY_SHARE of the customers (a small but distinct group, such
    as jewelry buyers, keeps its name instead of vanishing into "other"); the rest is "other"."""
    cat = category.astype(object).where(category.notna(), "other")
    named = cat[cat != "other"]
    top = list(named.value_counts().index[:MAX_CATEGORIES])
    if len(named):
        counts = pd.DataFrame({"c": customer[named.index], "k": named}).value_counts()
        main = counts.reset_index().drop_duplicates("c")["k"]  # each customer's main category
        shares = main.value_counts() / max(1, customer.nunique())
        extra = [k for k in shares[shares >= MAIN_CATEGORY_SHARE].index if k not in top]
        top += extra[: MAX_EXTRA_CATEGORIES]
    return cat.where(cat.isin(top), "other")


def customer_features(events: pd.DataFrame, as_of_ms: int | None = None) -> pd.DataFrame:
    """Behaviour features per customer (index ``customer_id``) from events at or before as_of.

    ``as_of_ms`` defaults to the last event's time. Columns: recency, tenure, frequency
    (``purchase_days``), monetary value (revenue, refunds subtracted); counts per event type and
    funnel rates (view-to-purchase, cart abandonment, search/favourite shares); share of
    activity per category (``cat_<name>``, the most active categories plus ``cat_other``);
    basket value and quantity, price level; weekend/evening/morning/night shares; sessions and
    events per session; refund rate. Raw values (unscaled); customers with no event before
    as_of are absent.
    """
    if as_of_ms is None:
        as_of_ms = int(events["time_ms"].max()) if len(events) else 0
    ev = events.loc[events["time_ms"].to_numpy() <= as_of_ms]
    cid = ev["customer_id"].to_numpy(dtype=np.int64)
    t = ev["time_ms"].to_numpy(dtype=np.int64)
    kind = ev["event"].astype(object).to_numpy()
    day = t // MS_PER_DAY
    g = pd.DataFrame({"c": cid, "t": t, "day": day})
    by = g.groupby("c", sort=True)
    out = pd.DataFrame(index=pd.Index(by.size().index, name="customer_id"))
    out["events"] = by.size().astype(np.float64)
    out["recency_days"] = (as_of_ms - by["t"].max()) / MS_PER_DAY
    out["tenure_days"] = (as_of_ms - by["t"].min()) / MS_PER_DAY
    out["active_days"] = by["day"].nunique().astype(np.float64)

    # Counts per event type in one crosstab-like pass.
    counts = pd.DataFrame({"c": cid, "k": kind}).groupby(["c", "k"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=out.index, columns=list(_FUNNEL), fill_value=0)
    for e in _FUNNEL:
        out[f"n_{e}"] = counts[e].astype(np.float64)

    is_buy = kind == "purchase"
    is_money = is_buy | (kind == "refund")
    amount = ev["amount"].to_numpy(dtype=np.float64)
    price = ev["price"].to_numpy(dtype=np.float64)
    qty = ev["quantity"].to_numpy(dtype=np.float64)
    # Revenue = amount, or price x quantity when the source gave no amount (data contract).
    revenue = np.where(np.isnan(amount), price * np.nan_to_num(qty, nan=1.0), amount)
    revenue = np.where(kind == "refund", -np.abs(revenue), revenue)
    money = pd.DataFrame({"c": cid[is_money], "r": np.nan_to_num(revenue[is_money])})
    out["monetary"] = money.groupby("c")["r"].sum().reindex(out.index, fill_value=0.0)
    out["monetary"] = out["monetary"].clip(lower=0.0)
    buys = pd.DataFrame(
        {
            "c": cid[is_buy],
            "day": day[is_buy],
            "r": np.nan_to_num(revenue[is_buy]),
            "q": qty[is_buy],
        }
    )
    bb = buys.groupby("c")
    out["purchase_days"] = bb["day"].nunique().reindex(out.index, fill_value=0).astype(float)
    basket_total = bb["r"].sum().reindex(out.index, fill_value=0.0)
    out["basket_value"] = (
        basket_total / out["purchase_days"].where(out["purchase_days"] > 0)
    ).fillna(0.0)
    out["basket_quantity"] = bb["q"].mean().reindex(out.index).fillna(0.0)
    priced = ~np.isnan(price)
    pl = pd.DataFrame({"c": cid[priced], "p": price[priced]}).groupby("c")["p"].median()
    out["price_level"] = pl.reindex(out.index).fillna(0.0)

    n = out["events"]
    out["view_to_purchase"] = out["n_purchase"] / (out["n_view"] + out["n_purchase"]).clip(lower=1)
    carts = out["n_cart"]
    out["cart_abandonment"] = np.where(
        carts > 0, 1.0 - np.minimum(out["n_purchase"], carts) / carts.clip(lower=1), 0.0
    )
    out["search_share"] = out["n_search"] / n
    out["favorite_share"] = out["n_favorite"] / n
    out["cart_share"] = out["n_cart"] / n
    out["refund_rate"] = out["n_refund"] / out["n_purchase"].clip(lower=1)

    # Share of activity per category.
    cat = _category_labels(ev["category"], ev["customer_id"])
    cat_counts = (
        pd.DataFrame({"c": cid, "k": cat.to_numpy()})
        .groupby(["c", "k"])
        .size()
        .unstack(fill_value=0)
    )
    cat_names = [c for c in cat_counts.columns if c != "other"] + ["other"]
    cat_counts = cat_counts.reindex(index=out.index, columns=cat_names, fill_value=0)
    shares = cat_counts.div(n, axis=0)
    for name in cat_names:
        out[f"{CATEGORY_PREFIX}{name}"] = shares[name].astype(np.float64)

    # Hour-of-day and day-of-week habits (UTC, as stored).
    hour = (t % MS_PER_DAY) // 3_600_000
    dow = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    habits = pd.DataFrame(
        {
            "c": cid,
            "weekend_share": dow >= 5,
            "evening_share": (hour >= 18) & (hour < 24),
            "morning_share": (hour >= 6) & (hour < 12),
            "night_share": hour < 6,
        }
    )
    out = out.join(habits.groupby("c").mean().astype(np.float64))

    # Sessions: the source's session ids, or a (customer, day) visit when there are none.
    session = ev["session"].astype(object)
    sess_key = pd.Series(session.where(session.notna(), None).to_numpy(), dtype=object)
    missing = sess_key.isna().to_numpy()
    sess_frame = pd.DataFrame({"c": cid, "s": sess_key.to_numpy(), "d": day})
    with_ids = sess_frame.loc[~missing].groupby("c")["s"].nunique()
    without = sess_frame.loc[missing].groupby("c")["d"].nunique()
    out["sessions"] = (
        with_ids.reindex(out.index, fill_value=0) + without.reindex(out.index, fill_value=0)
    ).astype(np.float64)
    out["events_per_session"] = n / out["sessions"].clip(lower=1)
    return out


def scale_features(features: pd.DataFrame) -> npt.NDArray[np.float32]:
    """Scale features robustly: log1p on the heavy-tailed counts, then RobustScaler.

    RobustScaler uses the 5-95% range rather than the IQR: a category share that is high for a
    quarter of customers and near zero for the rest has an unstable IQR. Values are clipped to
    +-5 so a handful of extreme customers cannot dominate k-means or the autoencoder's loss.
    """
    from sklearn.preprocessing import RobustScaler

    x = features.astype(np.float64).copy()
    for col in COUNT_COLUMNS:
        if col in x.columns:
            x[col] = np.log1p(x[col].clip(lower=0.0))
    scaled: npt.NDArray[np.float64] = RobustScaler(quantile_range=(5.0, 95.0)).fit_transform(
        x.to_numpy()
    )
    return np.clip(np.nan_to_num(scaled), -5.0, 5.0).astype(np.float32)
