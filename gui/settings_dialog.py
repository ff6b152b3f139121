"""File → Settings: the language IntentLens speaks, and the open project's currency."""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from engine.currency import MAX_LENGTH, set_shop_currency, shop_currency
from gui.app import running_language
from gui.settings import Settings, save_settings
from gui.widgets import hint, title
from storage.project import Project

#: Each language is named in its own words, so whoever reads the list finds theirs.
OWN_NAMES = {"en": "English", "zh_CN": "简体中文"}


def _stacked(field: QWidget, note: QLabel) -> QWidget:
    """A field with its sentence right under it (one form row: the label stays beside the
    field, and a wrapped sentence never opens a gap)."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(field)
    layout.addWidget(note)
    return column


class SettingsDialog(QDialog):
    """Language (stored in the settings, used from the next start) and the shop's currency
    (stored in the open project, used at once). ``accept`` stores what changed;
    ``currency_changed`` then says whether the figures must be shown again."""

    def __init__(self, settings: Settings, project: Project | None,
                 parent: QWidget | None = None, *, save: bool = True) -> None:
        super().__init__(parent)
        self.settings = settings
        self.project = project
        self.save = save
        self.currency_changed = False
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(480)

        self.language = QComboBox()
        self.language.addItem(self.tr("System (default)"), "system")
        for key, name in OWN_NAMES.items():
            self.language.addItem(name, key)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.language.setToolTip(self.tr(
            "The language of every window, and how dates and numbers are written. “System” "
            "follows this computer's language."))
        self.restart_note = QLabel(self.tr("The language changes when IntentLens starts again."))
        self.restart_note.setWordWrap(True)
        self.restart_note.setStyleSheet("color: #8a5a00;")
        self.language.currentIndexChanged.connect(self._language_chosen)

        locale = QLocale()
        self.currency = QLineEdit(shop_currency(project) if project is not None else "")
        self.currency.setMaxLength(MAX_LENGTH)
        self.currency.setToolTip(self.tr(
            "The sign or code shown with amounts in this project, such as $ or EUR; empty shows "
            "plain numbers."))
        self.currency.setMaximumWidth(120)
        # The locale's own currency as the example; a bare system (no language) has none.
        symbol = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol) or "$"
        code = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) or "USD"
        self.currency.setPlaceholderText(self.tr("e.g. {0} or {1}").format(symbol, code))
        if project is None:
            about = self.tr("Open a project to set the currency of its amounts.")
        elif project.read_only:
            about = self.tr("This project is read-only: its currency cannot be changed.")
        else:
            about = self.tr(
                "Amounts in this project are shown with this sign or code. The first import "
                "whose prices show one sets it; leave it empty to show plain numbers."
            )
        self.currency.setEnabled(project is not None and not project.read_only)
        self.currency_hint = hint(about)

        form = QFormLayout()
        form.addRow(self.tr("Language"), _stacked(self.language, self.restart_note))
        form.addRow(self.tr("Shop currency"), _stacked(self.currency, self.currency_hint))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr("Language and formats")))
        layout.addWidget(hint(self.tr(
            "Dates, numbers and money follow the chosen language and this computer's region."
        )))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        self.resize(self.minimumWidth(), 0)
        self._language_chosen()

    def chosen_language(self) -> str:
        """The language key chosen in the list (gui.settings.LANGUAGES)."""
        return str(self.language.currentData())

    def _language_chosen(self) -> None:
        self.restart_note.setVisible(self.chosen_language() != running_language())
        # Wrapped sentences ask for the height of a narrow column: grow to the height the
        # sentences take at the dialog's real width (the note adds a line).
        layout = self.layout()
        if layout is None:  # called from __init__ before the layout exists: nothing to fit
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def accept(self) -> None:
        """Store the language in the settings and the currency in the project."""
        if self.chosen_language() != self.settings.language:
            self.settings.language = self.chosen_language()
            if self.save:
                save_settings(self.settings)
        project = self.project
        if project is not None and not project.read_only:
            symbol = self.currency.text().strip()
            if symbol != shop_currency(project):
                set_shop_currency(project, symbol)
                self.currency_changed = True
        super().accept()
