"""The wizard offers the mapping of the last import of the same kind of file, and applies it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from gui.main_window import MainWindow
from gui.settings import Settings
from storage.project import open_project


def _window(qtbot, project_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(open_project(project_path).location.removeprefix("sqlite:///"))
    return window


def _log(path: Path, first: int, *, columns: tuple[str, ...]) -> Path:
    """A shop's log with its own event word "zap"; "addtocart" appears only after 300 rows."""
    rows = []
    for i in range(300):
        values = {"client": f"c{first + i % 30}", "ts": f"2024-04-0{1 + i % 9} 10:00:00",
                  "action": ("view", "zap", "cart")[i % 3], "sku": f"s{i % 5}",
                  "note": "x"}
        rows.append(values)
    rows.append({"client": f"c{first}", "ts": "2024-04-09 12:00:00", "action": "addtocart",
                 "sku": "s1", "note": "y"})
    lines = [",".join(columns)] + [",".join(r[c] for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _meaning(wizard, word: str) -> str:  # type: ignore[no-untyped-def]
    table = wizard.events_table
    for row in range(table.rowCount()):
        if table.cellWidget(row, 0).toolTip() == word:
            combo = table.cellWidget(row, 2)
            assert isinstance(combo, QComboBox)
            return combo.currentData()
    raise AssertionError(f"{word} not listed")


COLUMNS = ("client", "ts", "action", "sku", "note")


def test_the_wizard_offers_and_applies_the_last_mapping_of_the_kind(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "shop.intentlens")
    may = _log(tmp_path / "may.csv", 0, columns=COLUMNS)
    first = window.import_file(str(may))
    assert first is not None and first.preview is not None
    assert first.previous_bar.isHidden(), "nothing imported yet: nothing to offer"
    # The user maps the shop's own word and leaves the item out.
    assert _meaning(first, "zap") == "other"
    table = first.events_table
    row = next(r for r in range(table.rowCount()) if table.cellWidget(r, 0).toolTip() == "zap")
    table.cellWidget(row, 2).setCurrentText("clicked")  # what the user reads
    items = first.column_combos["item"]
    assert items.currentData() == "sku"
    items.setCurrentIndex(0)  # "— not in this file —"
    first.options = replace(first.options, chunk_rows=40)  # "addtocart" comes in a later chunk
    with qtbot.waitSignal(first.imported, timeout=60_000) as done:
        qtbot.mouseClick(first.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0].events_by_type["click"] == 100
    first.close()

    # Next month's export of the same kind: other rows, the columns in another order.
    june = _log(tmp_path / "june.csv", 100, columns=("sku", "note", "action", "client", "ts"))
    wizard = window.import_file(str(june))
    assert wizard is not None and wizard.preview is not None
    bar = wizard.previous_bar
    assert not bar.isHidden() and not bar.button.isHidden()
    assert bar.button.text() == "Same mapping as last time"
    assert "may.csv" in bar.label.text()
    # Not applied until asked: the file is mapped as detected.
    assert _meaning(wizard, "zap") == "other"
    assert wizard.column_combos["item"].currentData() == "sku"

    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert _meaning(wizard, "zap") == "click"
    assert _meaning(wizard, "addtocart") == "cart"  # met only in a later chunk last time
    assert wizard.column_combos["item"].currentData() == ""
    assert wizard.column_combos["customer"].currentData() == "client"
    assert wizard.preview.ready and wizard.import_button.isEnabled()
    assert bar.button.isHidden() and "Mapped as the last import" in bar.label.text()

    # Still the user's to change.
    wizard.column_combos["item"].setCurrentIndex(wizard.column_combos["item"].findData("sku"))
    assert wizard.preview.mapping.columns["item"] == 0
    with qtbot.waitSignal(wizard.imported, timeout=60_000) as done:
        wizard.start_import()
    report = done.args[0]
    assert report.events_by_type["click"] == 100 and report.mapping["item"] == "sku"
    wizard.close()

    # Another kind of file: no offer.
    other = tmp_path / "orders.csv"
    other.write_text("customer,date,amount\nA1,2024-01-02,12.5\nB2,2024-01-03,7\n")
    third = window.import_file(str(other))
    assert third is not None and third.preview is not None
    assert third.previous_bar.isHidden()
    third.close()
