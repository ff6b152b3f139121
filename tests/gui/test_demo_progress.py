"""First start: the main window shows at once and says, in itself, that it prepares the demo
project (a sentence and a busy bar in place of the pages), not a blank wait or a lone dialog;
then the demo opens. The demo's making is held until the window has been looked at."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import engine.demo_project
from gui import app as gui_app
from gui.app import DemoProgress
from gui.main_window import MainWindow
from gui.settings import demo_project_path

REAL_CREATE = engine.demo_project.create_demo_project


@pytest.fixture
def first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A fresh settings folder (no last project, no demo yet), the application's own event loop
    replaced by nothing, and a demo maker (150 customers) that waits for the returned event."""
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(QApplication, "exec", lambda *_args: 0)
    release = threading.Event()

    def slow_demo(location: Any, **_kwargs: Any) -> Any:
        assert release.wait(30), "the window was never looked at"
        return REAL_CREATE(location, customers=150, seed=5)

    monkeypatch.setattr(engine.demo_project, "create_demo_project", slow_demo)
    yield release
    release.set()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.remember = False  # closing writes no geometry to the user's settings
            widget.close()
            widget.deleteLater()


def main_window() -> MainWindow:
    [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return window


def look_while_preparing(release: threading.Event, seen: dict[str, Any]) -> None:
    """While the demo is being made: note what the user sees, then let the demo finish."""

    def look() -> None:
        try:
            window = main_window()
            panel = window.findChild(DemoProgress)
            seen["window visible"] = window.isVisible()
            seen["panel visible"] = panel is not None and panel.isVisible()
            seen["panel is the page shown"] = window.pages.currentWidget() is panel
            seen["busy bar"] = panel is not None and panel.bar.isVisible() and panel.bar.maximum() == 0
            seen["sentence"] = panel.sentence.text() if panel is not None else ""
            seen["sentence fits"] = panel is not None and panel.sentence.height() >= (
                panel.sentence.heightForWidth(panel.sentence.width())
            )
            seen["status"] = window.statusBar().currentMessage()
            seen["modal"] = QApplication.activeModalWidget()
            seen["other windows"] = [
                w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window
            ]
            seen["menus enabled"] = window.menuBar().isEnabled()
        finally:
            release.set()

    when_preparing(look)


def when_preparing(action: Any) -> None:
    """Run ``action`` once the window says it prepares the demo (its pages are built first,
    their modules loading while the window answers); after 20 s regardless."""
    timer = QTimer()
    waited = [0]

    def check() -> None:
        waited[0] += 1
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        panel = windows[0].findChild(DemoProgress) if len(windows) == 1 else None
        if (panel is not None and panel.isVisible()) or waited[0] > 1000:
            timer.stop()
            action()

    timer.timeout.connect(check)
    timer.start(20)
    _timers.append(timer)


_timers: list[QTimer] = []  # alive until they fired


def test_first_start_shows_the_window_with_the_progress_then_the_demo(first_start, qtbot):  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}
    look_while_preparing(first_start, seen)

    assert gui_app.run_gui() == 0

    assert seen == {
        "window visible": True,
        "panel visible": True,
        "panel is the page shown": True,
        "busy bar": True,
        "sentence": gui_app.PREPARING_DEMO,
        "sentence fits": True,
        "status": "Preparing the demo project…",
        "modal": None,
        "other windows": [],
        "menus enabled": False,
    }
    assert "a made-up shop with 2,000 customers" in seen["sentence"]
    # Then the pages come back and show the demo; nothing of the preparation is left.
    window = main_window()
    assert window.pages.count() == window.nav.count()
    assert window.pages.currentIndex() == 0
    assert window.menuBar().isEnabled() and window.nav.isEnabled()
    assert window.project is not None
    assert Path(window.project.path or "") == demo_project_path()
    qtbot.waitUntil(lambda: window.data_page.summary is not None, timeout=30_000)
    assert window.data_page.summary.overview.customers == 150
    assert not [p.name for p in demo_project_path().parent.glob("*preparing*")]


def test_a_failed_demo_says_so_and_leaves_the_window_open(first_start, monkeypatch):  # type: ignore[no-untyped-def]
    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _parent, _title, text, *_a: warnings.append(text)
    )

    def broken(location: Any, **_kwargs: Any) -> Any:
        raise OSError("the disk is full")

    monkeypatch.setattr(engine.demo_project, "create_demo_project", broken)

    assert gui_app.run_gui() == 0  # the (patched) event loop of the open window

    assert warnings == ["The demo project could not be made: the disk is full"]
    window = main_window()
    assert window.isVisible() and window.project is None
    assert window.findChild(DemoProgress) is None or window.pages.indexOf(
        window.findChild(DemoProgress)
    ) == -1
    assert not demo_project_path().exists()


def test_closing_the_window_while_preparing_ends_the_program_with_the_demo_made(first_start):  # type: ignore[no-untyped-def]
    def close_then_release() -> None:
        main_window().close()
        first_start.set()

    when_preparing(close_then_release)

    assert gui_app.run_gui() == 0

    assert not main_window().isVisible()
    assert main_window().project is None
    assert demo_project_path().exists()  # the next start opens at once
