"""Opening a project in the desktop application: the window, the Data page, the Customers page.

In one process (offscreen by default: ``QT_QPA_PLATFORM=offscreen``), times:

- the baseline: a bare ``QMainWindow`` shown, events processed until it is exposed;
- the IntentLens window opened on the project as ``gui.app.run_gui`` does it
  (``start_application``, ``make_window``, ``MainWindow.open_project``, ``show``), from
  before its modules are imported until it is exposed (target: under 1 s);
- until the Data page shows its summary (its ``loaded`` signal; target: under 2 s);
- until the Customers page's table holds every customer (target: under 2 s);

then sorting by each shown column, filtering and opening a customer's card on the Customers
page (each until painted; target under 100 ms at 1,000,000 customers), and the worst stall
of the GUI thread (a 5 ms QTimer's lateness, as in
gui_responsiveness.py) while the window is made and after it is shown. Prints each figure, its
ratio to the baseline, and PASS/FAIL against the targets. The project is copied to a temporary
folder first, so the benchmark never writes the given file; settings go to a temporary
``INTENTLENS_HOME``.

    python benchmarks/gui_open.py --project SHOP.intentlens   # e.g. 20,000 customers
    python benchmarks/gui_open.py [--customers 2000]          # a generated demo
    python benchmarks/gui_open.py --small                     # 300 customers, for CI
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

WINDOW_TARGET_S = 1.0
DATA_TARGET_S = 2.0
CUSTOMERS_TARGET_S = 2.0
INTERACTION_TARGET_S = 0.1
TICK_MS = 5
TIMEOUT_S = 120.0


class StallProbe:
    """The worst lateness of a TICK_MS timer on the GUI thread, per phase."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0

    def start(self) -> None:
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.worst = 0.0
        self.timer.start()

    def phase(self) -> float:
        """The worst lateness (ms) since the last call, counting the gap up to now."""
        self._tick()
        worst, self.worst = self.worst, 0.0
        return worst

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.worst = max(self.worst, (now - self.last) / 1e6 - TICK_MS)
        self.last = now


def pump_until(done: Callable[[], bool], timeout_s: float = TIMEOUT_S) -> float:
    """Process events until ``done()``; the perf_counter time it first held."""
    end = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("gave up waiting")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.0005)
    return time.perf_counter()


def exposed(window: QMainWindow) -> bool:
    handle = window.windowHandle()
    return handle is not None and handle.isExposed()


def bare_window() -> float:
    """Seconds to show a bare QMainWindow until it is exposed (the baseline)."""
    t0 = time.perf_counter()
    window = QMainWindow()
    window.resize(1280, 860)
    window.show()
    t1 = pump_until(lambda: exposed(window))
    window.close()
    window.deleteLater()
    QCoreApplication.processEvents()
    return t1 - t0


#: Run in a separate process, so that this one imports nothing of IntentLens before the
#: window is timed (the engine's imports are part of what opening costs).
PREPARE = """
import sys
from pathlib import Path
path, customers = Path(sys.argv[1]), int(sys.argv[2])
if customers:
    from engine.demo_project import create_demo_project
    create_demo_project(path, customers=customers, seed=7)
from storage.project import open_project
from storage.queries import overview
project = open_project(path, writable=False)
print(overview(project).customers)
project.close()
"""


def prepare(path: Path, build: int) -> int:
    """Build a ``build``-customer demo at ``path`` (0: it is there); how many customers the
    project holds (read before the timing starts, in another process)."""
    done = subprocess.run([sys.executable, "-c", PREPARE, str(path), str(build)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip() or "the project could not be read")
    return int(done.stdout.split()[-1])


def verdict(seconds: float, target: float) -> str:
    return "PASS" if seconds < target else "FAIL"


def main() -> None:
    """Time the baseline, then the window, the Data page and the Customers page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=None,
                        help="open (a copy of) this project instead of a generated demo")
    parser.add_argument("--customers", type=int, default=2_000,
                        help="customers of the generated demo (without --project)")
    parser.add_argument("--small", action="store_true", help="a 300-customer demo (for CI)")
    parser.add_argument("--baseline-runs", type=int, default=3)
    args = parser.parse_args()
    if args.small:
        args.customers = 300

    with tempfile.TemporaryDirectory(prefix="intentlens-guiopen-") as tmp:
        folder = Path(tmp)
        os.environ["INTENTLENS_HOME"] = str(folder / "home")
        path = folder / "shop.intentlens"
        if args.project is not None:
            shutil.copyfile(args.project, path)
            print(f"project: a copy of {args.project}")
            customers = prepare(path, 0)
        else:
            t = time.perf_counter()
            customers = prepare(path, args.customers)
            print(f"project: built a {args.customers:,}-customer demo in "
                  f"{time.perf_counter() - t:.1f} s")
        print(f"project: {customers:,} customers")

        app = QApplication.instance() or QApplication([])
        base = min(bare_window() for _ in range(max(1, args.baseline_runs)))
        probe = StallProbe()

        # -- the window, as run_gui opens it (gui.app.show_window_first) ------------------
        # run_gui shows the frame, then builds the pages, opening the project as soon as the
        # Data page stands; a 10 ms timer notes when each thing is first on the screen.
        probe.start()
        times: dict[str, float] = {}
        window = None

        def note() -> None:
            now = time.perf_counter()
            if window is None:
                return
            if "shown" not in times and exposed(window):
                times["shown"] = now
            if "data" not in times and getattr(window, "data_page", None) is not None \
                    and window.data_page.summary is not None:
                times["data"] = now
            page = getattr(window, "customers_page", None)
            if "customers" not in times and page is not None \
                    and len(page.model.frame) == customers and page.model.rowCount() == customers:
                times["customers"] = now

        watch = QTimer()
        watch.setInterval(10)
        watch.timeout.connect(note)
        watch.start()
        t0 = time.perf_counter()
        from gui.app import make_window, show_window_first, start_application

        _app, settings = start_application()
        t_app = time.perf_counter()
        window = make_window(settings, remember=False, pages=False)
        t_made = time.perf_counter()
        show_window_first(app, window, str(path))
        t_built = time.perf_counter()
        if window.project is None:
            raise SystemExit("the project could not be opened")
        pump_until(lambda: "data" in times and "customers" in times)
        watch.stop()
        stall = probe.phase()
        probe.timer.stop()

        shown, data, table = (times["shown"] - t0, times["data"] - t0, times["customers"] - t0)
        print(f"bare QMainWindow shown (baseline)  {base:8.3f} s")
        print(f"  of which: app set up {t_app - t0:.3f} s, window frame made "
              f"{t_made - t_app:.3f} s; every page built (modules loaded on a thread, the "
              f"project opened after the Data page) {t_built - t0:.3f} s after the start")
        for name, seconds, target in (
            ("IntentLens window shown", shown, WINDOW_TARGET_S),
            ("Data page summary shown", data, DATA_TARGET_S),
            (f"Customers table holds {customers:,}", table, CUSTOMERS_TARGET_S),
        ):
            print(f"{name:34} {seconds:8.3f} s  ratio to baseline {seconds / base:7.1f}x  "
                  f"{verdict(seconds, target)} (target < {target:.0f} s)")
        print(f"worst GUI stall until both filled  {stall:8.1f} ms "
              f"(page modules load on a thread; the window answers between pages)")
        if customers:
            interactions(window, probe)
        window.close()
        QCoreApplication.processEvents()
        del app


def interactions(window, probe: StallProbe) -> None:  # type: ignore[no-untyped-def]
    """Sort, filter and open a card on the Customers page, each until painted."""
    from PySide6.QtCore import Qt

    page = window.customers_page
    window.show_page(page)
    pump_until(lambda: page.isVisible())
    QCoreApplication.processEvents()
    model, header = page.model, page.table.horizontalHeader()

    def timed(action: Callable[[], None], done: Callable[[], bool] = lambda: True) -> float:
        QCoreApplication.processEvents()
        t0 = time.perf_counter()
        action()
        end = pump_until(done)
        QCoreApplication.processEvents()  # the repaint
        return max(end, time.perf_counter()) - t0

    # Every column's order came with the table, worked out on the worker that read it.
    shown = [i for i in range(model.columnCount()) if not header.isSectionHidden(i)]
    sorts = [timed(lambda i=i, o=o: page.table.sortByColumn(i, o))
             for i in shown for o in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)]
    page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    filters = [
        timed(lambda: model.set_filter("1", 0.0, 1.0)),
        timed(lambda: model.set_filter("12", 0.2, 0.8)),
        timed(lambda: model.set_filter("", 0.0, 1.0)),
    ]
    ids = [model.customer_id(r) for r in sorted({0, min(10, model.rowCount() - 1),
                                                 min(100, model.rowCount() - 1)})]
    first, explained = [], []
    for cid in ids:
        page.card = None
        t0 = time.perf_counter()
        page.show_customer(cid)
        first.append(pump_until(lambda: page.card is not None) - t0)
        explained.append(pump_until(lambda: not page._card_loader.busy) - t0)
    probe.phase()
    for name, values in (
        (f"sort a column ({len(sorts)} sorts)", sorts),
        (f"filter ({len(filters)} filters)", filters),
        ("open a card (without the model)", first),
        ("open a card (with the model's why)", explained),
    ):
        worst = max(values)
        each = ", ".join(f"{v * 1000:.0f}" for v in values)
        print(f"{name:34} worst {worst * 1000:7.1f} ms  {verdict(worst, INTERACTION_TARGET_S)} "
              f"(target < {INTERACTION_TARGET_S * 1000:.0f} ms at 1,000,000 customers; "
              f"each: {each} ms)")


if __name__ == "__main__":
    main()
