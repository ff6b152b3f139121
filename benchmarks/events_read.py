"""Reading the event log for training (``storage.queries.events_frame``) against a plain
``sqlite3`` fetch of the same columns.

Builds (or reuses, ``--project``) a demo project of ``--customers`` customers (default 20,000,
about 2.3 million events), then times in this one process, ``--repeats`` times each:

- the baseline: ``sqlite3`` ``fetchall()`` of the query ``events_frame`` reads (events joined
  with items, in storage order), nothing more: no DataFrame, no sorting;
- ``events_frame(project)``: the DataFrame the models read, sorted by customer and time.

Prints the medians, the ratio baseline / events_frame (above 1x: the frame comes faster than
the bare fetch), the CPU seconds of both, and the longest the GIL was held during
``events_frame``, as a thread that wakes every millisecond sees it (a window's thread waits that
long for its turn; on a busy machine the system's scheduling adds to it).

    python benchmarks/events_read.py [--customers 20000] [--project PATH] [--repeats 3]
    python benchmarks/events_read.py --small      # 1,000 customers, for CI
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _demo import ensure_demo  # noqa: E402

from storage.project import open_project  # noqa: E402
from storage.queries import events_frame, overview  # noqa: E402

#: The query events_frame reads, as it read it before the ADBC driver.
SQL = (
    "SELECT e.customer_id, e.time_ms, e.event, i.key AS item, e.category, e.price, "
    "e.quantity, e.amount, e.session, e.query FROM events e "
    "LEFT JOIN items i ON i.id = e.item_id ORDER BY e.id"
)


def plain_fetch(path: Path) -> int:
    """The baseline: every row of ``SQL`` as tuples."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return len(con.execute(SQL).fetchall())
    finally:
        con.close()


class Ticker:
    """A thread that wakes every millisecond and keeps the longest gap between its wake-ups."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    """Build or open the project, time the baseline fetch and events_frame."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--small", action="store_true", help="1,000 customers (for CI)")
    parser.add_argument("--project", type=Path, default=None,
                        help="read this project (built as a demo when it holds no events)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.small:
        args.customers, args.repeats = 1_000, 2

    with tempfile.TemporaryDirectory(prefix="intentlens-eventsread-") as tmp:
        path = args.project or Path(tmp) / "events.intentlens"
        ensure_demo(path, args.customers, args.seed)
        project = open_project(path, writable=False)
        try:
            ov = overview(project)
            print(f"project: {ov.customers:,} customers, {ov.events:,} events")
            base, new, stalls, base_cpu, new_cpu = [], [], [], [], []
            for _ in range(args.repeats):
                t, c = time.perf_counter(), time.process_time()
                rows = plain_fetch(path)
                base.append(time.perf_counter() - t)
                base_cpu.append(time.process_time() - c)
                with Ticker() as ticker:
                    t, c = time.perf_counter(), time.process_time()
                    frame = events_frame(project)
                    new.append(time.perf_counter() - t)
                    new_cpu.append(time.process_time() - c)
                stalls.append(ticker.longest)
                if len(frame) != rows:
                    raise SystemExit(f"events_frame read {len(frame):,} rows, the fetch {rows:,}")
                del frame
        finally:
            project.close()
    base_s, new_s = statistics.median(base), statistics.median(new)
    print(f"plain sqlite3 fetch of the same columns (baseline)  median {base_s:7.2f} s  "
          f"({', '.join(f'{s:.2f}' for s in base)})")
    print(f"events_frame                                         median {new_s:7.2f} s  "
          f"({', '.join(f'{s:.2f}' for s in new)})")
    print(f"events read: {new_s:.1f} s; plain sqlite3 fetch of the same columns: {base_s:.1f} s; "
          f"ratio {base_s / new_s:.2f}x")
    print(f"CPU seconds of this process (less sensitive to other programs on the machine): "
          f"baseline {statistics.median(base_cpu):.2f} s, events_frame "
          f"{statistics.median(new_cpu):.2f} s")
    print(f"longest GIL stall seen by a 1 ms ticker during events_frame: "
          f"{max(stalls) * 1000:.0f} ms (per run: "
          f"{', '.join(f'{s * 1000:.0f}' for s in stalls)} ms)")


if __name__ == "__main__":
    main()
