"""The first-start tour: four short steps over the demo project (Data, Train, Customers,
Campaign), each showing its page in the main window.

The main window offers it once, on the demo project, until it is finished or skipped
(``Settings.tour_done``); Help → Take the tour starts it again on purpose. It is not modal: the
pages stay usable behind it, and startup never waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate


@dataclass(frozen=True)
class Step:
    """One step: the page it shows (the main window's attribute) and what it says."""

    page: str
    title: str
    text: str


def steps() -> list[Step]:
    """The tour's four steps, in the user's language."""
    return [
        Step("data_page", translate("Tour", "1. Your data at a glance"), translate(
            "Tour",
            "This is the demo shop: made-up customers with half a year of visits, searches "
            "and purchases. The Data page shows what a project holds. When you are ready, "
            "press “Import a file…” to bring in your own shop's file; it gets a project of "
            "its own.")),
        Step("train_page", translate("Tour", "2. Train the models with one click"), translate(
            "Tour",
            "Nothing is trained in the demo yet. Choose what to learn (start with “Purchase "
            "intent”) and press “Start training”: the curves show the model learning, live, "
            "and a few plain sentences then say how good it is.")),
        Step("customers_page", translate("Tour", "3. Who is about to buy, and why"), translate(
            "Tour",
            "After training, the customers most likely to buy come first. Click a customer to "
            "open their card: how likely they are to buy, the recent events behind it and "
            "what to offer them.")),
        Step("campaign_page", translate("Tour", "4. Whom to contact"), translate(
            "Tour",
            "With a purchase-intent model trained, choose who may be on the list and what a "
            "sale brings you; IntentLens suggests how many customers to contact for the most "
            "profit. “Export list…” saves the list, with "
            "what to offer each customer, for Excel. Help → Guide to this page (F1) explains "
            "any page.")),
    ]


class Tour(QDialog):
    """A small window over the main window's corner: the step's title and sentences, and
    Back, Next (Finish on the last step) and Skip tour. Closing it counts as skipping."""

    ended = Signal(bool)
    """The tour was finished (True) or skipped or closed (False)."""

    def __init__(self, show_page: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tour")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Welcome to IntentLens"))
        self._show_page = show_page
        self.steps = steps()
        self.index = 0
        self._ended = False
        self.counter = QLabel()
        self.counter.setStyleSheet("color: #5b6776;")
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.title.setWordWrap(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.skip_button = QPushButton(self.tr("Skip tour"))
        self.skip_button.setToolTip(self.tr("Close the tour; Help → Take the tour shows it again"))
        self.back_button = QPushButton(self.tr("Back"))
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setDefault(True)
        self.skip_button.clicked.connect(lambda _checked=False: self.skip())
        self.back_button.clicked.connect(lambda _checked=False: self.back())
        self.next_button.clicked.connect(lambda _checked=False: self.next())
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(self.counter)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.setFixedWidth(max(400, self.fontMetrics().averageCharWidth() * 62))
        self.go(0)

    # -- steps ---------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show step ``index`` (0-3) and its page."""
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[self.index]
        self.counter.setText(self.tr("Step {0} of {1}").format(self.index + 1, len(self.steps)))
        self.title.setText(step.title)
        self.text.setText(step.text)
        last = self.index == len(self.steps) - 1
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setText(self.tr("Finish") if last else self.tr("Next"))
        self.skip_button.setVisible(not last)
        self._show_page(step.page)
        # Wrapped labels: the height their lines take at the fixed width.
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.setFixedHeight(layout.totalHeightForWidth(self.width()))

    def next(self) -> None:
        """The next step; on the last one, Finish."""
        if self.index == len(self.steps) - 1:
            self._end(True)
        else:
            self.go(self.index + 1)

    def back(self) -> None:
        """The step before."""
        self.go(self.index - 1)

    def skip(self) -> None:
        """Skip the rest of the tour."""
        self._end(False)

    def _end(self, finished: bool) -> None:
        if not self._ended:
            self._ended = True
            self.ended.emit(finished)
        self.close()

    # -- placement and closing -----------------------------------------------------------
    def place(self) -> None:
        """Put the tour in the parent's lower right corner, where it hides the least."""
        parent = self.parentWidget()
        if parent is None:
            return
        corner = parent.mapToGlobal(QPoint(parent.width(), parent.height()))
        self.move(corner - QPoint(self.width() + 24, self.height() + 48))

    def reject(self) -> None:
        """Escape skips the tour."""
        self.skip()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Closing the window skips the tour."""
        if not self._ended:
            self._ended = True
            self.ended.emit(False)
        super().closeEvent(event)
