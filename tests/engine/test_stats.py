"""Paired bootstrap intervals (engine.stats) and the verdicts built on them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from engine.intent.evaluate import add_gaps, auc_gaps, metrics_for, served_method, verdict
from engine.recommend.evaluation import choose
from engine.recommend.metrics import Scores
from engine.stats import _weights, auc_metric, mean_metric, paired_bootstrap

PERIOD = "purchases 2011-08-11 to 2011-09-09"


def _labels(n: int = 1500, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < 0.3).astype(np.float64)


def _metrics(y: np.ndarray, scores: dict[str, np.ndarray], seed: int) -> dict[str, dict[str, float]]:
    metrics = {name: metrics_for(y, s, 0.5) for name, s in scores.items()}
    add_gaps(metrics, auc_gaps(y, scores, seed))
    return metrics


def test_weighted_auc_is_the_auc_of_the_resampled_customers() -> None:
    rng = np.random.default_rng(3)
    y = _labels(400, 3)
    s = np.round(y * 0.4 + rng.random(400), 1)  # rounded: many ties
    w = _weights(400, 5, rng)
    got = auc_metric(y)(s, w)
    for k in range(5):
        idx = np.repeat(np.arange(400), w[k].astype(int))
        assert got[k] == pytest.approx(roc_auc_score(y[idx], s[idx]), abs=1e-12)
    assert auc_metric(y)(s, np.ones((1, 400)))[0] == pytest.approx(roc_auc_score(y, s))


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_identical_methods_are_about_as_good_for_every_seed(seed: int) -> None:
    y = _labels(seed=seed)
    s = y * 0.3 + np.random.default_rng(seed + 100).random(len(y))
    gap = paired_bootstrap(s, s.copy(), auc_metric(y), seed)
    assert (gap.diff, gap.lo, gap.hi) == (0.0, 0.0, 0.0)
    assert not gap.a_wins and not gap.b_wins
    scores = {"model": s, "base_rate": np.full(len(y), 0.3), "rfm_logistic": s.copy(),
              "hist_gradient_boosting": s.copy()}
    metrics = _metrics(y, scores, seed)
    text = verdict(metrics, PERIOD, served_method(metrics, False))
    assert "about as well as the best simple method" in text
    assert "beats" not in text and "ranks buyers better:" not in text
    # A tie is not a win: the simple method serves, and the verdict says so with the dates.
    assert served_method(metrics, False) == "rfm_logistic"
    assert "serve the customers" in text and PERIOD in text
    assert served_method(metrics, True) == "model"


def test_a_clearly_better_model_beats_and_serves() -> None:
    y = _labels()
    rng = np.random.default_rng(1)
    good = y + rng.normal(0, 0.6, len(y))
    weak = y + rng.normal(0, 2.0, len(y))
    scores = {"model": good, "base_rate": np.full(len(y), 0.3), "rfm_logistic": weak,
              "hist_gradient_boosting": weak + rng.normal(0, 1.0, len(y))}
    metrics = _metrics(y, scores, 0)
    assert metrics["rfm_logistic"]["auc_gap_lo"] > 0
    served = served_method(metrics, False)
    assert served == "model"
    text = verdict(metrics, PERIOD, served)
    assert "beats the best simple method" in text and "95% interval" in text
    assert text.startswith(f"On the latest period ({PERIOD})")
    # The other way round the simple method ranks better, and serves.
    swapped = _metrics(y, {**scores, "model": weak, "rfm_logistic": good}, 0)
    assert served_method(swapped, False) == "rfm_logistic"
    assert "ranks buyers better" in verdict(swapped, PERIOD, "rfm_logistic")
    assert "serve anyway" in verdict(swapped, PERIOD, "model", always_deep=True)


def test_bootstrap_interval_covers_the_mean_gap() -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(0.1, 1.0, 3000)
    b = rng.normal(0.0, 1.0, 3000)
    gap = paired_bootstrap(a, b, mean_metric, 0)
    se = np.std(a - b, ddof=1) / np.sqrt(len(a))
    assert gap.diff == pytest.approx(float(np.mean(a - b)))
    assert gap.lo < gap.diff < gap.hi
    assert gap.hi - gap.lo == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert paired_bootstrap(a, b, mean_metric, 0) == gap  # a fixed seed repeats


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_recommend_methods_with_identical_rows_are_about_as_well(seed: int) -> None:
    rows = np.random.default_rng(seed).random(500)

    def scored(v: np.ndarray) -> Scores:
        return Scores(means={"ndcg_20": float(v.mean())}, per_row={"ndcg_20": v})

    choice = choose({"popularity": scored(rows), "own_history": scored(rows.copy()),
                     "co_occurrence": scored(rows * 0.2)}, seed)
    assert choice.served == "popularity"
    assert choice.about_as_well() == ["own_history"]


def test_a_gap_inside_the_noise_is_not_a_win_whatever_its_size() -> None:
    # Small validation sets: gaps of 0.005-0.03 AUC that a fixed cut-off called "beats".
    noisy_wins = 0
    for seed in range(12):
        y = _labels(300, seed)
        rng = np.random.default_rng(seed)
        base = y * 0.5 + rng.random(len(y))
        model = base + rng.normal(0, 0.25, len(y))
        scores = {"model": model, "base_rate": np.full(len(y), 0.3), "rfm_logistic": base,
                  "hist_gradient_boosting": base}
        metrics = _metrics(y, scores, seed)
        gap = metrics["rfm_logistic"]
        text = verdict(metrics, PERIOD, served_method(metrics, False))
        assert ("beats" in text) == (gap["auc_gap_lo"] > 0)
        if gap["auc_gap"] > 0.005 and gap["auc_gap_lo"] <= 0:
            noisy_wins += 1
            assert "about as well as" in text
    assert noisy_wins >= 1


def test_the_period_names_its_first_and_last_day() -> None:
    from engine.intent.evaluate import period_words

    as_of = 1_315_612_799_000  # 2011-09-09 23:59:59 UTC
    day_ms = 86_400_000
    assert period_words(as_of - 30 * day_ms, as_of) == "purchases 2011-08-11 to 2011-09-09"
    assert period_words(as_of + 999 - 30 * day_ms, as_of + 999) == PERIOD


@pytest.mark.parametrize("seed", [0, 1])
def test_a_subset_bootstrap_gives_the_whole_bootstrap_interval(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many rows: the draws come from a random subset, their spread scaled to the whole size.
    from engine import stats

    rng = np.random.default_rng(seed)
    n = 20_000
    y = (rng.random(n) < 0.1).astype(np.float64)
    a = y * 0.6 + rng.random(n)
    b = y * 0.5 + rng.random(n)
    whole = paired_bootstrap(a, b, auc_metric(y), seed, draws=400)
    monkeypatch.setattr(stats, "SUBSET_ROWS", 4_000)
    part = paired_bootstrap(a, b, auc_metric(y), seed, draws=400)
    assert part.diff == whole.diff  # the difference itself is of every row
    assert whole.lo < part.diff < whole.hi and part.lo < whole.diff < part.hi
    width, part_width = whole.hi - whole.lo, part.hi - part.lo
    assert 0.75 < part_width / width < 1.33, (part_width, width)
    assert abs((part.lo + part.hi) / 2 - (whole.lo + whole.hi) / 2) < 0.25 * width
    # Unscaled, the subset's interval would be sqrt(5) times too wide: the scaling is needed.
    assert part_width < 0.7 * np.sqrt(n / 4_000) * width


def test_identical_methods_stay_exactly_even_on_a_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import stats

    monkeypatch.setattr(stats, "SUBSET_ROWS", 500)
    y = _labels(3_000, 4)
    s = np.random.default_rng(4).random(3_000)
    gap = paired_bootstrap(s, s.copy(), auc_metric(y), 4)
    assert (gap.diff, gap.lo, gap.hi) == (0.0, 0.0, 0.0)
