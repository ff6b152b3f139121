"""GUI test fixtures: offscreen Qt, isolated settings, no worker left running."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("INTENTLENS_HOME", tempfile.mkdtemp(prefix="intentlens-test-home-"))

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QThreadPool  # noqa: E402


@pytest.fixture(autouse=True)
def english_figures() -> Iterator[None]:
    """Figures as en_US writes them ("1,234.50", "1/31/2024"), whatever the machine's locale;
    a test that changes the locale or the shop's currency leaves neither behind."""
    from PySide6.QtCore import QLocale

    from gui import formats

    QLocale.setDefault(QLocale("en_US"))
    formats.set_currency("")
    yield
    QLocale.setDefault(QLocale("en_US"))
    formats.set_currency("")


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp: object) -> Iterator[None]:
    """A test that leaves a worker running fails (GUIDE.md section 3)."""
    yield
    assert QThreadPool.globalInstance().waitForDone(30_000), "a worker was left running"


@pytest.fixture(scope="session")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated shop log of 300 customers (seeded)."""
    from engine.demo import write_demo_csv

    path = tmp_path_factory.mktemp("demo") / "shop-export.csv"
    write_demo_csv(path, customers=300, seed=11)
    return path


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A modal message box would wait forever offscreen: record it and fail the test instead.

    Tests that expect a dialog patch QMessageBox themselves (their patch wins)."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def record(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        shown.append(str(args[2]) if len(args) > 2 else "")
        return QMessageBox.StandardButton.No

    for name in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, name, record)
    yield shown
    assert not shown, f"unexpected dialog: {shown}"
