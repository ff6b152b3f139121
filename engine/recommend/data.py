"""Interactions: the events a recommender learns from, as numbered arrays.

An interaction is a view (or click), a cart add, a favorite (or like) or a purchase of a known
item; searches, removals and refunds are not. Items are numbered 0..n_items-1 over every
interaction up to the as-of date, so every cut of the data shares one numbering. Arrays stay in
the event frame's order (customer, then time), so a cut at a time is a mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

VIEW, CART, FAVORITE, PURCHASE = 0, 1, 2, 3
#: Event types that count as an interaction, and their kind.
EVENT_KIND: Final[dict[str, int]] = {
    "view": VIEW, "click": VIEW, "cart": CART, "favorite": FAVORITE, "like": FAVORITE,
    "purchase": PURCHASE,
}
#: Weight of each kind in own history and co-occurrence: purchases count most.
KIND_WEIGHT: Final[F64] = np.array([1.0, 2.0, 2.0, 4.0])
#: Graded relevance of an item the customer turned to next (NDCG): purchase 3, cart and
#: favorite 2, view 1.
KIND_GRADE: Final[F64] = np.array([1.0, 2.0, 2.0, 3.0])


@dataclass(frozen=True)
class Interactions:
    """Interactions in customer, time order, with the item and category numbering."""

    customer: I64  # the customers' ids in the project
    item: I64  # 0..n_items-1
    kind: I64  # VIEW, CART, FAVORITE, PURCHASE
    time_ms: I64
    basket: I64  # purchase baskets numbered 0.. (an order id, or one moment); -1 otherwise
    item_keys: npt.NDArray[np.object_]  # the item's key (as the shop knows it) by number
    item_category: I64  # category number of each item, -1 when unknown
    categories: list[str]  # category names by number

    @property
    def n_items(self) -> int:
        """How many items the numbering has."""
        return len(self.item_keys)

    def __len__(self) -> int:
        return len(self.item)

    def until(self, cut_ms: int) -> Interactions:
        """The interactions at or before ``cut_ms`` (same numbering)."""
        return self.select(self.time_ms <= cut_ms)

    def between(self, after_ms: int, until_ms: int) -> Interactions:
        """The interactions in ``(after_ms, until_ms]`` (same numbering)."""
        return self.select((self.time_ms > after_ms) & (self.time_ms <= until_ms))

    def select(self, mask: npt.NDArray[np.bool_]) -> Interactions:
        """The interactions where ``mask`` holds."""
        return Interactions(
            self.customer[mask], self.item[mask], self.kind[mask], self.time_ms[mask],
            self.basket[mask], self.item_keys, self.item_category, self.categories,
        )

    def customers(self) -> I64:
        """The distinct customers, ascending."""
        return np.unique(self.customer)


def interactions(events: pd.DataFrame) -> Interactions:
    """The interactions of an event frame (``engine.events.FRAME_COLUMNS``)."""
    kind = events["event"].map(EVENT_KIND)
    keep = kind.notna().to_numpy() & events["item"].notna().to_numpy()
    frame = events.loc[keep]
    kinds = kind[keep].to_numpy(dtype=np.int64)
    items, keys = pd.factorize(frame["item"].astype(str), sort=False)
    customers = frame["customer_id"].to_numpy(dtype=np.int64)
    times = frame["time_ms"].to_numpy(dtype=np.int64)
    # An order's lines share its id; without one, the lines of one moment are one order.
    session = frame["session"].astype(object)
    order = np.where(session.notna(), "s" + session.astype(str), "t" + frame["time_ms"].astype(str))
    is_buy = kinds == PURCHASE
    basket = np.full(len(frame), -1, dtype=np.int64)
    if is_buy.any():
        labels = pd.Series(customers[is_buy]).astype(str) + "|" + pd.Series(order[is_buy])
        basket[is_buy] = pd.factorize(labels)[0]
    cat_codes, cat_names = pd.factorize(frame["category"], sort=False)  # -1 for missing
    item_category = np.full(len(keys), -1, dtype=np.int64)
    # Each item's category is the last one it was seen with.
    known = cat_codes >= 0
    item_category[items[known]] = cat_codes[known]
    return Interactions(
        customer=customers, item=items.astype(np.int64), kind=kinds, time_ms=times,
        basket=basket, item_keys=np.asarray(keys, dtype=object),
        item_category=item_category, categories=[str(c) for c in cat_names],
    )


def days_ago(times: npt.NDArray[np.int64] | npt.NDArray[np.float64], as_of_ms: int) -> I64:
    """Whole days from ``times`` to the as-of date (0 on the day itself)."""
    return np.maximum(0, (as_of_ms - np.asarray(times, np.float64)) // MS_PER_DAY).astype(np.int64)


def decay(times: npt.NDArray[np.int64], cut_ms: int, half_life_days: float) -> F64:
    """Exponential time decay: 1 at the cut, 1/2 a half-life earlier."""
    age = np.maximum(0.0, (cut_ms - times.astype(np.float64)) / MS_PER_DAY)
    out: F64 = np.exp2(-age / half_life_days)
    return out
