"""Keyboard shortcuts: each does what its menu says, none clashes with another or with the
text-editing keys of a line edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from gui.settings import Settings


def _window(qtbot):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # window shortcuts need the active window
        window.show()
        window.activateWindow()
    return window


def _shortcut_actions(window: MainWindow) -> dict[str, QAction]:
    found: dict[str, QAction] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            text = key.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in found, f"{text} is both {found[text].text()} and {action.text()}"
            found[text] = action
    return found


def test_shortcuts_are_in_the_menus_and_never_clash(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    found = _shortcut_actions(window)  # asserts that no key does two things
    for key in ("Ctrl+O", "Ctrl+I", "Ctrl+E", "Ctrl+F", "F1",
                *(f"Ctrl+{n}" for n in range(1, 7))):
        assert key in found, key
    menu_actions = {a for m in window.menuBar().actions() for a in m.menu().actions()}
    assert set(found.values()) <= menu_actions  # every shortcut is shown in a menu
    go = next(m.menu() for m in window.menuBar().actions() if m.text() == "&Go")
    assert [a.text() for a in go.actions()[:6]] == [
        "Data", "Train", "Customers", "Campaign", "Forecast", "Segments"]
    editing = set()
    for standard in (
        QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut,
        QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.Undo,
        QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.SelectAll,
        QKeySequence.StandardKey.Delete, QKeySequence.StandardKey.Backspace,
        QKeySequence.StandardKey.DeleteEndOfLine, QKeySequence.StandardKey.DeleteEndOfWord,
        QKeySequence.StandardKey.DeleteStartOfWord, QKeySequence.StandardKey.DeleteCompleteLine,
        QKeySequence.StandardKey.MoveToStartOfLine, QKeySequence.StandardKey.MoveToEndOfLine,
        QKeySequence.StandardKey.MoveToNextWord, QKeySequence.StandardKey.MoveToPreviousWord,
        QKeySequence.StandardKey.SelectStartOfLine, QKeySequence.StandardKey.SelectEndOfLine,
        QKeySequence.StandardKey.SelectNextWord, QKeySequence.StandardKey.SelectPreviousWord,
        QKeySequence.StandardKey.MoveToStartOfDocument,
        QKeySequence.StandardKey.MoveToEndOfDocument,
    ):
        editing |= {k.toString(QKeySequence.SequenceFormat.PortableText)
                    for k in QKeySequence.keyBindings(standard)}
    assert not editing & set(found), editing & set(found)


def test_ctrl_digits_go_to_the_pages(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6)
    pages = (window.data_page, window.train_page, window.customers_page,
             window.campaign_page, window.forecast_page, window.segments_page)
    for key, page in reversed(list(zip(keys, pages, strict=True))):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.pages.currentWidget() is page
        assert window.nav.currentRow() == window.pages.indexOf(page)
    # Typing in a search box does not swallow the page keys.
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    window.customers_page.search.setFocus()
    qtbot.keyClick(window.customers_page.search, Qt.Key.Key_2,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.train_page
    assert window.customers_page.search.text() == ""


def test_ctrl_f_focuses_the_search_box_of_the_page(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    search = window.customers_page.search
    search.setText("12")
    window.customers_page.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is search
    assert search.selectedText() == "12"  # typing replaces the old search
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    # Forecast's series picker is the find box once a forecast shows; none shows yet.
    assert QApplication.focusWidget() is not window.forecast_page.series.lineEdit()
    # A page without a search box: nothing happens.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    before = QApplication.focusWidget()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is before


def test_ctrl_e_exports_from_the_page_when_it_can(qtbot, monkeypatch):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    calls: list[str] = []
    monkeypatch.setattr(window.customers_page, "export_shown", lambda: calls.append("shown"))
    monkeypatch.setattr(window.campaign_page, "export_list", lambda: calls.append("list"))
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    button = window.customers_page.export_shown_button
    button.setEnabled(False)  # an empty list: nothing happens but a word on the status line
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert calls == []
    assert window.statusBar().currentMessage() == "Nothing to export on this page."
    button.setEnabled(True)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["shown"]
    window.campaign_page.export_button.setVisible(True)
    window.campaign_page.export_button.setEnabled(True)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["shown", "list"]
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # Data: none
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["shown", "list"]


def test_import_open_and_help_keys(qtbot, monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[str] = []
    # Patched on the class before the window connects its menu actions to them.
    monkeypatch.setattr(MainWindow, "import_file", lambda self, *_a: calls.append("import"))
    monkeypatch.setattr(MainWindow, "show_page_guide", lambda self: calls.append("guide"))
    monkeypatch.setattr(MainWindow, "choose_project", lambda self: calls.append("open"))
    window = _window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["import", "guide", "open"]  # F1: the guide to the page shown
