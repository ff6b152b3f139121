"""Data page summary and health on a large project, against the full-scan queries it replaced.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 20,000,
about 2.3 million events), then times in this one process:

- ``engine.overview.summarize(project)``: everything the Data page shows (totals, events per
  day, top categories and items, data health, import warnings), read from the running totals
  of ``storage.summary`` (``--samples`` times, after one warm-up call);
- the baseline: the same figures as the queries before the running totals computed them, by
  scanning the events table (``--baseline-runs`` times; about 30 s at 20,000 customers).

Prints both, the ratio baseline / new, and PASS/FAIL against 1 s.

    python benchmarks/data_page_speed.py [--customers 20000] [--project PATH] [--samples 5]
    python benchmarks/data_page_speed.py --small      # 2,000 customers, for CI
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _demo import ensure_demo  # noqa: E402

from engine.overview import summarize  # noqa: E402
from storage.project import Project, open_project  # noqa: E402
from storage.queries import overview  # noqa: E402

TARGET_S = 1.0

#: The Data page's queries before the running totals (storage/queries.py before migration 0005).
FULL_SCAN = (
    "SELECT COUNT(*), COALESCE(SUM(amount), 0.0), MIN(time_ms), MAX(time_ms) FROM events",
    "SELECT event, COUNT(*) FROM events GROUP BY event",
    "SELECT time_ms / 86400000 AS day, COUNT(*) FROM events GROUP BY day ORDER BY day",
    "SELECT category, COUNT(*), SUM(IIF(event = 'purchase', 1, 0)), COALESCE(SUM(amount), 0.0) "
    "FROM events WHERE category IS NOT NULL GROUP BY category ORDER BY COUNT(*) DESC LIMIT 15",
    "SELECT i.key, i.name, COUNT(*), SUM(IIF(e.event = 'purchase', 1, 0)), "
    "COALESCE(SUM(e.amount), 0.0) FROM events e JOIN items i ON i.id = e.item_id "
    "GROUP BY e.item_id ORDER BY COUNT(*) DESC LIMIT 15",
    # health: events per day again, then duplicates, busy browsers, unpriced purchases
    "SELECT time_ms / 86400000 AS day, COUNT(*) FROM events GROUP BY day ORDER BY day",
    "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM events "
    "GROUP BY customer_id, time_ms, event, item_id, quantity HAVING n > 1)",
    "SELECT COUNT(DISTINCT customer_id) FROM (SELECT customer_id, COUNT(*) AS n FROM events "
    "WHERE event IN ('view', 'click', 'search') GROUP BY customer_id, time_ms / 86400000 "
    "HAVING n > 500)",
    "SELECT COUNT(*) FROM events WHERE event = 'purchase' AND amount IS NULL AND price IS NULL",
)


def full_scan(project: Project) -> None:
    """The Data page's figures as the old queries computed them."""
    with project.connect() as conn:
        for sql in FULL_SCAN:
            conn.execute(text(sql)).all()


def timed(fn, project: Project, runs: int, warm_up: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Seconds of ``fn(project)`` for each of ``runs`` calls (after an untimed one if asked)."""
    if warm_up:
        fn(project)
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(project)
        out.append(time.perf_counter() - t)
    return np.array(out)


def main() -> None:
    """Build or open the project, time the Data page's summary and the full-scan baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--small", action="store_true", help="2,000 customers (for CI)")
    parser.add_argument("--project", type=Path, default=None,
                        help="reuse (or create) this project instead of a temporary one")
    parser.add_argument("--samples", type=int, default=5, help="summaries timed")
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.small:
        args.customers = 2_000

    with tempfile.TemporaryDirectory(prefix="intentlens-datapage-") as tmp:
        path = args.project or Path(tmp) / "data.intentlens"
        ensure_demo(path, args.customers, args.seed)
        project = open_project(path, writable=False)
        try:
            ov = overview(project)
            print(f"project: {ov.customers:,} customers, {ov.events:,} events")
            new = timed(summarize, project, args.samples, warm_up=True)
            base = timed(full_scan, project, args.baseline_runs, warm_up=False)
        finally:
            project.close()
    new_s, base_s = float(np.median(new)), float(np.median(base))
    print(f"full-scan queries (baseline)  median {base_s:8.3f} s")
    print(f"summarize (Data page)         median {new_s:8.3f} s  max {new.max():.3f} s")
    print(f"ratio baseline / new          {base_s / new_s:8.1f}x")
    verdict = "PASS" if new.max() < TARGET_S else "FAIL"
    print(f"{verdict}: Data page summary and health in {new.max():.3f} s "
          f"(target < {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
