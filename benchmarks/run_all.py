"""Run every benchmark in this folder and write their figures, with the machine, to a report.

Each ``benchmarks/*.py`` script (but this one) runs in its own process, one after another, in
name order. Its output is kept whole in the report; the lines that carry a figure against its
baseline (a ratio such as ``12.3x``, or a PASS/FAIL verdict) are also listed in a table at the
top. The report names the machine (CPU cores, memory, Python, platform) and the date.

- ``python benchmarks/run_all.py`` runs the full-size benchmarks (an hour or more) and writes
  ``benchmarks/RESULTS.md``, the file that is committed. The scripts measured on "the 20k
  project" of the issue (``SHARED_PROJECT``) each get a fresh copy of one 20,000-customer demo
  project, built once at the start (``main.py demo``'s generator, seed 7), rather than each
  building its own: the same shop for every figure, and the run is shorter.
- ``python benchmarks/run_all.py --small`` runs each at a tiny size (seconds each: a script's
  own ``--small`` when it has one, else the small arguments in ``SMALL_ARGS``) and writes the
  report to ``intentlens-RESULTS-small.md`` in the temporary folder, never over the committed
  ``RESULTS.md``. CI runs this so the scripts never rot: it asserts no timing and fails only
  when a script crashes (exits non-zero).

``--out PATH`` writes the report elsewhere in either mode. The exit status is 1 when any
script failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Tiny sizes for the scripts that have no ``--small`` of their own.
SMALL_ARGS: dict[str, list[str]] = {
    "gui_responsiveness.py": ["--rows", "40000", "--customers", "400"],
    "import_speed.py": ["--rows", "20000"],
    "lookup_speed.py": ["--customers", "300", "--samples", "5", "--baseline-runs", "1"],
    "train_speed.py": ["--events", "20000", "--cutoffs", "2", "--preset", "fast"],
}
#: Scripts given ``--project`` (a fresh copy of the shared 20,000-customer demo) in full mode.
SHARED_PROJECT: tuple[str, ...] = (
    "campaign_speed.py", "data_page_speed.py", "events_read.py", "gui_open.py",
    "lookup_speed.py", "recommend_speed.py", "train_scale.py",
)
SHARED_CUSTOMERS = 20_000
#: A line that states a figure against its baseline or a verdict.
FIGURE = re.compile(r"\d[\d.,]*\s*x\b|\bratio\b|\bPASS\b|\bFAIL\b", re.IGNORECASE)


def scripts() -> list[Path]:
    """The benchmark scripts, in name order (``_*.py`` are their shared helpers)."""
    return sorted(p for p in HERE.glob("*.py")
                  if p.name != Path(__file__).name and not p.name.startswith("_"))


def arguments(script: Path, small: bool, shared: Path | None = None) -> list[str]:
    """The command-line arguments for one script in this mode (``shared``: where the copy of
    the shared project for this script goes, in full mode)."""
    if not small:
        return ["--project", str(shared)] if shared is not None else []
    if '"--small"' in script.read_text(encoding="utf-8"):
        return ["--small"]
    return SMALL_ARGS.get(script.name, [])


def memory_gb() -> float | None:
    """The machine's memory in GB (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return None


def run(script: Path, args: list[str]) -> tuple[int, float, str]:
    """Run one script; its exit status, seconds and output (stdout and stderr together)."""
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script), *args], cwd=HERE.parent, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, check=False,
    )
    return done.returncode, time.perf_counter() - t, done.stdout


def report(results: list[tuple[Path, list[str], int, float, str]], small: bool) -> str:
    """The Markdown report."""
    mem = memory_gb()
    lines = [
        "# Benchmark results" + (" (--small: tiny sizes, timings mean nothing)" if small else ""),
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} CPU cores, "
        f"{'unknown' if mem is None else f'{mem:.1f} GB'} memory, {platform.platform()}",
        f"- Python {platform.python_version()}; `python benchmarks/run_all.py"
        f"{' --small' if small else ''}`",
        "",
        "| script | status | seconds | figures |",
        "|---|---|---:|---|",
    ]
    for script, _args, rc, secs, out in results:
        figures = [ln.strip() for ln in out.splitlines() if FIGURE.search(ln)]
        cell = "<br>".join(f"`{f}`" for f in figures) or "-"
        status = "ok" if rc == 0 else f"failed ({rc})"
        lines.append(f"| {script.name} | {status} | {secs:.1f} | {cell} |")
    if any("SHOP_20K" in args for _s, args, _r, _t, _o in results):
        lines += ["", f"SHOP_20K: a fresh copy of one {SHARED_CUSTOMERS:,}-customer demo project "
                  f"(`python main.py demo SHOP_20K --customers {SHARED_CUSTOMERS}`), built at "
                  "the start of the run."]
    for script, args, _rc, _secs, out in results:
        lines += ["", f"## {script.name}", "",
                  f"`python benchmarks/{script.name}{''.join(' ' + a for a in args)}`", "",
                  "```", out.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the scripts, write the report, say where it is; 1 when a script failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="tiny sizes, report in the temporary folder (CI)")
    parser.add_argument("--out", type=Path, default=None, help="write the report here")
    args = parser.parse_args()
    out = args.out or (Path(tempfile.gettempdir()) / "intentlens-RESULTS-small.md"
                       if args.small else HERE / "RESULTS.md")
    results = []
    with tempfile.TemporaryDirectory(prefix="intentlens-bench-") as tmp:
        shared = None if args.small else build_shared(Path(tmp))
        for script in scripts():
            copy = None
            if shared is not None and script.name in SHARED_PROJECT:
                copy = Path(tmp) / f"copy-{script.stem}.intentlens"
                shutil.copyfile(shared, copy)
            script_args = arguments(script, args.small, copy)
            done = run_one(script, script_args)
            shown = ["SHOP_20K" if a == str(copy) else a for a in script_args]
            results.append((done[0], shown, *done[2:]))
            if copy is not None:
                copy.unlink(missing_ok=True)
    out.write_text(report(results, args.small), encoding="utf-8")
    print(f"report: {out}")
    return 0 if all(rc == 0 for _s, _a, rc, _t, _o in results) else 1


def build_shared(folder: Path) -> Path:
    """The 20,000-customer demo project every ``SHARED_PROJECT`` script measures a copy of."""
    path = folder / "shop20k.intentlens"
    print(f"building the shared {SHARED_CUSTOMERS:,}-customer demo project", flush=True)
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE.parent / "main.py"), "demo", str(path), "--customers",
         str(SHARED_CUSTOMERS)], cwd=HERE.parent, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the shared demo project could not be built (exit {done.returncode})")
    print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def run_one(script: Path, script_args: list[str]) -> tuple[Path, list[str], int, float, str]:
    """Run one script, saying so; its result row."""
    print(f"running {script.name} {' '.join(script_args)}".rstrip(), flush=True)
    rc, secs, output = run(script, script_args)
    print(f"  {'ok' if rc == 0 else f'FAILED ({rc})'} in {secs:.1f} s", flush=True)
    if rc != 0:
        print(output[-3000:], flush=True)
    return script, script_args, rc, secs, output


if __name__ == "__main__":
    sys.exit(main())
