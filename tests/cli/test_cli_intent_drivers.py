"""``train intent --json`` lists the sequence drivers beside the value run's drivers."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import main
from engine.demo_project import create_demo_project
from engine.tasks.intent import INTENT
from storage.project import open_project
from storage.runs import active_run


def _run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_train_intent_json_has_the_sequence_drivers_as_saved(tmp_path: Path) -> None:
    demo = tmp_path / "demo.intentlens"
    create_demo_project(demo, customers=600, seed=5)
    code, out, err = _run("train", "intent", demo, "--preset", "fast", "--epochs", "2",
                          "--seed", "1", "--json")
    assert code == 0, err
    found = json.loads(out)
    # The value run's key stays as it was (no value run here), the sequence drivers join it.
    assert found["drivers"] == [] and found["value_run"] is None
    drivers = found["sequence_drivers"]
    assert drivers, "the demo's planted cart adds and views move the chance"
    for d in drivers:
        assert {"text", "effect_points", "kind", "window"} <= set(d)
        assert d["window"] in ("recent", "before", "earlier")
        assert "_" not in d["text"] and abs(d["effect_points"]) >= 0.5
    project = open_project(demo)
    try:
        run = active_run(project, "intent")
    finally:
        project.close()
    assert run is not None and run.history["sequence_drivers"] == drivers
    # Without --json the same run's lines (what ``train`` prints) end with the list.
    text = INTENT.describe(run).text
    assert "What makes customers buy here" in text
    assert text[-len(drivers):] == [f"{i}. {d['text']}" for i, d in enumerate(drivers, 1)]
