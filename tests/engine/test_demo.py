"""The demo generator: determinism, the CSV shape and the structure planted for the models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.demo import generate_demo, write_demo_csv
from engine.demo_frames import CSV_COLUMNS, CSV_EVENT_TYPES, DemoData
from engine.demo_shop import CATEGORIES, PLANTED_SEGMENTS
from engine.events import EVENT_TYPES, FRAME_COLUMNS, MS_PER_DAY

N_CUSTOMERS = 1200


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(customers=N_CUSTOMERS, seed=11)


@pytest.fixture(scope="module")
def labelled(demo: DemoData) -> pd.DataFrame:
    """Events with the customer's planted segment and a parsed timestamp."""
    ev = demo.events.merge(demo.truth, left_on="customer_id", right_on="customer")
    ts = pd.to_datetime(ev["event_time"], format="%Y-%m-%d %H:%M:%S")
    ev["weekend"] = ts.dt.day_of_week >= 5
    return ev


def test_same_seed_same_log_other_seed_other_log() -> None:
    a = generate_demo(customers=300, seed=5)
    b = generate_demo(customers=300, seed=5)
    c = generate_demo(customers=300, seed=6)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not a.events.equals(c.events)
    assert not a.truth["segment"].equals(c.truth["segment"])


def test_columns_types_and_values(demo: DemoData) -> None:
    ev = demo.events
    assert tuple(ev.columns) == CSV_COLUMNS
    assert 100_000 * N_CUSTOMERS / 2000 <= len(ev) <= 250_000 * N_CUSTOMERS / 2000
    assert set(ev["event_type"]) == set(CSV_EVENT_TYPES)
    assert set(ev["category"]) == set(CATEGORIES)
    assert ev["customer_id"].str.fullmatch(r"C\d{5}").all()
    times = pd.to_datetime(ev["event_time"], format="%Y-%m-%d %H:%M:%S")
    assert times.is_monotonic_increasing
    assert times.min() >= pd.Timestamp("2025-06-01")
    assert times.max() < pd.Timestamp("2025-11-28")
    search = ev["event_type"] == "search"
    assert (ev.loc[search, "product_id"] == "").all()
    assert ev.loc[search, "price"].isna().all()
    assert (ev.loc[search, "search_query"].str.len() > 0).all()
    assert ev.loc[~search, "product_id"].str.fullmatch(r"P\d{4}").all()
    assert (ev.loc[~search, "search_query"] == "").all()
    prices = ev.loc[~search, "price"]
    assert (prices > 0).all() and np.allclose(prices, prices.round(2))
    money = ev["event_type"].isin(["purchase", "refund"])
    assert ev.loc[money, "quantity"].notna().all() and (ev.loc[money, "quantity"] >= 1).all()
    assert ev.loc[~money, "quantity"].isna().all()
    # Refunds are rare (about 3% of purchases) and carry positive price and quantity.
    n_refund = int((ev["event_type"] == "refund").sum())
    n_purchase = int((ev["event_type"] == "purchase").sum())
    assert 0.01 < n_refund / n_purchase < 0.06
    # Category-typical prices: electronics are dearer than toys.
    by_cat = ev.loc[~search].groupby("category")["price"].median()
    assert by_cat["Electronics"] > 5 * by_cat["Toys"]


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    data = write_demo_csv(path, customers=50, seed=3)
    back = pd.read_csv(path, dtype={"customer_id": str, "product_id": str})
    assert list(back.columns) == list(CSV_COLUMNS)
    assert len(back) == len(data.events)
    assert back["customer_id"].tolist() == data.events["customer_id"].tolist()
    np.testing.assert_allclose(back["price"], data.events["price"].astype(float))
    assert path.read_bytes().decode("utf-8").startswith(",".join(CSV_COLUMNS))


def test_segment_shares(demo: DemoData) -> None:
    assert set(demo.truth["segment"]) == set(PLANTED_SEGMENTS)
    assert demo.truth["customer"].is_unique and len(demo.truth) == N_CUSTOMERS
    shares = demo.truth["segment"].value_counts(normalize=True)
    assert ((shares > 0.2) & (shares < 0.3)).all()
    assert 0.4 < demo.truth["ramp_buyer"].mean() < 0.6


def test_weekend_habit(labelled: pd.DataFrame) -> None:
    weekend = labelled.groupby("segment")["weekend"].mean()
    assert weekend["weekend_bargain_hunters"] >= 0.6
    others = weekend.drop("weekend_bargain_hunters")
    assert (others < 0.4).all(), others


@pytest.mark.parametrize(
    ("segment", "category"),
    [
        ("home_decor_regulars", "Home Decor"),
        ("weekend_bargain_hunters", "Toys"),
        ("electronics_researchers", "Electronics"),
        ("fashion_browsers", "Fashion"),
    ],
)
def test_category_dominance(labelled: pd.DataFrame, segment: str, category: str) -> None:
    shares = labelled.loc[labelled["segment"] == segment, "category"].value_counts(normalize=True)
    assert shares.index[0] == category
    assert shares[category] > 0.6


def test_funnel_habits(labelled: pd.DataFrame) -> None:
    counts = pd.crosstab(labelled["segment"], labelled["event_type"])
    views_per_purchase = counts["view"] / counts["purchase"]
    # Home decor regulars convert best; researchers search most; fashion browsers cart most.
    assert views_per_purchase.idxmin() == "home_decor_regulars"
    assert (counts["search"] / counts.sum(axis=1)).idxmax() == "electronics_researchers"
    assert (counts["cart"] / counts["purchase"]).idxmax() == "fashion_browsers"
    buys = labelled[labelled["event_type"] == "purchase"]
    avg_price = buys.groupby("segment")["price"].mean()
    assert avg_price.idxmax() == "electronics_researchers"


def test_purchases_follow_a_ramp(demo: DemoData) -> None:
    """Activity in the 7 days before a purchase is well above the customer's usual rate."""
    frame = demo.events_frame()
    ids = demo.customer_ids()
    ramp = pd.Series(
        demo.truth["ramp_buyer"].to_numpy(),
        index=ids.reindex(demo.truth["customer"]).to_numpy(),
    )
    t = frame["time_ms"].to_numpy()
    cid = frame["customer_id"].to_numpy()
    span_days = frame.groupby("customer_id")["time_ms"].agg(lambda s: np.ptp(s)) / MS_PER_DAY + 1
    baseline = frame.groupby("customer_id").size() / span_days  # events per day
    starts = np.searchsorted(cid, cid, side="left")  # frame is sorted by customer, then time
    buys = np.flatnonzero(frame["event"].to_numpy() == "purchase")
    ratios = []
    for i in buys:
        lo = starts[i] + np.searchsorted(t[starts[i] : i], t[i] - 7 * MS_PER_DAY)
        before = int(np.sum(t[lo:i] < t[i]))
        ratios.append((before / 7) / baseline[cid[i]])
    ratio = pd.Series(ratios, index=cid[buys])
    ramp_ratio = ratio[ramp.reindex(ratio.index).to_numpy()].mean()
    other_ratio = ratio[~ramp.reindex(ratio.index).to_numpy()].mean()
    assert ramp_ratio > 1.8
    assert ramp_ratio > other_ratio + 0.4


def test_events_frame_matches_contract(demo: DemoData) -> None:
    frame = demo.events_frame()
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(demo.events)
    assert frame["customer_id"].dtype == np.int64 and frame["time_ms"].dtype == np.int64
    assert set(frame["event"]) <= set(EVENT_TYPES)
    assert "remove_cart" in set(frame["event"])
    key = frame["customer_id"].to_numpy() * 10**13 + frame["time_ms"].to_numpy()
    assert (np.diff(key) >= 0).all()
    # Dense ids in order of first appearance in the (time-sorted) log, starting at 1.
    ids = demo.customer_ids()
    first_seen = pd.unique(demo.events["customer_id"].to_numpy())
    assert ids.index.tolist() == list(first_seen)
    assert ids.tolist() == list(range(1, len(first_seen) + 1))
    assert demo.events["customer_id"].iloc[0] == ids.index[0]
    # Missing text is None (contract), amounts are revenue with refunds negative.
    search = frame["event"] == "search"
    assert frame.loc[search, "item"].map(lambda v: v is None).all()
    assert frame.loc[~search, "query"].map(lambda v: v is None).all()
    buy = frame["event"] == "purchase"
    refund = frame["event"] == "refund"
    np.testing.assert_allclose(
        frame.loc[buy, "amount"], frame.loc[buy, "price"] * frame.loc[buy, "quantity"]
    )
    assert (frame.loc[refund, "amount"] < 0).all()
    assert frame.loc[~(buy | refund), "amount"].isna().all()
    assert frame["session"].notna().all()
    ms = pd.to_datetime(demo.events["event_time"]).to_numpy(dtype="datetime64[ms]")
    assert frame["time_ms"].min() == ms.astype(np.int64).min()
