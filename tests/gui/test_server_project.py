"""File → Connect to a database server…: the project in a PostgreSQL database opens in the
window, which names it by its address with the password masked and never stores the password."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from engine.ingest import run_import
from gui.main_window import MainWindow
from gui.server_dialog import ServerDialog
from gui.settings import Settings
from storage.queries import overview
from tests.gui.test_read_only_project import CSV

SECRET = "s3cret-Pw"


def test_the_dialog_puts_the_typed_password_into_the_location(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ServerDialog(None, "")
    qtbot.addWidget(dialog)
    connect = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not connect.isEnabled()  # no address yet
    address = "postgresql+psycopg://shop@db.example:5432/intentlens"
    dialog.address.setText(address)
    assert connect.isEnabled() and dialog.location() == address
    dialog.password.setText("p@ss:w/rd")
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.location() == "postgresql+psycopg://shop:p%40ss%3Aw%2Frd@db.example:5432/intentlens"


def test_connecting_shows_the_masked_address_and_stores_no_password(  # type: ignore[no-untyped-def]
    qtbot, pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    window = MainWindow(settings, remember=True)
    qtbot.addWidget(window)
    typed = {"password": SECRET}
    offered: list[str] = []

    def answer(dialog: ServerDialog) -> int:
        offered.append(dialog.address.text())
        dialog.address.setText(pg_url)
        dialog.password.setText(typed["password"])
        return ServerDialog.DialogCode.Accepted

    monkeypatch.setattr(ServerDialog, "exec", answer)
    try:
        _connect_twice(window, settings, typed, offered, pg_url, tmp_path)
    finally:
        window.remember = False  # closing must not write the window's geometry anywhere


def _connect_twice(  # type: ignore[no-untyped-def]
    window: MainWindow, settings: Settings, typed: dict[str, str], offered: list[str],
    pg_url: str, tmp_path
) -> None:
    actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Connect to a database server…" in actions
    assert window.connect_server()  # the test server trusts local users: any password connects
    project = window.project
    assert project is not None and project.path is None
    assert "***" in window.windowTitle() and SECRET not in window.windowTitle()
    assert "***" in window.project_label.text() and SECRET not in window.project_label.text()
    assert settings.recent_projects == []  # an address with a password is not kept
    data = tmp_path / "orders.csv"
    data.write_text(CSV, encoding="utf-8")
    run_import(project, data)
    assert overview(project).events == 60

    typed["password"] = ""  # a server that needs none here (trust, ~/.pgpass): remembered
    assert window.connect_server()
    assert settings.recent_projects == [pg_url] and offered == ["", ""]
    assert window.connect_server() and offered[-1] == pg_url  # offered again next time
    assert overview(window.project).events == 60  # type: ignore[arg-type]
