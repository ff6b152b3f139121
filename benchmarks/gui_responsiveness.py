"""Does the window stay responsive while IntentLens works? A timer probe, measured.

A 5 ms QTimer runs on the GUI thread while the one Worker imports a generated log and then
trains the intent model on a demo project. The probe records how late each tick fires; the
figure is the 99th-percentile and worst lateness during work, against the same probe with the
machine idle (the baseline, measured first in this run). A window feels frozen from ~100 ms.

    python benchmarks/gui_responsiveness.py [--rows 300000] [--customers 800]
    python benchmarks/gui_responsiveness.py --rows 1000000 --project BIG.intentlens --preset fast
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.worker import Worker, collect_now, quick_turns, quiet_collector  # noqa: E402

TICK_MS = 5


class Probe:
    """Records the lateness of a TICK_MS timer."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.late.clear()
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def stop(self) -> np.ndarray:
        self.timer.stop()
        return np.array(self.late)

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.late.append(max(0.0, (now - self.last) / 1e6 - TICK_MS))
        self.last = now


def run_worker(probe: Probe, work) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    worker = Worker(work)
    worker.signals.finished.connect(loop.quit)
    failures: list[BaseException] = []
    worker.signals.failed.connect(failures.append)
    probe.start()
    t0 = time.perf_counter()
    worker.start()
    loop.exec()
    seconds = time.perf_counter() - t0
    late = probe.stop()
    if failures:
        raise failures[0]
    return late, seconds


def describe(name: str, late: np.ndarray, base99: float) -> str:
    p50, p99, worst = np.percentile(late, 50), np.percentile(late, 99), late.max()
    ratio = p99 / base99 if base99 > 0 else float("inf")
    return (f"{name:28} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  worst {worst:7.1f} ms  "
            f"p99 vs idle {ratio:5.1f}x  ({len(late):,} ticks)")


def main() -> None:
    """Measure idle, import and training lateness and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--customers", type=int, default=800)
    parser.add_argument("--project", type=Path, default=None,
                        help="train on (a copy of) this project instead of a generated demo")
    parser.add_argument("--preset", default=None, choices=["fast", "balanced", "thorough"],
                        help="train with this preset's own epochs (default: fast, 3 epochs)")
    parser.add_argument("--default-collector", action="store_true",
                        help="leave Python's garbage collector as it comes (the application "
                             "keeps full collections out of the work: gui.worker.quiet_collector)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    if not args.default_collector:
        quiet_collector()  # as gui.app.start_application does
        quick_turns()
    print("garbage collector:", "Python's default" if args.default_collector
          else "as the application sets it (no automatic full collections)")
    probe = Probe()

    probe.start()
    end = time.perf_counter() + 3.0
    while time.perf_counter() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.001)
    idle = probe.stop()
    base99 = float(np.percentile(idle, 99))
    print(describe("idle (baseline)", idle, base99))

    from import_speed import make_file  # the same generated log as the import benchmark

    from engine.demo_project import create_demo_project
    from engine.ingest import import_file
    from engine.intent import IntentConfig, configure_threads
    from engine.runs import train
    from storage.project import open_project

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "events.csv"
        make_file(data, args.rows)
        project = open_project(folder / "import.intentlens")
        late, secs = run_worker(
            probe, lambda stop: import_file(project, data, should_stop=stop)
        )
        project.close()
        print(describe(f"import {args.rows:,} rows ({secs:.0f} s)", late, base99))

        demo = folder / "demo.intentlens"
        if args.project is not None:
            shutil.copyfile(args.project, demo)
        else:
            create_demo_project(demo, customers=args.customers, seed=3)
        project = open_project(demo)
        configure_threads()
        config = (IntentConfig(preset="fast", epochs=3) if args.preset is None
                  else IntentConfig(preset=args.preset))
        late, secs = run_worker(probe, lambda stop: train(project, "intent", config,
                                                                    should_stop=stop))
        project.close()
        print(describe(f"train intent ({secs:.0f} s)", late, base99))
        started = time.perf_counter()
        freed = collect_now()
        print(f"full collection after the work, as a project change does: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms, {freed:,} objects freed")
    del app


if __name__ == "__main__":
    main()
