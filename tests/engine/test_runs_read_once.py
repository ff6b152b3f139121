"""Training right after the Train page's data check reads the event log once, not twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import runs
from engine.demo_project import create_demo_project
from engine.tasks.base import RunSaved
from engine.value.config import ValueConfig
from storage.project import open_project


def test_training_takes_over_the_data_checks_events(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.intentlens"
    create_demo_project(path, customers=300, seed=3)
    project = open_project(path)
    reads: list[int | None] = []
    real = runs.load_events

    def counted(p: object, as_of_ms: int | None) -> object:
        reads.append(as_of_ms)
        return real(p, as_of_ms)  # type: ignore[arg-type]

    monkeypatch.setattr(runs, "load_events", counted)
    try:
        config = ValueConfig()
        assert runs.data_check(project, "value", config).ok
        assert runs.data_check(project, "value", config).ok  # a second check reads nothing
        saved = [r for r in runs.train(project, "value", config) if isinstance(r, RunSaved)]
        assert len(saved) == 1 and reads == [None]
        # The frame was handed over: the next training (no check before it) reads afresh.
        saved = [r for r in runs.train(project, "value", config) if isinstance(r, RunSaved)]
        assert len(saved) == 1 and reads == [None, None]
    finally:
        project.close()
