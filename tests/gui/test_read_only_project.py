"""A read-only project in the window (issue 11): it opens for viewing, a banner and the status
bar say it is read-only, and import, training, making a run active and forgetting a customer
are refused up front with the same sentence, before any work starts."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from engine.ingest import run_import
from gui.main_window import MainWindow
from gui.readonly import ReadOnlyBanner, install_read_only_notice
from gui.settings import Settings
from storage.project import open_project

CSV = (
    "customer,time,event,item,price\n"
    + "".join(
        f"c{i % 7},2024-05-{1 + i % 28:02d} 10:{i % 60:02d}:00,{('view', 'cart', 'purchase')[i % 3]},"
        f"s{i % 5},{i % 9}.50\n"
        for i in range(60)
    )
)


def _make_read_only(path: Path) -> bool:
    """chmod, or for root (whom file modes do not stop) the immutable attribute."""
    path.chmod(0o555 if path.is_dir() else 0o444)
    if not os.access(path, os.W_OK):
        return True
    if shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    return not os.access(path, os.W_OK)


def _make_writable(path: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(params=["file", "folder"])
def read_only_project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "shop"
    folder.mkdir()
    path = folder / "shop.intentlens"
    data = tmp_path / "orders.csv"
    data.write_text(CSV, encoding="utf-8")
    project = open_project(path)
    try:
        run_import(project, data)
    finally:
        project.close()
    target = path if request.param == "file" else folder
    try:
        if not _make_read_only(target):
            pytest.skip("cannot make a file read-only for this user on this file system")
        yield path
    finally:
        _make_writable(target)


def test_a_read_only_project_says_so_and_refuses_changes_up_front(
    qtbot, read_only_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []

    def record(_parent: object, _title: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", record)
    before = read_only_project.read_bytes()
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    banner = install_read_only_notice(window)
    assert install_read_only_notice(window) is banner  # once, however often it is asked
    window.resize(1280, 800)
    window.show()
    assert window.open_project(str(read_only_project))
    assert window.project is not None and window.project.read_only

    # The banner above the pages and a word in the status bar.
    assert window.findChildren(ReadOnlyBanner) == [banner]
    assert banner.isVisible()
    sentence = banner.label.text()
    assert "read-only" in sentence and read_only_project.name in sentence
    assert "Open a copy to import or train" in sentence
    word = window.findChild(QLabel, "read_only_word")
    assert word is not None and word.isVisible()

    # The project is shown: the Data page reads it as usual.
    page = window.data_page
    qtbot.waitUntil(lambda: page.summary is not None, timeout=30_000)
    assert page.summary is not None and page.summary.overview.events == 60

    # Import: refused with the sentence, before reading a line.
    data = tmp_path / "more.csv"
    data.write_text(CSV.replace("c", "d"), encoding="utf-8")
    wizard = window.import_file(str(data))
    if wizard is None:  # refused before the wizard opens
        assert shown == [sentence]
    else:  # the wizard shows the file, says why it cannot import it, and will not
        assert sentence in wizard.problem_label.text()
        assert not wizard.import_button.isEnabled()
        wizard.start_import()
        assert wizard.worker is None and wizard.steps.currentIndex() == 0
        wizard.close()

    # Training: Start stays off and the page says why.
    train = window.train_page
    qtbot.waitUntil(lambda: train.status.text() == sentence, timeout=30_000)
    assert not train.start_button.isEnabled()
    train.start()
    assert train.worker is None
    assert train.activate_selected_run() is None

    # Forgetting a customer: refused with the sentence, no worker started.
    customers = window.customers_page
    customers.card = SimpleNamespace(customer="c1")  # type: ignore[assignment]
    shown.clear()
    customers.forget_customer(confirm=True)
    assert shown == [sentence]
    assert customers._forget_worker is None

    window.close()
    assert read_only_project.read_bytes() == before


def test_a_writable_project_shows_no_banner(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    banner = install_read_only_notice(window)
    window.show()
    path = tmp_path / "new.intentlens"
    open_project(path).close()
    assert window.open_project(str(path))
    assert window.project is not None and not window.project.read_only
    assert not banner.isVisible()
    word = window.findChild(QLabel, "read_only_word")
    assert word is not None and not word.isVisible()
    window.close()
