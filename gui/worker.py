"""The one worker class: runs a generator function off the GUI thread (GUIDE.md section 3).

The function receives a ``should_stop`` callable and yields small immutable progress reports;
each ``yield`` is also the point where a cancel takes effect. Signals live on a QObject made in
the GUI thread, so slots connected to them run in the GUI thread.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._stop = True

    @property
    def cancel_requested(self) -> bool:
        """Whether cancel() was called."""
        return self._stop

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
