"""The application finds its icon and its Chinese translation as package data
(``importlib.resources``), not by a path into the source tree."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale

from gui.app import app_icon, load_translator, resource_path


def test_the_icon_is_found_as_package_data(qapp: QCoreApplication) -> None:
    path = resource_path("icons", "intentlens.svg")
    assert path.is_file()
    assert path == Path(str(files("resources") / "icons" / "intentlens.svg"))
    icon = app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()


def test_the_chinese_translation_is_found_for_a_chinese_locale(qapp: QCoreApplication) -> None:
    translator = load_translator(qapp, QLocale("zh_CN"))
    assert translator is not None
    try:
        assert Path(translator.filePath()).name == "intentlens_zh_CN.qm"
        assert Path(translator.filePath()).parent == resource_path("translations")
        assert QCoreApplication.translate("MainWindow", "Data") == "数据"
    finally:
        QCoreApplication.removeTranslator(translator)
        translator.deleteLater()
    assert QCoreApplication.translate("MainWindow", "Data") == "Data"


def test_an_english_locale_stays_untranslated(qapp: QCoreApplication) -> None:
    english = QLocale("en_US")
    assert load_translator(qapp, english) is None
    assert QCoreApplication.translate("MainWindow", "Data") == "Data"
