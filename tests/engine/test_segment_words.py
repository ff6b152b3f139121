"""Segment descriptions speak only of what the log has: a purchase-only export has no views,
searches, favorites or carts, so no trait or name may mention them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.demo import generate_demo
from engine.profiles.features import customer_features
from engine.profiles.segments import describe_segments

SILENT = ("views per purchase", "share of searches", "share of favorites", "carts abandoned")


def _segments(events: pd.DataFrame) -> list[object]:
    features = customer_features(events)
    # Two groups by how often they buy: the rare buyers must not be called "browsers".
    days = features["purchase_days"].to_numpy()
    labels = (days > np.median(days)).astype(np.int64)
    return describe_segments(features, labels, events, None)  # type: ignore[return-value]


def test_a_purchase_only_log_gets_no_browsing_words() -> None:
    events = generate_demo(customers=300, seed=5).events_frame()
    bought = events[events["event"] == "purchase"].reset_index(drop=True)
    for segment in _segments(bought):
        labels = [label for label, _s, _o in segment.traits]  # type: ignore[attr-defined]
        assert not set(labels) & set(SILENT), labels
        text = (segment.name + " " + segment.description).lower()  # type: ignore[attr-defined]
        for word in ("browser", "abandon", "search", "favorite", "per purchase"):
            assert word not in text, text


def test_a_full_log_still_describes_browsing() -> None:
    events = generate_demo(customers=300, seed=5).events_frame()
    labels = {label for s in _segments(events) for label, _s, _o in s.traits}  # type: ignore[attr-defined]
    assert set(SILENT) <= labels


def test_a_small_group_keeps_its_category() -> None:
    """Jewelry is the ninth category by activity, but the main one of 5% of customers: it keeps
    its name (a segment about it can be named and acted on)."""
    rows = []
    for c in range(100):
        for k in range(9):  # everyone browses nine busy categories a lot
            rows += [(c, f"Busy {k}")] * (20 - k)
        if c < 5:
            rows += [(c, "Jewelry")] * 40  # five customers live in jewelry
    events = pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "time_ms": np.arange(len(rows), dtype=np.int64) * 60_000 + 1_700_000_000_000,
        "event": "view", "item": "x", "category": [r[1] for r in rows], "price": 1.0,
        "quantity": 1.0, "amount": np.nan, "session": None, "query": None,
    })
    columns = set(customer_features(events).columns)
    assert "cat_Jewelry" in columns
    assert "cat_Busy 8" not in columns  # the ninth busy category still folds into other


def test_a_segment_is_named_by_what_sets_it_apart() -> None:
    """Half the customers do 39% of their shopping in the evening, the others almost never
    (the split found on Online Retail): the first segment is named for its evenings."""
    rows = []
    for c in range(100):
        evening = c < 50
        for i in range(100):
            hour = 20 if evening and i < 39 else 10
            day = i % 28
            rows.append((c, 1_700_006_400_000 + day * 86_400_000 + hour * 3_600_000, i % 10 == 0))
    events = pd.DataFrame({
        "customer_id": [r[0] for r in rows], "time_ms": [r[1] for r in rows],
        "event": ["purchase" if r[2] else "view" for r in rows], "item": "x",
        "category": "Home", "price": 5.0, "quantity": 1.0,
        "amount": [5.0 if r[2] else np.nan for r in rows], "session": None, "query": None,
    })
    features = customer_features(events)
    labels = (features.index.to_numpy() >= 50).astype(np.int64)
    first = describe_segments(features, labels, events, None)[0]
    assert first.name.startswith("Evening"), first.name
