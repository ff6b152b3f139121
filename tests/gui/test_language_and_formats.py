"""The language a user chooses and the figures they read: Settings stores the language, the next
start speaks it (IntentLens's and Qt's own translations), "System" follows the computer's
locale; counts, money, shares and days are written the locale's way, with the shop's currency
once an import has shown it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from engine.currency import note_import_currency, set_shop_currency, shop_currency
from engine.words import set_translator, tr
from gui import app as app_module
from gui import formats
from gui.app import apply_language
from gui.main_window import MainWindow
from gui.pages.customers_model import CustomersModel
from gui.settings import Settings, load_settings
from gui.settings_dialog import SettingsDialog
from storage.project import open_project

#: 2024-01-31 00:00 UTC.
JAN_31 = int(datetime(2024, 1, 31, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def started() -> Iterator[list[QTranslator]]:
    """Translators a test's "start" installs, removed afterwards (the app is shared)."""
    installed: list[QTranslator] = []
    yield installed
    for translator in installed:
        QCoreApplication.removeTranslator(translator)
        translator.deleteLater()
    set_translator(lambda text: text)
    app_module._running_language = "system"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A settings folder of the test's own."""
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _names(translators: list[QTranslator]) -> list[str]:
    return sorted(Path(t.filePath()).name for t in translators)


# -- the language ---------------------------------------------------------------------------

def test_choosing_chinese_in_settings_is_spoken_from_the_next_start(
    qtbot: Any, qapp: QApplication, home: Path, started: list[QTranslator]
) -> None:
    settings = load_settings()
    assert settings.language == "system"  # first start: the system decides
    dialog = SettingsDialog(settings, None)
    qtbot.addWidget(dialog)
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == [
        "system", "en", "zh_CN"]
    assert dialog.language.itemText(2) == "简体中文"
    assert dialog.restart_note.isHidden()
    dialog.language.setCurrentIndex(2)
    assert not dialog.restart_note.isHidden()  # said before OK: it is not applied live
    dialog.accept()
    assert load_settings().language == "zh_CN"

    # The next start, on an English computer, as run_gui does it.
    started += apply_language(qapp, load_settings().language, system=QLocale("en_US"))
    assert _names(started) == ["intentlens_zh_CN.qm", "qtbase_zh_CN.qm"]
    assert QLocale().name() == "zh_CN"
    assert QCoreApplication.translate("MainWindow", "Data") == "数据"
    assert tr("Segment") == "分群"  # the engine's words too
    # Qt's own dialogs: the standard buttons of a message box and a button box.
    box = QMessageBox()
    box.addButton(QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    again = SettingsDialog(load_settings(), None)
    qtbot.addWidget(again)
    assert again.restart_note.isHidden()  # it is the language spoken now
    ok = again.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "确定"  # Qt's own words for its own buttons


def test_system_follows_the_computers_locale(qapp: QApplication, started: list[QTranslator]
                                             ) -> None:
    started += apply_language(qapp, "system", system=QLocale("zh_CN"))
    assert _names(started) == ["intentlens_zh_CN.qm", "qtbase_zh_CN.qm"]
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    for translator in started:
        QCoreApplication.removeTranslator(translator)
    started.clear()

    started += apply_language(qapp, "system", system=QLocale("de_DE"))
    assert "intentlens_zh_CN.qm" not in _names(started)
    assert QLocale().name() == "de_DE"
    assert QCoreApplication.translate("MainWindow", "Data") == "Data"
    assert formats.number(1234.5) == "1.234,50"


def test_english_on_a_chinese_computer_stays_english(qapp: QApplication,
                                                     started: list[QTranslator]) -> None:
    started += apply_language(qapp, "en", system=QLocale("zh_CN"))
    assert "intentlens_zh_CN.qm" not in _names(started)
    assert QLocale().language() == QLocale.Language.English
    assert QCoreApplication.translate("MainWindow", "Data") == "Data"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert tr("Segment") == "Segment"


def test_an_unknown_language_in_the_settings_file_follows_the_system(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "settings.json").write_text(
        '{"version": 1, "recent_projects": [], "language": "klingon"}', encoding="utf-8")
    assert load_settings().language == "system"


# -- figures --------------------------------------------------------------------------------

def test_figures_in_us_english() -> None:
    assert formats.integer(1234567) == "1,234,567"
    assert formats.integer(np.int64(42)) == "42"
    assert formats.number(1234.5) == "1,234.50"
    assert formats.number(-0.001) == "0.00"  # never "-0.00"
    assert formats.percent(0.256) == "26%"
    assert formats.percent(0.1, signed=True) == "+10%"
    assert formats.percent(-0.1, signed=True) == "−10%"
    assert formats.day(JAN_31) == "1/31/2024"
    assert formats.integer(float("nan")) == formats.day(None) == "–"
    assert formats.money(1234.5) == "1,234.50"  # no currency known: a plain number
    formats.set_currency("$")
    assert formats.money(1234.5) == "$1,234.50"
    assert formats.money(-12) == "-$12.00"  # a loss, not accounting parentheses
    formats.set_currency("EUR")
    assert formats.money(1234.6, 0) == "EUR\u00a01,235"


def test_figures_in_chinese_and_german() -> None:
    QLocale.setDefault(QLocale("zh_CN"))
    formats.set_currency("¥")
    assert formats.integer(1234567) == "1,234,567"
    assert formats.money(1234.5) == "¥1,234.50"
    assert formats.day(JAN_31) == "2024/1/31"
    assert formats.percent(0.5) == "50%"
    QLocale.setDefault(QLocale("de_DE"))
    formats.set_currency("€")
    assert formats.integer(1234567) == "1.234.567"
    assert formats.number(1234.5, 1) == "1.234,5"
    assert formats.money(1234.5) == "1.234,50\u00a0€"
    assert formats.day(JAN_31) == "31.01.2024"
    QLocale.setDefault(QLocale.c())  # a bare system with no language: ISO days, grouped
    assert formats.day(JAN_31) == "2024-01-31"
    assert formats.integer(230297) == "230,297"
    assert formats.number(778823.98) == "778,823.98"


def test_the_customers_table_writes_the_locales_figures() -> None:
    model = CustomersModel()
    frame = pd.DataFrame({key: [np.nan] for key in model.keys})
    frame["customer_id"] = [7]
    frame["customer"] = ["c-7"]
    frame["purchases"] = [1234.0]
    frame["revenue"] = [98765.4]
    frame["last_ms"] = [float(JAN_31)]
    frame["score"] = [0.42]
    for key, kind in zip(model.keys, model.kinds, strict=True):
        if kind == "text":
            frame[key] = frame[key].astype(object).where(frame[key].notna(), "")
    frame["customer"] = ["c-7"]
    model.set_frame(frame)

    def shown(key: str) -> str:
        return str(model.data(model.index(0, model.keys.index(key)),
                              Qt.ItemDataRole.DisplayRole))

    assert (shown("purchases"), shown("revenue"), shown("last_ms"), shown("score")) == (
        "1,234", "98,765.40", "1/31/2024", "42%")
    QLocale.setDefault(QLocale("de_DE"))
    formats.set_currency("€")
    assert (shown("purchases"), shown("revenue"), shown("last_ms"), shown("score")) == (
        "1.234", "98.765,40\u00a0€", "31.01.2024", "42%")


# -- the shop's currency --------------------------------------------------------------------

def test_an_import_with_euro_prices_shows_revenue_in_euro(qtbot: Any, tmp_path: Path) -> None:
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "customer;date;amount\nA1;2024-01-02;€1.234,50\nB2;2024-01-03;€7,00\n"
        "A1;2024-01-31;€12,25\n", encoding="utf-8")
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    menu_item = next(a for a in window.findChildren(QAction) if a.text() == "&Settings…")
    assert menu_item.shortcut() == QKeySequence(QKeySequence.StandardKey.Preferences)
    project = open_project(tmp_path / "shop.intentlens", create=True)
    window.set_project(project)
    assert formats.currency() == ""
    wizard = window.import_file(str(csv))
    assert wizard is not None and wizard.preview is not None and wizard.preview.ready
    with qtbot.waitSignal(wizard.imported, timeout=60_000):
        wizard.start_import()
    assert shop_currency(project) == "€"
    page = window.data_page
    qtbot.waitUntil(lambda: page.summary is not None and page.summary.overview.events == 3,
                    timeout=20_000)
    qtbot.waitUntil(lambda: page.cards["revenue"].value.text() == "€1,253.75", timeout=20_000)
    wizard.close()

    # The user corrects it in Settings: every figure is shown again with the new one.
    dialog = SettingsDialog(window.settings, project, window, save=False)
    qtbot.addWidget(dialog)
    assert dialog.currency.text() == "€" and dialog.currency.isEnabled()
    dialog.currency.setText("EUR")
    dialog.accept()
    assert dialog.currency_changed
    window.show_project_again()
    assert shop_currency(project) == "EUR" and formats.currency() == "EUR"
    # A later import that shows "€" again does not overrule the user.
    assert note_import_currency(project, wizard.preview.mapping) == "EUR"
    qtbot.waitUntil(lambda: page.cards["revenue"].value.text() == "EUR\u00a01,253.75",
                    timeout=20_000)
    # Emptied, the amounts are plain numbers again.
    set_shop_currency(project, "")
    window.show_project_again()
    qtbot.waitUntil(lambda: page.cards["revenue"].value.text() == "1,253.75", timeout=20_000)


def test_file_settings_stores_the_choice_and_says_when_it_applies(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)

    def choose_chinese(dialog: SettingsDialog) -> int:
        assert not dialog.currency.isEnabled()  # no project open: no currency to set
        dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
        dialog.accept()
        return int(SettingsDialog.DialogCode.Accepted)

    monkeypatch.setattr(SettingsDialog, "exec", choose_chinese)
    window.open_settings()
    assert window.settings.language == "zh_CN"
    assert window.statusBar().currentMessage() == (
        "The language changes when IntentLens starts again.")


def test_a_chinese_ui_on_a_c_locale_writes_chinese_dates() -> None:
    """LANGUAGE=zh_CN with LANG=C: Qt's system locale is Chinese but takes C's date forms
    ("1 06 2025"); IntentLens writes the language's own (2025/6/1)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LANG": "C.UTF-8", "LANGUAGE": "zh_CN", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LC_ALL", None)
    code = ("from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from gui.app import apply_language\n"
            "apply_language(app, 'system')\n"
            "from gui import formats\n"
            "print(formats.day(1748736000000))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2025/6/1"
