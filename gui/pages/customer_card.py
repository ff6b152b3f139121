"""A customer's card on the Customers page: what the model says, what they did, and why.

Its words are translated under the Customers page's context ("CustomersPage"), where they
have always been, so the translation files did not change when the card got its own module.
"""

from __future__ import annotations

import html

import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.customers import CustomerCard as Card
from engine.events import EVENT_TYPES, event_name
from engine.words import join_sentences
from gui.widgets import PALETTE, hint, plot, title
from storage.project import Project


def load_card(project: Project, customer_id: int, explain: bool,
              base: Card | None = None) -> Card:
    """Read a customer's card off the GUI thread (engine.customers): without ``explain`` in
    milliseconds, with it the model also says what moved its prediction (``base``: the card
    just read without it, whose history and timeline are kept)."""
    from engine.customers import customer_card

    return customer_card(project, customer_id, explain=explain, base=base)


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
        # The facts of every other task's section (recommendations with their reasons), each
        # under its title: any task's section shows here without a change to the card.
        self.more = QLabel()
        self.more.setWordWrap(True)
        self.more.setTextFormat(Qt.TextFormat.RichText)
        self.more.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more.setVisible(False)
        v.addWidget(self.more)
        v.addWidget(title(QCoreApplication.translate("CustomersPage", "What they did")))
        self.timeline = plot(date_axis=True)
        self.timeline.setMinimumHeight(220)
        kinds = list(EVENT_TYPES)
        self.timeline.getAxis("left").setTicks([[(i, event_name(k)) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        self.timeline_points = pg.ScatterPlotItem(size=7, pen=None)
        self.timeline.addItem(self.timeline_points)
        self.as_of_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        self.timeline.addItem(self.as_of_line)
        self.as_of_line.setVisible(False)
        v.addWidget(self.timeline, 2)
        self.points_title = title(
            QCoreApplication.translate("CustomersPage", "What moved the score most")
        )
        v.addWidget(self.points_title)
        self.reasons = QLabel()
        #: What the timeline shows now (customer, events, last event, as-of date): a card
        #: shown again for the same history (with the model's why) keeps its timeline.
        self._timeline_of: tuple[int, int, int, int | None] | None = None
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        v.addWidget(self.reasons, 1)

    def show_card(self, card: Card) -> None:
        """Fill every part of the card from a loaded card: the first task's section leads (its
        headline in the box, its points below), the others say their headline with the history."""
        self.title.setText(
            QCoreApplication.translate("CustomersPage", "Customer {0}").format(card.customer)
        )
        lead = card.sections[0] if card.sections else None
        self.meaning.setText(lead.headline if lead is not None else "")
        self.facts.setText(join_sentences(*(s.headline for s in card.sections[1:]),
                                          card.history()))
        blocks = [
            f"<b>{html.escape(s.title)}</b><ul style='margin-left:-20px; margin-top:2px'>"
            + "".join(f"<li>{html.escape(fact)}</li>" for fact in s.facts) + "</ul>"
            for s in card.sections[1:] if s.facts
        ]
        self.more.setText("".join(blocks))
        self.more.setVisible(bool(blocks))
        as_of = None if lead is None else lead.as_of_ms
        times = card.timeline["time_ms"]
        shown = (card.customer_id, len(times), int(times.iloc[-1]) if len(times) else -1, as_of)
        if shown != self._timeline_of:
            self._show_events(card.timeline, as_of)
            self._timeline_of = shown
        self.points_title.setText(lead.points_title if lead is not None else "")
        if lead is not None and lead.points:
            items = []
            for text, effect in lead.points:
                colour = "#1e7b34" if effect > 0 else "#b3261e"
                items.append(f"<li><span style='color:{colour}'>{html.escape(text)}</span></li>")
            self.reasons.setText(f"<ul style='margin-left:-20px'>{''.join(items)}</ul>")
        else:
            self.reasons.setText(lead.empty_points if lead is not None else "")

    def _show_events(self, ev: pd.DataFrame, as_of_ms: int | None) -> None:
        present = set(ev["event"].unique())
        kinds = [k for k in EVENT_TYPES if k in present] or ["view"]
        self.timeline.getAxis("left").setTicks([[(i, event_name(k)) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        ys = ev["event"].map({k: i for i, k in enumerate(kinds)}).to_numpy(dtype=float)
        xs = ev["time_ms"].to_numpy(dtype=float) / 1000.0
        palette = [pg.mkBrush(c) for c in PALETTE]
        brushes = [palette[int(y) % len(palette)] for y in ys]
        self.timeline_points.setData(x=xs, y=ys, brush=brushes)
        if as_of_ms is not None:
            self.as_of_line.setValue(as_of_ms / 1000.0)
        self.as_of_line.setVisible(as_of_ms is not None)
