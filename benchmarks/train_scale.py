"""Training and scoring purchase intent on a big shop: how soon the first epoch shows, how long
the whole run takes, and how long scoring every customer takes.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 20,000,
about 2.3 million events), then, in this one process, as the Train page does it:

- trains purchase intent with ``--preset`` (default fast) through ``engine.runs.train``, the
  same call the window and the CLI make, and notes the seconds until the first epoch is reported
  (the first point of the live loss curve) and until the run is saved;
- scores every customer with the saved weights (``engine.intent.score_customers``): first the
  events read up to the as-of date, then the scores, timed apart;
- the baseline, measured in the same run: a plain ``sqlite3`` fetch of the events the training
  reads (the least any run must pay to see the data), so the ratios show how much of the time
  is training rather than reading.

Prints each figure and PASS/FAIL against the targets: first epoch < 15 s, whole run < 90 s,
scores < 5 s (20,000 customers). The run is saved in the project, so ``--project`` grows a run
per call.

    python benchmarks/train_scale.py [--customers 20000] [--project PATH] [--preset fast]
    python benchmarks/train_scale.py --small      # 1,000 customers, for CI
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _demo import ensure_demo  # noqa: E402

from engine.runs import train  # noqa: E402
from engine.tasks.base import Progress, RunSaved  # noqa: E402
from storage.project import open_project  # noqa: E402
from storage.queries import events_frame, overview  # noqa: E402
from storage.runs import get_run, run_weights  # noqa: E402

FIRST_EPOCH_S, DONE_S, SCORE_S = 15.0, 90.0, 5.0
EVENTS_SQL = (
    "SELECT e.customer_id, e.time_ms, e.event, i.key AS item, e.category, e.price, "
    "e.quantity, e.amount, e.session, e.query FROM events e "
    "LEFT JOIN items i ON i.id = e.item_id WHERE e.time_ms <= ?"
)


def plain_fetch(path: Path, until_ms: int) -> float:
    """Seconds of a plain sqlite3 fetch of the events the training reads (the baseline)."""
    t = time.perf_counter()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(EVENTS_SQL, (until_ms,)).fetchall()
    finally:
        con.close()
    seconds = time.perf_counter() - t
    print(f"plain sqlite3 fetch (baseline)  {seconds:8.2f} s  ({len(rows):,} rows)")
    return seconds


def main() -> None:
    """Build or open the project, train, score, and compare with the plain fetch."""
    from engine.intent import IntentConfig, load_state, score_customers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--small", action="store_true", help="1,000 customers (for CI)")
    parser.add_argument("--project", type=Path, default=None,
                        help="reuse (or create) this project instead of a temporary one")
    parser.add_argument("--preset", default="fast", choices=["fast", "balanced", "thorough"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.small:
        args.customers = 1_000

    with tempfile.TemporaryDirectory(prefix="intentlens-trainscale-") as tmp:
        path = args.project or Path(tmp) / "shop.intentlens"
        ensure_demo(path, args.customers, args.seed)
        project = open_project(path)
        try:
            ov = overview(project)
            print(f"project: {ov.customers:,} customers, {ov.events:,} events")
            started = time.perf_counter()
            first_epoch = prepared = None
            saved: RunSaved | None = None
            for report in train(project, "intent", IntentConfig(preset=args.preset)):
                now = time.perf_counter() - started
                if isinstance(report, Progress):
                    if report.step == "epoch" and first_epoch is None:
                        first_epoch = now
                    elif report.step == "batch" and prepared is None:
                        prepared = now
                elif isinstance(report, RunSaved):
                    saved = report
            done = time.perf_counter() - started
            assert saved is not None and first_epoch is not None
            run = get_run(project, saved.run_id)
            blob = run_weights(project, saved.run_id)
            assert run is not None and blob is not None
            config = dict(run.settings)
            as_of = int(config["as_of_ms"])
            t = time.perf_counter()
            events = events_frame(project, until_ms=as_of)
            read_s = time.perf_counter() - t
            t = time.perf_counter()
            scores = score_customers(events, load_state(blob), config)
            score_s = time.perf_counter() - t
        finally:
            project.close()
        base = plain_fetch(path, as_of)
    print(f"first batch                     {prepared or float('nan'):8.2f} s")
    print(f"first epoch shown               {first_epoch:8.2f} s  "
          f"({first_epoch / base:.2f}x the plain fetch)")
    print(f"whole run saved                 {done:8.2f} s  ({done / base:.2f}x the plain fetch)")
    print(f"events read for scoring         {read_s:8.2f} s  (ratio plain fetch / read "
          f"{base / read_s:.2f}x)")
    print(f"scores for {len(scores):,} customers  {score_s:8.2f} s")
    for name, value, target in (("first epoch shown", first_epoch, FIRST_EPOCH_S),
                                ("whole run", done, DONE_S), ("scoring", score_s, SCORE_S)):
        verdict = "PASS" if value < target else "FAIL"
        print(f"{verdict}: {name} in {value:.1f} s (target < {target:.0f} s)")


if __name__ == "__main__":
    main()
