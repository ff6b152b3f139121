"""The Forecast page's picker: which series (the whole shop, a category or one of possibly
thousands of items, found by typing part of its name) and which measure (units or revenue)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from engine.forecast.read import SeriesChoice


class SeriesPicker(QWidget):
    """A searchable list of the run's series and a units / revenue toggle."""

    changed = Signal()
    """The user picked another series or measure (read them with picked() and measure())."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Show")))
        self.series = QComboBox()
        self.series.setEditable(True)
        self.series.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.series.setMaxVisibleItems(20)
        self.series.setMinimumContentsLength(36)
        self.series.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.series.setToolTip(self.tr(
            "The whole shop, a category or an item: type part of a name or an item number to "
            "find it"))
        self.series.lineEdit().setPlaceholderText(self.tr("Type to find a category or item"))
        # Thousands of items: typing any part of a name or number narrows the list.
        completer = QCompleter(self.series.model(), self.series)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self.series.setCompleter(completer)
        self.series.currentIndexChanged.connect(lambda i: i >= 0 and self.changed.emit())
        row.addWidget(self.series, 1)
        row.addSpacing(16)
        self.units_button = QPushButton(self.tr("Units"))
        self.revenue_button = QPushButton(self.tr("Revenue"))
        self.units_button.setToolTip(self.tr("Units sold: purchased minus refunded"))
        self.revenue_button.setToolTip(self.tr("Revenue: what was paid, refunds subtracted"))
        self.measures = QButtonGroup(self)
        toggle = QHBoxLayout()
        toggle.setSpacing(0)  # one switch of two halves; the chosen half is filled
        for button, corners in ((self.units_button, "border-top-left-radius: 4px; "
                                 "border-bottom-left-radius: 4px;"),
                                (self.revenue_button, "border-top-right-radius: 4px; "
                                 "border-bottom-right-radius: 4px;")):
            button.setCheckable(True)
            button.setStyleSheet(
                "QPushButton { padding: 4px 16px; border: 1px solid #b8c2cc; background: white; "
                f"color: #1d2a3a; {corners} }} QPushButton:checked {{ background: #2a6fdb; "
                "color: white; border-color: #2a6fdb; }"
            )
            self.measures.addButton(button)
            toggle.addWidget(button)
        row.addLayout(toggle)
        self.units_button.setChecked(True)
        self.measures.buttonToggled.connect(
            lambda _button, checked: checked and self.changed.emit())
        row.addStretch(1)

    def set_choices(self, picks: list[SeriesChoice], level: str, key: str) -> None:
        """List a run's series and show ``level``/``key`` as picked (quietly: no ``changed``)."""
        prefix = {"category": self.tr("Category: {0}"), "item": self.tr("Item: {0}")}
        self.series.blockSignals(True)
        self.series.clear()
        for choice in picks:
            text = (self.tr("Whole shop") if choice.level == "shop"
                    else prefix.get(choice.level, "{0}").format(choice.label))
            # The data is "level:key": a level has no colon (a key may).
            self.series.addItem(text, f"{choice.level}:{choice.key}")
        self.series.setCurrentIndex(max(0, self.series.findData(f"{level}:{key}")))
        self.series.blockSignals(False)

    def select(self, level: str, key: str) -> bool:
        """Pick a series (emits ``changed``); False when the list does not have it."""
        index = self.series.findData(f"{level}:{key}")
        if index < 0:
            return False
        if index == self.series.currentIndex():
            self.changed.emit()
        self.series.setCurrentIndex(index)
        return True

    def picked(self) -> tuple[str, str]:
        """The level and key of the series picked (the whole shop when none is)."""
        level, _, key = str(self.series.currentData() or "shop:").partition(":")
        return level, key

    def measure(self) -> str:
        """"units" or "revenue"."""
        return "revenue" if self.revenue_button.isChecked() else "units"
