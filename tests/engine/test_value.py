"""Customer value: expected spend, next order date and churn risk, each checked on the demo's
latest period against its simple method, with honest intervals; nothing after the as-of date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.stats import mean_metric
from engine.value.config import ValueConfig, churn_band
from engine.value.features import customer_features, orders
from engine.value.gaps import churn_by_gaps, fit_gaps, next_gap
from engine.value.training import ValueResult, check, interval, top_share_metric, train_value


@pytest.fixture(scope="module")
def demo_events() -> pd.DataFrame:
    from engine.demo import generate_demo

    return generate_demo(2000).events_frame()


@pytest.fixture(scope="module")
def result(demo_events: pd.DataFrame) -> ValueResult:
    found = [r for r in train_value(demo_events, ValueConfig(), should_stop=lambda: False)
             if isinstance(r, ValueResult)]
    assert len(found) == 1
    return found[0]


def test_the_gate_counts_what_each_prediction_needs(demo_events: pd.DataFrame) -> None:
    verdict = check(demo_events, ValueConfig())
    assert verdict.ok
    assert "bought in the last 30 days: enough for expected spend" in verdict.message
    assert verdict.numbers["repeat_customers"] >= 20
    tiny = demo_events[demo_events["customer_id"] <= 5]
    small = check(tiny, ValueConfig())
    assert not small.ok and "expected spend needs 30" in small.message


def test_next_order_dates_and_churn_beat_their_simple_methods(result: ValueResult) -> None:
    dates = result.metrics["next_purchase"]
    assert dates["gap_model"]["median_abs_days"] < dates["last_plus_gap"]["median_abs_days"]
    assert dates["versus_last_plus_gap"][1] > 0  # the interval excludes zero
    assert 0.7 <= dates["gap_model"]["coverage_80"] <= 0.95
    # Followed for the churn window, those who did not come back counted too, and a constant
    # guess of the shop's usual gap does worse than the model.
    assert dates["follow_up_days"] == result.metrics["churn"]["window_days"]
    assert 0 < dates["observed"] < dates["customers"]
    assert dates["gap_model"]["median_abs_days"] < dates["constant_gap"]["median_abs_days"]
    assert "did not, and those count too" in result.verdict
    churn = result.metrics["churn"]
    assert churn["churn_model"]["auc"] > churn["recency"]["auc"]
    assert churn["versus_recency"][1] > 0
    # Each "beats" names the method it beats (the last one named before it was another one).
    assert "the model beats “last purchase + their mean gap” (95% interval +" in result.verdict
    assert "the model beats the days since the last purchase (95% interval +" in result.verdict
    not_back = dates["customers"] - dates["observed"]
    assert f"ordered again and {not_back:,} (" in result.verdict


def test_expected_spend_ranks_the_big_spenders_and_is_no_worse_than_their_own_rate(
        result: ValueResult) -> None:
    spend = result.metrics["spend"]
    model, shrunk, shop = spend["spend_model"], spend["shrunk_mean"], spend["shop_average"]
    assert model["top10_capture"] > shrunk["top10_capture"] > shop["top10_capture"]
    assert model["mae"] < shop["mae"]
    assert spend["versus_shrunk_mean"][2] > 0  # never clearly worse by squared error
    # The rule for "beats": the top 10% by expected spend made more of the spend, beyond chance
    # (squared error alone cannot tell them apart on 2,000 customers), and no worse overall.
    assert spend["top10_versus_shrunk_mean"][1] > 0
    assert "So it beats their own spend rate" in result.verdict
    assert 0.7 <= model["coverage_80"] <= 0.95
    out = result.outputs
    assert (out["expected_spend_p10"] <= out["expected_spend_p90"] + 1e-9).all()
    assert out["expected_spend"].ge(0).all()


def test_outputs_cover_every_customer_and_bands_follow_the_cutoffs(result: ValueResult) -> None:
    out = result.outputs
    assert len(out) == 2000
    repeat = out["next_purchase_ms"].notna()
    assert (out.loc[repeat, "next_purchase_p10_ms"] <= out.loc[repeat, "next_purchase_ms"]).all()
    assert (out.loc[repeat, "next_purchase_ms"] <= out.loc[repeat, "next_purchase_p90_ms"]).all()
    assert out["churn_risk"].dropna().between(0, 1).all()
    assert [churn_band(p) for p in (0.9, 0.7, 0.5, 0.1, float("nan"))] == [
        "High", "High", "Medium", "Low", ""]


def test_nothing_after_the_cut_is_read(demo_events: pd.DataFrame) -> None:
    cut = int(demo_events["time_ms"].quantile(0.5))
    ids = np.unique(demo_events.loc[demo_events["time_ms"] <= cut, "customer_id"].to_numpy())
    before = customer_features(demo_events, orders(demo_events), cut, 30, ids)
    future = demo_events.copy()
    later = future["time_ms"] > cut
    future.loc[later, "event"] = "purchase"
    future.loc[later, "amount"] = 1e6
    after = customer_features(future, orders(future), cut, 30, ids)
    pd.testing.assert_frame_equal(before, after)


def test_a_long_wait_pushes_the_next_date_and_raises_the_fallback_churn() -> None:
    gaps = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "gap": [10, 12, 9, 60, 70]})
    model = fit_gaps(gaps, np.array([1, 2, 3]))
    ids = np.array([1, 1, 3])
    waited = np.array([2.0, 40.0, 5.0])
    nxt = next_gap(model, ids, waited, 0.5)
    assert nxt[0] < 20 and nxt[1] > 40  # waited past the usual gap: later than usual
    usual = np.array([10.3, 10.3, np.nan])
    risk = churn_by_gaps(gaps, waited, np.full(3, 30.0), usual)
    assert risk[1] > risk[0]
    # A one-time buyer (3) gets the shop's gaps, not certainty either way.
    assert 0.01 < risk[2] < 0.99


@pytest.mark.parametrize("seed", range(4))
def test_identical_methods_are_never_said_to_beat(seed: int) -> None:
    errors = np.random.default_rng(seed).exponential(5.0, 300)
    est, lo, hi = interval(errors, errors.copy(), mean_metric, seed)
    assert est == 0 and lo <= 0 <= hi


def test_the_top_share_counts_what_the_top_tenth_spent() -> None:
    actual = np.array([100.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50, 0, 0, 0, 0, 0, 0, 0, 0, 50])
    ones = np.ones((1, 20))
    metric = top_share_metric(actual)
    assert metric(actual, ones)[0] == pytest.approx(0.75)  # 100 + 50 of 200 in the top two
    assert metric(-actual, ones)[0] == pytest.approx(0.0)
    assert metric(np.arange(20.0), ones)[0] == pytest.approx(0.25)  # rows 18, 19: 50 of 200


def test_drivers_name_what_makes_customers_buy_with_directions(result: ValueResult) -> None:
    from engine.value.drivers import direction

    found = result.metrics["drivers"]
    assert 1 <= len(found) <= 5
    assert [d["importance"] for d in found] == sorted((d["importance"] for d in found),
                                                       reverse=True)
    # The demo plants browsing before purchases: recent activity must be among the drivers.
    assert {d["feature"] for d in found} & {"days_since_event", "views_recent", "carts_recent",
                                            "events_recent", "trend"}
    assert all("as often as the rest" in d["sentence"] for d in found)
    rng = np.random.default_rng(1)
    carts = rng.integers(0, 6, 2000).astype(float)
    bought = rng.random(2000) < 0.1 + 0.12 * carts
    up = direction(carts, bought, "cart adds")
    assert up is not None and up.startswith("Cart adds 4 or more: bought")
    down = direction(carts, ~bought, "cart adds")
    assert down is not None and down.startswith("Cart adds under 4: bought")


def test_the_verdict_is_worded_when_shown_from_the_saved_figures(result: ValueResult) -> None:
    """Saved as JSON and shown again: the same sentence, and in another language after a
    switch (a run trained in English reads in Chinese)."""
    import json

    from engine.tasks.value import VALUE
    from engine.words import set_translator
    from storage.runs import RunInfo

    record = VALUE.record(result)
    saved = json.loads(json.dumps(record.metrics))  # as the project stores it
    run = RunInfo(1, "value", "", record.status, True, record.settings, record.history,
                  saved, record.summary, 0.0, False)
    assert VALUE.describe(run).verdict == result.verdict
    set_translator(lambda text: "«" + text + "»")
    try:
        again = VALUE.describe(run).verdict
    finally:
        set_translator(lambda text: text)
    assert again != result.verdict and again.startswith("«")


def _irregular_shop(seed: int, customers: int = 300, days: float = 400.0) -> pd.DataFrame:
    """Purchases only: every customer's gaps drawn wide around 30 days (log-normal, spread
    1.3), and each stops buying for good at a random day."""
    from engine.events import MS_PER_DAY

    rng = np.random.default_rng(seed)
    who, when = [], []
    for c in range(1, customers + 1):
        t, stop = rng.uniform(0, 60), rng.uniform(50, 800)
        while t < min(days, stop):
            who.append(c)
            when.append(t)
            t += float(np.exp(rng.normal(np.log(30.0), 1.3)))
    return pd.DataFrame({"customer_id": np.array(who, dtype=np.int64),
                         "time_ms": (np.array(when) * MS_PER_DAY).astype(np.int64),
                         "event": "purchase", "price": 10.0, "quantity": 1.0, "amount": np.nan})


@pytest.mark.parametrize("seed", range(2))
def test_next_order_check_counts_who_did_not_return_so_short_guesses_cannot_win(
        seed: int) -> None:
    """Scored only on those who came back within H days (the old check), a short guess, "the
    next order comes 15 days after the check starts", is never more than 15 days off and beats
    the gap model. Counting those who did not come back as well, it loses, and so does
    "never"."""
    from engine.events import MS_PER_DAY
    from engine.value.features import first_purchase_after, purchase_gaps
    from engine.value.training import _population, date_check, date_errors

    events = _irregular_shop(seed)
    od = orders(events)
    d, h, follow = int(events["time_ms"].max()), 30, 150

    def followed(cut: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pop = _population(events, cut)
        x = customer_features(events, od, cut, h, pop)
        repeat = x["purchase_days"].to_numpy() >= 2
        ids, waited = pop[repeat], x["days_since_purchase"].to_numpy()[repeat]
        true_gap = (first_purchase_after(od, cut, d, ids).to_numpy()
                    - (cut - waited * MS_PER_DAY)) / MS_PER_DAY
        return ids, waited, true_gap

    # The old check: the latest H days, those who bought again only.
    cut_v = d - h * MS_PER_DAY
    ids, waited, true_gap = followed(cut_v)
    seen = np.isfinite(true_gap)
    model = next_gap(fit_gaps(purchase_gaps(od, cut_v), ids), ids, waited, 0.5)
    old_model = np.median(np.abs(model - true_gap)[seen])
    old_short = np.median(np.abs(waited + 15.0 - true_gap)[seen])
    assert old_short < old_model  # the bias the check must not have

    cut = d - follow * MS_PER_DAY
    found, gap = date_check(events, od, cut, d, h, seed)
    ids, waited, true_gap = followed(cut)
    censored_at = waited + follow
    assert found["customers"] == len(ids)  # everyone with two purchase days by the cut
    assert found["observed"] == np.isfinite(true_gap).sum() < len(ids)
    assert found["censored_share"] == pytest.approx(1 - np.isfinite(true_gap).mean())
    model = next_gap(fit_gaps(purchase_gaps(od, cut), ids), ids, waited, 0.5)
    assert found["gap_model"]["median_abs_days"] == pytest.approx(
        np.median(date_errors(model, true_gap, censored_at)))
    short = np.median(date_errors(waited + 15.0, true_gap, censored_at))
    never = np.median(date_errors(np.full(len(ids), np.inf), true_gap, censored_at))
    assert found["gap_model"]["median_abs_days"] < short < never
    assert found["gap_model"]["median_abs_days"] < found["constant_gap"]["median_abs_days"]
    assert gap[1] > 0  # and beats "last purchase + mean gap" beyond chance


def test_a_date_error_counts_what_is_known_of_those_who_did_not_return() -> None:
    from engine.value.training import date_errors

    true_gap = np.array([20.0, 20.0, np.nan, np.nan, np.nan])
    censored_at = np.array([90.0, 90.0, 90.0, 90.0, 90.0])
    pred = np.array([25.0, 10.0, 30.0, 120.0, np.inf])
    # Seen: |25 − 20|, |10 − 20|; not seen by day 90: 90 − 30, then not known wrong (0, 0).
    assert date_errors(pred, true_gap, censored_at).tolist() == [5.0, 10.0, 60.0, 0.0, 0.0]


def test_spend_beats_only_by_finding_big_spenders_and_erring_no_more() -> None:
    from engine.value.words import value_verdict

    def said(top: list[float], squared: list[float]) -> str:
        spend = {"spend_model": {"mae": 1.0, "top10_capture": 0.5}, "shrunk_mean": {"mae": 1.0},
                 "shop_average": {"mae": 2.0}, "period": [0, 0],
                 "top10_versus_shrunk_mean": top, "versus_shrunk_mean": squared}
        return value_verdict({"spend": spend}, 30)

    assert "So it beats" in said([0.05, 0.01, 0.09], [5.0, -2.0, 12.0])
    assert "So it does not beat" in said([0.05, 0.01, 0.09], [-5.0, -9.0, -1.0])
    assert "So it does not beat" in said([0.05, -0.01, 0.09], [5.0, 1.0, 12.0])


def test_a_run_saved_before_the_censored_check_keeps_its_own_sentence(
        result: ValueResult) -> None:
    """Runs saved before the next-order check counted those who did not return read as they
    were measured: "customers who bought again"; new runs say who was followed and for how
    long."""
    from engine.value.words import value_verdict

    old = {"customers": 1084, "gap_model": {"median_abs_days": 19.2, "coverage_80": 0.73},
           "last_plus_gap": {"median_abs_days": 23.6}, "versus_last_plus_gap": [4.3, 2.5, 6.4]}
    said = value_verdict({"next_purchase": old}, 30)
    assert "checked on 1,084 customers who bought again" in said
    assert "did not, and those count too" not in said
    dates = result.metrics["next_purchase"]
    assert f"followed for {dates['follow_up_days']:.0f} days" in result.verdict
    assert f"{dates['observed']:,} ordered again" in result.verdict
