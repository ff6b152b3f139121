"""Narrow windows and large fonts (150 % display scaling): titles and headings stay whole."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout

from gui.tasks.curves import TrainingCurves


def test_training_curves_stack_when_their_titles_do_not_fit(qtbot):  # type: ignore[no-untyped-def]
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.set_extra_title("Validation AUC (higher is better)")
    curves.show()
    curves.resize(1000, 300)
    qtbot.waitUntil(lambda: curves.extra_plot.width() >= curves.extra_plot.title_width)
    assert curves._row.direction() == QBoxLayout.Direction.LeftToRight
    curves.resize(420, 300)  # the Train page's results column in a 1024-pixel window
    qtbot.waitUntil(lambda: curves._row.direction() == QBoxLayout.Direction.TopToBottom)
    qtbot.waitUntil(lambda: curves.extra_plot.width() >= curves.extra_plot.title_width)
    # The loss plot above the other: both as wide as the row.
    assert curves.loss_plot.width() == curves.extra_plot.width()
    curves.set_extra_title("")  # one plot left: it has the row to itself
    curves.resize(421, 300)
    qtbot.waitUntil(lambda: curves._row.direction() == QBoxLayout.Direction.LeftToRight)


def test_metric_headings_stay_whole_in_a_narrow_window(qtbot):  # type: ignore[no-untyped-def]
    from engine.tasks.base import MetricTable, RunView
    from gui.tasks.view import ResultView

    columns = ["Method", "AUC", "PR AUC", "Brier", "Accuracy", "Precision", "Recall", "F1",
               "Lift 10%"]
    rows = [("Gradient boosting on customer aggregates", [0.79, 0.78, 0.19, 0.7, 0.65, 0.79,
                                                          0.71, 1.95]),
            ("Base rate (everyone alike)", [0.5, 0.47, 0.25, 0.47, 0.47, 1.0, 0.64, 1.0])]
    view = ResultView()
    qtbot.addWidget(view)
    view.show_view(RunView(task="intent", run_id=1, headline="", verdict="",
                           table=MetricTable("How well it predicts", columns, rows)))
    view.show()
    table = view.metrics_view
    header = table.horizontalHeader()
    bar = table.horizontalScrollBar()
    for width, scrolls in ((1000, False), (420, True)):
        view.resize(width, 400)
        qtbot.waitUntil(lambda w=width: table.width() == w)
        for col in range(1, len(columns)):
            assert header.sectionSize(col) >= header.sectionSizeHint(col), columns[col]
        assert header.sectionSize(0) >= table.fontMetrics().horizontalAdvance("x" * 18)
        qtbot.waitUntil(lambda s=scrolls: (bar.maximum() > 0) == s)
        # Rows and the sideways scroll bar both fit: no row hides behind the bar.
        room = 30 + 2 * 24 + (bar.sizeHint().height() if scrolls else 0)
        assert table.height() == room
    view.resize(1000, 400)
    qtbot.waitUntil(lambda: bar.maximum() == 0)
    # A wide window: the method's column takes the rest of the row, whole.
    assert header.sectionSize(0) >= table.sizeHintForColumn(0)
