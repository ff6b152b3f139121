"""The blend: a small gradient-boosting model that reranks the candidates of the count-based
methods (own history, co-occurrence, popularity) from their scores and ranks and a few simple
facts about the customer and the item.

It learns on an earlier period than the one it is measured on: methods fitted up to D-2H, the
customers' next items in (D-2H, D-H] as labels; measured with methods up to D-H on (D-H, D].
The sequence model is not among its inputs: its scores at D-2H would need a second network
trained only up to then (one trained up to D-H has seen those labels).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from engine.recommend.metrics import Truth
from engine.recommend.ranking import Masks, top_sparse

if TYPE_CHECKING:
    from engine.recommend.methods import Cut

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Candidates each method brings per customer.
CANDIDATES: Final[int] = 30
FEATURES: Final[tuple[str, ...]] = (
    "own_score", "own_rank", "co_score", "co_rank", "pop_rank", "pop_buyers", "pop_customers",
    "purchases", "views", "days_since", "last_kind", "history_items",
)
#: Negatives kept per positive when learning (the rest are sampled away: faster, same ranking).
NEGATIVES_PER_POSITIVE: Final[int] = 20


def _ranked_codes(m: sp.csr_matrix, masks: Masks, n_items: int) -> tuple[I64, F64]:
    """Sorted codes (row * n_items + item) of a method's top ``CANDIDATES`` and their ranks."""
    top, _ = top_sparse(m, CANDIDATES, masks)
    rr, cc = np.nonzero(top >= 0)
    codes = rr * n_items + top[rr, cc]
    order = np.argsort(codes)
    return codes[order], (cc + 1).astype(np.float64)[order]


def _lookup(codes: I64, values: F64, asked: I64, missing: float) -> F64:
    if len(codes) == 0:
        return np.full(len(asked), missing)
    pos = np.clip(np.searchsorted(codes, asked), 0, len(codes) - 1)
    return np.where(codes[pos] == asked, values[pos], missing)


def candidates(cut: Cut, customers: I64, masks: Masks) -> tuple[I64, I64, F64]:
    """(row, item) pairs each method proposes for the batch, and their features."""
    from engine.recommend.methods import method_scores

    n_items = cut.data.n_items
    n = len(customers)
    own = method_scores(cut, "own_history", customers)
    co = method_scores(cut, "co_occurrence", customers)
    own_codes, own_rank = _ranked_codes(own, masks, n_items)
    co_codes, co_rank = _ranked_codes(co, masks, n_items)
    allowed = cut.pop.order if masks.allowed is None else cut.pop.order[
        masks.allowed[cut.pop.order]]
    popular = (np.arange(n)[:, None] * n_items + allowed[:CANDIDATES][None, :]).ravel()
    codes = np.unique(np.concatenate([own_codes, co_codes, popular]))
    if masks.banned is not None and len(masks.banned):
        codes = np.setdiff1d(codes, masks.banned, assume_unique=True)
    rows, items = codes // n_items, codes % n_items
    absent = float(CANDIDATES * 4)
    ranks = (_lookup(own_codes, own_rank, codes, absent), _lookup(co_codes, co_rank, codes, absent))
    return rows, items, _features(cut, customers, rows, items, own, co, ranks)


def _features(cut: Cut, customers: I64, rows: I64, items: I64, own: sp.csr_matrix,
              co: sp.csr_matrix, ranks: tuple[F64, F64]) -> F64:
    def at(m: sp.csr_matrix) -> F64:
        return np.asarray(m[rows, items]).ravel() if len(rows) else np.zeros(0)

    pop_rank = np.empty(cut.data.n_items)
    pop_rank[cut.pop.order] = np.arange(1, len(cut.pop.order) + 1)
    h = cut.hist
    hrows = h.rows_of(customers)[rows]
    pos = h.find(hrows, items)
    at_pos = np.maximum(pos, 0)
    has = pos >= 0
    n_hist = np.bincount(h.code // h.n_items, minlength=len(h.customers)) if len(h.code) else (
        np.zeros(len(h.customers), np.int64))
    days = np.where(has, (cut.cut_ms - h.last_ms[at_pos]) / 86_400_000.0, 9999.0) if len(
        h.code) else np.full(len(rows), 9999.0)
    return np.column_stack([
        np.log1p(at(own)), ranks[0], np.log1p(at(co) * 100), ranks[1],
        np.log1p(pop_rank[items]), np.log1p(cut.pop.buyers[items]),
        np.log1p(cut.pop.customers[items]),
        np.where(has, h.purchases[at_pos], 0) if len(h.code) else np.zeros(len(rows)),
        np.where(has, h.views[at_pos], 0) if len(h.code) else np.zeros(len(rows)),
        days,
        np.where(has, h.last_kind[at_pos], -1) if len(h.code) else np.full(len(rows), -1),
        np.log1p(np.where(hrows >= 0, n_hist[np.maximum(hrows, 0)], 0)),
    ]).astype(np.float64)


@dataclass
class Blender:
    """A fitted reranker (scikit-learn) and how many examples it learned from."""

    model: Any
    examples: int
    positives: int

    def scores(self, cut: Cut, customers: I64, masks: Masks) -> sp.csr_matrix:
        """The reranked scores of the batch's candidates (rows x items)."""
        rows, items, x = candidates(cut, customers, masks)
        p = self.model.predict_proba(x)[:, 1] if len(rows) else np.zeros(0)
        # A probability of exactly 0 would read as "no candidate" in a sparse matrix.
        return sp.csr_matrix((np.maximum(p, 1e-12), (rows, items)),
                             shape=(len(customers), cut.data.n_items))


def learn(cut: Cut, customers: I64, truth: Truth, seed: int, threads: int) -> Blender | None:
    """Fit the reranker on the candidates at ``cut`` with ``truth`` (rows = ``customers``) as
    labels; None when the candidates hold no next item at all."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows, items, x = candidates(cut, customers, Masks())
    n_items = cut.data.n_items
    truth_codes = truth.row * n_items + truth.item
    codes = rows * n_items + items
    pos = np.clip(np.searchsorted(truth_codes, codes), 0, max(len(truth_codes) - 1, 0))
    hit = (truth_codes[pos] == codes) if len(truth_codes) else np.zeros(len(codes), bool)
    y = hit.astype(np.int64)
    n_pos = int(y.sum())
    if n_pos < 5 or n_pos == len(y):
        return None
    rng = np.random.default_rng(seed)
    neg = np.flatnonzero(y == 0)
    keep_neg = min(len(neg), n_pos * NEGATIVES_PER_POSITIVE)
    chosen = np.sort(np.r_[np.flatnonzero(y == 1), rng.choice(neg, keep_neg, replace=False)])
    model = HistGradientBoostingClassifier(
        max_iter=60, learning_rate=0.15, max_leaf_nodes=15, min_samples_leaf=40,
        l2_regularization=1.0, early_stopping=False, random_state=seed % (2**31),
    )
    # Purchases teach as much as views: weights would cost a weighted binning (seconds) and
    # the graded metrics already favour what a method ranks first.
    with _thread_limit(threads):
        model.fit(x[chosen], y[chosen])
    return Blender(model, int(len(chosen)), n_pos)


def _thread_limit(threads: int) -> AbstractContextManager[Any]:
    """threadpoolctl's limit on OpenMP threads where it is installed; nothing otherwise."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return nullcontext()
    limits: AbstractContextManager[Any] = threadpool_limits(limits=threads)
    return limits
