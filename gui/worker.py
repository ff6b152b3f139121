"""The one worker class: runs a generator function off the GUI thread (GUIDE.md section 3).

The function receives a ``should_stop`` callable and yields small immutable progress reports;
each ``yield`` is also the point where a cancel takes effect. Signals live on a QObject made in
the GUI thread, so slots connected to them run in the GUI thread.

One-shot work (read something for a click or a refresh) is a plain function: ``Worker.call``
wraps it, and a view's :class:`Caller` runs it so that only the newest call's result arrives.
"""

from __future__ import annotations

import gc
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    Slot,
)
from shiboken6 import Shiboken


class Cancelled(Exception):
    """Raised by work that noticed ``should_stop``; reported through ``cancelled``."""


class WorkerSignals(QObject):
    """Signals of a Worker; ``finished`` is always the last one emitted."""

    progressed = Signal(object)
    """A progress report yielded by the work (an immutable dataclass)."""
    failed = Signal(object)
    """The exception that ended the work (its ``str`` is a sentence for the user)."""
    cancelled = Signal()
    """The work stopped because the user asked it to."""
    finished = Signal()
    """The work ended (after progressed/failed/cancelled); always emitted, always last."""


class Worker(QRunnable):
    """Runs ``work(should_stop)`` on the thread pool and reports through ``signals``.

    ``cancel_types`` are exception types that mean "stopped by the user" (for example the
    importer's ImportCancelled). ``min_interval_s`` throttles progress: a report is dropped when
    the previous one was sent less than that long ago, unless ``keep(report)`` says it matters.
    """

    def __init__(
        self,
        work: Callable[[Callable[[], bool]], Iterator[Any]],
        *,
        cancel_types: tuple[type[BaseException], ...] = (),
        min_interval_s: float = 0.0,
        keep: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        self._work = work
        self._stop = False
        self._cancel_types = (Cancelled, *cancel_types)
        self._interval = min_interval_s
        self._keep = keep
        self.last: Any = None
        self.running = False

    @classmethod
    def call(cls, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Worker:
        """A worker (not started) that runs ``fn(*args, **kwargs)`` once: its return value is
        the one ``progressed`` report. Cancelled before it began, it does not run ``fn``.

        Give it to a :class:`Caller` to have results of superseded calls dropped."""

        def work(should_stop: Callable[[], bool]) -> Iterator[Any]:
            if not should_stop():
                yield fn(*args, **kwargs)

        return cls(work)

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._stop = True

    def should_stop(self) -> bool:
        """What the work polls between steps."""
        return self._stop

    def start(self, pool: QThreadPool | None = None) -> None:
        """Queue the work on the (global) thread pool."""
        self.running = True
        (pool or QThreadPool.globalInstance()).start(self)

    def run(self) -> None:  # noqa: D102 - QRunnable API, runs on the pool thread
        sent = 0.0
        try:
            for report in self._work(self.should_stop):
                self.last = report
                now = time.monotonic()
                if (
                    self._interval <= 0
                    or now - sent >= self._interval
                    or (self._keep is not None and self._keep(report))
                ):
                    sent = now
                    self.signals.progressed.emit(report)
            if self._stop:
                self.signals.cancelled.emit()
        except self._cancel_types:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            exc.details = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        finally:
            self.running = False
            self.signals.finished.emit()


class Caller(QObject):
    """Runs one-shot work for one view, where only the newest call counts.

    Each :meth:`call` starts a new generation: the previous call is told to stop (a call still
    queued never runs) and whatever it still reports, result or failure, is dropped. So a slow
    load for an earlier click can never overwrite the view of a later one. Callbacks run in
    the GUI thread. The Caller keeps every worker it started alive until its ``finished``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self.worker: Worker | None = None
        self._alive: set[Worker] = set()

    def call(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Worker:
        """Run ``fn(*args, **kwargs)`` on the thread pool; ``on_done(result)`` (or
        ``on_error(exc)``) is called unless another call or :meth:`cancel` came after it.
        Without ``on_error`` a failure goes to ``sys.excepthook`` (the app's error message)."""
        self.cancel()
        generation = self.generation
        worker = Worker.call(fn, *args, **kwargs)

        def deliver(callback: Callable[[Any], None], value: Any) -> None:
            if not Shiboken.isValid(self):
                return  # the view (and this Caller with it) was closed meanwhile
            if generation == self.generation:  # else a later call (or cancel) superseded it
                self.worker = None
                callback(value)

        worker.signals.progressed.connect(lambda result: deliver(on_done, result))
        worker.signals.failed.connect(lambda exc: deliver(on_error or _unhandled, exc))
        worker.signals.finished.connect(lambda: self._finished(worker))
        self._alive.add(worker)
        self.worker = worker
        worker.start()
        return worker

    @Slot()
    def cancel(self) -> None:
        """Drop the result of the call in flight (if any) and ask it to stop."""
        self.generation += 1
        if self.worker is not None:
            self.worker.cancel()
            self.worker = None

    @property
    def busy(self) -> bool:
        """Whether the newest call's result (or failure) is still to come."""
        return self.worker is not None

    def _finished(self, worker: Worker) -> None:
        self._alive.discard(worker)
        if self.worker is worker:  # ended without a result: it was stopped before it began
            self.worker = None


def _unhandled(exc: BaseException) -> None:
    sys.excepthook(type(exc), exc, exc.__traceback__)


#: A generation-2 threshold no count reaches: no automatic full collection (see quiet_collector).
_NEVER = 2**31 - 1


def quiet_collector() -> None:
    """Keep Python's garbage collector from freezing the window.

    A full (generation-2) collection walks every Python object of the process while holding
    the GIL: with PySide6, pandas and torch loaded, 60–350 ms during which the GUI thread
    cannot run. While a worker imports torch or scikit-learn, or builds a million rows,
    Python starts several of them. So the GUI process collects only its young generations
    automatically (short, bounded by the objects made since), what exists at start-up is
    frozen out of all collections (it lives as long as the process), and full collections
    run only through :func:`collect_now`, at moments the user waits anyway (a project opened
    or closed). Memory freed by reference counting, nearly all of it, is freed at once as
    before; only garbage held in reference cycles waits for the next full collection.
    """
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)


#: How long a worker thread may run Python code before the GIL is handed on when the GUI
#: thread waits for it (Python's default: 5 ms).
SWITCH_INTERVAL_S = 0.001


def quick_turns() -> None:
    """Hand the GIL to a waiting thread after ``SWITCH_INTERVAL_S`` instead of 5 ms.

    An import runs three threads (reading, staging, writing) beside the GUI thread; each takes
    the GIL in turn, and with 5 ms turns the window waited for several of them in a row:
    importing 300,000 rows, 1 % of its 5 ms ticks came 21 ms late; with 1 ms turns 12 ms
    (benchmarks/gui_responsiveness.py). The workers lose little: their heavy work runs in
    C with the GIL released."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def collect_now() -> int:
    """A full collection (what :func:`quiet_collector` leaves out): returns what it freed."""
    return gc.collect()


def import_answering(app: QCoreApplication, modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a thread while the GUI thread goes on answering (the window can
    be painted, moved and closed meanwhile, and results of workers arrive). A module that
    fails to import is left to the code that needs it, whose own import raises the error with
    its traceback."""
    import importlib
    import threading

    if all(name in sys.modules for name in modules):
        return

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - raised again, where it is used
                return

    thread = threading.Thread(target=load, name="intentlens-import", daemon=True)
    thread.start()
    while thread.is_alive():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        thread.join(0.005)
