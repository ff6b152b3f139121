"""Every chart's right-click menu (save as a picture, copy, reset the view), and the mouse wheel:
over a chart it scrolls the page; Ctrl+wheel zooms the chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.widgets import Chart, StatusLine, export_folder, plot, save_chart


def _page(qtbot: Any, chart: Chart, *, status: bool = False) -> QScrollArea:
    """A scrolling page, taller than its window, with the chart at the top."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    body = QWidget()
    v = QVBoxLayout(body)
    if status:
        body.status = StatusLine()  # type: ignore[attr-defined]
        body.project = None  # type: ignore[attr-defined]
        v.addWidget(body.status)  # type: ignore[attr-defined]
    v.addWidget(chart)
    tall = QLabel("more of the page")
    tall.setMinimumHeight(2000)
    v.addWidget(tall)
    area.setWidget(body)
    area.resize(640, 480)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    return area


def _chart() -> Chart:
    chart = plot("Events per day")
    chart.plot([0, 1, 2, 3, 4], [1, 4, 2, 5, 3], pen=pg.mkPen("#2a6fdb", width=2))
    chart.setFixedHeight(260)
    return chart


def _wheel(chart: Chart, modifiers: Qt.KeyboardModifier) -> None:
    centre = QPointF(chart.width() / 2, chart.height() / 2)
    event = QWheelEvent(
        centre, QPointF(chart.viewport().mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, -120), Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(chart.viewport(), event)
    QApplication.processEvents()


def _ranges(chart: Chart) -> list[list[float]]:
    QApplication.processEvents()  # pyqtgraph fits the data on its next update
    return [list(r) for r in chart.getViewBox().viewRange()]


def test_the_wheel_scrolls_the_page_and_ctrl_wheel_zooms(qtbot: Any) -> None:
    chart = _chart()
    area = _page(qtbot, chart)
    chart.setXRange(0, 4, padding=0)  # fixed, so only a zoom can change it
    chart.setYRange(1, 5, padding=0)
    bar = area.verticalScrollBar()
    before = _ranges(chart)
    assert before == [[0, 4], [1, 5]]
    _wheel(chart, Qt.KeyboardModifier.NoModifier)
    assert bar.value() > 0  # the page moved down
    assert _ranges(chart) == before  # the chart did not zoom
    scrolled = bar.value()
    _wheel(chart, Qt.KeyboardModifier.ControlModifier)
    after = _ranges(chart)
    assert bar.value() == scrolled  # Ctrl+wheel leaves the page where it is
    assert after[0][1] - after[0][0] > 4 and after[1][1] - after[1][0] > 4  # zoomed out


def test_reset_view_goes_back_to_the_range_the_page_set(qtbot: Any) -> None:
    chart = _chart()
    area = _page(qtbot, chart)  # noqa: F841 - kept alive for the test
    chart.setXRange(1, 3, padding=0)
    chart.getViewBox().scaleBy((3, 3))
    QApplication.processEvents()
    assert _ranges(chart)[0] != pytest.approx([1, 3])
    reset = {a.text(): a for a in chart.context_menu().actions()}["Reset view"]
    reset.trigger()
    QApplication.processEvents()
    assert _ranges(chart)[0] == pytest.approx([1, 3])
    # The y axis was never set by the page: it fits the data again.
    assert chart.getViewBox().state["autoRange"][1]
    low, high = _ranges(chart)[1]
    assert low <= 1 and high >= 5 and high - low < 8


def test_a_fixed_chart_keeps_its_menu_without_reset(qtbot: Any) -> None:
    chart = _chart()
    chart.setMouseEnabled(x=False, y=False)
    area = _page(qtbot, chart)  # noqa: F841 - kept alive for the test
    texts = [a.text() for a in chart.context_menu().actions() if not a.isSeparator()]
    assert texts == ["Save chart as picture…", "Copy chart"]
    assert not chart.getViewBox().menuEnabled()  # never pyqtgraph's own menu


def test_save_chart_as_picture_from_the_menu(qtbot: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    chart = _chart()
    area = _page(qtbot, chart)  # noqa: F841 - kept alive for the test
    asked: list[str] = []

    def choose(_parent: object, _caption: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return str(tmp_path / "my chart"), "PNG pictures (*.png)"

    said: list[str] = []

    def inform(_parent: object, _title: str, text: str, *_a: object) -> Any:
        said.append(text)
        return QMessageBox.StandardButton.Close

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    monkeypatch.setattr(QMessageBox, "information", inform)
    action = {a.text(): a for a in chart.context_menu().actions()}["Save chart as picture…"]
    action.trigger()
    out = tmp_path / "my chart.png"
    assert Path(asked[0]).name == "events-per-day.png"  # named after its title
    image = QImage(str(out))
    assert not image.isNull()
    assert image.size() == chart.grab().size()  # the chart as shown, whole
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5)
               for y in range(0, image.height(), 5)}
    assert len(colours) > 3  # a line, axes and text, not a blank picture
    assert len(said) == 1 and str(out) in said[0]  # a page without a status line: a message
    assert export_folder() == tmp_path  # the next dialog opens here
    assert not list(tmp_path.glob(".*.part"))


def test_a_page_with_a_status_line_says_it_there(qtbot: Any, tmp_path: Path) -> None:
    chart = _chart()
    area = _page(qtbot, chart, status=True)
    status = area.widget().status  # type: ignore[attr-defined]
    out = save_chart(chart, tmp_path / "daily.png")
    assert out == tmp_path / "daily.png" and out.is_file()
    assert status.isVisible() and str(out) in status.plain
    # A refusal is said there too, and writes nothing.
    project_like = tmp_path / "shop.intentlens"
    project_like.write_bytes(b"SQLite format 3\x00" + bytes(100))
    assert save_chart(chart, project_like) is None
    assert "database" in status.plain
    assert project_like.read_bytes()[:16] == b"SQLite format 3\x00"


def test_copy_chart_puts_the_picture_on_the_clipboard(qtbot: Any) -> None:
    chart = _chart()
    area = _page(qtbot, chart)  # noqa: F841 - kept alive for the test
    QGuiApplication.clipboard().clear()
    {a.text(): a for a in chart.context_menu().actions()}["Copy chart"].trigger()
    copied = QGuiApplication.clipboard().image()
    assert not copied.isNull() and copied.size() == chart.grab().size()


def test_a_captioned_chart_keeps_its_title_in_the_picture(qtbot: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from gui.tasks.view import ChartPlot

    host = QWidget()
    v = QVBoxLayout(host)
    chart = ChartPlot(0)
    v.addWidget(chart.title)
    v.addWidget(chart.widget)
    chart.title.setText("Precision at each list size")
    chart.widget.plot([0, 1], [0, 1])
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: QMessageBox.StandardButton.Close)
    out = save_chart(chart.widget, tmp_path / "p.png")
    assert out is not None
    image = QImage(str(out))
    plot_only = chart.widget.grab().size()
    assert image.height() > plot_only.height() and image.width() >= plot_only.width()


def test_every_chart_of_the_window_is_a_chart_with_the_menu(qtbot: Any) -> None:
    from gui.main_window import MainWindow
    from gui.settings import Settings

    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    plots = window.findChildren(pg.PlotWidget)
    assert len(plots) >= 8  # data (2), train (2), customer card, campaign, forecast, segments
    assert all(isinstance(p, Chart) for p in plots), [type(p) for p in plots]
    assert all(not p.getViewBox().menuEnabled() for p in plots)
