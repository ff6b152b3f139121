"""Item-to-item co-occurrence: "bought together" in a basket and "chosen after" in a customer's
sequence, faded by age, as a sparse item x item matrix (scipy.sparse, so large catalogues fit).

Two items are bought together when they are in one order (its id, or one moment). Item B is
chosen after item A when the customer turned to B within ``SEQUENCE_DAYS`` after A, one of their
``SEQUENCE_STEPS`` previous interactions; a purchase of B counts most (``KIND_WEIGHT``). Each
item keeps its ``NEIGHBOURS`` strongest neighbours, so scoring costs the same on any catalogue.
A customer's candidates are their recent items' neighbours, weighted by their own history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from engine.events import MS_PER_DAY
from engine.recommend.data import KIND_WEIGHT, PURCHASE, Interactions, decay
from engine.recommend.history import History
from engine.recommend.ranking import by_row_then_value, positions

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

SEQUENCE_STEPS: Final[int] = 8
SEQUENCE_DAYS: Final[float] = 7.0
NEIGHBOURS: Final[int] = 100
#: The customer's strongest items that seed their candidates.
SEED_ITEMS: Final[int] = 30
#: The customer's strongest items a reason may quote.
EVIDENCE_SEEDS: Final[int] = 10
#: Baskets larger than this are wholesale lists, not "bought together": left out.
MAX_BASKET: Final[int] = 200


@dataclass(frozen=True)
class CoOccurrence:
    """The pruned, normalised neighbour matrix and the raw counts a reason quotes."""

    weights: sp.csr_matrix  # item x item, normalised, NEIGHBOURS per row
    baskets: sp.csr_matrix  # item x item: baskets with both (same structure as weights)
    after: sp.csr_matrix  # item x item: times B followed A (same structure)
    bought_after: sp.csr_matrix  # item x item: times B was bought after A (same structure)


def _basket_matrix(d: Interactions, cut_ms: int, half_life: float) -> tuple[sp.csr_matrix,
                                                                          F64]:
    buy = (d.kind == PURCHASE) & (d.basket >= 0)
    basket, item, time = d.basket[buy], d.item[buy], d.time_ms[buy]
    if len(basket) == 0:
        return sp.csr_matrix((0, d.n_items)), np.zeros(0)
    ids, dense = np.unique(basket, return_inverse=True)
    m = sp.csr_matrix(
        (np.ones(len(dense)), (dense, item)), shape=(len(ids), d.n_items)
    )
    m.data[:] = 1.0  # an item twice in one order is still one basket
    sizes = np.diff(m.indptr)
    m = m[sizes <= MAX_BASKET]
    when = np.zeros(len(ids), dtype=np.int64)
    when[dense] = time
    return m, decay(when[sizes <= MAX_BASKET], cut_ms, half_life)


def _sequence_pairs(d: Interactions, cut_ms: int, half_life: float) -> tuple[I64, I64, F64, F64]:
    """(earlier item, later item, weight, 1 when the later one was a purchase) for each
    interaction and each of the customer's previous ``SEQUENCE_STEPS`` within the window."""
    n = len(d)
    if n < 2:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0)
    src, dst = [], []
    window = SEQUENCE_DAYS * MS_PER_DAY
    for step in range(1, SEQUENCE_STEPS + 1):
        later = np.arange(step, n)
        earlier = later - step
        ok = (d.customer[later] == d.customer[earlier]) & (
            d.time_ms[later] - d.time_ms[earlier] <= window) & (d.item[later] != d.item[earlier])
        src.append(earlier[ok])
        dst.append(later[ok])
    e, late = np.concatenate(src), np.concatenate(dst)
    w = KIND_WEIGHT[d.kind[late]] * decay(d.time_ms[late], cut_ms, half_life)
    return d.item[e], d.item[late], w, (d.kind[late] == PURCHASE).astype(np.float64)


def cooccurrence(data: Interactions, cut_ms: int, half_life_days: float) -> CoOccurrence:
    """The co-occurrence of items in the interactions up to ``cut_ms``."""
    d = data.until(cut_ms)
    n = data.n_items
    baskets, when = _basket_matrix(d, cut_ms, half_life_days)
    together = (baskets.T @ sp.diags(when) @ baskets).tocsr() if baskets.shape[0] else (
        sp.csr_matrix((n, n)))
    counts = (baskets.T @ baskets).tocsr() if baskets.shape[0] else sp.csr_matrix((n, n))
    a, b, w, bought = _sequence_pairs(d, cut_ms, half_life_days)
    seq = sp.csr_matrix((w, (a, b)), shape=(n, n))
    after = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    after_bought = sp.csr_matrix((bought, (a, b)), shape=(n, n))
    # Bought together counts as much as a purchase following: both are strong evidence.
    total = (together * KIND_WEIGHT[PURCHASE] + seq).tocsr()
    total.setdiag(0)
    total.eliminate_zeros()
    weights = _prune(_normalise(total), NEIGHBOURS)
    rows = np.repeat(np.arange(n), np.diff(weights.indptr))
    cols = weights.indices

    def at(m: sp.csr_matrix) -> sp.csr_matrix:
        values = np.asarray(m[rows, cols]).ravel() if len(rows) else np.zeros(0)
        return sp.csr_matrix((values, cols.copy(), weights.indptr.copy()), shape=(n, n))

    return CoOccurrence(weights, at(counts), at(after), at(after_bought))


def _normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    """Cosine-like: divide by the square root of both items' totals, so a best seller is not
    everyone's neighbour."""
    total = np.asarray(m.sum(axis=1)).ravel() + np.asarray(m.sum(axis=0)).ravel()
    scale = 1.0 / np.sqrt(np.maximum(total, 1e-12))
    out: sp.csr_matrix = (sp.diags(scale) @ m @ sp.diags(scale)).tocsr()
    return out


def _prune(m: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row's ``keep`` largest entries."""
    m = m.tocsr()
    m.sort_indices()
    n = m.shape[0]
    lengths = np.diff(m.indptr)
    rows = np.repeat(np.arange(n), lengths)
    long_rows = lengths[rows] > keep  # only rows with more entries than kept need sorting
    sub = np.flatnonzero(long_rows)
    order = sub[by_row_then_value(rows[sub], m.data[sub])]
    position = positions(rows[order], n)
    chosen = np.sort(np.r_[np.flatnonzero(~long_rows), order[position < keep]])
    out = sp.csr_matrix((m.data[chosen], (rows[chosen], m.indices[chosen])), shape=m.shape)
    out.sort_indices()
    return out


def seeds(hist: History, rows: I64, most: int = SEED_ITEMS) -> sp.csr_matrix:
    """Each customer's ``most`` strongest own items, weighted by their history score."""
    m = hist.matrix(rows)
    if m.nnz == 0:
        return m
    r = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    order = by_row_then_value(r, m.data)
    position = positions(r[order], m.shape[0])
    chosen = np.sort(order[position < most])
    data = m.data[chosen] / np.maximum(np.bincount(r[chosen], m.data[chosen],
                                                   minlength=m.shape[0])[r[chosen]], 1e-12)
    return sp.csr_matrix((data, (r[chosen], m.indices[chosen])), shape=m.shape)


def co_scores(co: CoOccurrence, hist: History, rows: I64) -> sp.csr_matrix:
    """The co-occurrence method's scores for a batch of customer rows (rows x items)."""
    out: sp.csr_matrix = (seeds(hist, rows) @ co.weights).tocsr()
    return out


def evidence(co: CoOccurrence, hist: History, rows: I64,
             top: I64) -> tuple[I64, I64, I64, I64]:
    """For each recommended item (batch rows x k; -1 for slots that need no reason): which of
    the customer's ``EVIDENCE_SEEDS`` strongest items brought it most (-1 when none), how many
    baskets held both, how many times it was bought after that item, and how many times it
    followed it at all."""
    n_rows, k = top.shape
    s = seeds(hist, rows, EVIDENCE_SEEDS).tocoo()
    best = np.full((n_rows, k), -1, dtype=np.int64)
    if s.nnz == 0:
        z = np.zeros((n_rows, k), dtype=np.int64)
        return best, z, z, z
    # Every (seed item, recommended item) pair of a row: seeds per row x k.
    seed_row, seed_item, seed_w = s.row.astype(np.int64), s.col.astype(np.int64), s.data
    slot = np.repeat(np.arange(len(seed_row)), k)
    col = np.tile(np.arange(k), len(seed_row))
    target = top[seed_row[slot], col]
    ok = target >= 0
    slot, col, target = slot[ok], col[ok], target[ok]
    w = np.asarray(co.weights[seed_item[slot], target]).ravel() * seed_w[slot]
    keep = w > 0
    slot, col, target, w = slot[keep], col[keep], target[keep], w[keep]
    r = seed_row[slot]
    order = np.lexsort((-w, r * k + col))
    first = np.r_[True, np.diff((r * k + col)[order]) != 0] if len(order) else np.zeros(0, bool)
    pick = order[first]
    best[r[pick], col[pick]] = seed_item[slot[pick]]
    both, bought, follow = (np.zeros((n_rows, k), dtype=np.int64) for _ in range(3))
    has = best >= 0
    if has.any():
        src, dst = best[has], top[has]
        for out, m in ((both, co.baskets), (bought, co.bought_after), (follow, co.after)):
            out[has] = np.asarray(m[src, dst]).ravel().astype(np.int64)
    return best, both, bought, follow
