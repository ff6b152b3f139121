"""The wizard's offer to map a file as the last import of the same kind was mapped."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from engine.ingest.mapping_memory import PreviousMapping
from gui.wizard_common import translate

OFFER_STYLE = (
    "#previousMapping { background: #e9f2fd; border: 1px solid #a9c8f0; border-radius: 4px; }"
    "#previousMapping QLabel { color: #17406d; }"
)


class PreviousMappingBar(QFrame):
    """A blue bar above the reading choices: "Same mapping as last time" (one click), then what
    was applied. Hidden when no earlier import read a file of this kind."""

    apply_requested = Signal()
    """The user asked for the mapping of the last import of this kind (no payload)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previousMapping")
        self.setStyleSheet(OFFER_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.button = QPushButton(translate("ImportWizard", "Same mapping as last time"))
        self.button.setToolTip(translate(
            "ImportWizard",
            "Use the columns, event words and options of that import; you can still change "
            "anything below.",
        ))
        self.button.clicked.connect(self.apply_requested)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.previous: PreviousMapping | None = None
        self.setVisible(False)

    def offer(self, previous: PreviousMapping) -> None:
        """Offer the mapping of ``previous``."""
        self.previous = previous
        self.label.setText(translate(
            "ImportWizard",
            "A file of this kind was imported before (“{0}”, {1}). Map this one the same way?",
        ).format(previous.file_name, previous.day))
        self.button.setVisible(True)
        self.setVisible(True)

    def show_applied(self, previous: PreviousMapping) -> None:
        """Say that the mapping of ``previous`` is in use."""
        self.previous = previous
        self.label.setText(translate(
            "ImportWizard",
            "✓ Mapped as the last import of this kind (“{0}”, {1}). Change anything below "
            "if this file differs.",
        ).format(previous.file_name, previous.day))
        self.button.setVisible(False)
        self.setVisible(True)

    def clear(self) -> None:
        """No earlier import of this kind: nothing to offer."""
        self.previous = None
        self.setVisible(False)
