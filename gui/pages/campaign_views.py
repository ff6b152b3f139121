"""The Campaign page's read-outs: the figures of the chosen list and its profit curve."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from engine.campaign import Plan
from gui import formats
from gui.pages.campaign_model import money
from gui.widgets import StatCard, plot

#: The profit curve's colours: the curve, the list chosen, the best cut.
CURVE, CHOSEN, BEST = "#2a6fdb", "#e8833a", "#3aa655"
#: Where a marker's words sit: beside the line (never on it), on the side with more room.
LABEL_SIDES = [(-0.15, 0.5), (1.15, 0.5)]



class PlanFigures(QWidget):
    """Five headline numbers of a list: contacts, buyers, non-buyers, revenue, profit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.contacts = StatCard(self.tr("customers contacted"))
        self.buyers = StatCard(self.tr("expected buyers reached"))
        self.non_buyers = StatCard(self.tr("will probably not buy"))
        self.revenue = StatCard(self.tr("expected revenue"))
        self.profit = StatCard(self.tr("expected profit"))
        for i, card in enumerate((self.contacts, self.buyers, self.non_buyers, self.revenue,
                                  self.profit)):
            card.caption.setWordWrap(True)  # a narrow window wraps the words, not the page
            grid.addWidget(card, 0, i)
            grid.setColumnStretch(i, 1)
        self._colour = ""

    def show_plan(self, result: Plan) -> None:
        """Show a plan's numbers; profit is green when positive, red when a loss."""
        self.contacts.set_value(formats.integer(result.contacts))
        self.buyers.set_value(formats.integer(result.expected_buyers), self.tr(
            "The sum of the contacted customers' chances to buy: {0}"
        ).format(formats.number(result.expected_buyers, 1)))
        self.non_buyers.set_value(formats.integer(result.expected_non_buyers), self.tr(
            "Contacts that will probably not buy, and still cost: {0}"
        ).format(formats.number(result.expected_non_buyers, 1)))
        self.revenue.set_value(money(result.expected_revenue))
        self.profit.set_value(money(result.expected_profit))
        profit = result.expected_profit
        colour = "#1d6b35" if profit > 0 else "#b3261e" if profit < 0 else "#1d2a3a"
        if colour != self._colour:  # a style sheet costs a restyle: only when it changes
            self._colour = colour
            self.profit.value.setStyleSheet(
                f"font-size: 20px; font-weight: 600; color: {colour};")


class ProfitCurve(QWidget):
    """Expected profit over list size, with a marker at the chosen size (draggable) and one
    at the best cut."""

    moved = Signal(int)
    """The user dragged the chosen-size marker (payload: the list size)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.plot = plot(self.tr("Expected profit by list size"))
        self.plot.setLabel("bottom", self.tr("customers contacted (best first)"))
        self.plot.setLabel("left", self.tr("expected profit"))
        self.curve = self.plot.plot([], [], pen=pg.mkPen(CURVE, width=2))
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.best_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(BEST, width=1.5, style=Qt.PenStyle.DashLine),
            label=self.tr("best cut"),
            labelOpts={"position": 0.92, "color": BEST, "anchors": LABEL_SIDES},
        )
        self.chosen_line = pg.InfiniteLine(
            angle=90, movable=True, pen=pg.mkPen(CHOSEN, width=2),
            hoverPen=pg.mkPen(CHOSEN, width=4), label=self.tr("your list"),
            labelOpts={"position": 0.08, "color": CHOSEN, "anchors": LABEL_SIDES},
        )
        self.chosen_line.setToolTip(self.tr("Drag to choose how many to contact"))
        self.chosen_line.sigPositionChanged.connect(self._dragged)
        for item in (pg.InfiniteLine(angle=0, pen=pg.mkPen("#bbb")), self.best_line,
                     self.chosen_line):
            self.plot.addItem(item)
        self._placing = False  # the page, not the user, is moving the marker
        self._drawn: object = None  # the key of the curve on screen
        v.addWidget(self.plot)

    def show_plan(self, result: Plan, key: object) -> None:
        """Mark a plan's size and best cut; the curve is drawn again only for a new ``key``
        (the list and the money), so a slider drag over 20,000 customers stays smooth."""
        if key != self._drawn:
            self._drawn = key
            self.curve.setData(result.curve_n, result.curve_profit)
        self.best_line.setValue(result.best_cut)
        self._placing = True
        try:
            self.chosen_line.setValue(result.contacts)
        finally:
            self._placing = False

    def _dragged(self, line: pg.InfiniteLine) -> None:
        if not self._placing:
            self.moved.emit(max(0, round(float(line.value()))))
