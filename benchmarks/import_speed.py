"""Import speed: IntentLens against sqlite3's .import and pandas.read_csv + DataFrame.to_sql.

Generates a RetailRocket-shaped CSV (timestamp ms, visitorid, event, itemid, transactionid),
imports it three ways in this one run, and prints rows/s for each, the ratios, and the peak
memory of the IntentLens import (measured in a child process so the other runs do not count).

Targets: at least 0.5x the sqlite3 CLI (0.7x from 10,000,000 rows), at least 3x
pandas.to_sql, peak memory under 400 MB.

    python benchmarks/import_speed.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def make_file(path: Path, rows: int, seed: int = 1) -> None:
    """A RetailRocket-shaped events file with realistic proportions."""
    rng = np.random.default_rng(seed)
    ts = 1433221332117 + np.sort(rng.integers(0, 130 * 86_400_000, rows))
    visitors = rng.zipf(1.6, rows) % 400_000
    kinds = rng.choice(["view", "addtocart", "transaction"], rows, p=[0.966, 0.025, 0.009])
    items = rng.integers(1, 235_000, rows)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "visitorid", "event", "itemid", "transactionid"])
        for i in range(0, rows, 100_000):
            sl = slice(i, i + 100_000)
            trans = [
                str(4000 + j) if k == "transaction" else ""
                for j, k in zip(range(i, i + 100_000), kinds[sl], strict=False)
            ]
            w.writerows(
                zip(ts[sl].tolist(), visitors[sl].tolist(), kinds[sl].tolist(),
                    items[sl].tolist(), trans, strict=True)
            )


def run_intentlens(csv_path: str, project_path: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from engine.ingest import run_import
    from storage.project import open_project

    project = open_project(project_path)
    t0 = time.perf_counter()
    report = run_import(project, csv_path)
    seconds = time.perf_counter() - t0
    project.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((report.imported, report.lines_read, seconds, peak_mb))


def run_sqlite_cli(csv_path: Path, db: Path) -> float | None:
    exe = shutil.which("sqlite3")
    if exe is None:
        return None
    t0 = time.perf_counter()
    subprocess.run(
        [exe, str(db)],
        input=f".mode csv\n.import {csv_path} events\n",
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - t0
    n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert n > 0
    return seconds


def run_sqlite_python(csv_path: Path, db: Path) -> float:
    """What .import does, through Python's sqlite3 (used when the CLI is not installed)."""
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    with csv_path.open(newline="") as fh:
        r = csv.reader(fh)
        header = next(r)
        con.execute(f"CREATE TABLE events ({', '.join(f'{h} TEXT' for h in header)})")
        con.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(header))})", r)
    con.commit()
    con.close()
    return time.perf_counter() - t0


def run_pandas(csv_path: Path, db: Path) -> float:
    import pandas as pd
    from sqlalchemy import create_engine

    t0 = time.perf_counter()
    frame = pd.read_csv(csv_path)
    engine = create_engine(f"sqlite:///{db}")
    frame.to_sql("events", engine, index=False, chunksize=100_000)
    engine.dispose()
    return time.perf_counter() - t0


def main() -> None:
    """Generate, import three ways, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "events.csv"
        make_file(data, args.rows)
        print(f"file: {args.rows:,} rows, {data.stat().st_size / 1e6:.1f} MB")

        ctx = mp.get_context("spawn")
        queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        proc = ctx.Process(
            target=run_intentlens, args=(str(data), str(folder / "p.intentlens"), queue)
        )
        proc.start()
        imported, lines, il_s, peak_mb = queue.get()
        proc.join()
        assert lines == args.rows, "every line must be accounted for"

        cli_s = run_sqlite_cli(data, folder / "cli.db")
        cli_name = "sqlite3 .import"
        if cli_s is None:
            cli_s = run_sqlite_python(data, folder / "cli.db")
            cli_name = "sqlite3 executemany (no sqlite3 CLI on this machine)"
        pd_s = run_pandas(data, folder / "pandas.db")

    il_rate, cli_rate, pd_rate = args.rows / il_s, args.rows / cli_s, args.rows / pd_s
    print(f"IntentLens import      {il_rate:12,.0f} rows/s  ({il_s:.2f} s, {imported:,} events)")
    print(f"{cli_name:22} {cli_rate:12,.0f} rows/s  ({cli_s:.2f} s)")
    print(f"pandas.to_sql          {pd_rate:12,.0f} rows/s  ({pd_s:.2f} s)")
    cli_target = 0.7 if args.rows >= 10_000_000 else 0.5
    print(f"ratio vs sqlite3 CLI   {il_rate / cli_rate:.2f}x  (target >= {cli_target}x)")
    print(f"ratio vs pandas.to_sql {il_rate / pd_rate:.2f}x  (target >= 3x)")
    print(f"IntentLens peak memory {peak_mb:.0f} MB  (target < 400 MB)")


if __name__ == "__main__":
    main()
