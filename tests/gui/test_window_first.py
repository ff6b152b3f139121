"""The window appears before its pages are built: its frame needs none of pandas, SQLAlchemy,
pyqtgraph or torch (about 0.9 s of imports on 2 cores), so ``run_gui`` shows it at once,
saying "Opening…", and builds the pages after."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from gui.app import make_window, show_window_first
from gui.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "sqlalchemy", "pyqtgraph", "torch", "sklearn", "numpy")


def test_the_window_frame_loads_no_heavy_library() -> None:
    code = ("import sys; import gui.app, gui.main_window; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_the_frame_is_on_screen_before_the_pages_are_built(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    window = make_window(Settings(), remember=False, pages=False)
    qtbot.addWidget(window)
    assert not hasattr(window, "data_page")
    assert window.pages.currentWidget().text() == "Opening…"
    seen: list[bool] = []
    build = window.build_pages
    window.build_pages = lambda project=None: (seen.append(window.isVisible()), build(project))[1]  # type: ignore[method-assign]
    show_window_first(QApplication.instance(), window)  # type: ignore[arg-type]
    assert seen == [True]
    # Built as make_window(pages=True) builds them: six pages, the Data page first, menus.
    assert window.pages.count() == 6 and window.pages.currentWidget() is window.data_page
    assert [a.text() for a in window.page_actions][:1] == ["Data"]


def test_the_window_answers_while_the_pages_load(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page modules load on a thread: a timer on the GUI thread keeps firing meanwhile."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.worker import import_answering

    (tmp_path / "slow_page_module.py").write_text("import time\ntime.sleep(0.6)\n")
    (tmp_path / "broken_page_module.py").write_text("raise ImportError('left to its user')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = QApplication.instance()
    import_answering(app, ("broken_page_module", "slow_page_module"))  # type: ignore[arg-type]
    assert "slow_page_module" not in sys.modules  # a failed import ends the loading quietly
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    import_answering(app, ("slow_page_module",))  # type: ignore[arg-type]
    timer.stop()
    assert "slow_page_module" in sys.modules
    assert len(ticks) >= 10, ticks  # 0.6 s at 20 ms: about 30 ticks; none if it blocked


def test_the_project_opens_as_soon_as_the_data_page_stands(qtbot: QtBot, tmp_path: Path) -> None:
    """The Data page reads its summary, and the Customers page its table, while the other
    pages are still loading; every page ends up on the project, in the usual order."""
    from PySide6.QtWidgets import QApplication

    from engine.demo_project import create_demo_project

    path = tmp_path / "shop.intentlens"
    create_demo_project(path, customers=60, seed=3)
    window = make_window(Settings(), remember=False, pages=False)
    qtbot.addWidget(window)
    pages_at_open: list[list[bool]] = []
    window.project_changed.connect(lambda _p: pages_at_open.append(
        [hasattr(window, name) for name in ("data_page", "train_page", "customers_page")]))
    show_window_first(QApplication.instance(), window, str(path))  # type: ignore[arg-type]
    assert pages_at_open == [[True, False, False]]  # only the Data page stood then
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Data", "Train", "Customers", "Campaign", "Forecast", "Segments"]
    assert [window.pages.widget(i) for i in range(window.pages.count())] == [
        window.data_page, window.train_page, window.customers_page, window.campaign_page,
        window.forecast_page, window.segments_page]
    assert window.pages.currentWidget() is window.data_page and window.nav.currentRow() == 0
    for page in (window.data_page, window.train_page, window.customers_page,
                 window.campaign_page, window.forecast_page, window.segments_page):
        assert page.project is window.project, type(page).__name__
    qtbot.waitUntil(lambda: window.data_page.summary is not None, timeout=10_000)
    qtbot.waitUntil(lambda: len(window.customers_page.model.frame) == 60, timeout=10_000)
    # The Train page, built after the summary may have come, shows the shop's figures too.
    qtbot.waitUntil(lambda: window.train_page._overview is not None, timeout=10_000)
    assert window.train_page._overview.customers == 60
    assert window.train_page.start_button.isEnabled()
    window.nav.setCurrentRow(2)
    assert window.pages.currentWidget() is window.customers_page
    window.close()


def test_a_project_that_cannot_be_opened_leaves_the_window_standing(
        qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, title, text: said.append(text))
    broken = tmp_path / "broken.intentlens"
    broken.write_bytes(b"not a project at all" * 100)
    window = make_window(Settings(), remember=False, pages=False)
    qtbot.addWidget(window)
    show_window_first(QApplication.instance(), window, str(broken))  # type: ignore[arg-type]
    assert window.project is None and len(said) == 1
    assert window.pages.count() == 6 and window.pages.currentWidget() is window.data_page
    window.close()
