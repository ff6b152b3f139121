"""The first-start tour: offered on the demo project until finished or skipped once, four
steps that each show their page, Back / Next / Skip tour / Finish, never modal; Help → Take
the tour shows it again on purpose."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

import engine.demo_project
from gui import app as gui_app
from gui.main_window import MainWindow
from gui.settings import Settings, load_settings, save_settings, settings_path
from gui.tour import Tour

REAL_CREATE = engine.demo_project.create_demo_project


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo project (150 generated customers), made once for these tests."""
    path = tmp_path_factory.mktemp("tour") / "demo.intentlens"
    REAL_CREATE(path, customers=150, seed=5)
    return path


def _window(qtbot: Any, settings: Settings | None = None) -> MainWindow:
    window = MainWindow(settings or Settings(), remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def test_the_tour_walks_four_pages_and_is_done_when_finished(qtbot, demo_file):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    assert window.open_project(demo_file)
    tour = window.offer_tour()
    assert isinstance(tour, Tour) and tour.isVisible()
    assert not tour.isModal() and QApplication.activeModalWidget() is None
    pages = [window.data_page, window.train_page, window.customers_page, window.campaign_page]
    assert window.pages.currentWidget() is pages[0]
    assert tour.counter.text() == "Step 1 of 4"
    assert not tour.back_button.isEnabled() and tour.skip_button.isVisible()
    for n, page in enumerate(pages[1:], start=2):
        tour.next_button.click()
        assert window.pages.currentWidget() is page
        assert tour.counter.text() == f"Step {n} of 4"
    assert tour.next_button.text() == "Finish" and not tour.skip_button.isVisible()
    tour.back_button.click()
    assert window.pages.currentWidget() is window.customers_page
    assert tour.next_button.text() == "Next"
    tour.next_button.click()
    assert not window.settings.tour_done
    # Every step's text fits: the tour is as tall as its wrapped lines.
    assert tour.text.height() >= tour.text.heightForWidth(tour.text.width())
    with qtbot.waitSignal(tour.ended, timeout=1000) as ended:
        tour.next_button.click()  # Finish
    assert ended.args == [True]
    assert window.settings.tour_done and window.tour is None
    assert window.offer_tour() is None  # never again once done


@pytest.mark.parametrize("how", ["skip", "escape", "close"])
def test_skipping_or_closing_the_tour_ends_it_for_good(qtbot, demo_file, how):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    assert window.open_project(demo_file)
    tour = window.offer_tour()
    assert tour is not None
    tour.next_button.click()
    with qtbot.waitSignal(tour.ended, timeout=1000) as ended:
        {"skip": tour.skip_button.click, "escape": tour.reject, "close": tour.close}[how]()
    assert ended.args == [False]
    assert window.settings.tour_done and window.tour is None
    assert window.offer_tour() is None
    # The page the user was taken to stays; the tour asks nothing more.
    assert window.pages.currentWidget() is window.train_page
    # Help → Take the tour shows it again on purpose, from the first step.
    again = window.start_tour()
    assert again.isVisible() and again.index == 0
    assert window.pages.currentWidget() is window.data_page
    assert window.start_tour() is again  # one tour at a time
    again.skip()


def test_the_tour_is_offered_only_on_the_demo(qtbot, demo_file, tmp_path):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    assert window.offer_tour() is None  # no project
    assert window.open_project(tmp_path / "shop.intentlens", create=True)
    assert window.offer_tour() is None  # the shop's own project
    done = _window(qtbot, Settings(tour_done=True))
    assert done.open_project(demo_file)
    assert done.offer_tour() is None


def test_the_tour_flag_is_kept_in_the_settings_file() -> None:
    settings = Settings(language="en", tour_done=True)
    save_settings(settings)
    assert load_settings().tour_done is True
    assert load_settings().language == "en"
    # A file written before the tour existed: the tour is still to come.
    data = json.loads(settings_path().read_text(encoding="utf-8"))
    del data["tour_done"]
    settings_path().write_text(json.dumps(data), encoding="utf-8")
    assert load_settings().tour_done is False
    data["tour_done"] = "yes"  # not a boolean: the default
    settings_path().write_text(json.dumps(data), encoding="utf-8")
    assert load_settings().tour_done is False
    save_settings(Settings())


@pytest.fixture
def first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh settings folder, the event loop replaced by nothing, a small demo."""
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(QApplication, "exec", lambda *_args: 0)
    monkeypatch.setattr(engine.demo_project, "create_demo_project",
                        lambda location, **_kw: REAL_CREATE(location, customers=150, seed=5))
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.remember = False  # closing writes no geometry to the user's settings
            widget.close()
            widget.deleteLater()


def _started_window() -> MainWindow:
    [window] = [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]
    return window


def test_the_first_start_offers_the_tour_and_the_next_start_does_not(first_start, qtbot):  # type: ignore[no-untyped-def]
    assert gui_app.run_gui() == 0
    window = _started_window()
    assert window.project is not None and window.project.get_meta("demo_seed") is not None
    tour = window.tour
    assert tour is not None and tour.isVisible()
    assert QApplication.activeModalWidget() is None  # startup did not wait for it
    tour.skip_button.click()
    assert json.loads(settings_path().read_text(encoding="utf-8"))["tour_done"] is True
    window.remember = False
    window.close()

    assert gui_app.run_gui() == 0  # the next start, on the demo again
    window = _started_window()
    assert window.project is not None and window.project.get_meta("demo_seed") is not None
    assert window.tour is None
