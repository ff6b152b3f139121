"""File → Project report… as a shop owner uses it: the save dialog opens in the last export's
folder, the chosen type decides PDF or HTML, the file is written off the GUI thread and a
message says where it went; a refused file name is one sentence."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.demo_project import create_demo_project
from engine.report import build_report
from gui.main_window import MainWindow
from gui.settings import Settings
from gui.widgets import export_folder
from storage.project import Project, open_project
from storage.queries import overview


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    path = tmp_path_factory.mktemp("report-action") / "corner shop.intentlens"
    create_demo_project(path, customers=80, seed=4)
    project = open_project(path, create=False)
    yield project
    project.close()


def _window(qtbot: Any, project: Project) -> MainWindow:
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.project = project
    return window


def _said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []

    def inform(_parent: object, _title: str, text: str, *_a: object) -> Any:
        said.append(text)
        return QMessageBox.StandardButton.Close

    monkeypatch.setattr(QMessageBox, "information", inform)
    monkeypatch.setattr(QMessageBox, "warning", inform)
    return said


def _choose(monkeypatch: pytest.MonkeyPatch, path: Path, kind: str) -> list[tuple[str, str]]:
    """The save dialog answers ``path`` with the filter whose text starts with ``kind``."""
    asked: list[tuple[str, str]] = []

    def dialog(_parent: object, _caption: str, start: str, filters: str, *_a: object) -> Any:
        asked.append((start, filters))
        chosen = next(f for f in filters.split(";;") if f.startswith(kind))
        return str(path), chosen

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_the_menu_writes_a_one_page_pdf_and_says_where(
        qtbot: Any, shop: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = _window(qtbot, shop)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("&Project report…") == texts.index("Export &rejected lines…") + 1
    said = _said(monkeypatch)
    folder = tmp_path / "reports"
    folder.mkdir()
    asked = _choose(monkeypatch, folder / "for the bank", "PDF")
    start = export_folder()
    with qtbot.waitSignal(window.report_saver.written, timeout=60_000) as done:
        window.report_action.trigger()
    target = folder / "for the bank.pdf"  # the chosen type's ending was added
    assert done.args == [str(target), 1]
    assert Path(asked[0][0]).name == "corner-shop-report.pdf"
    assert Path(asked[0][0]).parent == start  # where the last export went
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf)) == 1
    assert said == [f"Saved the project report to {target}.\n\nOpen the folder to see the "
                    "file?"]
    assert "Saved the project report" in window.statusBar().currentMessage()
    assert export_folder() == folder  # the next dialog opens here
    assert [p.name for p in folder.iterdir()] == ["for the bank.pdf"]


def test_the_html_type_writes_the_engines_page(
        qtbot: Any, shop: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = _window(qtbot, shop)
    _said(monkeypatch)
    _choose(monkeypatch, tmp_path / "report", "Web")
    with qtbot.waitSignal(window.report_saver.written, timeout=60_000):
        window.report_action.trigger()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html == build_report(shop)
    assert f"{overview(shop).customers:,}" in html


def test_a_refused_file_is_one_sentence_and_nothing_is_written(
        qtbot: Any, shop: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = _window(qtbot, shop)
    said = _said(monkeypatch)
    database = tmp_path / "old.pdf"  # a project file someone named .pdf
    assert shop.path is not None
    shutil.copy(shop.path, database)
    before = database.read_bytes()
    _choose(monkeypatch, database, "PDF")
    with qtbot.waitSignal(window.report_saver.failed, timeout=5_000) as done:
        window.report_action.trigger()
    assert done.args[0].startswith("“old.pdf” is a database")
    assert said == done.args and database.read_bytes() == before
    assert not window.report_saver.busy  # refused before any work started


def test_no_project_no_dialog(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a: pytest.fail("no project: nothing to report"))
    window.report_action.trigger()
    assert not window.report_saver.busy
