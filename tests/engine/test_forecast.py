"""The sales forecast: series from purchases minus refunds with nothing after the as-of date,
honest ranges and comparisons, the planted demo trends found, and the contract of its outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.events import MS_PER_DAY
from engine.forecast import backtest as bt
from engine.forecast.config import ForecastConfig
from engine.forecast.series import build_panel, choose_period
from engine.forecast.training import ForecastResult, check, train_forecast
from engine.forecast.words import comparison
from engine.tasks.base import NoData

DAY0 = 20_000  # an epoch day (a Monday + 3 days: the periods must not care)


def _events(rows: list[tuple[int, int, str, str, str | None, float | None, float | None]]
            ) -> pd.DataFrame:
    """(customer, day, event, item, category, quantity, amount) rows as an event frame."""
    return pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "time_ms": [(DAY0 + r[1]) * MS_PER_DAY + 3_600_000 for r in rows],
        "event": [r[2] for r in rows], "item": [r[3] for r in rows],
        "category": [r[4] for r in rows], "price": [10.0] * len(rows),
        "quantity": [r[5] for r in rows], "amount": [r[6] for r in rows],
        "session": [None] * len(rows), "query": [None] * len(rows),
    })


def test_units_are_purchases_minus_refunds_and_nothing_after_the_as_of_date_is_read() -> None:
    rows = [(1, d, "purchase", "A", "Mugs", 2.0, 20.0) for d in range(0, 70, 3)]
    rows += [(2, 69, "refund", "A", "Mugs", 1.0, -10.0),
             (3, 68, "purchase", "B", "Mugs", None, None),  # no quantity: one unit, price x 1
             (4, 69, "view", "B", "Mugs", None, None),
             (5, 75, "purchase", "FUTURE", "Mugs", 5.0, 50.0)]  # after the as-of date
    as_of = (DAY0 + 69) * MS_PER_DAY + 86_399_999
    panel = build_panel(_events(rows), as_of, period_days=7, levels=("shop", "category", "item"),
                        max_items=100, min_periods=4)
    assert "FUTURE" not in panel.key
    assert panel.key == ["", "Mugs", "A", "B"]
    assert panel.periods == 10  # 70 days: ten whole weeks, the last one ending on the as-of day
    assert panel.starts_ms[-1] == (DAY0 + 63) * MS_PER_DAY
    a, b = panel.key.index("A"), panel.key.index("B")
    # Days 63, 66 and 69 fall in the last week: 3 purchases of 2 units, one unit refunded.
    assert panel.units[a, -1] == pytest.approx(3 * 2 - 1)
    assert panel.revenue[a, -1] == pytest.approx(3 * 20 - 10)
    assert panel.units[b, -1] == 1 and panel.revenue[b, -1] == pytest.approx(10.0)
    assert panel.views[b, -1] == 1
    assert panel.units[0].sum() == pytest.approx(panel.units[2:].sum())  # the shop is the sum


def test_the_period_is_days_for_a_short_busy_log_and_weeks_otherwise() -> None:
    busy = _events([(1, d, "purchase", "A", None, 1.0, 1.0) for d in range(100)])
    sparse = _events([(1, d, "purchase", "A", None, 1.0, 1.0) for d in range(0, 100, 3)])
    long = _events([(1, d, "purchase", "A", None, 1.0, 1.0) for d in range(400)])
    end = int(busy["time_ms"].max())
    assert choose_period(busy, end, "auto") == 1
    assert choose_period(sparse, end, "auto") == 7
    assert choose_period(long, int(long["time_ms"].max()), "auto") == 7
    assert choose_period(busy, end, "week") == 7


def test_too_short_a_log_is_refused_in_a_sentence() -> None:
    events = _events([(1, d, "purchase", "A", None, 1.0, 1.0) for d in range(0, 40, 2)])
    verdict = check(events, ForecastConfig(weeks=8))
    assert not verdict.ok
    assert "too few to forecast even one week ahead" in verdict.message
    assert "import more history" in verdict.message
    # Some weeks would fit: the sentence says how many, the run refuses with the same one.
    weekly = _events([(1, d, "purchase", "A", None, 1.0, 1.0) for d in range(0, 140, 3)])
    verdict = check(weekly, ForecastConfig(weeks=26))
    assert not verdict.ok
    assert verdict.message == ("19 weeks of sales: too few to forecast 26 weeks ahead and check "
                               "it on the past (it needs 34); at most 11 weeks ahead fit.")
    with pytest.raises(NoData, match="at most 11 weeks ahead fit"):
        list(train_forecast(weekly, ForecastConfig(weeks=26), should_stop=lambda: False))
    assert check(weekly, ForecastConfig(weeks=11)).ok


def test_conformal_ranges_hold_about_80_percent_of_new_actuals() -> None:
    rng = np.random.default_rng(3)
    level = rng.gamma(2.0, 3.0, size=400)
    point = np.repeat(level[:, None], 8, axis=1)
    residuals = bt.Residuals()
    for _ in range(3):
        actual = rng.poisson(point).astype(float)
        residuals.add(actual, point, level)
    fresh = rng.poisson(point).astype(float)
    p10, p90 = bt.interval(point, level, residuals.quantiles())
    held = ((fresh >= p10) & (fresh <= p90)).mean()
    assert 0.72 <= held <= 0.9
    assert (p10 >= 0).all() and (p10 <= point).all() and (p90 >= point).all()


@pytest.mark.parametrize("seed", range(5))
def test_identical_methods_are_about_as_good_as_each_other(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = bt.Scores(), bt.Scores()
    actual = rng.poisson(5.0, size=(50, 8)).astype(float)
    pred = np.full_like(actual, 5.0)
    for s in (a, b):
        s.add(actual, pred * 0.5, pred, pred * 1.5, np.ones(50))
    gap = bt.paired_interval(a, b, seed=seed)
    assert gap[1] <= 0 <= gap[2]
    assert "about as well as" in comparison("X", "Y", gap)


def test_a_clearly_better_method_beats_and_a_worse_one_is_beaten() -> None:
    rng = np.random.default_rng(0)
    actual = rng.poisson(5.0, size=(200, 8)).astype(float)
    good, bad = bt.Scores(), bt.Scores()
    good.add(actual, actual * 0.9, actual + rng.normal(0, 0.5, actual.shape), actual * 1.1,
             np.ones(200))
    bad.add(actual, actual * 0.5, np.full_like(actual, 9.0), actual * 2, np.ones(200))
    better = bt.paired_interval(bad, good, seed=1)
    assert better[1] > 0 and "beats" in comparison("good", "bad", better)
    worse = bt.paired_interval(good, bad, seed=1)
    assert worse[2] < 0 and comparison("bad", "good", worse).startswith("good beats bad")


@pytest.fixture(scope="module")
def demo_result() -> ForecastResult:
    from engine.demo import generate_demo

    events = generate_demo(2000).events_frame()
    found = [r for r in train_forecast(events, ForecastConfig(weeks=8),
                                       should_stop=lambda: False)
             if isinstance(r, ForecastResult)]
    assert len(found) == 1
    return found[0]


def test_on_the_demo_the_served_method_beats_seasonal_naive_with_an_honest_range(
        demo_result: ForecastResult) -> None:
    levels = demo_result.metrics["levels"]
    for level in ("shop", "category"):
        info = levels[level]
        served = info["served"]
        assert served != "seasonal_naive"
        assert info["methods"][served]["wape"] < info["methods"]["seasonal_naive"]["wape"]
        assert info["versus_naive"][1] > 0, info["versus_naive"]  # the interval excludes zero
        assert 0.7 <= info["methods"][served]["coverage_80"] <= 0.9
        assert "beats seasonal naive" in info["verdict"]
    for info in levels.values():
        assert set(info["methods"]) >= {"seasonal_naive", "moving_average", "croston", "tsb",
                                        "adida", "auto_ets", "auto_arima", "global_gbm"}
        for m in info["methods"].values():
            assert set(m) == {"wape", "mase", "pinball", "coverage_80"}
        # Both demand signals are measured against the same model without them.
        assert {"global_gbm_no_buyers", "global_gbm_no_signals"} <= set(info["methods"])
        assert len(info["signals"]) == 3 and len(info["buyers"]) == 3
        assert info["buyers"][1] <= info["buyers"][0] <= info["buyers"][2]
    assert "The expected buyers from the customers' intent" in demo_result.verdict
    assert "Views and carts" in demo_result.verdict


def test_the_demo_forecast_follows_the_planted_season(demo_result: ForecastResult) -> None:
    from engine.demo_shop import CATALOGUE

    out = demo_result.outputs
    kites = {f"P{i + 1:04d}" for i, n in enumerate(CATALOGUE.name) if str(n).endswith("Kite")}
    blankets = {f"P{i + 1:04d}" for i, n in enumerate(CATALOGUE.name)
                if str(n).endswith("Throw Blanket")}
    p50 = out[out["name"] == "units_p50"].groupby("item")["value"].sum()
    # Out of season in December: kites sell less than throw blankets, which are in season.
    assert p50.reindex(list(kites)).fillna(0).sum() < p50.reindex(list(blankets)).sum()
    assert demo_result.metrics["period_days"] == 1
    assert len(demo_result.metrics["forecast_starts"]) == 56
    q = out[out["name"].str.startswith("units_p")].pivot_table(
        index=["item", "period"], columns="name", values="value")
    assert (q["units_p10"] <= q["units_p50"] + 1e-9).all()
    assert (q["units_p50"] <= q["units_p90"] + 1e-9).all()


# --- Expected buyers from the customers' intent (engine.forecast.buyers) ---------------------

def _loyal_log(weeks: int = 30, seed: int = 3) -> pd.DataFrame:
    """300 customers over ``weeks`` weeks: a third buy mugs every week, a third buy tea every
    third week, a third only browse; everyone views what they like."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, int, str, str, str | None, float | None, float | None]] = []
    for c in range(300):
        kind = c % 3
        item, cat = (("MUG", "Mugs"), ("TEA", "Tea"), ("TEA", "Tea"))[kind]
        every = (1, 3, 0)[kind]
        for w in range(weeks):
            day = w * 7 + int(rng.integers(0, 7))
            rows.append((c, day, "view", item, cat, None, None))
            if every and w % every == c % every and rng.random() < 0.9:
                rows.append((c, day, "purchase", item, cat, 1.0, 10.0))
    return _events(rows)


def _panel_and_signal(events: pd.DataFrame, weeks: int = 30):
    from engine.forecast.buyers import BuyerSignal

    as_of = (DAY0 + weeks * 7 - 1) * MS_PER_DAY + 86_399_999
    panel = build_panel(events, as_of, period_days=7, levels=("shop", "category", "item"),
                        max_items=10, min_periods=8)
    return panel, BuyerSignal(events, panel, as_of, seed=0)


def test_expected_buyers_follow_each_customers_chance_and_interest() -> None:
    events = _loyal_log()
    panel, signal = _panel_and_signal(events)
    assert signal.available
    periods = list(range(10, panel.periods + 1))
    m = signal.matrix(periods)
    shop, mugs = 0, panel.key.index("MUG")
    tea = panel.key.index("TEA")
    buyers = (events[events["event"] == "purchase"].assign(
        period=lambda d: (d["time_ms"] - panel.starts_ms[0]) // (7 * MS_PER_DAY)))
    actual = buyers.groupby("period")["customer_id"].nunique()
    expected = m[shop, periods[:-1]]
    # The whole shop's expected buyers are about the real number of buyers of each week.
    assert np.all(np.isfinite(expected))
    assert abs(expected.mean() - actual.reindex(periods[:-1]).mean()) < 0.15 * actual.mean()
    # Weekly mug buyers are all expected every week; tea buyers a third of theirs each week.
    assert m[mugs, periods].mean() > 2.0 * m[tea, periods].mean()
    assert m[mugs, periods].mean() == pytest.approx(90, rel=0.2)
    # The first future period is filled too (the final forecast uses it).
    assert np.isfinite(m[:, panel.periods]).all()


def test_expected_buyers_of_a_period_read_nothing_from_it_or_after() -> None:
    events = _loyal_log()
    panel, signal = _panel_and_signal(events)
    t = 20
    cut = panel.starts_ms[t]
    before = signal.matrix([t])[:, t]
    # Remove every event from period t on (and add wild ones): column t must not move.
    changed = events[events["time_ms"] < cut]
    wild = _events([(c, 20 * 7 + 1, "purchase", "MUG", "Mugs", 50.0, 500.0)
                    for c in range(150)])
    _, signal2 = _panel_and_signal(pd.concat([changed, wild], ignore_index=True))
    np.testing.assert_allclose(signal2.matrix([t])[:, t], before)


def test_a_log_with_too_few_customers_has_no_expected_buyers() -> None:
    rows = [(c % 5, d, "purchase", "A", "Mugs", 1.0, 10.0) for c, d in enumerate(range(0, 140))]
    panel, signal = _panel_and_signal(_events(rows), weeks=20)
    assert not signal.available
    assert np.isnan(signal.matrix([10, 12])).all()


def test_signal_verdicts_say_where_a_signal_helped_by_its_interval() -> None:
    from engine.forecast.words import global_note, signal_verdict

    text = signal_verdict("buyers", {"shop": [0.11, 0.06, 0.16], "category": [-0.06, -0.29, 0.13],
                                     "item": [-0.05, -0.08, -0.02]})
    assert text.startswith("The expected buyers from the customers' intent helped the global "
                           "model for the whole shop (11% lower errors, 95% interval 6% to 16%)")
    assert "made the global model worse for single items (5% higher errors)" in text
    assert "made no clear difference to the global model for categories (errors 6% higher, " \
        "within chance)" \
        in text
    assert signal_verdict("signals", {"item": [0.02, -0.01, 0.04]}) == (
        "Views and carts made no clear difference to the global model for single items "
        "(errors 2% lower, within chance).")
    assert "left out" in signal_verdict("buyers", {"item": None})
    note = global_note({"shop": "tsb", "item": "adida"})
    assert "serves no level here, so its signals do not change this forecast" in note
    assert global_note({"shop": "tsb", "category": "global_gbm", "item": "global_gbm"}
                       ).endswith("serves categories and single items:")
    assert signal_verdict("signals", {}) == ""


def test_the_verdict_is_worded_when_shown_from_the_saved_figures(
        demo_result: ForecastResult) -> None:
    """Saved as JSON and shown again: the same sentences, and in another language after a
    switch."""
    import json

    from engine.tasks.forecast import FORECAST
    from engine.words import set_translator
    from storage.runs import RunInfo

    record = FORECAST.record(demo_result)
    saved = json.loads(json.dumps(record.metrics))  # as the project stores it
    run = RunInfo(1, "forecast", "", record.status, True, record.settings, record.history,
                  saved, record.summary, 0.0, False)
    assert FORECAST.describe(run).verdict == demo_result.verdict
    set_translator(lambda text: "«" + text + "»")
    try:
        again = FORECAST.describe(run).verdict
    finally:
        set_translator(lambda text: text)
    assert again != demo_result.verdict and again.startswith("«")
