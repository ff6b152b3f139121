"""What each customer did with each item up to a cut, and the two simplest methods built on it:
recent popularity and the customer's own history (repeat-aware).

``History`` holds one entry per (customer, item) pair seen before the cut, sorted by customer
row then item: the own-history score (purchases weigh most, then carts and favorites, then
views, each faded by its age) and the counts and times a reason quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from engine.events import MS_PER_DAY
from engine.recommend.data import (
    KIND_WEIGHT,
    PURCHASE,
    VIEW,
    Interactions,
    decay,
)

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class History:
    """Per (customer, item) pair before the cut (sorted by row, then item)."""

    customers: I64  # the row of each customer: customers[row] is the project's id
    n_items: int
    code: I64  # row * n_items + item
    score: F64  # own-history score
    purchases: I64
    views: I64
    views_week: I64  # views in the 7 days up to the cut
    last_purchase_ms: I64  # -1 when never bought
    last_view_ms: I64
    last_kind: I64  # the kind of the latest interaction with the item
    last_ms: I64

    def rows_of(self, customers: I64) -> I64:
        """The row of each customer id (-1 for customers without history)."""
        pos = np.clip(np.searchsorted(self.customers, customers), 0, max(len(self.customers) - 1, 0))
        found = (self.customers[pos] == customers) if len(self.customers) else np.zeros(
            len(customers), bool)
        return np.where(found, pos, -1).astype(np.int64)

    def matrix(self, rows: I64) -> sp.csr_matrix:
        """Own-history scores of the given rows (rows x items; -1 gives an empty row)."""
        return self._rows(rows, self.score)

    def _rows(self, rows: I64, values: F64) -> sp.csr_matrix:
        starts = np.searchsorted(self.code, np.maximum(rows, 0) * self.n_items)
        ends = np.searchsorted(self.code, (np.maximum(rows, 0) + 1) * self.n_items)
        ends = np.where(rows < 0, starts, ends)
        lengths = ends - starts
        idx = _ranges(starts, lengths)
        indptr = np.r_[0, np.cumsum(lengths)]
        return sp.csr_matrix(
            (values[idx], self.code[idx] % self.n_items, indptr), shape=(len(rows), self.n_items)
        )

    def find(self, rows: I64, items: I64) -> I64:
        """The position of each (row, item) pair in the arrays, -1 when the pair is not there."""
        if len(self.code) == 0:
            return np.full(len(rows), -1, dtype=np.int64)
        codes = rows * self.n_items + items
        pos = np.clip(np.searchsorted(self.code, codes), 0, len(self.code) - 1)
        return np.where((self.code[pos] == codes) & (rows >= 0), pos, -1).astype(np.int64)

    def bought_codes(self, rows_of_batch: I64, ban_item: npt.NDArray[np.bool_] | None) -> I64:
        """Sorted codes (batch row * n_items + item) of what each batch row bought, for the items
        where ``ban_item`` holds (None: every item)."""
        m = self._rows(rows_of_batch, self.purchases.astype(np.float64)).tocoo()
        keep = m.data > 0
        if ban_item is not None:
            keep &= ban_item[m.col]
        out: I64 = np.sort(m.row[keep].astype(np.int64) * self.n_items + m.col[keep])
        return out


def _ranges(starts: I64, lengths: I64) -> I64:
    """Concatenated ``arange(s, s + n)`` for each start and length."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    out: I64 = np.repeat(starts, lengths) + (np.arange(total) - offsets)
    return out


def history(data: Interactions, cut_ms: int, half_life_days: float) -> History:
    """Every customer's pairs with items up to ``cut_ms``."""
    d = data.until(cut_ms)
    customers = np.unique(d.customer)
    row = np.searchsorted(customers, d.customer)
    n = data.n_items
    code = row * n + d.item
    # Within a pair, the latest interaction decides "in their cart" and the like.
    order = np.lexsort((d.time_ms, code))
    code, kind, time = code[order], d.kind[order], d.time_ms[order]
    uniq, first = np.unique(code, return_index=True)
    inv = np.repeat(np.arange(len(uniq)), np.diff(np.r_[first, len(code)]))
    last = np.r_[first[1:], len(code)] - 1
    weight = KIND_WEIGHT[kind] * decay(time, cut_ms, half_life_days)
    bought = kind == PURCHASE
    seen = kind == VIEW
    return History(
        customers=customers,
        n_items=n,
        code=uniq.astype(np.int64),
        score=np.bincount(inv, weight, minlength=len(uniq)).astype(np.float64),
        purchases=np.bincount(inv, bought, minlength=len(uniq)).astype(np.int64),
        views=np.bincount(inv, seen, minlength=len(uniq)).astype(np.int64),
        views_week=np.bincount(inv, seen & (time > cut_ms - 7 * MS_PER_DAY),
                               minlength=len(uniq)).astype(np.int64),
        last_purchase_ms=_last_time(inv, time, bought, len(uniq)),
        last_view_ms=_last_time(inv, time, seen, len(uniq)),
        last_kind=kind[last],
        last_ms=time[last],
    )


def _last_time(inv: I64, time: I64, where: npt.NDArray[np.bool_], n: int) -> I64:
    out = np.full(n, -1, dtype=np.int64)
    # Times rise within a pair, so the last assignment wins with the latest.
    out[inv[where]] = time[where]
    return out


@dataclass(frozen=True)
class Popularity:
    """Items by recent popularity: most buyers in the last days, then most customers."""

    order: I64  # every item, most popular first
    buyers: I64  # distinct buyers per item in the window
    customers: I64  # distinct customers interacting per item in the window
    window_days: int

    def scores(self) -> F64:
        """A score per item that sorts like ``order`` (higher is more popular)."""
        out = np.zeros(len(self.order))
        out[self.order] = np.arange(len(self.order), 0, -1, dtype=np.float64)
        return out


def popularity(data: Interactions, cut_ms: int, window_days: int) -> Popularity:
    """The items most bought in ``(cut - window, cut]`` (ties and items nobody bought by
    customers interacting, then by all-time interactions)."""
    start = cut_ms - window_days * MS_PER_DAY
    recent = data.between(start, cut_ms)
    n = data.n_items
    buyers = _distinct_customers(recent, recent.kind == PURCHASE, n)
    customers = _distinct_customers(recent, np.ones(len(recent), bool), n)
    ever = np.bincount(data.until(cut_ms).item, minlength=n)
    order = np.lexsort((np.arange(n), -ever, -customers, -buyers)).astype(np.int64)
    return Popularity(order, buyers, customers, window_days)


def _distinct_customers(d: Interactions, where: npt.NDArray[np.bool_], n: int) -> I64:
    if not where.any():
        return np.zeros(n, dtype=np.int64)
    pairs = np.unique(d.customer[where].astype(np.int64) * n + d.item[where])
    return np.bincount(pairs % n, minlength=n).astype(np.int64)


def days_between(earlier_ms: I64, later_ms: int) -> I64:
    """Whole days from each time to ``later_ms``."""
    return np.maximum(0, (later_ms - earlier_ms) // MS_PER_DAY).astype(np.int64)
