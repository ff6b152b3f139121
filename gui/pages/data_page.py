"""The Data page: what is in the project, at a glance, with data-health warnings."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.events import EVENT_TYPES, event_name
from engine.overview import DataSummary, summarize
from engine.words import join_sentences
from gui import formats
from gui.models import RowsModel
from gui.table_menu import install_table_menu
from gui.widgets import PALETTE, StatCard, hint, plot, title
from gui.worker import Caller
from storage.project import Project
from storage.queries import MS_PER_DAY

#: Import warnings shown at most (a project of many monthly imports repeats the same few).
MAX_IMPORT_WARNINGS = 20
AMBER = "#8a5a00"


def daily_series(days: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """x (unix seconds) and y for the daily chart: quiet days inside the span count as zero,
    and long empty stretches (stray dates years away) become gaps instead of a slope."""
    d = np.array(days, dtype=np.int64)
    xs: list[float] = []
    ys: list[float] = []
    for (n_day, n), nxt in zip(d.tolist(), [*d[1:, 0].tolist(), None], strict=True):
        xs.append(n_day * 86400.0)
        ys.append(float(n))
        if nxt is not None and nxt - n_day > 1:
            if nxt - n_day <= 31:
                xs.extend(float(k) * 86400.0 for k in range(n_day + 1, nxt))
                ys.extend(0.0 for _ in range(n_day + 1, nxt))
            else:
                xs.append((n_day + 1) * 86400.0)
                ys.append(float("nan"))
    return np.array(xs), np.array(ys)


class DataPage(QWidget):
    """Totals, events per day, event types, top categories and items, health warnings."""

    import_requested = Signal()
    """The user clicked "Import a file…" on the empty page."""
    loaded = Signal(object)
    """A new DataSummary is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.summary: DataSummary | None = None
        self._loader = Caller(self)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)

        head = QHBoxLayout()
        self.heading = QLabel(self.tr("Your data"))
        self.heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        head.addWidget(self.heading)
        head.addStretch(1)
        self.import_button = QPushButton(self.tr("Import a file…"))
        self.import_button.clicked.connect(self.import_requested)
        head.addWidget(self.import_button)
        layout.addLayout(head)
        self.status = hint("")
        layout.addWidget(self.status)

        cards = QHBoxLayout()
        self.cards = {
            "customers": StatCard(self.tr("customers")),
            "items": StatCard(self.tr("items")),
            "events": StatCard(self.tr("events")),
            "revenue": StatCard(self.tr("revenue (refunds subtracted)")),
            "span": StatCard(self.tr("time span")),
        }
        for card in self.cards.values():
            cards.addWidget(card)
        layout.addLayout(cards)

        self.warnings_title = title(self.tr("Data health"))
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.warnings_title)
        layout.addWidget(self.warnings)

        self.filled = QWidget()
        filled = QVBoxLayout(self.filled)
        filled.setContentsMargins(0, 0, 0, 0)
        charts = QGridLayout()
        self.daily_plot = plot(self.tr("Events per day"), date_axis=True)
        self.daily_curve = self.daily_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[0], width=1.5), connect="finite"
        )
        self.daily_plot.setLabel("left", self.tr("events"))
        self.types_plot = plot(self.tr("Events by type"))
        self.types_plot.setLabel("bottom", self.tr("events"))
        self.types_bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], brush=PALETTE[1])
        self.types_plot.addItem(self.types_bars)
        charts.addWidget(self.daily_plot, 0, 0)
        charts.addWidget(self.types_plot, 0, 1)
        charts.setColumnStretch(0, 3)
        charts.setColumnStretch(1, 2)
        filled.addLayout(charts)

        tables = QGridLayout()
        self.categories_model = RowsModel(
            [self.tr("Category"), self.tr("Events"), self.tr("Purchases"), self.tr("Revenue")],
            formatters={3: formats.money},
        )
        self.items_model = RowsModel(
            [self.tr("Item"), self.tr("Events"), self.tr("Purchases"), self.tr("Revenue")],
            formatters={3: formats.money},
        )
        for col, (label, model) in enumerate(
            ((self.tr("Top categories"), self.categories_model),
             (self.tr("Top items"), self.items_model))
        ):
            view = QTableView()
            view.setModel(model)
            view.setSortingEnabled(True)
            view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # busiest first
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            view.setMinimumHeight(260)
            view.setAlternatingRowColors(True)
            install_table_menu(
                view, "top-categories" if model is self.categories_model else "top-items")
            heading = title(label)
            if model is self.categories_model:
                self.categories_title = heading
            tables.addWidget(heading, 0, col)
            tables.addWidget(view, 1, col)
        filled.addLayout(tables)
        self.filled.setVisible(False)  # the charts and tables come with the first summary
        layout.addWidget(self.filled)
        layout.addStretch(1)

    # -- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show a project (None: nothing open)."""
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        """Recompute the summary on the worker (the window stays responsive)."""
        if self.project is None:
            self._loader.cancel()
            self.status.setText(self.tr("No project is open."))
            return
        self.status.setText(self.tr("Reading the project…"))
        self._loader.call(
            summarize,
            self.project,
            on_done=self.show_summary,
            on_error=lambda exc: self.status.setText(
                self.tr("The project could not be read: ") + str(exc)
            ),
        )

    def show_summary(self, summary: DataSummary) -> None:
        """Fill every widget from a summary."""
        self.summary = summary
        ov = summary.overview
        name = self.project.name if self.project else ""
        self.heading.setText(self.tr("Your data — {0}").format(name))
        self.filled.setVisible(ov.events > 0)
        if ov.events == 0:
            self.status.setText(
                self.tr("This project is empty. Import your shop's behavior log (CSV) to begin: "
                        "File → Import, or drop the file on this window.")
            )
        else:
            self.status.setText(join_sentences(
                self.tr("1 import.") if ov.imports == 1 else self.tr("{0} imports.").format(ov.imports),
                self.tr("Figures cover every imported event."),
            ))
        self.cards["customers"].set_value(formats.integer(ov.customers))
        self.cards["items"].set_value(formats.integer(ov.items))
        self.cards["events"].set_value(formats.integer(ov.events))
        self.cards["revenue"].set_value(formats.money(ov.revenue))
        span = f"{formats.day(ov.first_ms)} – {formats.day(ov.last_ms)}"
        days = 0 if ov.first_ms is None or ov.last_ms is None else (
            (ov.last_ms - ov.first_ms) // MS_PER_DAY + 1
        )
        self.cards["span"].set_value(
            f"{formats.integer(days)} " + self.tr("days"), span
        )
        self.cards["span"].caption.setText(span)

        self.warnings.setText(self._health_html(summary))
        # An import whose every line was rejected still has warnings worth a title.
        self.warnings_title.setVisible(ov.events > 0 or bool(self.warnings.text()))
        if not self.warnings.text():
            self.warnings.setText(
                self.tr("No problems found: no duplicates, no stray dates, no bot-like "
                        "customers, every purchase has a price.")
                if ov.events
                else ""
            )

        if summary.days:
            self.daily_curve.setData(*daily_series(summary.days))
        else:
            self.daily_curve.setData([], [])
        self._show_types(ov.events_by_type)
        self.categories_model.set_rows(
            [(r.label, r.events, r.purchases, r.revenue) for r in summary.categories]
        )
        self.categories_title.setText(
            self.tr("Top categories")
            if summary.categories
            else self.tr("Top categories — this data has no categories")
        )
        self.items_model.set_rows(
            [(r.label, r.events, r.purchases, r.revenue) for r in summary.items]
        )
        self.loaded.emit(summary)

    def _health_html(self, summary: DataSummary) -> str:
        """The health findings, then each import's warnings under its file name (newest first)."""
        items = [f"<li>{escape(w)}</li>" for w in summary.warnings]
        shown = summary.import_warnings[:MAX_IMPORT_WARNINGS]
        items += [
            f"<li><b>{escape(name)}</b>: <span style='color:{AMBER}'>{escape(message)}</span></li>"
            for name, message in shown
        ]
        more = len(summary.import_warnings) - len(shown)
        if more:
            items.append(
                "<li>" + escape(self.tr("… and {0:,} more warnings of older imports.").format(more))
                + "</li>"
            )
        return f"<ul style='margin-left:-20px'>{''.join(items)}</ul>" if items else ""

    def _show_types(self, by_type: dict[str, int]) -> None:
        kinds = [e for e in EVENT_TYPES if by_type.get(e)]
        counts = [by_type[e] for e in kinds]
        self.types_bars.setOpts(x0=[0] * len(kinds), y=list(range(len(kinds))), width=counts)
        axis: Any = self.types_plot.getAxis("left")
        axis.setTicks([[(i, event_name(k)) for i, k in enumerate(kinds)]])
        if counts:
            self.types_plot.setYRange(-0.6, len(kinds) - 0.4)
            self.types_plot.setXRange(0, max(counts) * 1.05)
