"""File dialogs start in the user's folders (Documents, or where the last save went), never in
the folder the application was started from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from gui.main_window import MainWindow
from gui.settings import Settings
from gui.widgets import export_folder, remember_export_folder


def test_new_open_and_import_dialogs_start_in_the_users_folder(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "home"))  # this test's own settings
    last = tmp_path / "exports"
    last.mkdir()
    remember_export_folder(last / "list.xlsx")
    assert export_folder() == last
    seen: list[str] = []

    def record(_parent, _caption, start, *_rest, **_kw):  # type: ignore[no-untyped-def]
        seen.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", record)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", record)
    monkeypatch.chdir(tmp_path)  # the folder the app was started from
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.new_project()
    window.choose_project()
    assert Path(seen[0]) == last / "shop.intentlens"
    assert Path(seen[1]) == last
    from gui.import_wizard import ImportWizard

    wizard = ImportWizard(None, window)  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.choose_file()
    assert Path(seen[2]) == last
