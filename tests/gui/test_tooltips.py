"""Every setting has a tooltip: each input a shop owner can change (spin boxes, date boxes, lists,
check boxes, text boxes) on the Train page for every task, on every page, in the Settings dialog,
in the Campaign filters and in the import wizard says what it does when the mouse rests on it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from engine import tasks as registry
from gui.main_window import MainWindow
from gui.pages.campaign_filters import CampaignFilters
from gui.pages.train_page import TrainPage
from gui.settings import Settings
from gui.settings_dialog import SettingsDialog
from gui.tasks.form import ItemsEdit
from storage.project import open_project

#: The widgets a user sets something with (QDateEdit is a QAbstractSpinBox).
INPUTS = (QAbstractSpinBox, QComboBox, QCheckBox, QRadioButton, QLineEdit, QPlainTextEdit)


def _untipped(root: QWidget) -> list[str]:
    """The inputs under ``root`` without a tooltip, named by type and what they show."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or widget.toolTip().strip():
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the text part of a spin box or list: its owner has the tooltip
        shown = ""
        if isinstance(widget, QCheckBox | QRadioButton):
            shown = widget.text()
        elif isinstance(widget, QComboBox):
            shown = widget.currentText()
        elif isinstance(widget, QLineEdit):
            shown = widget.placeholderText() or widget.text()
        elif isinstance(widget, QAbstractSpinBox):
            shown = widget.text()
        missing.append(f"{type(widget).__name__} {shown!r}")
    return missing


def test_every_task_setting_on_the_train_page_has_a_tooltip(qtbot):  # type: ignore[no-untyped-def]
    page = TrainPage()
    qtbot.addWidget(page)
    assert set(page.panels) == set(registry.TASKS)
    for key, panel in page.panels.items():
        page.task_combo.setCurrentIndex(page.task_combo.findData(key))
        panel.advanced.setChecked(True)  # the folded settings too
        assert panel.form.widgets, key
        missing = _untipped(panel)
        assert missing == [], (key, missing)
        # Each tooltip is the setting's own help (the words the command line's --help shows).
        for name, spec in panel.form.specs.items():
            widget = panel.form.widgets[name]
            tip = widget.text.toolTip() if isinstance(widget, ItemsEdit) else widget.toolTip()
            assert tip == spec.setting.help and tip.strip(), (key, name)
    assert _untipped(page) == []


def test_every_input_on_every_page_has_a_tooltip(qtbot):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    for i in range(window.pages.count()):
        page = window.pages.widget(i)
        assert _untipped(page) == [], (window.nav.item(i).text(), _untipped(page))


def test_the_settings_dialog_and_campaign_filters_have_tooltips(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    project = open_project(tmp_path / "shop.intentlens", create=True)
    try:
        for with_project in (None, project):
            dialog = SettingsDialog(Settings(), with_project, save=False)
            qtbot.addWidget(dialog)
            assert _untipped(dialog) == []
    finally:
        project.close()
    filters = CampaignFilters()
    qtbot.addWidget(filters)
    filters.set_choices(["Loyal regulars"], ["Toys", "Books"])
    assert _untipped(filters) == []


def test_the_import_wizard_options_have_tooltips(qtbot, tmp_path: Path, demo_csv: Path):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(tmp_path / "shop.intentlens", create=True)
    wizard = window.import_file(str(demo_csv))
    assert wizard is not None and wizard.preview is not None
    # The event words' meanings are lists too, one per word of the file.
    assert wizard.findChildren(QComboBox)
    missing = _untipped(wizard)
    wizard.close()
    assert missing == []
