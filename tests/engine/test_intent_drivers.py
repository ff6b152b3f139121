"""Store-wide drivers of the sequence model (engine.intent.drivers): occlusion of each kind of
step over many customers, with the buy rates of the real data. No display, CPU only.

The log plants one behaviour: a customer who adds to cart in the 3 days before a week's end
buys in the next week; everyone views and searches at random and hardly anyone else buys.
"""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.events import EVENT_TYPES, MS_PER_DAY
from engine.intent import IntentConfig, IntentResult, configure_threads, train_intent
from engine.intent.data_check import build_intent_data
from engine.intent.dataset import IntentData
from engine.intent.drivers import KIND_WORDS, _direction, _sentence, _window_words, sequence_drivers
from engine.intent.network import load_model
from engine.nn import pick_device
from engine.tasks.intent import INTENT, buy_drivers, history_dict
from engine.words import set_translator
from storage.runs import RunInfo

T0 = 1_700_000_000_000
WEEKS = 12
#: The planted log's kinds; any other kind must give no entry.
PLANTED_KINDS = {"view", "search", "cart", "purchase"}


def planted(n: int = 800, seed: int = 0) -> tuple[pd.DataFrame, int]:
    """The planted log (see the module's docstring) and its as-of date (a week's end)."""
    rng = np.random.default_rng(seed)
    as_of = T0 + WEEKS * 7 * MS_PER_DAY
    cust: list[int] = []
    times: list[int] = []
    kinds: list[str] = []

    def add(c: int, t_ms: int, kind: str) -> None:
        cust.append(c)
        times.append(int(t_ms))
        kinds.append(kind)

    for c in range(n):
        for t in rng.uniform(0, WEEKS * 7, rng.poisson(3 * WEEKS)):
            add(c, T0 + t * MS_PER_DAY, "view")
        for t in rng.uniform(0, WEEKS * 7, rng.poisson(WEEKS // 2)):
            add(c, T0 + t * MS_PER_DAY, "search")
        for w in range(1, WEEKS):
            end = as_of - (WEEKS - w) * 7 * MS_PER_DAY
            if rng.random() < 0.3:
                for d in rng.uniform(0.1, 3.0, rng.integers(1, 4)):
                    add(c, end - d * MS_PER_DAY, "cart")
                add(c, end + rng.uniform(0.5, 6.0) * MS_PER_DAY, "purchase")
            elif rng.random() < 0.03:
                add(c, end + rng.uniform(0.5, 6.0) * MS_PER_DAY, "purchase")
    df = pd.DataFrame({"customer_id": cust, "time_ms": times, "event": kinds})
    df = df[df["time_ms"] <= as_of].copy()
    df["item"] = "i" + pd.Series(rng.integers(0, 50, len(df))).astype(str).to_numpy()
    df["category"] = None
    df["price"] = 5.0
    df["quantity"] = 1.0
    df["amount"] = np.nan
    df["session"] = None
    df["query"] = None
    return df.sort_values(["customer_id", "time_ms"], kind="stable").reset_index(drop=True), as_of


@pytest.fixture(scope="module")
def trained() -> tuple[IntentResult, IntentData, Any]:
    configure_threads()
    events, as_of = planted()
    config = IntentConfig(preset="fast", epochs=4, hidden_size=16, seq_len=40, batch_size=128,
                          horizon_days=7, as_of_ms=as_of, always_deep=True, seed=0)
    result = list(train_intent(events, config))[-1]
    assert isinstance(result, IntentResult)
    data = build_intent_data(events, config.resolved(events))
    model = load_model(result.state_dict, result.config, pick_device("cpu"))
    return result, data, model


def _ratio(text: str) -> float:
    found = re.search(r"bought (\d+(?:\.\d+)?)× as often", text)
    assert found, text
    return float(found.group(1))


def test_the_planted_behaviour_is_the_top_driver(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    result, _, _ = trained
    found = result.sequence_drivers
    assert found, "the planted cart adds must show"
    top = found[0]
    assert (top["kind"], top["window"]) == ("cart", "recent")
    assert top["effect_points"] > 1.0  # they raise the chance, by more than a point
    assert top["text"].startswith("Cart adds in the last 7 days: raise the chance to buy by")
    assert _ratio(top["text"]) > 1.0
    weights = [d["abs_points"] for d in found]
    assert weights == sorted(weights, reverse=True)
    assert all({"text", "effect_points", "kind", "window"} <= set(d) for d in found)


def test_kinds_absent_from_the_log_give_no_entry_and_no_internal_names(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    result, data, model = trained
    everything = sequence_drivers(model, data.steps, data.valid, 7, pick_device("cpu"), seed=0,
                                  top=100)
    assert everything and {d["kind"] for d in everything} <= PLANTED_KINDS
    for d in everything:
        assert "_" not in d["text"] and d["text"].endswith(".")
        assert d["text"].startswith(KIND_WORDS[d["kind"]])
    # Every kind has words of its own, in every window: no internal name can reach a user.
    for kind in EVENT_TYPES:
        for w in range(3):
            words = _window_words(kind, w, 7)
            assert "_" not in words and words.startswith(KIND_WORDS[kind])


def test_same_seed_same_drivers_and_the_cap_holds(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    _, data, model = trained
    device = pick_device("cpu")
    first = sequence_drivers(model, data.steps, data.valid, 7, device, seed=3)
    assert sequence_drivers(model, data.steps, data.valid, 7, device, seed=3) == first
    # 2,000 customers sampled from the training examples (more than 2,000): seconds of work.
    assert len(data.train) > 2000
    started = time.perf_counter()
    many = sequence_drivers(model, data.steps, data.train, 7, device, seed=3, cap=2000)
    assert time.perf_counter() - started < 60
    assert many and all(d["share"] * 2000 == pytest.approx(round(d["share"] * 2000), abs=1)
                        for d in many)


def test_the_sentence_says_yet_when_the_data_points_the_other_way() -> None:
    counts = np.array([0.0] * 60 + [3.0] * 40)
    bought = np.array([False] * 50 + [True] * 10 + [True] * 30 + [False] * 10)
    assert _direction(counts, bought) == (
        "customers with 3 or more bought 4.5× as often as the rest (75% against 17%)", True)
    assert _direction(counts, ~bought) == (
        "customers with fewer than 3 bought 3.3× as often as the rest (83% against 25%)", False)
    counts = np.array([0.0] * 80 + [2.0] * 20)  # mostly none: any against none
    bought = np.array([False] * 70 + [True] * 10 + [True] * 15 + [False] * 5)
    said = _direction(counts, bought)
    assert said == ("customers with any bought 6.0× as often as those without (75% against "
                    "12%)", True)
    label = _window_words("remove_cart", 0, 7)
    assert label == "Removals from the cart in the last 7 days"
    assert _sentence(label, 2.0, said).startswith(label + ": raise the chance to buy by 2.0 "
                                                  "points on average where they occur; customers")
    assert "; yet customers with any" in _sentence(label, -2.0, said)
    assert _direction(np.zeros(100), bought) is None  # nobody has any: nothing to compare


def _run(task: str, history: dict[str, Any], metrics: dict[str, Any], active: bool = True,
         run_id: int = 1) -> RunInfo:
    return RunInfo(id=run_id, task=task, created_at="2026-01-01T00:00", status="done",
                   active=active, settings={"as_of_ms": T0, "horizon_days": 7},
                   history=history, metrics=metrics, summary="", seconds=1.0,
                   warm_started=False)


def test_the_run_keeps_them_and_the_list_puts_the_value_drivers_first(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    result, _, _ = trained
    run = _run("intent", history_dict(result), result.metrics)
    view = INTENT.describe(run)
    assert view.data["sequence_drivers"] == result.sequence_drivers
    assert "What makes customers buy here" in view.text
    value = _run("value", {}, {"drivers": [{"feature": "carts_recent", "importance": 0.1,
                                            "sentence": "Cart adds 3 or more: bought more"}]},
                 run_id=2)
    lines = buy_drivers(view.data, [value])
    assert lines[0].startswith("From each customer's totals")
    assert lines[1] == "1. Cart adds 3 or more: bought more"
    assert lines[2].startswith("From the order of their steps (the sequence model, which gives")
    assert lines[3] == "1. " + result.sequence_drivers[0]["text"]
    assert buy_drivers(view.data, [_run("value", {}, value.metrics, active=False)])[0] == lines[2]
    served = buy_drivers({**view.data, "served": "rfm_logistic"}, [])
    assert "“RFM logistic regression”" in served[0]
    old = _run("intent", {k: v for k, v in history_dict(result).items()
                          if k != "sequence_drivers"}, result.metrics)
    assert INTENT.describe(old).data["sequence_drivers"] == []
    assert buy_drivers(INTENT.describe(old).data, []) == []


def test_a_saved_run_reads_in_the_language_shown_now(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    result, _, _ = trained
    run = _run("intent", history_dict(result), result.metrics)
    words = {"Cart adds": "加入购物车", "{0} in the last {1} days": "最近 {1} 天内的{0}"}
    set_translator(lambda text: words.get(text, text))
    try:
        shown = INTENT.describe(run).data["sequence_drivers"]
    finally:
        set_translator(lambda text: text)
    assert shown[0]["text"].startswith("最近 7 天内的加入购物车: raise the chance")
    assert result.sequence_drivers[0]["text"].startswith("Cart adds in the last 7 days")


def test_a_mostly_zero_count_is_said_from_its_first_value_above_zero() -> None:
    """Three in four customers have none: the high side is "1 or more", never "0 or more", and
    a low side of zeros is "at most 0"; a mostly-zero amount is "over 0"."""
    from engine.value.drivers import direction

    counts = np.array([0.0] * 80 + [1.0, 2.0, 3.0, 4.0] * 5)
    bought = np.array([False] * 60 + [True] * 20 + [True] * 20)
    said = direction(counts, bought, "cart adds in the last 7 days")
    assert said is not None and said.startswith("Cart adds in the last 7 days 1 or more:"), said
    lower = direction(counts, ~bought, "cart adds")
    assert lower is not None and lower.startswith("Cart adds at most 0:"), lower
    spend = np.where(counts > 0, counts * 9.5, 0.0)
    amount = direction(spend, bought, "spend so far")
    assert amount is not None and amount.startswith("Spend so far over 0:"), amount


def test_the_augmentation_note_is_worded_when_shown_from_its_figures(
    trained: tuple[IntentResult, IntentData, Any],
) -> None:
    """The thorough preset's augmentation try is saved as figures and said in the language
    shown now; a run saved before the figures were kept shows the sentence it was saved with."""
    result, _, _ = trained
    helped = ("Sequence augmentation helped: validation AUC {0:.3f} with it against {1:.3f} "
              "without (same epoch budget); the augmented model is kept.")
    words = {helped: "序列增强有帮助：验证 AUC {0:.3f}（不用时 {1:.3f}）。"}
    kept = {"auc_with": 0.712, "auc_without": 0.701, "kept": True}
    base = {**history_dict(result), "augmentation_note": "Saved in English."}
    set_translator(lambda text: words.get(text, text))
    try:
        notes = INTENT.describe(_run("intent", {**base, "augmentation": kept},
                                     result.metrics)).notes
    finally:
        set_translator(lambda text: text)
    assert "序列增强有帮助：验证 AUC 0.712（不用时 0.701）。" in notes.splitlines()
    assert "Saved in English." not in notes
    lost = {**kept, "auc_with": 0.690, "kept": False}
    notes = INTENT.describe(_run("intent", {**base, "augmentation": lost}, result.metrics)).notes
    assert ("Sequence augmentation did not help: validation AUC 0.690 with it against 0.701 "
            "without (same epoch budget); the model without it is kept.") in notes
    old = INTENT.describe(_run("intent", base, result.metrics)).notes
    assert "Saved in English." in old.splitlines()
