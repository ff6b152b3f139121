"""Recommendation speed: the serving step on a large catalogue, and one customer's list.

1. Serving. Generates a synthetic shop of ``--customers`` customers (default 100,000) and
   ``--items`` items (default 50,000), about 20 interactions each (Zipf-popular items in 200
   categories, views, carts and purchases in baskets), fits the methods up to the last day and
   ranks every customer (``engine.recommend.serve.serve``: batches, rules as masks, reasons),
   for own history, co-occurrence and the blend. Prints customers ranked per second and the
   peak memory the step allocated (tracemalloc), against the baseline measured here: the
   textbook loop, one customer at a time, a dense score row over every item and a full sort
   (timed on ``--baseline-customers`` customers), whose memory for all customers at once would
   be customers x items x 8 bytes.
2. One customer's list. Builds (or reuses, ``--project``) a demo project of
   ``--project-customers`` customers (default 20,000), saves a recommendations run for every
   customer (own history, no training), then times ``recommendations(project, [id])`` over
   ``--samples`` random customers (median, p95) against the baseline: every customer's lists
   read at once (``recommendations(project)``), as a client without the indexed query would.

    python benchmarks/recommend_speed.py [--small] [--customers N] [--items N] [--project PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.demo_project import create_demo_project  # noqa: E402
from engine.events import MS_PER_DAY  # noqa: E402
from engine.recommend.blend import learn  # noqa: E402
from engine.recommend.data import interactions  # noqa: E402
from engine.recommend.evaluation import split  # noqa: E402
from engine.recommend.methods import fit_cut  # noqa: E402
from engine.recommend.read import recommendations  # noqa: E402
from engine.recommend.rules import resolve  # noqa: E402
from engine.recommend.serve import Served, outputs, serve  # noqa: E402
from storage.project import Project, open_project  # noqa: E402
from storage.queries import events_frame, overview  # noqa: E402
from storage.run_writes import save_run  # noqa: E402
from storage.runs import active_run  # noqa: E402

DAY0 = 1_700_000_000_000
TARGET_MS = 20.0


def synthetic_events(customers: int, items: int, per_customer: int, seed: int) -> pd.DataFrame:
    """An event frame of a shop with Zipf-popular items, category habits and baskets."""
    rng = np.random.default_rng(seed)
    n = customers * per_customer
    cust = np.repeat(np.arange(1, customers + 1), per_customer)
    cats = 200
    item_cat = rng.integers(0, cats, items)
    order = np.argsort(item_cat, kind="stable")
    counts = np.bincount(item_cat, minlength=cats)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    home = rng.integers(0, cats, customers)
    # Most interactions in the customer's home category; within a category a few items are
    # far more popular than the rest (Pareto ranks).
    cat = np.where(rng.random(n) < 0.6, home[cust - 1], rng.integers(0, cats, n))
    cat = np.where(counts[cat] > 0, cat, int(np.argmax(counts)))
    within = np.minimum((rng.pareto(1.2, n) * 2).astype(np.int64), counts[cat] - 1)
    item = order[starts[cat] + within]
    # A long tail: a third of the interactions with any item of the catalogue.
    tail = rng.random(n) < 0.35
    item[tail] = rng.integers(0, items, int(tail.sum()))
    event = rng.choice(np.array(["view", "cart", "purchase"]), n, p=[0.75, 0.1, 0.15])
    day = rng.integers(0, 180, n)
    time_ms = DAY0 + day * MS_PER_DAY + rng.integers(0, 3_600_000, n)
    basket = cust.astype(np.int64) * 1000 + day
    frame = pd.DataFrame({
        "customer_id": cust.astype(np.int64), "time_ms": time_ms.astype(np.int64),
        "event": event, "item": pd.Series(item).map(lambda i: f"I{i:06d}").to_numpy(),
        "category": pd.Series(item_cat[item]).map(lambda c: f"C{c:03d}").to_numpy(),
        "price": np.nan, "quantity": np.nan, "amount": np.nan,
        "session": np.where(event == "purchase", basket.astype(str), None), "query": None,
    })
    return frame.sort_values(["customer_id", "time_ms"], kind="stable", ignore_index=True)


def naive_rate(cut, sample: np.ndarray, k: int) -> float:  # type: ignore[no-untyped-def]
    """Customers per second of the textbook loop: a dense own-history score row per customer
    over every item, popularity to break ties, a full argsort."""
    n_items = cut.data.n_items
    pop = cut.pop.scores() / (len(cut.pop.order) + 1.0)
    rows = cut.hist.rows_of(sample)
    started = time.perf_counter()
    for r in rows:
        dense = pop.copy() * 1e-6
        m = cut.hist.matrix(np.array([r]))
        dense[m.indices] += m.data
        np.argsort(-dense, kind="stable")[:k]
    assert n_items > 0
    return len(sample) / (time.perf_counter() - started)


def serving(args: argparse.Namespace) -> None:
    """Part 1: customers ranked per second and peak memory of the serving step."""
    t = time.perf_counter()
    events = synthetic_events(args.customers, args.items, 20, args.seed)
    data = interactions(events)
    d = int(events["time_ms"].max())
    h = 30
    print(f"serving: {args.customers:,} customers, {data.n_items:,} items, {len(data):,} "
          f"interactions (generated in {time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    cut = fit_cut(data, d, h, 4.0 * h)
    print(f"  methods fitted up to the last day in {time.perf_counter() - t:.1f} s "
          f"(co-occurrence: {cut.co.weights.nnz if cut.co else 0:,} neighbour pairs)")
    early = split(data, d - h * MS_PER_DAY, d, 5000, args.seed)
    cut.blender = learn(fit_cut(data, d - h * MS_PER_DAY, h, 4.0 * h), early.customers,
                        early.truth, args.seed, 1)
    rules = resolve(data, "learned", "", "")
    sample = cut.hist.customers[: args.baseline_customers]
    base = naive_rate(cut, sample, 20)
    dense_gb = args.customers * data.n_items * 8 / 1e9
    print(f"  {'baseline: one customer at a time, dense':44} {base:12,.0f} customers/s  "
          f"(all at once would hold {dense_gb:,.1f} GB of scores)")
    for method in ("own_history", "co_occurrence", "blend"):
        if method == "blend" and cut.blender is None:
            continue
        tracemalloc.start()
        t = time.perf_counter()
        served = None
        for report in serve(cut, method, rules, 20, should_stop=lambda: False):
            if isinstance(report, Served):
                served = report
        seconds = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert served is not None
        rate = served.customers / seconds
        print(f"  {'serve ' + method + ' (batches, rules, reasons)':44} {rate:12,.0f} customers/s"
              f"  {rate / base:6.1f}x baseline   peak {peak / 1e6:8,.0f} MB "
              f"({dense_gb * 1e3 / max(peak / 1e6, 1e-9):,.0f}x less than dense)")


def latency(args: argparse.Namespace) -> None:
    """Part 2: one customer's recommendations on a project."""
    with tempfile.TemporaryDirectory(prefix="intentlens-recommend-") as tmp:
        path = args.project or Path(tmp) / "recommend.intentlens"
        probe = open_project(path)
        have = overview(probe).events > 0
        probe.close()
        if not have:
            t = time.perf_counter()
            create_demo_project(path, customers=args.project_customers, seed=args.seed)
            print(f"project: built a {args.project_customers:,}-customer demo in "
                  f"{time.perf_counter() - t:.1f} s")
        project = open_project(path)
        try:
            time_lists(project, args)
        finally:
            project.close()


def save_lists(project: Project) -> None:
    """A recommendations run for every customer (own history), as training saves it."""
    events = events_frame(project)
    data = interactions(events)
    d = int(events["time_ms"].max())
    cut = fit_cut(data, d, 30, 120.0, with_co=False)
    served = None
    for report in serve(cut, "own_history", resolve(data, "never", "", ""), 20,
                        should_stop=lambda: False):
        if isinstance(report, Served):
            served = report
    assert served is not None
    save_run(project, "recommend", status="done",
             settings={"as_of_ms": d, "horizon_days": 30}, history={},
             metrics={"served": "own_history"}, summary="", seconds=0.0, warm_started=False,
             weights=None, outputs=outputs(served, data.item_keys))


def time_lists(project: Project, args: argparse.Namespace) -> None:
    """Time one customer's list against reading every customer's."""
    if active_run(project, "recommend") is None:
        t = time.perf_counter()
        save_lists(project)
        print(f"run: saved every customer's 20 recommendations in "
              f"{time.perf_counter() - t:.1f} s (own history, no training)")
    ov = overview(project)
    print(f"project: {ov.customers:,} customers, {ov.events:,} events")
    rng = np.random.default_rng(args.seed)
    ids = rng.choice(np.arange(1, ov.customers + 1), size=min(args.samples, ov.customers),
                     replace=False).tolist()
    recommendations(project, [ids[0]])
    one = []
    for c in ids:
        t = time.perf_counter()
        found = recommendations(project, [c])
        one.append((time.perf_counter() - t) * 1000)
        assert len(found) > 0
    base = []
    for _ in range(args.baseline_runs):
        t = time.perf_counter()
        recommendations(project)
        base.append((time.perf_counter() - t) * 1000)
    med, p95, b = float(np.median(one)), float(np.percentile(one, 95)), float(np.median(base))
    print(f"  {'recommendations(all) (baseline)':34} median {b:9.1f} ms")
    print(f"  {'recommendations([one customer])':34} median {med:9.2f} ms  p95 {p95:8.2f} ms  "
          f"baseline/new {b / med:8.0f}x  {'PASS' if p95 < TARGET_MS else 'FAIL'} "
          f"(target p95 < {TARGET_MS:.0f} ms)")


def main() -> None:
    """Parse the arguments and run both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--project-customers", type=int, default=20_000)
    parser.add_argument("--project", type=Path, default=None,
                        help="reuse (or create) this project for part 2")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--baseline-customers", type=int, default=2000)
    parser.add_argument("--baseline-runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--small", action="store_true", help="a tiny run (CI)")
    args = parser.parse_args()
    if args.small:
        args.customers, args.items, args.project_customers = 2000, 1000, 300
        args.baseline_customers, args.samples = 300, 20
    serving(args)
    latency(args)


if __name__ == "__main__":
    main()
