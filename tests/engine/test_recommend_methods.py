"""Each recommendation method on a hand-made shop, and the time split that measures them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.events import FRAME_COLUMNS, MS_PER_DAY
from engine.recommend.config import RecommendConfig
from engine.recommend.data import interactions
from engine.recommend.evaluation import split
from engine.recommend.methods import explain, fit_cut, rank
from engine.recommend.ranking import Masks
from engine.recommend.reasons import reason_text
from engine.recommend.training import RecommendResult, train_recommend

DAY0 = 1_735_689_600_000  # 2025-01-01 00:00 UTC


def frame(rows: list[tuple[int, float, str, str, str | None, str | None]]) -> pd.DataFrame:
    """An event frame from (customer, day, event, item, category, order id) rows."""
    out = pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "time_ms": [DAY0 + int(r[1] * MS_PER_DAY) for r in rows],
        "event": [r[2] for r in rows],
        "item": [r[3] for r in rows],
        "category": [r[4] for r in rows],
        "price": np.nan, "quantity": np.nan, "amount": np.nan,
        "session": [r[5] for r in rows],
        "query": None,
    })[list(FRAME_COLUMNS)]
    return out.sort_values(["customer_id", "time_ms"], kind="stable", ignore_index=True)


def day_ms(day: float) -> int:
    return DAY0 + int(day * MS_PER_DAY)


def _keys(cut, top: np.ndarray) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(cut.data.item_keys[i]) for i in top if i >= 0]


def test_own_history_ranks_the_item_bought_four_times_first_and_says_so() -> None:
    rows = [(1, d, "purchase", "MUG", None, f"o{d}") for d in (2, 10, 25, 40)]
    rows += [(1, 30, "purchase", "PLATE", None, "o30"), (1, 46, "view", "BOWL", None, None),
             (1, 47, "view", "BOWL", None, None)]
    rows += [(2, 5, "purchase", "SPOON", None, "p5")]
    data = interactions(frame(rows))
    cut = fit_cut(data, day_ms(52), 30, 1000.0)
    ranked = rank(cut, "own_history", np.array([1]), 5, Masks())
    assert _keys(cut, ranked.top[0])[:3] == ["MUG", "PLATE", "BOWL"]  # 16 > 4 > 2
    r = explain(cut, "own_history", np.array([1]), ranked)
    assert reason_text(int(r.code[0, 0]), int(r.count[0, 0]), int(r.days[0, 0])) == (
        "bought 4 times, last 12 days ago")
    assert reason_text(int(r.code[0, 2]), int(r.count[0, 2]), int(r.days[0, 2])) == (
        "viewed twice this week")
    # The list is filled with what others buy: the customer's own items come first.
    assert _keys(cut, ranked.top[0])[3] == "SPOON" and ranked.filled[0, 3]


def test_co_occurrence_recommends_the_planted_companion() -> None:
    rows = []
    for c in range(2, 22):  # twenty customers buy the lamp with its shade
        rows += [(c, c, "purchase", "LAMP", None, f"o{c}"), (c, c, "purchase", "SHADE", None,
                                                              f"o{c}")]
        rows += [(c, c + 1, "purchase", f"OTHER{c % 5}", None, f"q{c}")]
    rows += [(1, 30, "purchase", "LAMP", None, "x1")]
    data = interactions(frame(rows))
    cut = fit_cut(data, day_ms(40), 30, 1000.0)
    ranked = rank(cut, "co_occurrence", np.array([1]), 3, Masks())
    assert _keys(cut, ranked.top[0])[0] == "SHADE"
    r = explain(cut, "co_occurrence", np.array([1]), ranked)
    assert reason_text(int(r.code[0, 0]), int(r.count[0, 0]), int(r.days[0, 0]),
                       str(cut.data.item_keys[r.item[0, 0]])) == (
        "often bought with LAMP (20 baskets)")


def test_viewed_then_bought_counts_across_a_customers_visits() -> None:
    rows = []
    for c in range(2, 12):  # they look at the tent, and buy the pegs the next day
        rows += [(c, c, "view", "TENT", None, None), (c, c + 1, "purchase", "PEGS", None, f"o{c}")]
    rows += [(1, 30, "view", "TENT", None, None), (20, 3, "purchase", "CUP", None, "z")]
    data = interactions(frame(rows))
    cut = fit_cut(data, day_ms(31), 30, 1000.0)
    ranked = rank(cut, "co_occurrence", np.array([1]), 2, Masks())
    assert _keys(cut, ranked.top[0])[0] == "PEGS"
    r = explain(cut, "co_occurrence", np.array([1]), ranked)
    assert reason_text(int(r.code[0, 0]), int(r.count[0, 0]), 0, "TENT") == (
        "often bought after TENT (10 times)")


def test_popularity_is_what_most_customers_bought_lately() -> None:
    rows = [(c, 50, "purchase", "NEW", None, f"a{c}") for c in range(1, 6)]
    rows += [(c, 2, "purchase", "OLD", None, f"b{c}") for c in range(1, 10)]  # long ago
    rows += [(c, 51, "view", "SEEN", None, None) for c in range(1, 10)]
    data = interactions(frame(rows))
    cut = fit_cut(data, day_ms(52), 7, 1000.0)
    ranked = rank(cut, "popularity", np.array([99]), 3, Masks())
    assert _keys(cut, ranked.top[0]) == ["NEW", "SEEN", "OLD"]
    r = explain(cut, "popularity", np.array([99]), ranked)
    assert reason_text(int(r.code[0, 0]), int(r.count[0, 0]), int(r.days[0, 0])) == (
        "popular this week (5 buyers)")


def test_the_split_measures_only_the_horizon_and_customers_with_history() -> None:
    rows = [(1, 1, "view", "OLD", None, None), (1, 25, "purchase", "NEW", None, "o1"),
            (2, 25, "view", "NEW", None, None),  # no history before the cut: not measured
            (3, 2, "view", "OLD", None, None)]  # nothing after the cut: not measured
    data = interactions(frame(rows))
    s = split(data, day_ms(20), day_ms(30), 100, 7)
    assert s.customers.tolist() == [1]
    assert [str(data.item_keys[i]) for i in s.truth.item] == ["NEW"]
    assert s.truth.grade.tolist() == [3.0] and s.only_purchases


def _shop(n: int = 60) -> pd.DataFrame:
    """Customers who come back to a few items and buy pairs together, over 60 days."""
    rng = np.random.default_rng(3)
    rows = []
    for c in range(1, n + 1):
        fav = rng.integers(0, 12, 3)
        for d in sorted(rng.integers(0, 60, 8).tolist()):
            a = f"I{int(fav[rng.integers(0, 3)])}"
            rows += [(c, d, "view", a, "Cat", None),
                     (c, d + 0.1, "purchase", a, "Cat", f"o{c}-{d}"),
                     (c, d + 0.1, "purchase", f"I{(int(a[1:]) + 1) % 12}", "Cat", f"o{c}-{d}")]
    return frame(rows)


def _result(events: pd.DataFrame, config: RecommendConfig) -> RecommendResult:
    results = [r for r in train_recommend(events, config, should_stop=lambda: False)
               if isinstance(r, RecommendResult)]
    assert len(results) == 1
    return results[0]


def test_nothing_after_the_as_of_date_is_read() -> None:
    events = _shop()
    as_of = day_ms(50)
    later = frame([(c, 55, "purchase", "FUTURE", "Cat", f"f{c}") for c in range(1, 61)])
    config = RecommendConfig(as_of_ms=as_of, horizon_days=10, no_neural=True)
    with_future = _result(pd.concat([events, later], ignore_index=True), config)
    without = _result(events[events["time_ms"] <= as_of], config)
    assert "FUTURE" not in set(with_future.outputs["item"])
    assert with_future.metrics["methods"] == without.metrics["methods"]
    assert with_future.outputs.equals(without.outputs)
    assert with_future.settings["as_of_ms"] == as_of
