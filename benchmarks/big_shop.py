"""A big shop end to end: 1,000,000 customers, 10,000,000 events, each step as the user runs it.

Generates a RetailRocket-shaped log (``timestamp,visitorid,event,itemid,transactionid``: epoch
ms over about 4.5 months, about 235,000 items, views / add-to-carts / transactions with about
0.8% transactions carrying a transaction id, most visitors with few events and some with many),
vectorized with numpy and written in chunks, seeded. Then runs each step as its own process
through the command line, as a shop owner would, timing the whole step and reading its peak
memory (``/usr/bin/time -v`` "Maximum resident set size", else psutil polling of the child):

- ``main.py import P events.csv --json`` into a new project (rows/s of the whole step);
- ``main.py train intent P --preset fast --json``;
- ``main.py export P scores --out scores.csv`` (every customer);
- optionally (``--gui``) ``benchmarks/gui_open.py --project P``, which prints its own figures.

Prints a table: step, seconds, peak MB, PASS/FAIL against the baseline of peak memory < 3 GB
per step (a shop owner's laptop). The project is kept (``--workdir``, its path is printed); the
generated CSV is deleted unless ``--keep-csv``.

    python benchmarks/big_shop.py [--customers 1000000] [--events 10000000] [--workdir DIR]
    python benchmarks/big_shop.py --small      # 2,000 customers / 20,000 events, for CI
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PEAK_MB = 3 * 1024
START_MS = 1433221332117  # 2 June 2015, as RetailRocket
SPAN_MS = 137 * 86_400_000  # about 4.5 months
ITEMS = 235_000
CHUNK = 1_000_000


def make_big_file(path: Path, customers: int, events: int, seed: int = 1) -> None:
    """A RetailRocket-shaped log with every customer present, written in chunks.

    import_speed.make_file draws visitors as zipf % 400,000 and writes row by row through
    csv.writer, too slow for 10 million rows and unable to give a chosen customer count, hence
    this vectorized one. Each customer has at least one event; the rest are spread by a
    heavy-tailed (Pareto) weight, so most have a few and some have thousands.
    """
    import pandas as pd

    assert events >= customers > 0
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, customers) + 0.05
    counts = 1 + rng.multinomial(events - customers, weights / weights.sum())
    ids = rng.permutation(customers).astype(np.int32) + 1
    visitors = np.repeat(ids, counts)
    rng.shuffle(visitors)
    del counts, weights, ids
    first = True
    n_chunks = -(-events // CHUNK)
    for c, lo in enumerate(range(0, events, CHUNK)):
        n = min(CHUNK, events - lo)
        t0 = START_MS + SPAN_MS * c // n_chunks
        ts = t0 + np.sort(rng.integers(0, SPAN_MS // n_chunks, n))
        kinds = rng.choice(np.array(["view", "addtocart", "transaction"]), n,
                           p=[0.967, 0.025, 0.008])
        items = (rng.zipf(1.3, n) + rng.integers(0, ITEMS, n)) % ITEMS + 1
        is_tx = kinds == "transaction"
        trans = pd.array(np.where(is_tx, np.arange(lo, lo + n) // 2 + 4000, 0), dtype="Int64")
        trans[~is_tx] = pd.NA
        frame = pd.DataFrame({"timestamp": ts, "visitorid": visitors[lo:lo + n], "event": kinds,
                              "itemid": items, "transactionid": trans})
        frame.to_csv(path, mode="w" if first else "a", header=first, index=False)
        first = False


def run_step(name: str, cmd: list[str], log: Path) -> tuple[float, float | None, int, str]:
    """Run one step as a child process: seconds, peak MB (None unknown), exit code, output."""
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    stats = log.with_suffix(".time")
    full = [timer, "-v", "-o", str(stats), *cmd] if timer else cmd
    print(f"[{name}] {' '.join(cmd)}", flush=True)
    t = time.perf_counter()
    peak: float | None = None
    with log.open("w") as out:
        proc = subprocess.Popen(full, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        if timer:
            proc.wait()
        else:
            import psutil

            ps = psutil.Process(proc.pid)
            peak = 0.0
            while proc.poll() is None:
                try:
                    rss = sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)])
                    peak = max(peak, rss / 2**20)
                except psutil.Error:
                    pass
                time.sleep(0.2)
    seconds = time.perf_counter() - t
    if timer and stats.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats.read_text())
        peak = int(found.group(1)) / 1024 if found else None
    output = log.read_text(errors="replace")
    print(f"[{name}] exit {proc.returncode} in {seconds:.1f} s, peak "
          f"{'?' if peak is None else f'{peak:.0f}'} MB", flush=True)
    if proc.returncode != 0:
        print(output[-4000:], flush=True)
    return seconds, peak, proc.returncode, output


def main() -> int:
    """Generate the log, run import, training, export (and the window), print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--small", action="store_true", help="2,000 customers / 20,000 events")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the CSV, project and logs here (default: temporary)")
    parser.add_argument("--keep-csv", action="store_true")
    parser.add_argument("--gui", action="store_true", help="also open the window offscreen")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.small:
        args.customers, args.events = 2_000, 20_000

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="intentlens-bigshop-")
        args.workdir = Path(tmp.name)
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    data, project = work / "events.csv", work / "shop.intentlens"
    project.unlink(missing_ok=True)
    py = sys.executable
    try:
        t = time.perf_counter()
        make_big_file(data, args.customers, args.events, args.seed)
        print(f"file: {args.events:,} events, {args.customers:,} customers, "
              f"{data.stat().st_size / 1e6:.0f} MB, generated in {time.perf_counter() - t:.1f} s",
              flush=True)
        steps = [
            ("import", [py, "main.py", "import", str(project), str(data), "--json"]),
            ("train intent (fast)", [py, "main.py", "train", "intent", str(project),
                                     "--preset", "fast", "--json"]),
            ("export scores", [py, "main.py", "export", str(project), "scores",
                               "--out", str(work / "scores.csv")]),
        ]
        if args.gui:
            steps.append(("open window", [py, "benchmarks/gui_open.py", "--project",
                                          str(project)]))
        rows = []
        for i, (name, cmd) in enumerate(steps):
            seconds, peak, rc, output = run_step(name, cmd, work / f"step{i}.log")
            rows.append((name, seconds, peak, rc))
            if name == "import" and rc == 0:
                try:
                    info = json.loads(output[output.index("{"):])
                    print(f"imported: {json.dumps(info)[:600]}")
                except ValueError:
                    print(output[-600:])
                print(f"import rate: {args.events / seconds:,.0f} rows/s (whole step)")
            if name == "open window":
                print(output)
            if rc != 0:
                break
        if (work / "scores.csv").exists():
            with (work / "scores.csv").open("rb") as fh:
                print(f"scores exported: {sum(1 for _ in fh) - 1:,} customers")
    finally:
        if not args.keep_csv:
            data.unlink(missing_ok=True)
    print(f"\n{'step':22} {'seconds':>9} {'peak MB':>9}  verdict (peak < {PEAK_MB} MB)")
    for name, seconds, peak, rc in rows:
        verdict = (f"FAIL (exit {rc})" if rc else
                   "PASS" if peak is not None and peak < PEAK_MB else "FAIL")
        print(f"{name:22} {seconds:9.1f} {'?' if peak is None else f'{peak:.0f}':>9}  {verdict}")
    if tmp is None:
        print(f"project kept: {project}")
    else:
        tmp.cleanup()
    return 0 if all(rc == 0 for *_x, rc in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
