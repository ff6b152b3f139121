"""The Customers page: every customer with intent score, purchases, revenue; a card per customer.

The table (gui/pages/customers_model.py) is a QAbstractTableModel over column arrays, sorted and
filtered by numpy; the card (gui/pages/customer_card.py) is loaded per click through a Caller,
so a slow load for an earlier click never replaces the card of a later one. "Export what you
see…" writes the rows the table shows, in its order and with its columns (a contact list, CSV
or Excel); "Export scores…" writes every scored customer (the scores contract).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.customers import CustomerTable
from engine.tasks.base import Column
from gui.pages.customer_card import Card, CustomerCard, load_card
from gui.pages.customers_model import (
    CustomersModel,
    PreparedCustomers,
    column_is_empty,
    read_customers,
)
from gui.readonly import is_read_only, refuse_if_read_only
from gui.table_menu import install_table_menu
from gui.widgets import StatusLine, ask_export_path, remember_export_folder
from gui.worker import Caller, Worker
from storage.project import Project


class CustomersPage(QWidget):
    """A sortable, filterable table of customers and the selected customer's card."""

    forgotten = Signal(str)
    """A customer was deleted from the project (payload: their key); other pages reload."""
    exported = Signal(str, int)
    """The shown customers were written (payload: path, number of rows)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.model = CustomersModel(self)
        self._loader = Caller(self)
        self._card_loader = Caller(self)
        self._forget_worker: Worker | None = None
        self._export_worker: Worker | None = None
        self._notice = ""  # said once above the placeholder after the next reload
        self._pending: int | None = None
        self._card_id: int | None = None  # the customer whose card was asked for last
        self.card: Card | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()  # the title, and the exports on its right (as on the Segments page)
        heading = QLabel(self.tr("Customers"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        head.addWidget(heading)
        head.addStretch(1)
        layout.addLayout(head)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find a customer by id…"))
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(self.tr("Show only customers whose id contains what you type"))
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        for box, value in ((self.low, 0.0), (self.high, 100.0)):
            box.setRange(0.0, 100.0)
            box.setSuffix(" %")
            box.setDecimals(0)
            box.setValue(value)
            box.setToolTip(self.tr("How likely the customer is to buy in the coming period"))
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel(self.tr("Intent from")))
        filters.addWidget(self.low)
        filters.addWidget(QLabel(self.tr("to")))
        filters.addWidget(self.high)
        self.count = QLabel()
        filters.addWidget(self.count, 1)
        # Which columns the table shows (and "Export what you see…" writes): a wide table
        # needs no sideways scroll once the owner keeps what they use.
        self.columns_button = QToolButton()
        self.columns_button.setText(self.tr("Columns"))
        self.columns_button.setToolTip(self.tr(
            "Choose the columns the list shows and exports; drag a heading to move a column"))
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._hidden: set[str] = set()  # keys of the columns the owner hid
        self._shown: set[str] = set()  # keys of the columns the owner showed
        self.columns_menu = QMenu(self.columns_button)
        self.columns_menu.aboutToShow.connect(self._fill_columns_menu)
        self.columns_button.setMenu(self.columns_menu)
        filters.addWidget(self.columns_button)
        self.export_shown_button = QPushButton(self.tr("Export what you see…"))
        self.export_shown_button.setToolTip(
            self.tr(
                "The customers the list shows now (after search, intent range and sort), "
                "with its columns, as a CSV or Excel file: a contact list"
            )
        )
        self.export_shown_button.clicked.connect(lambda _checked=False: self.export_shown())
        self.export_shown_button.setEnabled(False)  # until the list has rows
        head.addWidget(self.export_shown_button)
        self.export_button = QPushButton(self.tr("Export scores…"))
        self.export_button.setToolTip(
            self.tr("Every scored customer with score, rank, as-of date and horizon, best first")
        )
        self.export_button.clicked.connect(lambda _checked=False: self.export_scores())
        head.addWidget(self.export_button)
        layout.addLayout(filters)
        self.status = StatusLine()
        layout.addWidget(self.status)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._filter_timer.start())
        self.low.valueChanged.connect(lambda _v: self._filter_timer.start())
        self.high.valueChanged.connect(lambda _v: self._filter_timer.start())

        split = QSplitter()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionsMovable(True)
        self.table.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.horizontalHeader().customContextMenuRequested.connect(
            lambda pos: self.columns_menu.exec(self.table.horizontalHeader().mapToGlobal(pos)))
        for col, width in enumerate((110, 58, 58, 116, 76, 90, 86)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        install_table_menu(self.table, "customers", export=self.export_shown)
        split.addWidget(self.table)
        self.card_stack = QStackedWidget()
        self.placeholder = QLabel(self.tr("Select a customer in the list to see their card."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #5b6776; font-size: 14px;")
        self.card_stack.addWidget(self.placeholder)
        self.card_view = CustomerCard()
        self.card_view.forget_button.clicked.connect(
            lambda _checked=False: self.forget_customer()
        )
        self.card_stack.addWidget(self.card_view)
        # The card's parts under the names they had when the card was built here.
        self.meaning = self.card_view.meaning
        self.facts = self.card_view.facts
        self.timeline_points = self.card_view.timeline_points
        split.addWidget(self.card_stack)
        split.setSizes([620, 480])
        layout.addWidget(split, 1)

    # -- data ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project."""
        self.project = project
        self.status.clear()
        self.refresh()

    @property
    def loading(self) -> bool:
        """Whether the customer list is being read."""
        return self._loader.busy

    def run_saved(self, task: str, run_id: int) -> None:
        """A run was saved or made active: every task may add to the table and the card."""
        self.refresh()

    def refresh(self) -> None:
        """Reload customers, scores and segments on the worker."""
        if self.project is None:
            self._loader.cancel()
            self._card_loader.cancel()
            return
        self._loader.call(read_customers, self.project, on_done=lambda read: self._loaded(*read))

    def _loaded(self, table: CustomerTable, prepared: PreparedCustomers | None = None) -> None:
        frame = table.frame
        if self._card_loader.busy and self._pending is None:
            self._pending = self._card_id  # asked for before this list came: load it again
        self._card_loader.cancel()
        self.model.set_table(table, prepared)
        self._rehide()
        self.card = None
        self.card_stack.setCurrentIndex(0)
        self.placeholder.setText(
            self._notice
            + (
                self.tr("Select a customer in the list to see their card.")
                if len(frame)
                else self.tr("No customers yet: import your shop's behavior log on the Data page.")
            )
        )
        self._notice = ""
        self._apply_filter()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.show_customer(pending)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.search.text(), self.low.value() / 100, self.high.value() / 100)
        key = self.model.filter_key
        scored = 0 if key is None else int(
            np.isfinite(self.model.frame[key].to_numpy(dtype=float)).sum())
        note = "" if scored else self.tr(" · no intent scores yet: train on the Train page")
        self.count.setText(
            self.tr("{0:,} of {1:,} customers").format(len(self.model.view), len(self.model.frame))
            + note
        )
        self.export_shown_button.setEnabled(
            len(self.model.view) > 0 and self._export_worker is None
        )

    def _fill_columns_menu(self) -> None:
        """One check box a column; the customer's id always stays."""
        self.columns_menu.clear()
        header = self.table.horizontalHeader()
        for i, title in enumerate(self.model.headers):
            action = self.columns_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(i))
            action.setEnabled(i != 0)
            action.toggled.connect(lambda on, i=i: self.show_column(i, on))

    def show_column(self, index: int, shown: bool) -> None:
        """Show or hide column ``index`` (the customer's id column always shows)."""
        if index == 0 and not shown:
            return
        key = self.model.keys[index]
        if shown:
            self._hidden.discard(key)
            self._shown.add(key)
        else:
            self._hidden.add(key)
            self._shown.discard(key)
        self.table.horizontalHeader().setSectionHidden(index, not shown)

    def _empty(self, key: str) -> bool:
        """Whether a column holds nothing yet (a task not trained: no segment, no next item);
        worked out with the table on the worker where it was read."""
        frame = self.model.frame
        if key not in frame.columns or len(frame) == 0:
            return False
        if self.model.empty is not None:
            return key in self.model.empty
        return column_is_empty(frame[key].to_numpy())

    def _rehide(self) -> None:
        """Keep the columns the owner hid hidden when the table reloads (by column, not by
        place: a new task's column may come in between). A column with nothing in it yet is
        hidden too, until it has values or the owner shows it."""
        header = self.table.horizontalHeader()
        for i, key in enumerate(self.model.keys):
            hide = key in self._hidden or (i > 0 and key not in self._shown and self._empty(key))
            header.setSectionHidden(i, hide)

    def shown_columns(self) -> list[Column]:
        """The table's columns as it shows them: in header order, hidden ones left out."""
        header = self.table.horizontalHeader()
        model = self.model
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [
            Column(model.keys[i], model.headers[i], model.kinds[i])
            for i in logical
            if 0 <= i < len(model.keys) and not header.isSectionHidden(i)
        ]

    def export_shown(self, path: str | None = None) -> None:
        """Save the rows the table shows (after search, intent range and sort) with its
        columns, as CSV or Excel by the file name, on the worker (asks where unless ``path``
        is given); the status line says how many rows went where, and ``exported`` follows."""
        if self.project is None or self._export_worker is not None:
            return
        if not path:
            path = ask_export_path(self, self.tr("Export what you see"), "customers.xlsx")
            if not path:
                return
        from engine.export_tables import export_shown

        out = path
        # The model replaces (never changes) its frame and row order, so these are a snapshot.
        worker = Worker.call(
            export_shown, self.model.frame, self.shown_columns(), self.model.view, out,
            project=self.project,
        )
        worker.signals.progressed.connect(lambda n: self._exported(out, int(n)))
        worker.signals.failed.connect(self._export_failed)
        worker.signals.finished.connect(self._export_finished)
        self._export_worker = worker
        self.export_shown_button.setEnabled(False)
        self.status.clear()
        worker.start()

    def _exported(self, path: str, n: int) -> None:
        remember_export_folder(path)
        self.status.saved(self.tr("{0:,} customers").format(n), path)
        self.exported.emit(path, n)

    def _export_failed(self, exc: BaseException) -> None:
        self.status.failed(str(exc))
        QMessageBox.information(self, self.tr("Export what you see"), str(exc))

    def _export_finished(self) -> None:
        self._export_worker = None
        self.export_shown_button.setEnabled(len(self.model.view) > 0)

    def export_scores(self, path: str | None = None) -> int:
        """Save every scored customer (customer, score, rank, as_of, horizon) as CSV or
        Excel by the file name (asks where unless ``path`` is given); returns the rows."""
        if self.project is None:
            return 0
        from engine.exports import ExportError
        from engine.intent.lookup import export_scores as write_scores
        from engine.tasks.base import NoData

        if not path:
            path = ask_export_path(self, self.tr("Export scores"), "scores.csv")
            if not path:
                return 0
        try:
            n = write_scores(self.project, path)
        except (NoData, ExportError) as exc:
            self.status.failed(str(exc))
            QMessageBox.information(self, self.tr("Export scores"), str(exc))
            return 0
        remember_export_folder(path)
        self.status.saved(self.tr("{0:,} scores").format(n), path)
        return n

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._open_card(self.model.customer_id(current.row()))

    def show_customer(self, customer_id: int) -> None:
        """Select a customer in the table (clearing filters if needed) and open their card."""
        if len(self.model.frame) == 0:
            self._pending = customer_id
            return
        row = self.model.row_of(customer_id)
        if row is None:
            self.search.clear()
            self.low.setValue(0)
            self.high.setValue(100)
            self._apply_filter()
            row = self.model.row_of(customer_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._open_card(customer_id)

    def _open_card(self, customer_id: int) -> None:
        if self.project is None or (customer_id == self._card_id and self._card_loader.busy):
            return  # (selecting the row in show_customer asks for the same card again)
        self._card_id = customer_id
        self.card_view.title.setText(self.tr("Loading…"))
        project = self.project

        def explained(card: Card) -> None:  # second step: the model says why
            self._show_card(card)
            self._card_loader.call(
                load_card, project, customer_id, True, card, on_done=self._show_card,
                on_error=lambda exc: self.card_view.title.setText(str(exc)),
            )

        self._card_loader.call(  # first step: the card in milliseconds, without the model
            load_card, project, customer_id, False, on_done=explained,
            on_error=lambda exc: self.card_view.title.setText(str(exc)),
        )

    def _show_card(self, card: Card) -> None:
        self.card = card
        self.card_stack.setCurrentIndex(1)
        self.card_view.show_card(card)
        if is_read_only(self.project):  # nothing can be deleted from a read-only project
            self.card_view.forget_button.setEnabled(False)

    def forget_customer(self, *, confirm: bool = True) -> None:
        """Delete the card's customer from the project (asks first), on the worker."""
        if self.project is None or self.card is None:
            return
        if refuse_if_read_only(self, self.project, self.tr("Forget this customer")):
            return
        key = str(self.card.customer)
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Forget this customer"),
                self.tr(
                    "Delete everything about customer {0} from this project: their events, "
                    "scores, segment and rejected lines? Models trained on them are marked out "
                    "of date. This cannot be undone."
                ).format(key),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        from engine.privacy import forget

        self.card_view.forget_button.setEnabled(False)

        def done(_result: object) -> None:
            self.card = None
            self.card_stack.setCurrentIndex(0)
            self._notice = self.tr(
                "Customer {0} was forgotten: nothing about them is left in the project.\n\n"
            ).format(key)
            self.placeholder.setText(self._notice)
            self.forgotten.emit(key)
            self.refresh()

        worker = Worker.call(forget, self.project, key)
        worker.signals.progressed.connect(done)
        worker.signals.failed.connect(lambda exc: self.card_view.title.setText(str(exc)))
        worker.signals.finished.connect(lambda: self.card_view.forget_button.setEnabled(True))
        self._forget_worker = worker
        worker.start()

    def prepare_screenshot(self) -> None:
        """Open the card of the top customer so the screenshot shows one."""
        if self.model.rowCount() and self.card is None:
            self.table.selectRow(0)
