"""The recommendation methods at one cut of the data, ranked for a batch of customers, and the
reason behind each recommended item.

Methods: recent popularity, own history (repeat-aware), item-to-item co-occurrence, the neural
sequence model, and the blend (a learned reranker of the count-based methods). Every list is
filled up to k with popular items when a method has fewer candidates for a customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from engine.recommend import reasons as why
from engine.recommend.cooccur import CoOccurrence, co_scores, cooccurrence, evidence
from engine.recommend.data import Interactions
from engine.recommend.history import History, Popularity, days_between, history, popularity
from engine.recommend.neural import Sequences, dense_scores, sequences
from engine.recommend.ranking import Masks, fill, top_dense, top_sparse

if TYPE_CHECKING:
    from engine.recommend.blend import Blender
    from engine.recommend.sequence import SequenceModel

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


#: The same at the start of a sentence.
SUBJECTS: Final[dict[str, str]] = {
    "popularity": "Recent popularity",
    "own_history": "Own history",
    "co_occurrence": "Co-occurrence",
    "neural": "The neural model",
    "blend": "The blend",
}


@dataclass
class Cut:
    """The methods fitted on the interactions up to ``cut_ms`` (the numbering is the whole
    data's, so items mean the same at every cut)."""

    data: Interactions  # up to the cut
    cut_ms: int
    window_days: int
    hist: History
    pop: Popularity
    co: CoOccurrence | None = None
    model: SequenceModel | None = None
    blender: Blender | None = None
    _seq_len: int = field(default=200, repr=False)

    def sequences(self, customers: I64) -> Sequences:
        """The customers' sequences up to the cut, as the neural model reads them."""
        max_len = self._seq_len if self.model is None else self.model.settings.max_len
        return sequences(self.data, customers, max_len)


def fit_cut(data: Interactions, cut_ms: int, window_days: int, half_life_days: float, *,
            with_co: bool = True) -> Cut:
    """Popularity, own history and (with ``with_co``) co-occurrence up to ``cut_ms``."""
    d = data.until(cut_ms)
    hist = history(d, cut_ms, half_life_days)
    pop = popularity(d, cut_ms, window_days)
    co = cooccurrence(d, cut_ms, half_life_days) if with_co else None
    return Cut(d, cut_ms, window_days, hist, pop, co)


@dataclass(frozen=True)
class Ranked:
    """A batch's lists: items (rows x k, -1 where empty), scores, and which slots were filled
    with popular items."""

    top: I64
    score: F64
    filled: npt.NDArray[np.bool_]


def method_scores(cut: Cut, method: str, customers: I64) -> sp.csr_matrix:
    """A count-based method's scores for a batch (rows x items)."""
    rows = cut.hist.rows_of(customers)
    if method == "own_history":
        return cut.hist.matrix(rows)
    if method == "co_occurrence":
        assert cut.co is not None
        return co_scores(cut.co, cut.hist, rows)
    raise ValueError(f"{method} has no sparse scores")


def rank(cut: Cut, method: str, customers: I64, k: int, masks: Masks) -> Ranked:
    """Each customer's ``k`` best items by ``method`` at the cut (a batch: bounded memory)."""
    n_items = cut.data.n_items
    n = len(customers)
    if method == "popularity":
        top, score = np.full((n, k), -1, np.int64), np.full((n, k), np.nan)
    elif method in ("own_history", "co_occurrence"):
        top, score = top_sparse(method_scores(cut, method, customers), k, masks)
    elif method == "neural":
        assert cut.model is not None
        blocks, done = [], 0
        for b in dense_scores(cut.model, cut.sequences(customers)):
            blocks.append(top_dense(b, k, _shift(masks, done, len(b), n_items)))
            done += len(b)
        top = np.concatenate([b[0] for b in blocks]) if blocks else np.zeros((0, k), np.int64)
        score = np.concatenate([b[1] for b in blocks]) if blocks else np.zeros((0, k))
    elif method == "blend":
        assert cut.blender is not None
        top, score = top_sparse(cut.blender.scores(cut, customers, masks), k, masks)
    else:
        raise ValueError(f"Unknown method {method!r}.")
    top, score, filled = fill(top, score, cut.pop.order, masks, n_items)
    return Ranked(top, score, filled)


def _shift(masks: Masks, start: int, n: int, n_items: int) -> Masks:
    """The masks of rows ``start .. start + n`` renumbered from 0."""
    if masks.banned is None:
        return masks
    lo, hi = np.searchsorted(masks.banned, [start * n_items, (start + n) * n_items])
    return Masks(masks.allowed, masks.banned[lo:hi] - start * n_items)


@dataclass(frozen=True)
class Reasons:
    """Per recommended slot (rows x k): reason code, count, days, the customer's item quoted
    (-1 when none)."""

    code: I64
    count: I64
    days: I64
    item: I64


def explain(cut: Cut, method: str, customers: I64, ranked: Ranked) -> Reasons:
    """Why each recommended item is there, in numbers (see ``engine.recommend.reasons``)."""
    top = ranked.top
    n, k = top.shape
    rows = cut.hist.rows_of(customers)
    r = np.repeat(rows, k)
    items = top.ravel()
    pos = np.where(items >= 0, cut.hist.find(r, np.maximum(items, 0)), -1)
    h = cut.hist
    at = np.maximum(pos, 0)
    own = why.own_reason(
        h.last_kind[at], h.purchases[at], h.views[at], h.views_week[at],
        days_between(h.last_ms[at], cut.cut_ms), days_between(h.last_purchase_ms[at], cut.cut_ms),
        days_between(h.last_view_ms[at], cut.cut_ms),
    ) if len(h.code) else (np.zeros(len(items), np.int64),) * 3
    it = np.maximum(items, 0)
    buyers = cut.pop.buyers[it]
    code = np.where(buyers > 0, why.POPULAR_BUYERS, why.POPULAR_CUSTOMERS)
    count = np.where(buyers > 0, buyers, cut.pop.customers[it])
    days = np.full(len(items), cut.window_days, dtype=np.int64)
    quoted = np.full(len(items), -1, dtype=np.int64)
    mine = (pos >= 0) & (method != "popularity") & ~ranked.filled.ravel()
    if method == "neural":
        code = np.where(~ranked.filled.ravel(), why.SEQUENCE, code)
    if method in ("co_occurrence", "blend") and cut.co is not None:
        need = ~mine & ~ranked.filled.ravel()
        asked = np.where(need.reshape(n, k), top, -1)
        best, both, bought, follow = (a.ravel() for a in evidence(cut.co, cut.hist, rows, asked))
        co = (best >= 0) & need
        co_code = np.where(both > 0, why.BOUGHT_WITH,
                           np.where(bought > 0, why.BOUGHT_AFTER, why.CHOSEN_AFTER))
        co_count = np.where(both > 0, both, np.where(bought > 0, bought, follow))
        code, count = np.where(co, co_code, code), np.where(co, co_count, count)
        days, quoted = np.where(co, 0, days), np.where(co, best, quoted)
    code = np.where(mine, own[0], code)
    count = np.where(mine, own[1], count)
    days = np.where(mine, own[2], days)
    shape = (n, k)
    return Reasons(code.reshape(shape).astype(np.int64), count.reshape(shape).astype(np.int64),
                   days.reshape(shape).astype(np.int64), quoted.reshape(shape))
