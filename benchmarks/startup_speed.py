"""Start-up speed of the command line: whole processes, against a bare Python interpreter.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 2,000)
with the command line itself (``python main.py demo``, then ``python main.py train intent
--preset fast``), takes the best-ranked customer from ``python main.py export ... scores``, and
times each command as a fresh process, ``--runs`` times after one untimed warm-up (which fills
the disk cache):

- the baseline: ``python -c "import sys"``, the interpreter's own start;
- ``python main.py --help`` and ``python main.py train intent --help`` (target: under 0.5 s);
- ``python main.py lookup PROJECT CUSTOMER``, one customer's score from a trained project
  (target: under 1 s), and the same with ``--json``.

Prints the median and the slowest run of each, the ratio command / baseline, and PASS/FAIL
against the target. The training is not timed.

    python benchmarks/startup_speed.py [--customers 2000] [--project PATH] [--runs 7]
    python benchmarks/startup_speed.py --small      # 300 customers, 3 runs, for CI
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN = str(ROOT / "main.py")
HELP_TARGET_S = 0.5
LOOKUP_TARGET_S = 1.0


def cli(*args: str) -> str:
    """Run ``python main.py ARGS`` (untimed); its standard output. Exits when it fails."""
    done = subprocess.run([sys.executable, MAIN, *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"python main.py {' '.join(args)} failed ({done.returncode}):\n"
                 f"{done.stderr[-3000:]}")
    return done.stdout


def timed(command: list[str], runs: int) -> list[float]:
    """Seconds of each of ``runs`` runs of ``command`` as a fresh process, after one warm-up."""
    out = []
    for i in range(runs + 1):
        t = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        if i:
            out.append(seconds)
    return out


def describe(name: str, secs: list[float], base_s: float, target_s: float | None) -> str:
    """One line: median, slowest, ratio to the baseline and the verdict."""
    med = statistics.median(secs)
    verdict = ""
    if target_s is not None:
        verdict = (f"  {'PASS' if med < target_s else 'FAIL'} "
                   f"(target median < {target_s * 1000:.0f} ms)")
    return (f"{name:40} median {med * 1000:7.0f} ms  slowest {max(secs) * 1000:7.0f} ms  "
            f"{med / base_s:6.1f}x the bare interpreter{verdict}")


def trained_project(folder: Path, customers: int, seed: int) -> Path:
    """A demo project with a trained purchase-intent run, made with the command line."""
    path = folder / "startup.intentlens"
    t = time.perf_counter()
    cli("demo", str(path), "--customers", str(customers), "--seed", str(seed))
    cli("train", "intent", str(path), "--preset", "fast", "--seed", str(seed))
    print(f"project: built a {customers:,}-customer demo and trained intent in "
          f"{time.perf_counter() - t:.1f} s (not timed)")
    return path


def best_customer(project: Path, folder: Path) -> str:
    """The best-ranked customer of the project's active intent run."""
    scores = folder / "scores.csv"
    cli("export", str(project), "scores", "--out", str(scores))
    with scores.open(encoding="utf-8-sig", newline="") as fh:
        return str(next(csv.DictReader(fh))["customer"])


def main() -> None:
    """Build or reuse the project, time the commands and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--project", type=Path, default=None,
                        help="time this trained project instead of building a demo")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--small", action="store_true",
                        help="300 customers and 3 runs (CI: the script must not rot)")
    args = parser.parse_args()
    if args.small:
        args.customers, args.runs = 300, 3

    with tempfile.TemporaryDirectory(prefix="intentlens-startup-") as tmp:
        folder = Path(tmp)
        if args.project is not None:
            project = args.project
            print(f"project: {project}")
        else:
            project = trained_project(folder, args.customers, args.seed)
        customer = best_customer(project, folder)
        python = [sys.executable]
        base = timed([*python, "-c", "import sys"], args.runs)
        base_s = statistics.median(base)
        cases = [
            ("main.py --help", [*python, MAIN, "--help"], HELP_TARGET_S),
            ("main.py train intent --help", [*python, MAIN, "train", "intent", "--help"],
             HELP_TARGET_S),
            ("main.py lookup PROJECT CUSTOMER", [*python, MAIN, "lookup", str(project), customer],
             LOOKUP_TARGET_S),
            ("main.py lookup PROJECT CUSTOMER --json",
             [*python, MAIN, "lookup", str(project), customer, "--json"], LOOKUP_TARGET_S),
        ]
        print(f"timing {args.runs} runs of each command as a fresh process (customer {customer})")
        print(describe('python -c "import sys" (baseline)', base, base_s, None))
        for name, command, target in cases:
            print(describe(name, timed(command, args.runs), base_s, target))


if __name__ == "__main__":
    main()
