"""Worker threads hand the GIL back to the window quickly (gui.worker.quick_turns): a thread
that wants the GIL while a worker runs Python code waits about one switch interval."""

from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from gui.worker import SWITCH_INTERVAL_S, quick_turns


@pytest.fixture
def restored() -> Iterator[None]:
    interval = sys.getswitchinterval()
    threshold = gc.get_threshold()
    yield
    sys.setswitchinterval(interval)
    gc.set_threshold(*threshold)  # start_application also quiets the collector
    gc.unfreeze()


def _waits_beside_a_busy_worker(samples: int = 200) -> list[float]:
    """How long this thread waits to get the GIL back after giving it up, while another
    thread runs pure Python code."""
    stop = threading.Event()

    def busy() -> None:
        n = 0
        while not stop.is_set():
            n += 1

    worker = threading.Thread(target=busy)
    worker.start()
    waits = []
    try:
        time.sleep(0.05)
        for _ in range(samples):
            t0 = time.perf_counter()
            time.sleep(0)  # gives up the GIL; coming back waits for the worker's turn to end
            waits.append(time.perf_counter() - t0)
    finally:
        stop.set()
        worker.join()
    return waits


def test_the_window_waits_about_one_short_turn(restored: None) -> None:
    sys.setswitchinterval(0.005)
    slow = statistics.median(_waits_beside_a_busy_worker())
    quick_turns()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
    quick = statistics.median(_waits_beside_a_busy_worker())
    assert quick < 0.003 < slow, (quick, slow)


def test_the_application_takes_quick_turns(qapp, restored) -> None:  # type: ignore[no-untyped-def]
    from gui.app import start_application

    sys.setswitchinterval(0.005)
    start_application()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
