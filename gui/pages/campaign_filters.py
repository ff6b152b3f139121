"""The Campaign page's filters: who may be on the list, in a shop owner's words.

The widgets hand the page one :class:`engine.campaign.CampaignFilter`; a setting at its "any"
value means no condition (None), so the engine sees only what the user asked for.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from engine.campaign import CampaignFilter

#: The largest spend a filter box accepts (the boxes hold doubles; this is just a bound).
SPEND_MAX = 1e9


class CampaignFilters(QWidget):
    """Segment, intent range, recency, spend range and categories; ``changed`` on any edit."""

    changed = Signal()
    """A filter was edited (no payload: read :meth:`filter`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.segment = QComboBox()
        self.segment.setToolTip(self.tr("Only customers of one segment (Segments page)"))
        form.addRow(self.tr("Segment"), self.segment)

        self.intent_low = QSpinBox()
        self.intent_high = QSpinBox()
        for box, value in ((self.intent_low, 0), (self.intent_high, 100)):
            box.setRange(0, 100)
            box.setSuffix(" %")
            box.setValue(value)
            box.setToolTip(self.tr("How likely the customer is to buy in the coming period"))
        form.addRow(self.tr("Intent from"), self._pair(self.intent_low, self.intent_high))

        self.last_seen = QSpinBox()
        self.last_seen.setRange(0, 3650)
        self.last_seen.setSuffix(self.tr(" days"))
        self.last_seen.setSpecialValueText(self.tr("any time"))
        self.last_seen.setToolTip(
            self.tr("Only customers active in the shop within this many days before the "
                    "day the intent model looked from")
        )
        form.addRow(self.tr("Last seen within"), self.last_seen)

        self.spend_low = QDoubleSpinBox()
        self.spend_high = QDoubleSpinBox()
        for money in (self.spend_low, self.spend_high):
            money.setRange(0.0, SPEND_MAX)
            money.setDecimals(0)
            money.setSingleStep(10.0)
            money.setSpecialValueText(self.tr("any"))
            money.setMinimumWidth(72)  # not as wide as the largest amount it accepts
            money.setToolTip(self.tr("What the customer has spent in the shop so far"))
        form.addRow(self.tr("Spent from"), self._pair(self.spend_low, self.spend_high))

        self.bought = QComboBox()
        self.bought.setToolTip(self.tr("Only customers who bought in this category before"))
        form.addRow(self.tr("Bought in"), self.bought)
        self.never_bought = QComboBox()
        self.never_bought.setToolTip(
            self.tr("Leave out customers who already bought in this category")
        )
        form.addRow(self.tr("Never bought in"), self.never_bought)
        self.reset_button = QPushButton(self.tr("Clear filters"))
        self.reset_button.clicked.connect(lambda _checked=False: self.reset())
        form.addRow("", self.reset_button)
        self.set_choices([], [])

        for combo in (self.segment, self.bought, self.never_bought):
            # Long segment or category names must not widen the page: the list shows them.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for spin in (self.intent_low, self.intent_high, self.last_seen, self.spend_low,
                     self.spend_high):
            spin.valueChanged.connect(lambda _v: self.changed.emit())

    def _pair(self, low: QWidget, high: QWidget) -> QWidget:
        box = QWidget()
        h = QHBoxLayout(box)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(low, 1)
        h.addWidget(QLabel(self.tr("to")))
        h.addWidget(high, 1)
        return box

    def set_choices(self, segments: list[str], categories: list[str]) -> None:
        """Offer the project's segments and categories, keeping a choice that still exists."""
        fill = ((self.segment, self.tr("All segments"), segments),
                (self.bought, self.tr("any category"), categories),
                (self.never_bought, self.tr("no category"), categories))
        for combo, everything, names in fill:
            kept = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for name in names:
                combo.addItem(str(name), str(name))
            found = combo.findData(kept) if kept is not None else -1
            combo.setCurrentIndex(max(found, 0))
            combo.setEnabled(bool(names))
            combo.blockSignals(False)

    def filter(self) -> CampaignFilter:
        """The conditions on screen; the "any" values are None."""
        low, high = self.intent_low.value(), self.intent_high.value()
        return CampaignFilter(
            segment=self.segment.currentData(),
            min_intent=low / 100 if low > 0 else None,
            max_intent=high / 100 if high < 100 else None,
            last_seen_days=self.last_seen.value() or None,
            min_spend=self.spend_low.value() or None,
            max_spend=self.spend_high.value() or None,
            bought_category=self.bought.currentData(),
            never_bought_category=self.never_bought.currentData(),
        )

    def reset(self) -> None:
        """Every filter back to "everyone" (one ``changed``)."""
        self.blockSignals(True)
        for combo in (self.segment, self.bought, self.never_bought):
            combo.setCurrentIndex(0)
        self.intent_low.setValue(0)
        self.intent_high.setValue(100)
        self.last_seen.setValue(0)
        self.spend_low.setValue(0.0)
        self.spend_high.setValue(0.0)
        self.blockSignals(False)
        self.changed.emit()
