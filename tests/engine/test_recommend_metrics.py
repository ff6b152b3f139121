"""Recommendation metrics on a case worked out by hand, and the reasons in words."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.recommend import reasons as why
from engine.recommend.metrics import Truth, evaluate, paired_gap


def _lists(*rows: list[int]) -> np.ndarray:
    return np.array([r + [-1] * (20 - len(r)) for r in rows], dtype=np.int64)


def test_recall_mrr_ndcg_and_coverage_by_hand() -> None:
    # Row 0 turned to item 1 (bought: grade 3; also viewed: the purchase counts) and item 2
    # (viewed: grade 1). Row 1 to item 3 (cart: 2) and item 8 (bought: 3).
    truth = Truth.of(
        np.array([0, 0, 0, 1, 1]), np.array([1, 2, 1, 3, 8]),
        np.array([3.0, 1.0, 1.0, 2.0, 3.0]), 2,
    )
    top = _lists([5, 1, 7, 2], [3, 4, *range(10, 22), 8])  # item 8 at rank 15
    m = evaluate(top, truth, n_catalogue=30).means
    assert m["recall_10"] == pytest.approx((1.0 + 0.5) / 2)
    assert m["recall_20"] == pytest.approx(1.0)
    assert m["mrr_20"] == pytest.approx((1 / 2 + 1) / 2)
    ndcg0 = (3 / math.log2(3) + 1 / math.log2(5)) / (3 / math.log2(2) + 1 / math.log2(3))
    ndcg1 = (2 / math.log2(2) + 3 / math.log2(16)) / (3 / math.log2(2) + 2 / math.log2(3))
    assert m["ndcg_20"] == pytest.approx((ndcg0 + ndcg1) / 2)
    assert m["coverage"] == pytest.approx(19 / 30)  # 4 + 15 distinct items shown


def test_a_row_with_nothing_found_counts_zero() -> None:
    truth = Truth.of(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]), 2)
    m = evaluate(_lists([1], [5, 6]), truth, n_catalogue=10)
    assert m.means["recall_20"] == pytest.approx(0.5)
    assert m.means["mrr_20"] == pytest.approx(0.5)
    assert list(m.per_row["ndcg_20"]) == [1.0, 0.0]


def test_paired_gap_is_the_mean_difference_and_its_standard_error() -> None:
    gap, se = paired_gap(np.array([1.0, 0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0, 0.0]))
    assert gap == pytest.approx(0.5)
    assert se == pytest.approx(np.std([1, 0, 0, 1], ddof=1) / 2)


@pytest.mark.parametrize(
    ("code", "count", "days", "item", "words"),
    [
        (why.BOUGHT, 4, 12, "", "bought 4 times, last 12 days ago"),
        (why.BOUGHT, 1, 3, "", "bought once, 3 days ago"),
        (why.BOUGHT_WITH, 38, 0, "Red Mug", "often bought with Red Mug (38 baskets)"),
        (why.VIEWED_THIS_WEEK, 3, 2, "", "viewed 3 times this week"),
        (why.VIEWED, 2, 40, "", "viewed twice, last 40 days ago"),
        (why.IN_CART, 0, 1, "", "in their cart"),
        (why.BOUGHT, 3, 0, "", "bought 3 times, last less than a day ago"),
        (why.BOUGHT_WITH, 1, 0, "Red Mug", "bought with Red Mug (1 basket)"),
        (why.POPULAR_BUYERS, 120, 7, "", "popular this week (120 buyers)"),
        (why.POPULAR_CUSTOMERS, 9, 30, "", "popular in the last 30 days (9 customers)"),
        (why.SEQUENCE, 0, 0, "", "customers with a similar history chose it"),
    ],
)
def test_reasons_read_as_sentences(code: int, count: int, days: int, item: str,
                                   words: str) -> None:
    packed = why.pack(np.array([code]), np.array([count]), np.array([days]))[0]
    assert why.unpack(float(packed)) == (code, count, days)
    assert why.reason_text(*why.unpack(float(packed)), item) == words


def test_reasons_go_through_the_translator() -> None:
    from engine.words import set_translator

    set_translator(lambda text: text.replace("bought", "gekauft"))
    try:
        assert why.reason_text(why.BOUGHT, 4, 12).startswith("gekauft 4")
    finally:
        set_translator(lambda text: text)
