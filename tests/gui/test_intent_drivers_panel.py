"""The intent panel's "What makes customers buy here": the value run's drivers, then the run's
sequence drivers; hidden when there are none."""

from __future__ import annotations

from engine.tasks.base import RunView
from engine.tasks.intent import INTENT
from gui.tasks.intent import IntentPanel
from storage.runs import RunInfo

STEPS = [{"text": "Cart adds in the last 7 days: raise the chance to buy by 4.1 points on "
                  "average where they occur.", "effect_points": 4.1, "kind": "cart",
          "window": "recent"}]


def _value_run(active: bool) -> RunInfo:
    return RunInfo(id=7, task="value", created_at="2026-01-01T00:00", status="done",
                   active=active, settings={}, history={},
                   metrics={"drivers": [{"feature": "orders", "importance": 0.1,
                                         "sentence": "Orders so far 3 or more: bought 2.0× as "
                                                     "often as the rest (40% against 20%)"}]},
                   summary="", seconds=1.0, warm_started=False)


def test_the_list_shows_value_then_sequence_drivers(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = IntentPanel(INTENT)
    qtbot.addWidget(panel)
    qtbot.addWidget(panel.results)
    panel.results.show()
    panel.runs = [_value_run(active=True)]
    panel.show_view(RunView("intent", 3, "", "verdict", data={
        "sequence_drivers": STEPS, "served": "model"}))
    assert panel.drivers.isVisible() and panel.drivers_title.isVisible()
    assert panel.drivers_title.text() == "What makes customers buy here"
    lines = panel.drivers.text().replace("<b>", "").replace("</b>", "").split("<br>")
    assert panel.drivers.text().startswith("<b>From each customer&#x27;s totals")
    assert lines[1] == "1. Orders so far 3 or more: bought 2.0× as often as the rest (40% " \
                       "against 20%)"
    assert lines[2].startswith("From the order of their steps (the sequence model, which gives")
    assert lines[3] == "1. " + STEPS[0]["text"]

    panel.runs = [_value_run(active=False)]  # only the active value run counts
    panel.show_view(RunView("intent", 3, "", "verdict", data={"sequence_drivers": []}))
    assert not panel.drivers.isVisible() and not panel.drivers_title.isVisible()

    panel.show_view(RunView("intent", 3, "", "verdict", data={"sequence_drivers": STEPS}))
    assert panel.drivers.isVisible()
    panel.clear_view()
    assert not panel.drivers.isVisible() and panel.drivers.text() == ""
