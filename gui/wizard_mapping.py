"""The wizard's mapping boxes: which column feeds each field, and what each event or
order-status word means."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.events import EVENT_TYPES, FIELDS, event_name
from engine.ingest import FilePreview
from gui.widgets import hint
from gui.wizard_common import STATUS_MEANINGS, translate, words_in


def fill_kinds(combo: QComboBox, kinds: list[str], current: str | None = None) -> None:
    """Offer event types in the user's words ("added to cart"), each holding its type as the
    item's data: internal names never show."""
    combo.blockSignals(True)
    combo.clear()
    for kind in kinds:
        combo.addItem(event_name(kind), kind)
    combo.blockSignals(False)
    if current is not None:
        select_kind(combo, current)


def select_kind(combo: QComboBox, kind: str) -> None:
    """Show ``kind`` as the combo's choice (its signal fires when the choice changes)."""
    index = combo.findData(kind)
    if index >= 0:
        combo.setCurrentIndex(index)


class ColumnsBox(QGroupBox):
    """One list of the file's columns per field."""

    column_changed = Signal(str)
    """The user picked another column for a field (payload: the field)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(translate("ImportWizard", "Columns (* required)"), parent)
        grid = QGridLayout(self)
        grid.setVerticalSpacing(3)
        grid.setContentsMargins(8, 4, 8, 6)
        self.combos: dict[str, QComboBox] = {}
        labels = {
            "customer": translate("ImportWizard", "Customer *"),
            "time": translate("ImportWizard", "Time *"),
            "event": translate("ImportWizard", "Event type"),
            "item": translate("ImportWizard", "Item"),
            "category": translate("ImportWizard", "Category"),
            "name": translate("ImportWizard", "Item name"),
            "price": translate("ImportWizard", "Unit price"),
            "quantity": translate("ImportWizard", "Quantity"),
            "amount": translate("ImportWizard", "Amount (line total)"),
            "session": translate("ImportWizard", "Session / order"),
            "query": translate("ImportWizard", "Search words"),
            "status": translate("ImportWizard", "Order status"),
            "refund_amount": translate("ImportWizard", "Refunded amount"),
            "cancelled_at": translate("ImportWizard", "Cancelled at"),
        }
        for n, fld in enumerate(FIELDS):
            combo = QComboBox()
            combo.setMinimumWidth(130)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            combo.setToolTip(translate(
                "ImportWizard", "The column of your file that holds “{0}”").format(
                labels.get(fld, fld).removesuffix(" *")))
            combo.currentIndexChanged.connect(lambda _i, f=fld: self.column_changed.emit(f))
            self.combos[fld] = combo
            grid.addWidget(QLabel(labels.get(fld, fld)), n // 2, (n % 2) * 2)
            grid.addWidget(combo, n // 2, (n % 2) * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def show_preview(self, pv: FilePreview) -> None:
        """List the file's columns and select the proposed one for each field."""
        for fld, combo in self.combos.items():
            combo.clear()
            combo.addItem(translate("ImportWizard", "— not in this file —"), "")
            for name in pv.header:
                combo.addItem(name, name)
            idx = pv.mapping.columns.get(fld)
            combo.setCurrentIndex(0 if idx is None else idx + 1)


class EventsBox(QGroupBox):
    """The event and order-status words with what each means (changeable), or the one event of
    every line of a file without events."""

    event_changed = Signal(str, str)
    """The user gave a word another meaning (payload: the word, the canonical event)."""
    default_event_changed = Signal(str)
    """The user chose the event of every line of a file without events (payload: the event)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            translate("ImportWizard", "Event and order-status words (in the first rows)"), parent
        )
        ev = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([
            translate("ImportWizard", "In the file"),
            translate("ImportWizard", "Rows"),
            translate("ImportWizard", "Means"),
        ])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setColumnWidth(1, 46)
        self.table.setColumnWidth(2, 112)
        # As tall as its words (up to about eight), so it does not push the page into scrolling.
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(260)
        ev.addWidget(self.table, 1)
        self.default_event_row = QWidget()
        row = QHBoxLayout(self.default_event_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(translate("ImportWizard", "No event column. Every line is")))
        self.default_event_combo = QComboBox()
        self.default_event_combo.setToolTip(translate(
            "ImportWizard", "What every line of a file without an event column stands for"))
        fill_kinds(self.default_event_combo, list(EVENT_TYPES))
        self.default_event_combo.currentIndexChanged.connect(
            lambda _i: self.default_event_changed.emit(self.default_event_combo.currentData()))
        row.addWidget(self.default_event_combo)
        row.addStretch(1)
        ev.addWidget(self.default_event_row)
        self.default_event_row.setVisible(False)  # until a file without event words is read
        self.no_event_label = hint("")
        ev.addWidget(self.no_event_label)
        ev.addStretch(0)

    def show_preview(self, pv: FilePreview) -> None:
        """List the words of ``pv`` with their meanings; words a reused mapping brought that the
        first rows lack are listed too, marked as not seen there."""
        status_words = words_in(pv, "status") - words_in(pv, "event")
        kinds = {raw in status_words for raw, _n, _c in pv.event_counts}
        # Name the kind of word in the header; only a mix of both marks each status word.
        self.table.setHorizontalHeaderItem(0, QTableWidgetItem(
            translate("ImportWizard", "In the file") if len(kinds) > 1
            else translate("ImportWizard", "Order status") if kinds == {True}
            else translate("ImportWizard", "Event word")
        ))
        self.table.setRowCount(len(pv.event_counts))
        for row, (raw, count, canon) in enumerate(pv.event_counts):
            is_status = raw in status_words
            word = QLabel()
            word.setTextFormat(Qt.TextFormat.RichText)
            word.setText(
                escape(raw)
                + (f" <span style='color:#5b6776'>· "
                   f"{translate('ImportWizard', 'order status')}</span>"
                   if is_status and len(kinds) > 1 else "")
            )
            word.setToolTip(raw)
            self.table.setCellWidget(row, 0, word)
            rows = QLabel(f"{count:,}" if count else "–")
            if not count:
                rows.setToolTip(translate(
                    "ImportWizard", "Not in the first rows: its meaning comes from the last import."
                ))
            self.table.setCellWidget(row, 1, rows)
            combo = QComboBox()
            choices = list(STATUS_MEANINGS if is_status else EVENT_TYPES)
            if canon not in choices:
                choices.append(canon)
            fill_kinds(combo, choices, canon)
            if is_status:
                combo.setToolTip(translate(
                    "ImportWizard",
                    "purchase: the order was paid · refund: paid, then refunded · "
                    "other: not a purchase (cancelled, unpaid)",
                ))
            else:
                combo.setToolTip(translate(
                    "ImportWizard",
                    "What this word of your file means: view, search, cart, purchase, refund…",
                ))
            combo.currentIndexChanged.connect(
                lambda _i, r=raw, c=combo: self.event_changed.emit(r, c.currentData())
            )
            self.table.setCellWidget(row, 2, combo)
        # No words at all: an empty table would only puzzle; the "Every line is" choice stays.
        self.table.setVisible(bool(pv.event_counts))
        no_events = "event" not in pv.mapping.columns
        self.default_event_row.setVisible(no_events)
        select_kind(self.default_event_combo, pv.mapping.default_event)
        if not no_events:
            self.no_event_label.setText("")
        elif "status" in pv.mapping.columns:
            self.no_event_label.setText(translate(
                "ImportWizard",
                "The order status then says which purchases were refunded or cancelled.",
            ))
        else:
            self.no_event_label.setText(translate(
                "ImportWizard",
                "Choose what every line of this file is (a list of page views: “view”).",
            ))
        self.no_event_label.setVisible(bool(self.no_event_label.text()))
