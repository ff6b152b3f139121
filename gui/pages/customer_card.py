"""A customer's card on the Customers page: what the model says, what they did, and why.

Its words are translated under the Customers page's context ("CustomersPage"), where they
have always been, so the translation files did not change when the card got its own module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.events import EVENT_TYPES
from gui.widgets import PALETTE, hint, plot, title
from storage.project import Project


@dataclass(frozen=True)
class Card:
    """Everything a customer's card shows, computed on the worker."""

    lookup: Any  # engine.intent.lookup.Lookup
    events: pd.DataFrame
    segment: str


def load_card(project: Project, customer_id: int, segment: str) -> Card:
    """Read a customer's card (off the GUI thread): the model's view of them and their events."""
    from engine.intent.lookup import lookup
    from storage.queries import events_frame

    found = lookup(project, customer_id)
    return Card(found, events_frame(project, customer_ids=[customer_id]), segment)


class CustomerCard(QWidget):
    """The card's widgets; :meth:`show_card` fills them from a :class:`Card`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel(QCoreApplication.translate("CustomersPage", "Select a customer"))
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        head.addWidget(self.title, 1)
        self.forget_button = QPushButton(
            QCoreApplication.translate("CustomersPage", "Forget this customer…")
        )
        self.forget_button.setToolTip(
            QCoreApplication.translate(
                "CustomersPage", "Delete everything about this customer from the project, for good"
            )
        )
        head.addWidget(self.forget_button)
        v.addLayout(head)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setStyleSheet(
            "font-size: 14px; background: #eef4ff; border: 1px solid #c9d8f5; "
            "border-radius: 6px; padding: 8px;"
        )
        v.addWidget(self.meaning)
        self.facts = hint("")
        v.addWidget(self.facts)
        v.addWidget(title(QCoreApplication.translate("CustomersPage", "What they did")))
        self.timeline = plot(date_axis=True)
        self.timeline.setMinimumHeight(220)
        kinds = list(EVENT_TYPES)
        self.timeline.getAxis("left").setTicks([[(i, k) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        self.timeline_points = pg.ScatterPlotItem(size=7, pen=None)
        self.timeline.addItem(self.timeline_points)
        self.as_of_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        self.timeline.addItem(self.as_of_line)
        self.as_of_line.setVisible(False)
        v.addWidget(self.timeline, 2)
        v.addWidget(title(QCoreApplication.translate("CustomersPage", "What moved the score most")))
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        v.addWidget(self.reasons, 1)

    def show_card(self, card: Card) -> None:
        """Fill every part of the card from a loaded :class:`Card`."""
        found = card.lookup
        self.title.setText(
            QCoreApplication.translate("CustomersPage", "Customer {0}").format(found.customer)
        )
        self.meaning.setText(found.meaning())
        seg = (
            QCoreApplication.translate("CustomersPage", "Segment: {0}. ").format(card.segment)
            if card.segment
            else ""
        )
        self.facts.setText(
            seg
            + QCoreApplication.translate(
                "CustomersPage",
                "{0:,} events, {1:,} purchases, revenue {2:,.2f}. First seen {3}, last seen {4}.",
            ).format(found.events, found.purchases, found.revenue, found.first_seen,
                     found.last_seen)
        )
        self._show_events(card.events, found.as_of)
        if found.reasons:
            items = []
            for r in found.reasons:
                colour = "#1e7b34" if r.effect > 0 else "#b3261e"
                items.append(f"<li><span style='color:{colour}'>{r.text}</span></li>")
            self.reasons.setText(f"<ul style='margin-left:-20px'>{''.join(items)}</ul>")
        elif found.score is None:
            self.reasons.setText(
                QCoreApplication.translate(
                    "CustomersPage", "Train a purchase-intent model to see reasons."
                )
            )
        else:
            self.reasons.setText(
                QCoreApplication.translate(
                    "CustomersPage", "No single event moved the score noticeably."
                )
            )

    def _show_events(self, ev: pd.DataFrame, as_of: Any) -> None:
        present = set(ev["event"].unique())
        kinds = [k for k in EVENT_TYPES if k in present] or ["view"]
        self.timeline.getAxis("left").setTicks([[(i, k) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        ys = ev["event"].map({k: i for i, k in enumerate(kinds)}).to_numpy(dtype=float)
        xs = ev["time_ms"].to_numpy(dtype=float) / 1000.0
        palette = [pg.mkBrush(c) for c in PALETTE]
        brushes = [palette[int(y) % len(palette)] for y in ys]
        self.timeline_points.setData(x=xs, y=ys, brush=brushes)
        if as_of:
            self.as_of_line.setValue(pd.Timestamp(as_of, tz="UTC").timestamp())
        self.as_of_line.setVisible(bool(as_of))
