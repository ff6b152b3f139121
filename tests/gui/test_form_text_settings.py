"""Text settings in the one settings form: item ids (typed or loaded from a file's first column),
category names with completion, and plain text; each round-trips through values()."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QFileDialog, QLineEdit, QPlainTextEdit

from engine.fields import setting
from gui.tasks.form import ItemsEdit, SettingsForm, read_first_column


@dataclass(frozen=True)
class ShelfConfig:
    """A config with every kind of text setting (not a real task)."""

    never: str = setting("", label="Never recommend", kind="items",
                         help="item ids that are out of stock or discontinued")
    only: str | None = setting(None, label="Only these categories", kind="categories",
                               help="category names separated by commas; empty: all")
    note: str = setting("spring", label="Campaign name", help="any words")
    mode: str = setting("a", label="Mode", choices=(("a", "A"), ("b", "B")), help="a or b")
    hidden: str = setting("x", label="Hidden words", advanced=True, help="folded")


def test_each_text_kind_gets_its_widget(qtbot) -> None:  # type: ignore[no-untyped-def]
    form = SettingsForm(ShelfConfig)
    qtbot.addWidget(form)
    never = form.widgets["never"]
    assert isinstance(never, ItemsEdit) and isinstance(never.text, QPlainTextEdit)
    assert "first column" in never.load_button.toolTip()
    assert never.text.height() < 4 * never.text.fontMetrics().lineSpacing() + 30
    only = form.widgets["only"]
    assert isinstance(only, QLineEdit) and only.placeholderText() == "all categories"
    assert only.completer() is not None
    assert isinstance(form.widgets["note"], QLineEdit)
    assert isinstance(form.widgets["mode"], QComboBox)  # choices still win
    assert form.values() == {"never": "", "only": None, "note": "spring", "mode": "a",
                             "hidden": "x"}


def test_text_values_round_trip(qtbot) -> None:  # type: ignore[no-untyped-def]
    form = SettingsForm(ShelfConfig)
    qtbot.addWidget(form)
    form.set_value("never", "A1\nB2, C3")
    form.set_value("only", "Shoes, Bags")
    form.set_value("note", "summer sale")
    form.advanced.setChecked(True)
    form.set_value("hidden", "y")
    values = form.values()
    assert values == {"never": "A1\nB2, C3", "only": "Shoes, Bags", "note": "summer sale",
                      "mode": "a", "hidden": "y"}
    assert ShelfConfig(**values).never == "A1\nB2, C3"
    again = SettingsForm(ShelfConfig)
    qtbot.addWidget(again)
    again.advanced.setChecked(True)
    for name, value in values.items():
        again.set_value(name, value)
    assert again.values() == values
    form.set_value("only", "  ")
    assert form.value("only") is None  # blank: all categories
    form.set_value("never", None)
    assert form.value("never") == ""


def test_load_from_file_reads_the_first_column(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "stock.csv"
    path.write_text("item_id;name;stock\nA1;Red shoe;0\n\nB2;Blue bag;0\nA1;again;0\nC 3;x;0\n",
                    encoding="utf-8")
    form = SettingsForm(ShelfConfig)
    qtbot.addWidget(form)
    never = form.widgets["never"]
    assert isinstance(never, ItemsEdit)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    never.load_button.click()
    assert never.text.toPlainText() == "A1\nB2\nC 3"
    assert form.value("never") == "A1\nB2\nC 3"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    never.load_button.click()  # cancelled: the box keeps its ids
    assert form.value("never") == "A1\nB2\nC 3"


def test_first_column_of_a_plain_list(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_bytes("\ufeffSKU-1\nSKU-2\n  SKU-3  \n".encode())
    assert read_first_column(path) == ["SKU-1", "SKU-2", "SKU-3"]
    tabbed = tmp_path / "tabbed.txt"
    tabbed.write_text("sku\tqty\nX\t1\nY\t2\n", encoding="utf-8")
    assert read_first_column(tabbed) == ["X", "Y"]


def test_category_completion_offers_the_shops_names(qtbot) -> None:  # type: ignore[no-untyped-def]
    form = SettingsForm(ShelfConfig)
    qtbot.addWidget(form)
    form.set_categories(["Shoes", "Bags", "Shirts"])
    only = form.widgets["only"]
    assert isinstance(only, QLineEdit)
    completer = only.completer()
    only.setText("Bags, sh")
    completer.setCompletionPrefix(completer.splitPath(only.text())[0])
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionModel().rowCount())]
    assert found == ["Shirts", "Shoes"]
    completer.setCurrentRow(1)
    assert completer.pathFromIndex(completer.currentIndex()) == "Bags, Shoes"
