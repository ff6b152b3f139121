"""The memory savings of a big shop's intent training change no result: examples written into
one set as each cutoff is made, aggregates stored column by column, customers scored a slice at a
time, the simple methods fitted on a capped random subset, bootstrap draws in smaller chunks,
and the event frame let go once the steps are built (issue 14). No torch training here: seconds.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest

from engine import stats
from engine.demo import generate_demo
from engine.events import MS_PER_DAY
from engine.intent import IntentConfig, evaluate, train_intent
from engine.intent.config import preset_value
from engine.intent.dataset import (
    AGG_NAMES,
    Examples,
    _aggregate_columns,
    build_data,
    examples_at,
)
from engine.intent.evaluate import fit_baselines, fit_rows
from engine.intent.steps import build_steps
from engine.intent.training import labelled_rows, score_in_slices

FIELDS = ("cust", "start", "length", "cutoff_ms", "label", "agg")


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return generate_demo(400, seed=5).events_frame()


@pytest.fixture(scope="module")
def data(events: pd.DataFrame):  # type: ignore[no-untyped-def]
    cfg = IntentConfig(preset="fast").resolved(events)
    return build_data(events, int(cfg.as_of_ms or 0), int(cfg.horizon_days or 1), 30, 4)


def _same(a: Examples, b: Examples) -> None:
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert getattr(a, name).dtype == getattr(b, name).dtype, name


def test_training_examples_are_every_earlier_cutoff_in_order(data) -> None:  # type: ignore[no-untyped-def]
    assert len(data.cutoffs_ms) >= 3
    h = data.horizon_ms
    parts = [examples_at(data.steps, t, data.seq_len, h) for t in data.cutoffs_ms]
    _same(data.valid, parts[0])
    _same(data.train, Examples.concat(parts[1:]))
    assert len(data.train) > len(data.valid) > 0


def test_aggregates_are_the_float64_columns_rounded_once(data) -> None:  # type: ignore[no-untyped-def]
    steps, t = data.steps, data.cutoffs_ms[0]
    c = data.valid.cust
    first = steps.cust_start[c]
    end = data.valid.start + data.valid.length
    columns = list(_aggregate_columns(steps, c, first, end, t, data.horizon_ms))
    assert len(columns) == len(AGG_NAMES)
    expected = np.stack(columns, axis=1).astype(np.float32)
    assert np.array_equal(data.valid.agg, expected)
    assert np.isfinite(expected).all() and expected.std(axis=0).max() > 0


@pytest.mark.parametrize("size", [1, 7, 150, 10_000])
def test_scoring_slices_are_the_whole_scoring_set(data, size: int) -> None:  # type: ignore[no-untyped-def]
    slices = list(data.score_slices(size))
    assert len(slices) == -(-data.steps.n_customers // size)
    _same(Examples.concat(slices), data.score)
    assert len(data.score) == data.steps.n_customers  # every customer has history at the as-of


def test_scores_in_slices_equal_scoring_everyone_at_once(data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    simple = fit_baselines(data.train.agg, data.train.label, 0)["rfm_logistic"]
    whole = simple(data.score.agg)
    monkeypatch.setattr("engine.intent.dataset.SCORE_CUSTOMERS", 33)
    ids, probs = score_in_slices(data, lambda ex: simple(ex.agg))
    assert np.array_equal(ids, data.steps.customer_ids[data.score.cust])
    assert np.array_equal(probs, whole)
    assert len(np.unique(probs)) > 10


def test_simple_methods_score_in_slices_the_same(data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fitted = fit_baselines(data.train.agg, data.train.label, 0)
    whole = {k: f(data.valid.agg) for k, f in fitted.items()}
    monkeypatch.setattr(evaluate, "SCORE_ROWS", 50)
    assert len(data.valid) > 50
    for name, f in fitted.items():
        # The same up to float rounding: a matrix product over 50 rows may add up in another
        # order than over all of them (seen: 0.30204862 against 0.30204865).
        np.testing.assert_allclose(f(data.valid.agg), whole[name], rtol=1e-6, atol=1e-9,
                                   err_msg=name)


def test_simple_methods_are_fitted_on_a_seeded_subset_above_the_cap(data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    x, y = data.train.agg, data.train.label
    full = {k: f(data.valid.agg) for k, f in fit_baselines(x, y, 0).items()}
    assert fit_rows(len(y), 0) is None  # below the cap: every example, as before
    cap = len(y) // 2
    monkeypatch.setattr(evaluate, "BASELINE_MAX_ROWS", cap)
    pick = fit_rows(len(y), 0)
    assert pick is not None and len(pick) == cap and len(np.unique(pick)) == cap
    assert np.array_equal(pick, np.sort(pick))
    assert np.array_equal(pick, fit_rows(len(y), 0))  # the seed decides
    capped = fit_baselines(x, y, 0)
    by_hand = fit_baselines(x[pick], y[pick], 0)  # below the cap itself: no second draw
    for name in ("rfm_logistic", "hist_gradient_boosting"):
        got = capped[name](data.valid.agg)
        assert np.array_equal(got, by_hand[name](data.valid.agg)), name
        assert not np.array_equal(got, full[name]), name  # the cap did change what was fitted
    # The base rate counts every example, not the subset.
    assert capped["base_rate"](data.valid.agg)[0] == pytest.approx(float(y.mean()))


def test_labelled_rows_are_the_subset_of_the_concatenation(data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    parts = [data.valid, data.train]
    whole = Examples.concat(parts)
    x, y = labelled_rows(parts, 3)
    assert np.array_equal(x, whole.agg) and np.array_equal(y, whole.label)
    monkeypatch.setattr(evaluate, "BASELINE_MAX_ROWS", len(whole) // 3)
    pick = fit_rows(len(whole), 3)
    assert pick is not None
    assert (pick < len(data.valid)).any() and (pick >= len(data.valid)).any()
    x, y = labelled_rows(parts, 3)
    assert np.array_equal(x, whole.agg[pick])
    assert np.array_equal(y, whole.label[pick])


def test_bootstrap_intervals_do_not_depend_on_the_chunk_size(monkeypatch) -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(3_000) < 0.2).astype(np.float64)
    a, b = y + rng.normal(0, 1.0, 3_000), y + rng.normal(0, 1.3, 3_000)
    c = rng.random(3_000)
    big = stats.paired_bootstraps(a, {"b": b, "c": c}, stats.auc_metric(y), 7, draws=200)
    monkeypatch.setattr(stats, "CHUNK_CELLS", 3_000 * 7)  # 7 draws a chunk, a partial last one
    small = stats.paired_bootstraps(a, {"b": b, "c": c}, stats.auc_metric(y), 7, draws=200)
    assert big == small
    assert big["b"].lo < big["b"].diff < big["b"].hi
    # On a subset too (a big validation period).
    monkeypatch.setattr(stats, "SUBSET_ROWS", 1_000)
    monkeypatch.setattr(stats, "CHUNK_CELLS", 10_000_000)
    big = stats.paired_bootstrap(a, b, stats.auc_metric(y), 7, draws=100)
    monkeypatch.setattr(stats, "CHUNK_CELLS", 1_000 * 3)
    assert stats.paired_bootstrap(a, b, stats.auc_metric(y), 7, draws=100) == big


def test_steps_without_rows_are_the_same_steps(events: pd.DataFrame) -> None:
    as_of = int(events["time_ms"].max())
    kept, lean = build_steps(events, as_of), build_steps(events, as_of, keep_rows=False)
    assert len(kept.rows) == len(events) and len(lean.rows) == 0
    for name, value in vars(kept).items():
        if name == "rows":
            continue
        other = getattr(lean, name)
        if isinstance(value, dict):
            assert value.keys() == other.keys()
            assert all(np.array_equal(value[k], other[k]) for k in value)
        else:
            assert np.array_equal(value, other), name


def test_training_lets_the_event_frame_go_once_its_steps_are_built(
    events: pd.DataFrame,
) -> None:
    frame = events.copy()
    gone = weakref.ref(frame)
    cfg = IntentConfig(preset="fast", epochs=1, hidden_size=8, seq_len=20, seed=0)
    reports = train_intent(frame, cfg)
    del frame
    gc.collect()
    assert gone() is not None  # nothing built yet: the generator holds it
    try:
        first = next(reports)  # the data check: the examples are built
        assert first.ok
        gc.collect()
        assert gone() is None
    finally:
        reports.close()


def test_the_horizon_of_the_data_is_the_configs(data, events: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    cfg = IntentConfig(preset="fast").resolved(events)
    assert data.horizon_ms == int(cfg.horizon_days or 0) * MS_PER_DAY
    assert int(preset_value(cfg, "max_cutoffs")) >= 4
