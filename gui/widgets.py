"""Small shared widgets: headline numbers, section titles, plots in the house style."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=True, background="w", foreground="#333")

PALETTE = ["#2a6fdb", "#e8833a", "#3aa655", "#c8443c", "#8e6cc4", "#8c6d31", "#d16ba5", "#7f7f7f",
           "#b5bd38", "#1fb0c2", "#5b3f99", "#a0a0a0"]


class StatCard(QFrame):
    """A headline number with its caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#statCard { background: #f6f8fb; border: 1px solid #dde3ea; border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.value = QLabel("–")
        self.value.setStyleSheet("font-size: 20px; font-weight: 600; color: #1d2a3a;")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #5b6776;")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str, tooltip: str = "") -> None:
        """Show a new value."""
        self.value.setText(text)
        self.setToolTip(tooltip)


def title(text: str) -> QLabel:
    """A section title."""
    label = QLabel(text)
    label.setStyleSheet("font-size: 14px; font-weight: 600; margin-top: 6px;")
    return label


def hint(text: str) -> QLabel:
    """Explanatory text in a softer colour, wrapping."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #5b6776;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def plot(title_text: str = "", *, date_axis: bool = False) -> pg.PlotWidget:
    """A plot widget in the house style (white background, light grid)."""
    axis = {"bottom": pg.DateAxisItem(utcOffset=0)} if date_axis else {}
    widget = pg.PlotWidget(axisItems=axis)
    widget.showGrid(x=True, y=True, alpha=0.15)
    if title_text:
        widget.setTitle(title_text, size="10pt")
    widget.setMenuEnabled(False)
    widget.setMinimumHeight(180)
    return widget
