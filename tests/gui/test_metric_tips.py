"""The result view's metric table shows a task's hover texts (e.g. a bootstrap interval)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engine.tasks.base import MetricTable, RunView
from gui.tasks.view import ResultView


def test_metric_cells_show_their_tips_and_tables_without_tips_show_none(qtbot: object) -> None:
    view = ResultView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    tip = "The deep model's AUC minus this method's: +0.003 (95% interval -0.004 to +0.010)."
    table = MetricTable("Metrics", ["Method", "AUC", "F1"],
                        [("Deep model", [0.75, 0.5]), ("RFM logistic regression", [0.74, 0.4])],
                        [["", "", ""], ["", tip]])
    view.show_view(RunView(task="intent", run_id=1, headline="", verdict="v", table=table))
    model = view.metrics_model
    role = Qt.ItemDataRole.ToolTipRole
    assert model.data(model.index(1, 1), role) == tip
    assert model.data(model.index(1, 2), role) is None  # a short tip list: no tip
    assert model.data(model.index(0, 1), role) is None
    # The method's name still shows whole on hover where it is long and has no tip.
    assert model.data(model.index(1, 0), role) == "RFM logistic regression"
    plain = MetricTable("Metrics", ["Method", "AUC"], [("Deep model", [0.75])])
    view.show_view(RunView(task="x", run_id=2, headline="", verdict="v", table=plain))
    assert model.data(model.index(0, 1), role) is None
