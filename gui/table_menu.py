"""The right-click menu of every table that shows data: "Copy" and "Export this table…".

One call installs it: ``install_table_menu(view, "top-items")``. "Copy" (also Ctrl+C) puts the
selected cells on the clipboard as tab-separated text, which a spreadsheet pastes into cells;
whole rows come with the column headings. "Export this table…" writes what the table shows -
its rows after filtering, in its sort order, its visible columns in their order, under their
headings - as CSV or Excel by the file name, through ``engine.exports.write_csv`` (so a text
that looks like a formula is made harmless, and nothing half-written is left behind). A page
that already exports this table passes its own export instead (``export=page.export_list``),
so one table has one writer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView

from gui.widgets import ask_export_path, tell_failed, tell_saved


def _tr(text: str) -> str:
    return QCoreApplication.translate("table_menu", text)


def _columns(view: QTableView) -> list[int]:
    """The model columns the table shows, in the order it shows them."""
    header = view.horizontalHeader()
    model = view.model()
    count = model.columnCount() if model is not None else 0
    logical = [header.logicalIndex(v) for v in range(header.count())]
    return [c for c in logical if 0 <= c < count and not view.isColumnHidden(c)]


def _rows(view: QTableView) -> list[int]:
    """The model rows the table shows, top to bottom (a sorted model or proxy is already in
    the order shown)."""
    model = view.model()
    if model is None:
        return []
    return [r for r in range(model.rowCount()) if not view.isRowHidden(r)]


def _text(view: QTableView, row: int, column: int) -> str:
    value = view.model().index(row, column).data(Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)


def headings(view: QTableView, columns: list[int]) -> list[str]:
    """The headings of ``columns`` as the table shows them."""
    model = view.model()
    out = []
    for c in columns:
        label = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        out.append("" if label is None else str(label))
    return out


def _cell(view: QTableView, row: int, column: int) -> Any:
    """A cell for an export: the text shown, or the number shown when the cell is a figure
    (right-aligned, as every table aligns its numbers) that reads as nothing but a number:
    "1,234" is written as 1234, while "12%", "$5.00", "new" and a left-aligned item code like
    "00123" stay text. A spreadsheet can then add the figures up."""
    text = _text(view, row, column)
    align = view.model().index(row, column).data(Qt.ItemDataRole.TextAlignmentRole)
    right = align is not None and bool(int(align) & int(Qt.AlignmentFlag.AlignRight))
    if not text or not right:
        return text
    locale = QLocale()
    value, ok = locale.toDouble(text)
    if not ok:
        return text
    return int(value) if value.is_integer() and locale.decimalPoint() not in text else value


def shown_table(view: QTableView) -> tuple[list[str], list[list[Any]]]:
    """What the table shows: its headings and its rows (see the module's docstring)."""
    columns = _columns(view)
    return headings(view, columns), [[_cell(view, r, c) for c in columns] for r in _rows(view)]


def selection_text(view: QTableView) -> str:
    """The selected cells as tab-separated lines (the current cell when nothing is
    selected), in the order shown; whole rows come under the column headings."""
    selection = view.selectionModel()
    indexes: list[QModelIndex] = selection.selectedIndexes() if selection is not None else []
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex()]
    if not indexes:
        return ""
    chosen = {(i.row(), i.column()) for i in indexes}
    picked_rows = {r for r, _ in chosen}
    picked_columns = {c for _, c in chosen}
    rows = [r for r in _rows(view) if r in picked_rows]
    shown = _columns(view)
    columns = [c for c in shown if c in picked_columns]
    whole = bool(rows) and all(
        selection is not None and selection.isRowSelected(r, QModelIndex()) for r in rows)
    if whole:
        columns = shown
    lines = [headings(view, columns)] if whole else []
    for r in rows:
        lines.append([_text(view, r, c) if whole or (r, c) in chosen else "" for c in columns])
    return "\n".join("\t".join(" ".join(cell.split()) for cell in line) for line in lines)


class TableMenu(QObject):
    """The menu of one table (a child of the view, so it lives as long as the table)."""

    def __init__(self, view: QTableView, name: str,
                 export: Callable[[], object] | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.name = name
        self._export = export
        self.copy_action = QAction(_tr("Copy"), view)
        self.copy_action.triggered.connect(self.copy)
        # Ctrl+C copies the selection, not only the current cell. A key filter, not an action
        # shortcut: a shortcut per table would clash with every other table's and the window's.
        view.installEventFilter(self)
        self.export_action = QAction(_tr("Export this table…"), view)
        self.export_action.setToolTip(_tr(
            "The rows and columns the table shows, in its order, as a CSV or Excel file"))
        self.export_action.triggered.connect(lambda _checked=False: self.export())
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Ctrl+C (the platform's Copy key) on the table copies the selected cells."""
        if (watched is self.view and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.matches(QKeySequence.StandardKey.Copy)):
            self.copy()
            return True
        return super().eventFilter(watched, event)

    def menu(self) -> QMenu:
        """The menu as it opens now (Copy needs a cell, Export a row)."""
        menu = QMenu(self.view)
        model = self.view.model()
        has_rows = model is not None and model.rowCount() > 0
        self.copy_action.setEnabled(has_rows)
        self.export_action.setEnabled(has_rows)
        menu.addAction(self.copy_action)
        menu.addSeparator()
        menu.addAction(self.export_action)
        return menu

    def _show(self, pos: QPoint) -> None:
        self.menu().exec(self.view.viewport().mapToGlobal(pos))

    def copy(self) -> None:
        """Put the selected cells on the clipboard."""
        text = selection_text(self.view)
        if text:
            QGuiApplication.clipboard().setText(text)

    def export(self, path: str | None = None) -> int | None:
        """Export the table: the page's own export when it has one, else what the table shows,
        as CSV or Excel by the file name (asks where unless ``path`` is given); says where it
        went or why not. Returns the rows written by the table's own export (None otherwise)."""
        if self._export is not None:
            self._export()
            return None
        from engine.exports import ExportError, write_csv

        if not path:
            path = ask_export_path(self.view, _tr("Export this table"), f"{self.name}.xlsx")
            if not path:
                return None
        header, rows = shown_table(self.view)
        try:
            n = write_csv(rows, path, header)
        except ExportError as exc:
            tell_failed(self.view, str(exc))
            return None
        what = _tr("1 row") if n == 1 else _tr("{0:,} rows").format(n)
        tell_saved(self.view, what, Path(path))
        return n


def install_table_menu(view: QTableView, name: str, *,
                       export: Callable[[], object] | None = None) -> TableMenu:
    """Give a table its right-click menu and Ctrl+C. ``name`` is the file name the export
    suggests (without ending); ``export`` is the page's own export of this table, if any."""
    return TableMenu(view, name, export)
