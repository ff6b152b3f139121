"""The Campaign page: whom to contact, how many, and what it will probably bring.

The customers with their intent and expected spend are read once on the worker
(``engine.campaign.campaign_data``, seconds on a big shop); filtering (``select``) and the
numbers of a list (``plan``) take milliseconds, so every filter edit and slider move updates
the figures, the profit curve and the table on the GUI thread without a wait. The table shows
exactly the chosen list, and "Export list…" writes exactly those rows in the table's order.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.campaign import (
    DEFAULT_COST_PER_CONTACT,
    DEFAULT_MARGIN_PCT,
    CampaignData,
    Plan,
    campaign_data,
    export_campaign,
    plan,
    select,
)
from engine.tasks.base import NoData
from gui.pages.campaign_filters import CampaignFilters
from gui.pages.campaign_model import SEGMENT_COLUMN, CampaignModel, money
from gui.pages.campaign_views import PlanFigures, ProfitCurve
from gui.table_menu import install_table_menu
from gui.widgets import EmptyState, StatusLine, ask_export_path, hint, remember_export_folder, title
from gui.worker import Caller, Worker
from storage.project import Project


class CampaignPage(QWidget):
    """Filters, list size, the figures of the list, its profit curve, the list and its export."""

    loaded = Signal(object)
    """Customers were read (payload: the CampaignData, or None when there are none)."""
    train_requested = Signal()
    """The user asked to go to the Train page (no intent model yet)."""
    exported = Signal(str, int)
    """The chosen list was written (payload: path, number of customers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.data: CampaignData | None = None
        self.rows = pd.DataFrame()  # the filtered customers, best first
        self.plan: Plan | None = None
        self._loader = Caller(self)
        self._export_worker: Worker | None = None
        self._stale = False  # the project or its runs changed while the page was hidden
        self._first = True  # the first list of a project starts at the best cut

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        heading = QLabel(self.tr("Campaign"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        head.addWidget(heading)
        head.addStretch(1)
        self.export_button = QPushButton(self.tr("Export list…"))
        self.export_button.setToolTip(self.tr(
            "The customers in the table, in its order, with the three items to offer each "
            "and why, as a CSV or Excel file"
        ))
        self.export_button.clicked.connect(lambda _checked=False: self.export_list())
        head.addWidget(self.export_button)
        layout.addLayout(head)
        self.status = StatusLine()
        layout.addWidget(self.status)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_empty())
        self.stack.addWidget(self._build_content())
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filters.changed.connect(self._filter_timer.start)
        self._show_empty(self.tr("Open a project to plan a campaign."), train=False)

    # -- layout --------------------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        box = EmptyState()
        box.train_requested.connect(self.train_requested)
        self.empty, self.train_button = box.label, box.train_button
        return box

    def _build_content(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._build_choices())
        split.addWidget(self._build_list())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([360, 740])
        self.profit_curve.moved.connect(self.count.setValue)
        return split

    def _build_choices(self) -> QWidget:
        """Left: who may be on the list, what a sale brings, the profit curve."""
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 12, 0)
        lv.addWidget(title(self.tr("Who may be on the list")))
        self.filters = CampaignFilters()
        lv.addWidget(self.filters)
        self.match_label = hint("")
        lv.addWidget(self.match_label)
        lv.addSpacing(10)
        lv.addWidget(title(self.tr("What a sale brings")))
        money_form = QFormLayout()
        money_form.setContentsMargins(0, 0, 0, 0)
        self.margin = QDoubleSpinBox()
        self.margin.setRange(0.0, 100.0)
        self.margin.setDecimals(0)
        self.margin.setSuffix(" %")
        self.margin.setValue(DEFAULT_MARGIN_PCT)
        self.margin.setToolTip(self.tr("What you keep of a sale's value after the cost of goods"))
        self.cost = QDoubleSpinBox()
        self.cost.setRange(0.0, 10_000.0)
        self.cost.setDecimals(2)
        self.cost.setSingleStep(0.1)
        self.cost.setValue(DEFAULT_COST_PER_CONTACT)
        self.cost.setToolTip(self.tr(
            "What one contact costs you: a voucher, postage, a message, your time"
        ))
        money_form.addRow(self.tr("Margin per sale"), self.margin)
        money_form.addRow(self.tr("Cost per contact"), self.cost)
        lv.addLayout(money_form)
        lv.addSpacing(10)
        self.profit_curve = ProfitCurve()
        self.curve_plot, self.curve = self.profit_curve.plot, self.profit_curve.curve
        self.best_line = self.profit_curve.best_line
        self.chosen_line = self.profit_curve.chosen_line
        lv.addWidget(self.profit_curve, 1)
        self.margin.valueChanged.connect(lambda _v: self.update_plan())
        self.cost.valueChanged.connect(lambda _v: self.update_plan())
        return left

    def _build_list(self) -> QWidget:
        """Right: the list size, the figures and sentences of the list, the list itself."""
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(12, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Contact the top")))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.count = QSpinBox()
        self.count.setRange(0, 0)
        self.count.setSuffix(self.tr(" customers"))
        self.count.setToolTip(self.tr(
            "How many customers to contact, the likeliest buyers first (or drag the line on "
            "the chart)"))
        self.slider.valueChanged.connect(self.count.setValue)
        self.count.valueChanged.connect(self.slider.setValue)
        self.count.valueChanged.connect(lambda _v: self.update_plan())
        self.best_button = QPushButton(self.tr("Best cut"))
        self.best_button.setToolTip(self.tr("The list size with the highest expected profit"))
        self.best_button.clicked.connect(lambda _checked=False: self.use_best_cut())
        top.addWidget(self.slider, 1)
        top.addWidget(self.count)
        top.addWidget(self.best_button)
        rv.addLayout(top)

        self.figures = PlanFigures()
        f = self.figures
        self.contacts_card, self.buyers_card, self.non_buyers_card = (f.contacts, f.buyers,
                                                                      f.non_buyers)
        self.revenue_card, self.profit_card = f.revenue, f.profit
        rv.addWidget(self.figures)
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet("font-size: 13px; color: #1d2a3a;")
        rv.addWidget(self.plan_label)
        self.check_label = hint("")
        rv.addWidget(self.check_label)
        self.model = CampaignModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((46, 96, 56, 150, 200)):
            self.table.setColumnWidth(col, width)
        install_table_menu(self.table, "campaign", export=self.export_list)
        rv.addWidget(self.table, 1)
        return right

    # -- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project (read when the page is shown)."""
        self.project = project
        self.status.clear()
        self._first = True
        self.data = None
        self._reload_when_seen()

    def run_saved(self, task: str, run_id: int) -> None:
        """A run was saved or made active: intent, spend and segments may all have changed."""
        self._reload_when_seen()

    def _reload_when_seen(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
            self._loader.cancel()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Read the customers on the first visit after the project or its runs changed."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the customers, their intent and expected spend on the worker."""
        self._stale = False
        if self.project is None:
            self._loader.cancel()
            self.data = None
            self._show_empty(self.tr("Open a project to plan a campaign."), train=False)
            return
        if self.data is None:  # else the old list stays until the new one is read
            self._show_empty(self.tr("Reading customers…"), train=False)
        self._loader.call(campaign_data, self.project, on_done=self.show_data,
                          on_error=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.data = None
        no_model = isinstance(exc, NoData)
        self._show_empty(str(exc) if no_model else self.tr(
            "The customers could not be read: {0}").format(exc), train=no_model)
        self.loaded.emit(None)

    def _show_empty(self, text: str, *, train: bool) -> None:
        self.empty.setText(text)
        self.train_button.setVisible(train)
        self.stack.setCurrentIndex(0)
        self.export_button.setVisible(False)

    def show_data(self, data: CampaignData) -> None:
        """Show freshly read customers: filter choices, the list and its numbers."""
        self.data = data
        self.filters.set_choices([str(s) for s in data.segments],
                                 [str(c) for c in data.categories])
        said = [data.spend_check.sentence] if data.spend_check else []
        said += [data.missing_note] if data.missing_note else []
        self.check_label.setText("\n".join(said))
        self.check_label.setVisible(bool(said))
        # No profiles run: no segment to show (the note says which training fills it).
        self.table.setColumnHidden(SEGMENT_COLUMN, not data.segments)
        self.model.set_spend_source(data.spend_source)
        self.stack.setCurrentIndex(1)
        self.export_button.setVisible(True)
        self.apply_filter()
        if self._first and self.plan is not None:
            self._first = False
            self.use_best_cut()
        self.loaded.emit(data)

    # -- the list ------------------------------------------------------------------------
    def apply_filter(self) -> None:
        """Select the customers the filters allow; N stays, within the new count."""
        if self.data is None:
            return
        try:
            self.rows = select(self.data, self.filters.filter())
        except NoData as exc:  # a segment that a newer profiles run no longer has
            self.status.failed(str(exc))
            self.filters.reset()
            return
        n = len(self.rows)
        keep = min(self.count.value(), n)
        for widget in (self.count, self.slider):
            widget.blockSignals(True)
            widget.setRange(0, n)
            widget.setValue(keep)
            widget.blockSignals(False)
        self.slider.setPageStep(max(1, n // 20))
        self.model.set_rows(self.rows, keep)
        total = len(self.data.frame)
        self.match_label.setText(
            self.tr("{0:,} of {1:,} customers match.").format(n, total)
        )
        self.update_plan()

    def update_plan(self) -> None:
        """The numbers, curve and table of the top N of the filtered customers."""
        if self.data is None:
            return
        top = self.count.value()
        self.model.set_count(top)
        self.plan = result = plan(self.rows, top=top, margin_pct=self.margin.value(),
                                  cost_per_contact=self.cost.value())
        self.figures.show_plan(result)
        self.profit_curve.show_plan(result, (id(self.rows), self.margin.value(),
                                             self.cost.value()))
        # The plan's sentence ends with the spend check's, shown apart in softer words.
        check = self.data.spend_check.sentence if self.data.spend_check else ""
        words = result.sentence
        if check and words.endswith(check):
            words = words[: -len(check)].rstrip()
        self.plan_label.setText(words)
        self.best_button.setToolTip(self.tr(
            "The list size with the highest expected profit: {0:,} customers ({1})"
        ).format(result.best_cut, money(result.best_profit)))
        self.export_button.setEnabled(top > 0 and self._export_worker is None)

    def use_best_cut(self) -> None:
        """Contact exactly the customers of the most profitable list size."""
        if self.plan is not None:
            self.count.setValue(self.plan.best_cut)

    # -- export --------------------------------------------------------------------------
    def export_list(self, path: str | None = None) -> None:
        """Write the table's customers, in its order, with the items to offer each, as CSV or
        Excel by the file name, on the worker (asks where unless ``path`` is given)."""
        if self.project is None or self._export_worker is not None or self.model.count == 0:
            return
        if not path:
            path = ask_export_path(self, self.tr("Export list"), "campaign.xlsx")
            if not path:
                return
        out = path
        rows = self.model.shown()  # a snapshot: the model replaces its frame, never edits it
        worker = Worker.call(export_campaign, self.project, rows, out)
        worker.signals.progressed.connect(lambda n: self._exported(out, int(n)))
        worker.signals.failed.connect(lambda exc: self.status.failed(str(exc)))
        worker.signals.finished.connect(self._export_finished)
        self._export_worker = worker
        self.export_button.setEnabled(False)
        self.status.clear()
        worker.start()

    def _exported(self, path: str, n: int) -> None:
        remember_export_folder(path)
        self.status.saved(self.tr("{0:,} customers").format(n), path)
        self.exported.emit(path, n)

    def _export_finished(self) -> None:
        self._export_worker = None
        self.export_button.setEnabled(self.model.count > 0)
