"""Ranking metrics of next-item recommendations: Recall@10, Recall@20, MRR@20, NDCG@20 (graded)
and catalogue coverage, with per-customer values for a paired noise estimate.

``truth`` is what each evaluated customer turned to in the validation period: (row, item, grade)
triples, one per distinct item, the grade being the strongest interaction (purchase 3,
cart/favorite 2, view 1). ``top`` is each row's ranked items, -1 where a list is short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: The metric keys, in the order tables and JSON show them.
METRIC_KEYS = ("recall_10", "recall_20", "mrr_20", "ndcg_20", "coverage")
#: The metric a method is chosen by.
CHOOSE_BY = "ndcg_20"
CUTOFF = 20


@dataclass(frozen=True)
class Truth:
    """The items each evaluated row turned to next (sorted by row, then item)."""

    row: I64
    item: I64
    grade: F64
    n_rows: int

    @classmethod
    def of(cls, row: I64, item: I64, grade: F64, n_rows: int) -> Truth:
        """Distinct (row, item) pairs with their highest grade."""
        n_items = int(item.max()) + 1 if len(item) else 1
        code = row.astype(np.int64) * n_items + item
        order = np.lexsort((-grade, code))
        code, grade = code[order], grade[order]
        first = np.r_[True, code[1:] != code[:-1]] if len(code) else np.zeros(0, bool)
        code, grade = code[first], grade[first]
        return cls(code // n_items, code % n_items, grade.astype(np.float64), n_rows)


@dataclass(frozen=True)
class Scores:
    """A method's metrics: the means, and per row the value chosen by (for the noise)."""

    means: dict[str, float]
    per_row: dict[str, F64]


def hits(top: I64, truth: Truth) -> F64:
    """The grade of each recommended item in its row's truth (0 when it is not there)."""
    n, k = top.shape
    if n == 0 or len(truth.row) == 0:
        return np.zeros((n, k))
    n_items = max(int(truth.item.max()), int(top.max())) + 1
    codes = truth.row * n_items + truth.item
    asked = (np.arange(n)[:, None] * n_items + np.where(top < 0, 0, top)).ravel()
    pos = np.clip(np.searchsorted(codes, asked), 0, len(codes) - 1)
    found = (codes[pos] == asked) & (top.ravel() >= 0)
    return np.where(found, truth.grade[pos], 0.0).reshape(n, k)


def evaluate(top: I64, truth: Truth, n_catalogue: int) -> Scores:
    """Recall@10, Recall@20, MRR@20, NDCG@20 and coverage of ranked lists ``top`` (rows of
    ``truth``); rows with nothing to find count as zero everywhere except coverage."""
    top = top[:, :CUTOFF]
    n = truth.n_rows
    gains = hits(top, truth)
    found = gains > 0
    relevant = np.bincount(truth.row, minlength=n).astype(np.float64)
    denom = np.maximum(relevant, 1.0)
    recall_10 = found[:, :10].sum(axis=1) / denom
    recall_20 = found.sum(axis=1) / denom
    first = np.where(found.any(axis=1), found.argmax(axis=1) + 1, 0)
    mrr = np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0)
    discount = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    dcg = (gains * discount[None, :]).sum(axis=1)
    ideal = _ideal_dcg(truth, n, discount)
    ndcg = np.where(ideal > 0, dcg / np.where(ideal > 0, ideal, 1.0), 0.0)
    shown = np.unique(top[top >= 0])
    coverage = len(shown) / max(n_catalogue, 1)
    per_row = {"recall_10": recall_10, "recall_20": recall_20, "mrr_20": mrr, "ndcg_20": ndcg}
    means = {k: float(v.mean()) if n else float("nan") for k, v in per_row.items()}
    means["coverage"] = float(coverage)
    return Scores(means, per_row)


def _ideal_dcg(truth: Truth, n: int, discount: F64) -> F64:
    """The best DCG each row could reach: its grades sorted, the top ``len(discount)`` counted."""
    if len(truth.row) == 0:
        return np.zeros(n)
    order = np.lexsort((-truth.grade, truth.row))
    rows, grades = truth.row[order], truth.grade[order]
    starts = np.searchsorted(rows, np.arange(n))
    position = np.arange(len(rows)) - starts[rows]
    keep = position < len(discount)
    out = np.zeros(n)
    np.add.at(out, rows[keep], grades[keep] * discount[position[keep]])
    return out


def paired_gap(a: F64, b: F64) -> tuple[float, float]:
    """Mean difference a - b over the same rows, and its standard error (the noise)."""
    d = a - b
    if len(d) < 2:
        return float(d.mean()) if len(d) else 0.0, float("inf")
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
