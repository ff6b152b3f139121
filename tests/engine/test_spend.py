"""The spend model (engine.spend): the Gamma-Gamma formulas on hand-picked parameters, the
maximum-likelihood fit on simulated customers, orders counted like the customer table counts
purchases (refunds subtract), and the check on the latest days against the shop average."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from engine.demo_project import create_demo_project
from engine.events import MS_PER_DAY
from engine.spend import (
    MIN_REPEAT,
    SpendModel,
    check_spend,
    fallback,
    fit_spend,
    log_likelihood,
    order_stats,
    orders_of,
)
from storage.project import open_project
from storage.queries import purchase_lines
from storage.runs import customer_summary

MODEL = SpendModel(p=3.0, q=5.0, gamma=40.0, fitted=True, customers=0)


def test_no_orders_means_the_population_mean() -> None:
    assert MODEL.mean == 3.0 * 40.0 / 4.0 == 30.0
    got = MODEL.expected(np.array([0, 0]), np.array([np.nan, 80.0]))
    assert got.tolist() == [30.0, 30.0]  # a mean without orders is ignored


def test_expected_value_is_the_shrunk_own_mean() -> None:
    # p·(γ + x·m̄)/(p·x + q − 1) = 3·(40 + 100)/(6 + 4) = 42 = 0.6·50 + 0.4·30
    assert MODEL.expected(np.array([2]), np.array([50.0]))[0] == pytest.approx(42.0, rel=1e-15)


def test_more_orders_bring_the_expectation_closer_to_the_own_mean() -> None:
    x = np.arange(1, 30)
    got = MODEL.expected(x, np.full(len(x), 100.0))
    gaps = 100.0 - got
    assert np.all(gaps > 0) and np.all(got > MODEL.mean)  # between μ and the own mean
    assert np.all(np.diff(gaps) < 0)  # strictly closer with every order
    assert gaps[-1] < 0.1 * gaps[0]


def test_the_range_is_the_posterior_of_nu() -> None:
    x, m = np.array([0, 1, 4, 20]), np.array([np.nan, 50.0, 50.0, 50.0])
    low, high = MODEL.interval(x, m)
    mid = MODEL.expected(x, m)
    for i, (xi, mi) in enumerate(zip([0, 1, 4, 20], [0.0, 50.0, 50.0, 50.0], strict=True)):
        nu = stats.gamma(a=MODEL.p * xi + MODEL.q, scale=1.0 / (MODEL.gamma + xi * mi))
        assert low[i] == pytest.approx(MODEL.p / nu.ppf(0.9), rel=1e-9)
        assert high[i] == pytest.approx(MODEL.p / nu.ppf(0.1), rel=1e-9)
    assert np.all(low < mid) and np.all(mid < high)
    width = (high - low) / mid
    assert np.all(np.diff(width) < 0)  # more orders, surer


def test_log_likelihood_integrates_nu_out() -> None:
    p, q, g, x, m = 2.5, 4.0, 30.0, 3, 12.0

    def joint(nu: float) -> float:
        # m̄ given ν: x·m̄ ~ Gamma(p·x, ν), so m̄ ~ Gamma(p·x, rate x·ν); ν ~ Gamma(q, γ).
        return float(stats.gamma.pdf(m, a=p * x, scale=1.0 / (x * nu))
                     * stats.gamma.pdf(nu, a=q, scale=1.0 / g))

    numeric, _ = integrate.quad(joint, 0, np.inf, limit=200)
    got = log_likelihood(p, q, g, np.array([x]), np.array([m]))[0]
    assert got == pytest.approx(math.log(numeric), rel=1e-8)


def test_fit_recovers_simulated_customers() -> None:
    rng = np.random.default_rng(3)
    p, q, g, n = 6.0, 4.0, 15.0, 4000
    nu = rng.gamma(q, 1.0 / g, n)
    x = rng.integers(1, 8, n)
    m = rng.gamma(p * x, 1.0 / nu) / x  # the mean of x Gamma(p, ν) order values
    model = fit_spend(x, m)
    assert model.fitted and model.customers == n
    assert model.p == pytest.approx(p, rel=0.15)
    assert model.q == pytest.approx(q, rel=0.15)
    assert model.mean == pytest.approx(p * g / (q - 1), rel=0.05)


def test_few_repeat_customers_fall_back_to_one_order_of_the_shop_mean() -> None:
    x = np.array([1, 1, 2] + [0] * 5)
    m = np.array([10.0, 20.0, 30.0] + [np.nan] * 5)
    model = fit_spend(x, m)
    assert not model.fitted and model.customers == 3
    shop = (10 + 20 + 60) / 4
    assert model.mean == pytest.approx(shop, rel=1e-12)
    assert model.expected(np.array([2]), np.array([30.0]))[0] == pytest.approx(
        (shop + 2 * 30.0) / 3, rel=1e-12)
    assert int((x >= 2).sum()) < MIN_REPEAT


def _lines(rows: list[tuple[int, int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "time_ms", "order_key", "event", "amount"]
                        ).assign(category="C")


def test_orders_count_like_purchases_and_refunds_subtract() -> None:
    lines = _lines([
        (1, 1000, "A", "purchase", 10.0),
        (1, 1000, "A", "purchase", 5.0),
        (1, 9000, "A", "refund", -5.0),  # a refund of order A: it stays one order
        (1, 5000, "5000", "purchase", 3.0),  # no order id: lines of one moment are one order
        (1, 5000, "5000", "purchase", 4.0),
        (2, 7000, "Z", "refund", -4.0),  # a refund of an order before the data
    ])
    orders = orders_of(lines)
    assert len(orders) == 3
    stats_ = order_stats(orders)
    assert stats_.loc[1, "orders"] == 2 and stats_.loc[1, "value"] == 17.0
    assert stats_.loc[1, "mean_value"] == 8.5
    assert stats_.loc[2, "orders"] == 0 and stats_.loc[2, "value"] == -4.0
    assert math.isnan(stats_.loc[2, "mean_value"])
    # The refund belongs to its order's time: before 6000 customer 1 has both orders.
    early = order_stats(orders, until_ms=6000)
    assert early.loc[1, "value"] == 17.0 and 2 not in early.index


def test_order_counts_match_the_customer_table(tmp_path: Path) -> None:
    path = tmp_path / "demo.intentlens"
    create_demo_project(path, customers=120, seed=3)
    project = open_project(path, create=False)
    try:
        stats_ = order_stats(orders_of(purchase_lines(project)))
        summary = customer_summary(project).set_index("customer_id")
    finally:
        project.close()
    orders = stats_["orders"].reindex(summary.index, fill_value=0)
    assert (orders == summary["purchases"]).all()
    value = stats_["value"].reindex(summary.index, fill_value=0.0)
    assert np.allclose(value, summary["revenue"])
    assert summary["purchases"].sum() > 100


DAY = MS_PER_DAY


def test_check_compares_with_the_shop_average_on_the_latest_days() -> None:
    as_of = 100 * DAY
    orders = pd.DataFrame({
        "customer_id": [1, 1, 2, 1, 3],
        "time_ms": [10 * DAY, 20 * DAY, 30 * DAY, 95 * DAY, 96 * DAY],
        "value": [10.0, 30.0, 40.0, 25.0, 50.0],
        "lines": [1, 1, 1, 1, 1],
    })
    check = check_spend(orders, as_of, 14)
    # Before day 86: customer 1 has 2 orders of mean 20, customer 2 one of 40; the fallback's
    # shop mean is 80/3, which is also "the shop average".
    shop = 80.0 / 3.0
    one = (shop + 2 * 20.0) / 3.0  # customer 1; customer 3 is new: the shop mean
    assert check.customers == 2
    assert check.mae_model == pytest.approx((abs(one - 25.0) + abs(shop - 50.0)) / 2, rel=1e-12)
    assert check.mae_shop_average == pytest.approx(
        (abs(shop - 25.0) + abs(shop - 50.0)) / 2, rel=1e-12)
    assert check.sentence.startswith("Order values checked on the latest 14 days: for the 2 ")
    assert "no better than the shop average" in check.sentence  # 13.06 against 12.50
    better = check_spend(orders.assign(value=[10.0, 30.0, 40.0, 20.0, shop]), as_of, 14)
    assert better.mae_model < better.mae_shop_average
    assert "no better" not in better.sentence


def test_check_without_orders_in_the_window_says_so() -> None:
    orders = pd.DataFrame({"customer_id": [1], "time_ms": [DAY], "value": [5.0], "lines": [1]})
    check = check_spend(orders, 100 * DAY, 7)
    assert check.customers == 0 and math.isnan(check.mae_model)
    assert check.sentence == ("Order values could not be checked: nobody ordered in the latest "
                              "7 days, or nobody before them.")


def test_fallback_without_any_order_still_has_a_mean() -> None:
    assert fallback(math.nan).mean == 1.0
