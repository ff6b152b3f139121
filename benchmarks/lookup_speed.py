"""Lookup and customer-card speed on a large project, against the all-customers aggregate.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 20,000,
about 2.3 million events), saves an intent run (score, rank) and a profiles run (segment, map
position) for every customer without training (no weights, so ``lookup`` computes no reasons:
the reasons step runs the model and is timed separately), then times in this one process, over
``--samples`` random customers after one warm-up call:

- ``lookup(project, key, with_reasons=False)``, what ``python main.py lookup`` reads;
- ``customer_card(project, id, explain=False)``, what a click on a customer shows first;
- the baseline: ``customer_summary(project)`` over every customer, the aggregate the old code
  ran per lookup and per click (``--baseline-runs`` times; it takes seconds).

Prints median and p95 of each, the ratio baseline / new, and PASS/FAIL against 100 ms.

    python benchmarks/lookup_speed.py [--customers 20000] [--project PATH] [--samples 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _demo import ensure_demo  # noqa: E402

from engine.customers import customer_card  # noqa: E402
from engine.intent import IntentConfig, check_settings  # noqa: E402
from engine.intent.lookup import lookup  # noqa: E402
from storage.project import Project, open_project  # noqa: E402
from storage.queries import customer_keys, overview  # noqa: E402
from storage.run_writes import save_run  # noqa: E402
from storage.runs import active_run, customer_summary  # noqa: E402

TARGET_MS = 100.0
SEGMENTS = 5


def intent_settings(as_of_ms: int, horizon_days: int) -> dict[str, object]:
    """The settings a trained intent run stores (``config_dict`` of a resolved config)."""
    from engine.intent.training import config_dict  # imports torch: only when saving a run

    cfg = IntentConfig(as_of_ms=as_of_ms, horizon_days=horizon_days).resolved(pd.DataFrame())
    settings = config_dict(cfg)
    check_settings(settings)
    return settings


def save_untrained_runs(
    project: Project, ids: np.ndarray, settings: dict[str, object], seed: int
) -> None:
    """An intent run and a profiles run covering every customer, as training would save them,
    but without weights (nothing to explain) and in seconds instead of minutes."""
    rng = np.random.default_rng(seed)
    scores = rng.random(len(ids))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(-scores, kind="stable")] = np.arange(1, len(ids) + 1)
    save_run(
        project, "intent", status="done", settings=settings, history={},
        metrics={}, summary="", seconds=0, warm_started=False, weights=None,
        outputs=pd.DataFrame({"customer_id": ids, "score": scores, "rank": rank}),
    )
    segment = rng.integers(0, SEGMENTS, len(ids))
    segments = [
        {"id": k, "name": f"Segment {k}", "description": "", "size": int((segment == k).sum()),
         "share": float((segment == k).mean()), "revenue_share": 0.0, "avg_intent": None,
         "top_categories": [], "top_items": [], "traits": []}
        for k in range(SEGMENTS)
    ]
    save_run(
        project, "profiles", status="done", settings={}, history={},
        metrics={"segments": segments}, summary="", seconds=0, warm_started=False, weights=None,
        outputs=pd.DataFrame({"customer_id": ids, "segment": segment,
                              "x": rng.normal(size=len(ids)), "y": rng.normal(size=len(ids))}),
    )


def timed(fn, args: list[object]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Milliseconds of ``fn(a)`` for each ``a``, after one untimed warm-up call."""
    fn(args[0])
    out = []
    for a in args:
        t = time.perf_counter()
        fn(a)
        out.append((time.perf_counter() - t) * 1000.0)
    return np.array(out)


def describe(name: str, ms: np.ndarray, base_ms: float, target: bool) -> str:
    med, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
    verdict = ""
    if target:
        verdict = f"  {'PASS' if p95 < TARGET_MS else 'FAIL'} (target p95 < {TARGET_MS:.0f} ms)"
    return (f"{name:34} median {med:9.2f} ms  p95 {p95:9.2f} ms  "
            f"baseline/new {base_ms / med:8.0f}x  ({len(ms)} calls){verdict}")


def main() -> None:
    """Build or open the project, save the runs, time the three reads and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--project", type=Path, default=None,
                        help="reuse (or create) this project instead of a temporary one")
    parser.add_argument("--samples", type=int, default=50, help="customers timed")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="intentlens-lookup-") as tmp:
        path = args.project or Path(tmp) / "lookup.intentlens"
        ensure_demo(path, args.customers, args.seed)
        project = open_project(path)
        try:
            run(project, args)
        finally:
            project.close()


def run(project: Project, args: argparse.Namespace) -> None:
    """Save the runs (unless the project has them) and time lookup, card and baseline."""
    ov = overview(project)
    assert ov.last_ms is not None
    print(f"project: {ov.customers:,} customers, {ov.events:,} events")
    keys = customer_keys(project)
    ids = np.array(sorted(keys), dtype=np.int64)
    if active_run(project, "intent") is None or active_run(project, "profiles") is None:
        settings = intent_settings(ov.last_ms, 30)  # imports torch (seconds), not timed
        t = time.perf_counter()
        save_untrained_runs(project, ids, settings, args.seed)
        print(f"runs: saved an intent and a profiles run for {len(ids):,} customers in "
              f"{time.perf_counter() - t:.1f} s (no training, no weights)")
    else:
        print("runs: using the project's active intent and profiles runs")
    print("note: lookup and card are timed without reasons (with_reasons=False, explain=False);"
          " the reasons step runs the model and is timed separately")

    rng = np.random.default_rng(args.seed)
    sample = rng.choice(ids, size=min(args.samples, len(ids)), replace=False).tolist()

    first = customer_card(project, sample[0], explain=False)
    shown = sorted(s.task for s in first.sections)
    assert {"intent", "profiles"} <= set(shown), shown  # both sections are read, as in the window
    assert lookup(project, keys[sample[0]], with_reasons=False).score is not None

    base = timed(lambda _: customer_summary(project), list(range(args.baseline_runs)))
    base_ms = float(np.median(base))
    look = timed(lambda c: lookup(project, keys[c], with_reasons=False), sample)
    card = timed(lambda c: customer_card(project, c, explain=False), sample)

    print(describe("customer_summary(all) (baseline)", base, base_ms, target=False))
    print(describe("lookup(key, with_reasons=False)", look, base_ms, target=True))
    print(describe("customer_card(id, explain=False)", card, base_ms, target=True))


if __name__ == "__main__":
    main()
