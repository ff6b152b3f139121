"""Turning scores into each customer's top k, with the business rules as masks and popular items
to fill short lists. Works on one batch of customers at a time, so memory stays bounded.

A batch's scores are a sparse matrix (rows x items) for the count-based methods or a dense one
(the neural model). ``allowed`` masks items for everyone (out of stock, other categories);
``banned`` holds sorted codes ``row * n_items + item`` of pairs left out for one customer
(what they bought in a category where people rarely buy the same item again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Masks:
    """What may be recommended: ``allowed`` per item (None: all), ``banned`` sorted pair codes of
    the batch (row * n_items + item; None: none)."""

    allowed: B | None = None
    banned: I64 | None = None

    def blocked(self, rows: I64, items: I64, n_items: int) -> B:
        """Whether each (row, item) pair may not be recommended."""
        out = np.zeros(len(rows), dtype=bool)
        if self.allowed is not None:
            out |= ~self.allowed[items]
        if self.banned is not None and len(self.banned):
            out |= contains(self.banned, rows * n_items + items)
        return out


def contains(sorted_codes: I64, codes: I64) -> B:
    """Whether each code is in ``sorted_codes`` (sorted ascending)."""
    if len(sorted_codes) == 0:
        return np.zeros(len(codes), dtype=bool)
    pos = np.clip(np.searchsorted(sorted_codes, codes), 0, len(sorted_codes) - 1)
    found: B = sorted_codes[pos] == codes
    return found


def by_row_then_value(rows: I64, values: F64) -> I64:
    """The order that sorts entries by row, then by value descending (ties keep their order):
    one stable float sort instead of a lexsort, several times faster on millions of entries."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros(len(values))
    key = rows.astype(np.float64) + (1.0 - scaled) * 0.999
    order: I64 = np.argsort(key, kind="stable").astype(np.int64)
    return order


def positions(rows_sorted: I64, n_rows: int) -> I64:
    """Each entry's place within its row, for entries sorted by row."""
    start = np.searchsorted(rows_sorted, np.arange(n_rows))
    out: I64 = np.arange(len(rows_sorted)) - start[rows_sorted]
    return out


def _kth_largest(rows: I64, vals: F64, n_rows: int, k: int) -> F64:
    """Each row's k-th largest value (-inf for rows with k entries or fewer), for entries
    grouped by row: only the entries at or above it need sorting (a partition per long row
    is several times faster than sorting millions of candidates)."""
    out = np.full(n_rows, -np.inf)
    bounds = np.searchsorted(rows, np.arange(n_rows + 1))
    lengths = np.diff(bounds)
    for r in np.flatnonzero(lengths > k).tolist():
        part = vals[bounds[r]:bounds[r + 1]]
        out[r] = np.partition(part, len(part) - k)[len(part) - k]
    return out


def top_sparse(scores: sp.csr_matrix, k: int, masks: Masks) -> tuple[I64, F64]:
    """Each row's ``k`` best items by score (-1 and NaN where a row has fewer), best first;
    ties go to the lower item number."""
    n_rows, n_items = scores.shape
    scores = scores.tocsr()
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(scores.indptr))
    items, vals = scores.indices.astype(np.int64), np.asarray(scores.data, dtype=np.float64)
    keep = np.isfinite(vals)
    if masks.allowed is not None:
        keep &= masks.allowed[items]
    rows, items, vals = rows[keep], items[keep], vals[keep]
    # Only entries within reach of a row's top k (plus what the row bans) are checked and
    # sorted; the bans are looked up on those alone.
    extra = 0 if masks.banned is None else int(
        np.bincount(masks.banned // n_items, minlength=n_rows).max(initial=0))
    keep = vals >= _kth_largest(rows, vals, n_rows, k + extra)[rows]
    rows, items, vals = rows[keep], items[keep], vals[keep]
    if masks.banned is not None and len(masks.banned):
        keep = ~contains(masks.banned, rows * n_items + items)
        rows, items, vals = rows[keep], items[keep], vals[keep]
    # Few entries are left: sort them fully, equal scores going to the lower item number.
    order = np.lexsort((items, -vals, rows))
    rows, items, vals = rows[order], items[order], vals[order]
    position = positions(rows, n_rows)
    keep = position < k
    top = np.full((n_rows, k), -1, dtype=np.int64)
    val = np.full((n_rows, k), np.nan)
    top[rows[keep], position[keep]] = items[keep]
    val[rows[keep], position[keep]] = vals[keep]
    return top, val


def top_dense(scores: npt.NDArray[np.floating], k: int, masks: Masks) -> tuple[I64, F64]:
    """Each row's ``k`` best columns of a dense score matrix (items are columns), best first."""
    n_rows, n_items = scores.shape
    work = np.array(scores, dtype=np.float64, copy=True)
    if masks.allowed is not None:
        work[:, ~masks.allowed] = -np.inf
    if masks.banned is not None and len(masks.banned):
        work[masks.banned // n_items, masks.banned % n_items] = -np.inf
    k_eff = min(k, n_items)
    part = np.argpartition(-work, k_eff - 1, axis=1)[:, :k_eff] if k_eff else np.zeros(
        (n_rows, 0), np.int64)
    part_vals = np.take_along_axis(work, part, axis=1)
    order = np.lexsort((part, -part_vals), axis=1) if k_eff else part
    top = np.take_along_axis(part, order, axis=1).astype(np.int64)
    val = np.take_along_axis(part_vals, order, axis=1)
    bad = ~np.isfinite(val)
    top[bad], val[bad] = -1, np.nan
    if k_eff < k:
        top = np.pad(top, ((0, 0), (0, k - k_eff)), constant_values=-1)
        val = np.pad(val, ((0, 0), (0, k - k_eff)), constant_values=np.nan)
    return top, val


def fill(top: I64, val: F64, order: I64, masks: Masks, n_items: int) -> tuple[I64, F64, B]:
    """Fill each row's empty slots (-1) from ``order`` (items, best first: the popular ones),
    skipping items already in the row or blocked; returns the lists, the scores (a filled item
    scores below every item found before it) and which slots were filled."""
    n_rows, k = top.shape
    missing = (top < 0).sum(axis=1)
    filled = np.zeros_like(top, dtype=bool)
    if n_rows == 0 or not missing.any() or len(order) == 0:
        return top, val, filled
    present = np.sort((np.arange(n_rows)[:, None] * n_items + top)[top >= 0])
    n_banned = 0 if masks.banned is None else int(
        np.bincount(masks.banned // n_items, minlength=n_rows).max())
    width = min(len(order), k + int(missing.max()) + n_banned)
    while True:
        cand = np.broadcast_to(order[:width], (n_rows, width))
        rows = np.repeat(np.arange(n_rows), width)
        flat = cand.ravel()
        bad = masks.blocked(rows, flat, n_items) | contains(present, rows * n_items + flat)
        ok = ~bad.reshape(n_rows, width)
        if width >= len(order) or (ok.sum(axis=1) >= missing).all():
            break
        width = min(len(order), width * 2)
    rank = np.cumsum(ok, axis=1)
    take = ok & (rank <= missing[:, None])
    rr, cc = np.nonzero(take)
    slot = (k - missing)[rr] + rank[rr, cc] - 1
    floor = np.nanmin(np.where(np.isfinite(val), val, np.inf), axis=1)
    floor = np.where(np.isfinite(floor), floor, 0.0)
    top = top.copy()
    val = val.copy()
    # Found items come first in a row (top_sparse/top_dense leave -1 only at the end).
    top[rr, slot] = cand[rr, cc]
    val[rr, slot] = floor[rr] - 1.0 - (rank[rr, cc] / (width + 1.0))
    filled[rr, slot] = True
    return top, val, filled
