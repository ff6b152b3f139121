"""Sales-forecast speed: backtesting and forecasting thousands of item series on this machine.

Generates ``--items`` weekly item series (intermittent, Poisson demand whose rate trends and
cycles per item, about 60% of weeks without a sale; 78 weeks, 20 categories) as an event
frame, then times in this one process:

- the whole forecast run (``train_forecast``: 3 backtest origins of every method, the choice
  per level, the final forecast with ranges), 8 weeks ahead;
- the baseline: the same run with only the two simplest methods (seasonal naive and the moving
  average, no statsforecast and no boosting), so the ratio says what the full set costs.

Prints both times, the ratio, and PASS/FAIL against the issue's figure: 4,000 item series in a
couple of minutes (120 s) on 2 cores.

    python benchmarks/forecast_speed.py [--items 4000]
    python benchmarks/forecast_speed.py --small      # 100 items, one origin, for CI
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.events import MS_PER_DAY  # noqa: E402
from engine.forecast.config import METHODS, ForecastConfig  # noqa: E402
from engine.forecast.training import train_forecast  # noqa: E402

TARGET_S = 120.0
WEEKS = 78


def item_events(items: int, seed: int = 1) -> pd.DataFrame:
    """Purchases of ``items`` items over ``WEEKS`` weeks as an event frame."""
    rng = np.random.default_rng(seed)
    base = rng.gamma(0.6, 1.2, items)
    trend = rng.normal(0.0, 0.01, items)
    phase = rng.uniform(0, 2 * np.pi, items)
    weeks = np.arange(WEEKS)
    rate = base[:, None] * np.exp(trend[:, None] * weeks) * (
        1 + 0.4 * np.sin(2 * np.pi * weeks / 52 + phase[:, None]))
    counts = rng.poisson(np.clip(rate, 0, None))
    item, week = np.nonzero(counts)
    n = counts[item, week]
    item, week = np.repeat(item, n), np.repeat(week, n)
    day = 19_000 + week * 7 + rng.integers(0, 7, len(week))
    m = len(item)
    return pd.DataFrame({
        "customer_id": rng.integers(1, 50_000, m), "time_ms": day * MS_PER_DAY + 43_200_000,
        "event": "purchase", "item": [f"I{i:05d}" for i in item],
        "category": [f"C{i % 20:02d}" for i in item], "price": 10.0,
        "quantity": 1.0, "amount": 10.0, "session": None, "query": None,
    }).sort_values(["customer_id", "time_ms"], kind="stable").reset_index(drop=True)


def run(events: pd.DataFrame, items: int, methods: tuple[str, ...] = METHODS, *,
        origins: int = 3) -> float:
    """Seconds of one whole forecast run with ``methods``."""
    started = time.perf_counter()
    config = ForecastConfig(weeks=8, period="week", max_items=items, origins=origins)
    for _ in train_forecast(events, config, should_stop=lambda: False, methods=methods):
        pass
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--small", action="store_true",
                        help="100 items and one backtest origin, for CI")
    args = parser.parse_args(argv)
    items = 100 if args.small else args.items
    origins = 1 if args.small else 3
    events = item_events(items)
    print(f"{items:,} item series, {WEEKS} weeks, {len(events):,} purchases, "
          f"{origins} backtest origins")
    full = run(events, items, origins=origins)
    baseline = run(events, items, ("seasonal_naive", "moving_average"), origins=origins)
    print(f"full forecast (every method): {full:7.1f} s")
    print(f"baseline (naive + average):   {baseline:7.1f} s")
    print(f"ratio full / baseline: {full / baseline:.1f}x")
    verdict = "PASS" if full <= TARGET_S else "FAIL"
    print(f"{verdict}: {items:,} item series in {full:.0f} s (target {TARGET_S:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
