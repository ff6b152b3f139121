"""Every data table's right-click menu: Copy (and Ctrl+C) and "Export this table…", which writes
what the table shows (its filter, sort and visible columns); and File → Export rejected lines,
as CSV or Excel, said where the user sees it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QTableView, QVBoxLayout, QWidget

from gui.models import RowsModel
from gui.table_menu import TableMenu, install_table_menu, selection_text
from gui.widgets import StatusLine
from storage.project import Project

ROWS = [
    ("00123", 1234, 0.25, "=SUM(A1)"),
    ("Shoes", 80, 0.5, "plain"),
    ("Bags", 5000, 0.13, "-3+cmd"),
    ("Hats", 7, 0.75, "x"),
]


def _table(qtbot: Any) -> tuple[QWidget, QTableView, TableMenu]:
    """A page with a status line and a table: sorted by Events (most first), "Hats" filtered
    out, the Note column hidden and Share moved before Events."""
    page = QWidget()
    page.project = None  # type: ignore[attr-defined]
    page.status = StatusLine()  # type: ignore[attr-defined]
    v = QVBoxLayout(page)
    v.addWidget(page.status)  # type: ignore[attr-defined]
    model = RowsModel(["Item", "Events", "Share", "Note"],
                      formatters={2: lambda x: f"{x:.0%}"})
    model.set_rows(ROWS)
    proxy = QSortFilterProxyModel(page)
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)  # numbers sort as numbers
    proxy.setFilterKeyColumn(0)
    proxy.setFilterRegularExpression("^(?!Hats$)")
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    view.setColumnHidden(3, True)
    view.horizontalHeader().moveSection(2, 1)
    v.addWidget(view)
    menu = install_table_menu(view, "top-items")
    qtbot.addWidget(page)
    page.show()
    return page, view, menu


def test_export_writes_the_rows_and_columns_shown_as_xlsx(qtbot: Any, tmp_path: Path) -> None:
    page, _view, menu = _table(qtbot)
    out = tmp_path / "top.xlsx"
    assert menu.export(str(out)) == 3
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [["Item", "Share", "Events"], ["Bags", "13%", 5000], ["00123", "25%", 1234],
                    ["Shoes", "50%", 80]]  # counts are numbers, the code and shares text
    status = page.status  # type: ignore[attr-defined]
    assert status.isVisible() and "3 rows" in status.plain and str(out) in status.plain


def test_export_as_csv_and_a_formula_stays_text(qtbot: Any, tmp_path: Path) -> None:
    _page, view, menu = _table(qtbot)
    view.setColumnHidden(3, False)  # show the notes: one reads like a formula
    out = tmp_path / "top.csv"
    assert menu.export(str(out)) == 3
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    # Counts as plain numbers (a spreadsheet reads them in any language), the rest as shown.
    assert [r[:3] for r in rows] == [["Item", "Share", "Events"], ["Bags", "13%", "5000"],
                                     ["00123", "25%", "1234"], ["Shoes", "50%", "80"]]
    assert [r[3] for r in rows] == ["Note", "'-3+cmd", "'=SUM(A1)", "plain"]


def test_an_export_refused_says_why_on_the_page(qtbot: Any, tmp_path: Path) -> None:
    page, _view, menu = _table(qtbot)
    database = tmp_path / "shop.xlsx"
    database.write_bytes(b"SQLite format 3\x00" + bytes(100))
    assert menu.export(str(database)) is None
    assert "database" in page.status.plain  # type: ignore[attr-defined]
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"


def test_copy_whole_rows_with_headings_or_single_cells(qtbot: Any) -> None:
    _page, view, menu = _table(qtbot)
    view.selectRow(0)
    view.selectionModel().select(
        view.model().index(2, 0),
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows)
    assert selection_text(view) == "Item\tShare\tEvents\nBags\t13%\t5,000\nShoes\t50%\t80"
    view.clearSelection()
    view.selectionModel().select(view.model().index(1, 1),
                                 view.selectionModel().SelectionFlag.Select)
    assert selection_text(view) == "1,234"
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "1,234"
    copy = next(a for a in menu.menu().actions() if a.text() == "Copy")
    view.clearSelection()
    view.selectRow(2)
    copy.trigger()
    assert QGuiApplication.clipboard().text() == "Item\tShare\tEvents\nShoes\t50%\t80"


def test_every_data_table_has_the_menu_and_page_exports_stay_one(qtbot: Any) -> None:
    from gui.main_window import MainWindow
    from gui.settings import Settings

    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    menus = {m.view: m for m in window.findChildren(TableMenu)}
    pages = [window.data_page, window.train_page, window.customers_page,
             window.campaign_page, window.forecast_page, window.segments_page]
    tables = [t for p in pages for t in p.findChildren(QTableView)]
    assert len(tables) >= 8
    assert all(t in menus for t in tables), [t.model() for t in tables if t not in menus]
    # Where a page already exports a table, its menu calls that export (one writer).
    assert menus[window.customers_page.table]._export == window.customers_page.export_shown
    assert menus[window.campaign_page.table]._export == window.campaign_page.export_list
    assert menus[window.forecast_page.table]._export is None  # the movers: the shown table


@pytest.fixture
def rejected_project(project: Project, tmp_path: Path) -> Project:
    from engine.ingest.importer import run_import

    log = tmp_path / "log.csv"
    log.write_text(
        "customer_id,event_time,event_type,product_id,price\n"
        "a,2025-11-01 10:00:00,purchase,P1,9.99\n"
        "b,not a date,view,P2,1.00\n"
        "c,2025-11-02 10:00:00,view,P2,1.00\n"
        "=2+5,=NOW(),view,P1,1.00\n",
        encoding="utf-8")
    report = run_import(project, log)
    assert report.rejected == 2
    return project


@pytest.mark.parametrize("name", ["rejected.xlsx", "rejected.csv"])
def test_export_rejected_lines_writes_the_chosen_type_and_says_where(
        qtbot: Any, rejected_project: Project, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from PySide6.QtWidgets import QFileDialog

    from gui.main_window import MainWindow
    from gui.settings import Settings
    from gui.widgets import export_folder

    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.project = rejected_project
    said: list[str] = []

    def inform(_parent: object, _title: str, text: str, *_a: object) -> Any:
        said.append(text)
        return QMessageBox.StandardButton.Close

    monkeypatch.setattr(QMessageBox, "information", inform)
    started: list[str] = []
    target = tmp_path / "out" / name
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _c, start, *_a: (
        started.append(start) or (str(target), "")))
    worker = window.export_rejected()
    assert worker is not None
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        pass
    assert Path(started[0]).name == "rejected.csv"
    if name.endswith(".xlsx"):
        rows = [[c.value for c in r] for r in load_workbook(target).active.iter_rows()]
    else:
        with target.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    assert rows[0] == ["file", "line", "reason", "raw"]
    assert len(rows) == 3 and {str(r[1]) for r in rows[1:]} == {"3", "5"}
    assert len(said) == 1 and "2 rejected lines" in said[0] and str(target) in said[0]
    assert "2 rejected lines" in window.statusBar().currentMessage()
    assert export_folder() == target.parent  # the next dialog opens here


def test_the_import_wizard_saves_rejected_lines_as_excel_and_says_where(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gui.main_window import MainWindow
    from gui.settings import Settings

    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(tmp_path / "shop.intentlens"), create=True)
    log = tmp_path / "log.csv"
    log.write_text(
        "customer_id,event_time,event_type,product_id,price\n"
        "a,2025-11-01 10:00:00,purchase,P1,9.99\n"
        "b,not a date,view,P2,1.00\n"
        "c,2025-11-02 10:00:00,view,P2,1.00\n", encoding="utf-8")
    wizard = window.import_file(str(log))
    assert wizard is not None
    with qtbot.waitSignal(wizard.imported, timeout=30_000):
        wizard.start_import()
    said: list[str] = []

    def inform(_parent: object, _title: str, text: str, *_a: object) -> Any:
        said.append(text)
        return QMessageBox.StandardButton.Close

    monkeypatch.setattr(QMessageBox, "information", inform)
    # The table's menu saves every rejected line, as the button does.
    menu = next(m for m in wizard.findChildren(TableMenu) if m.view is wizard.rejected_view)
    assert menu._export == wizard.save_rejected
    out = tmp_path / "rejected.xlsx"
    worker = wizard.save_rejected(str(out))
    assert worker is not None and not wizard.save_rejected_button.isEnabled()
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        pass
    rows = [[c.value for c in r] for r in load_workbook(out).active.iter_rows()]
    assert rows[0] == ["file", "line", "reason", "raw"] and len(rows) == 2
    assert rows[1][0] == "log.csv" and rows[1][1] == 3 and "not a date" in rows[1][3]
    assert len(said) == 1 and "Saved 1 rejected line to" in said[0] and str(out) in said[0]
    assert wizard.save_rejected_button.isEnabled()
