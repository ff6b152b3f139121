"""Importing one's own file into the demo project offers a project of its own first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from engine.demo_project import create_demo_project
from gui.main_window import MainWindow
from gui.settings import Settings
from storage.project import open_project


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.intentlens"
    create_demo_project(path, customers=20, seed=2)
    return path


def _window(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(path))
    return window


def _csv(tmp_path: Path) -> str:
    path = tmp_path / "orders.csv"
    path.write_text("customer,time,event\nc1,2024-01-01,purchase\n", encoding="utf-8")
    return str(path)


def test_the_demo_offers_a_new_project_and_imports_there(qtbot, demo, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo)
    asked: list[str] = []
    monkeypatch.setattr(window, "ask_demo_import", lambda: asked.append("asked") or "new")
    target = tmp_path / "my shop.intentlens"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    wizard = window.import_file(_csv(tmp_path))
    assert asked == ["asked"]
    assert wizard is not None and wizard.project.path == target.resolve()
    wizard.close()


def test_cancel_imports_nothing_and_demo_is_allowed(qtbot, demo, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    window = _window(qtbot, demo)
    monkeypatch.setattr(window, "ask_demo_import", lambda: "cancel")
    assert window.import_file(_csv(tmp_path)) is None
    monkeypatch.setattr(window, "ask_demo_import", lambda: "demo")
    wizard = window.import_file(_csv(tmp_path))
    assert wizard is not None and wizard.project.path == demo.resolve()
    wizard.close()


def test_a_shop_project_is_not_asked(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    shop = tmp_path / "shop.intentlens"
    open_project(shop).close()
    window = _window(qtbot, shop)
    monkeypatch.setattr(window, "ask_demo_import", lambda: pytest.fail("asked"))
    wizard = window.import_file(_csv(tmp_path))
    assert wizard is not None
    wizard.close()
