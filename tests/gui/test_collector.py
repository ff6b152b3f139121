"""The GUI process never runs a full garbage collection on its own: each one holds the GIL for
as long as it takes to walk every object (hundreds of milliseconds with torch loaded)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gui.worker import collect_now, quiet_collector


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def _full_collections_while(make) -> int:  # type: ignore[no-untyped-def]
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    gc.collect()  # Python counts the growth of the old generation from its last full collection
    gc.callbacks.append(note)
    try:
        make()
    finally:
        gc.callbacks.remove(note)
    return len(seen)


def _many_objects() -> list[list[int]]:
    # Python starts a full collection once the old generation grew by a quarter: make twice
    # that (lists are always tracked, so the collector sees them).
    n = max(len(gc.get_objects(2)) // 2, 200_000)
    return [[i] for i in range(n)]


def test_python_alone_starts_full_collections_during_such_work(restored) -> None:  # type: ignore[no-untyped-def]
    gc.set_threshold(700, 10, 10)  # Python's default
    assert _full_collections_while(_many_objects) > 0


def test_the_application_starts_none_and_collects_when_asked(restored) -> None:  # type: ignore[no-untyped-def]
    quiet_collector()
    assert gc.get_count() is not None and gc.get_freeze_count() > 0
    assert _full_collections_while(_many_objects) == 0
    young = gc.get_threshold()[0]
    assert young == 700 or young > 0  # young generations are still collected automatically

    # Cycles that lived long enough to be old, then dropped: only a full collection frees them.
    held = []
    for _ in range(1000):
        a: list[object] = []
        a.append(a)
        held.append(a)
    gc.collect(1)
    gc.collect(1)
    del held, a
    _many_objects()
    assert collect_now() >= 1000


def test_start_application_applies_it(qapp, restored) -> None:  # type: ignore[no-untyped-def]
    from gui.app import start_application

    gc.set_threshold(700, 10, 10)
    start_application()
    assert _full_collections_while(_many_objects) == 0
