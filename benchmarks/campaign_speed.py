"""Campaign list speed: a filter or slider change against rebuilding the list from the project.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 20,000,
about 2.3 million events), saves an intent run (score per customer, as-of the last event,
30-day horizon) and a profiles run (five segments) without training, then times in this one
process:

- ``campaign_data(project)``, the slow part a page runs once per project state (reads the
  orders, fits the spend model twice: for the list and for its check);
- one filter or slider change: ``select(data, filter)`` then ``plan(rows, top=...)``, what the
  campaign page runs on every change, over ``--samples`` random filters (segment, minimum
  intent, last seen, revenue, bought / never bought a category, list size);
- the baseline: the same change done without keeping the data, ``campaign_data`` +
  ``select`` + ``plan`` (``--baseline-runs`` times).

Prints median and p95 of each, the ratio baseline / new, and PASS/FAIL against 200 ms for a
change (p95) and 50 ms for ``select`` alone.

    python benchmarks/campaign_speed.py [--customers 20000] [--project PATH] [--samples 200]
    python benchmarks/campaign_speed.py --small      # 2,000 customers, for CI
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _demo import ensure_demo  # noqa: E402
from lookup_speed import save_untrained_runs  # noqa: E402

from engine.campaign import CampaignData, CampaignFilter, campaign_data, plan, select  # noqa: E402
from storage.project import Project, open_project  # noqa: E402
from storage.queries import customer_keys, overview  # noqa: E402
from storage.runs import active_run  # noqa: E402

CHANGE_TARGET_MS = 200.0
SELECT_TARGET_MS = 50.0


def random_filters(data: CampaignData, n: int, seed: int) -> list[tuple[CampaignFilter, int]]:
    """``n`` filters as a user clicks them (each field set about a third of the time), with
    a list size (a slider: None, a number, or the best cut as -1)."""
    rng = np.random.default_rng(seed)
    cats = data.categories or [None]
    out = []
    for _ in range(n):
        def some(p: float = 0.35) -> bool:
            return bool(rng.random() < p)

        filt = CampaignFilter(
            segment=str(rng.choice(data.segments)) if data.segments and some() else None,
            min_intent=float(rng.random() * 0.8) if some() else None,
            max_intent=float(0.8 + rng.random() * 0.2) if some(0.1) else None,
            last_seen_days=int(rng.integers(1, 120)) if some() else None,
            min_spend=float(rng.random() * 200) if some(0.2) else None,
            max_spend=float(200 + rng.random() * 2000) if some(0.1) else None,
            bought_category=cats[int(rng.integers(len(cats)))] if some(0.25) else None,
            never_bought_category=cats[int(rng.integers(len(cats)))] if some(0.2) else None,
        )
        top = int(rng.choice([0, 1, 2]))
        out.append((filt, (None, int(rng.integers(1, 5000)), -1)[top] or 0))
    return out


def change(data: CampaignData, filt: CampaignFilter, top: int) -> None:
    """One filter or slider change as the page does it."""
    rows = select(data, filt)
    whole = plan(rows, top=None, margin_pct=30.0, cost_per_contact=0.5)
    if top:
        plan(rows, top=whole.best_cut if top < 0 else top, margin_pct=30.0,
             cost_per_contact=0.5)


def timed(fn, args: list[object]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Milliseconds of ``fn(a)`` for each ``a``, after one untimed warm-up call."""
    fn(args[0])
    out = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        out.append((time.perf_counter() - t) * 1000.0)
    return np.array(out)


def describe(name: str, ms: np.ndarray, base_ms: float, target: float | None) -> str:
    med, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
    verdict = ""
    if target is not None:
        verdict = f"  {'PASS' if p95 < target else 'FAIL'} (target p95 < {target:.0f} ms)"
    return (f"{name:36} median {med:9.2f} ms  p95 {p95:9.2f} ms  "
            f"baseline/new {base_ms / med:8.0f}x  ({len(ms)} calls){verdict}")


def main() -> None:
    """Build or open the project, save the runs, time the build, a change and the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--small", action="store_true",
                        help="2,000 customers, 50 changes, 2 baseline runs (for CI)")
    parser.add_argument("--project", type=Path, default=None,
                        help="reuse (or create) this project instead of a temporary one")
    parser.add_argument("--samples", type=int, default=200, help="filter changes timed")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.small:
        args.customers, args.samples, args.baseline_runs = 2_000, 50, 2

    with tempfile.TemporaryDirectory(prefix="intentlens-campaign-") as tmp:
        path = args.project or Path(tmp) / "campaign.intentlens"
        ensure_demo(path, args.customers, args.seed)
        project = open_project(path)
        try:
            run(project, args)
        finally:
            project.close()


def run(project: Project, args: argparse.Namespace) -> None:
    """Save the runs (unless the project has them) and time build, change and baseline."""
    ov = overview(project)
    assert ov.last_ms is not None
    print(f"project: {ov.customers:,} customers, {ov.events:,} events")
    if active_run(project, "intent") is None or active_run(project, "profiles") is None:
        ids = np.array(sorted(customer_keys(project)), dtype=np.int64)
        # What the campaign reads of a trained intent run's settings.
        save_untrained_runs(project, ids, {"as_of_ms": ov.last_ms, "horizon_days": 30},
                            args.seed)
        print(f"runs: saved an intent and a profiles run for {len(ids):,} customers "
              "(no training)")
    else:
        print("runs: using the project's active intent and profiles runs")

    builds = timed(lambda _: campaign_data(project), list(range(args.baseline_runs)))
    data = campaign_data(project)
    check = data.spend_check
    print(f"data: {len(data.frame):,} customers, {len(data.categories)} categories, "
          f"{len(data.segments)} segments; spend model "
          f"{'fitted' if data.spend_model and data.spend_model.fitted else 'fallback'}"
          + (f"; {check.sentence}" if check else ""))
    changes = random_filters(data, args.samples, args.seed)
    sizes = [len(select(data, f)) for f, _ in changes]
    print(f"filters: {args.samples} changes, lists of {min(sizes):,} to {max(sizes):,} "
          f"customers (median {int(np.median(sizes)):,})")

    def rebuild(i: object) -> None:
        filt, top = changes[int(i) % len(changes)]  # type: ignore[call-overload]
        change(campaign_data(project), filt, top)

    base = timed(rebuild, list(range(args.baseline_runs)))
    base_ms = float(np.median(base))
    sel = timed(lambda c: select(data, c[0]), changes)  # type: ignore[index]
    new = timed(lambda c: change(data, *c), changes)  # type: ignore[misc]

    print(describe("campaign_data (build, once)", builds, base_ms, None))
    print(describe("rebuild + select + plan (baseline)", base, base_ms, None))
    print(describe("select (a filter change)", sel, base_ms, SELECT_TARGET_MS))
    print(describe("select + plan (a change, as the page)", new, base_ms, CHANGE_TARGET_MS))


if __name__ == "__main__":
    main()
