"""Small shared widgets: headline numbers, section titles, plots in the house style, and the
save dialog and status line every export on a page uses."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QFont, QFontMetrics, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.settings import home

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


class EpochAxis(pg.AxisItem):
    """An axis of epochs: ticks on whole epochs only (an epoch 1.5 does not exist)."""

    def tickValues(  # noqa: N802 - pyqtgraph's name
        self, minVal: float, maxVal: float, size: float  # noqa: N803
    ) -> list[tuple[float, list[float]]]:
        """pyqtgraph's levels without fractional spacings or values."""
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        levels = [(spacing, values) for spacing, values in levels if values]
        if not levels and math.isfinite(minVal) and math.isfinite(maxVal):
            whole = [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)]
            levels = [(1.0, whole)] if whole else []
        return levels


def plot(title_text: str = "", *, date_axis: bool = False,
         epoch_axis: bool = False) -> pg.PlotWidget:
    """A plot widget in the house style (white background, light grid); its bottom axis reads
    dates or whole epochs when asked."""
    axis: dict[str, pg.AxisItem] = {}
    if date_axis:
        axis["bottom"] = pg.DateAxisItem(utcOffset=0)
    elif epoch_axis:
        axis["bottom"] = EpochAxis(orientation="bottom")
    widget = pg.PlotWidget(axisItems=axis)
    widget.showGrid(x=True, y=True, alpha=0.15)
    if title_text:
        set_plot_title(widget, title_text)
    widget.setMenuEnabled(False)
    widget.setMinimumHeight(180)
    return widget


def set_plot_title(widget: pg.PlotWidget, text: str) -> None:
    """Title a plot (10 pt); ``title_width`` on the widget then says how wide the plot must be
    for its title to show whole (a layout short of room can stack such plots)."""
    widget.setTitle(text, size="10pt")
    font = QFont(widget.font())
    font.setPointSize(10)
    plain = QTextDocumentFragment.fromHtml(text).toPlainText() if "<" in text else text
    metrics = QFontMetrics(font)
    # The title sits over the plot area: add the left axis (its numbers) and margins.
    widget.title_width = (metrics.horizontalAdvance(plain) + metrics.horizontalAdvance("0.0000")
                          + 24) if text else 0


# -- exports ---------------------------------------------------------------------------------

#: The QSettings key of the folder the last export went to.
_LAST_FOLDER = "exports/last_folder"


def _export_settings() -> QSettings:
    # A file in IntentLens's own folder (INTENTLENS_HOME in tests), not the user's registry.
    return QSettings(str(home() / "exports.ini"), QSettings.Format.IniFormat)


def export_folder() -> Path:
    """Where a save dialog opens: the folder of the last export, while it still exists, else
    the user's Documents folder (else their home folder); never the app's own folder."""
    last = _export_settings().value(_LAST_FOLDER)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def remember_export_folder(path: str | Path) -> None:
    """Open the next save dialog where this export went."""
    folder = Path(path).expanduser().resolve().parent
    if folder.is_dir():
        settings = _export_settings()
        settings.setValue(_LAST_FOLDER, str(folder))
        settings.sync()


def ask_export_path(parent: QWidget, caption: str, file_name: str) -> str | None:
    """Ask where to save an export (CSV or Excel by the name), starting in :func:`export_folder`;
    None when the user cancels. A name without either ending gets the chosen type's."""
    csv_filter = QCoreApplication.translate("widgets", "CSV files (*.csv)")
    xlsx_filter = QCoreApplication.translate("widgets", "Excel workbooks (*.xlsx)")
    filters = [xlsx_filter, csv_filter] if file_name.endswith(".xlsx") else [csv_filter,
                                                                              xlsx_filter]
    path, chosen = QFileDialog.getSaveFileName(
        parent, caption, str(export_folder() / file_name), ";;".join(filters), filters[0]
    )
    if not path:
        return None
    if not path.lower().endswith((".csv", ".xlsx")):
        path += ".xlsx" if chosen == xlsx_filter else ".csv"
    return path


class StatusLine(QLabel):
    """One line under a page's buttons that says what an export did: how many rows went where
    (with a link that opens the folder), or why nothing was written. Hidden until it has
    something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.plain = ""
        self.setVisible(False)

    def saved(self, count: str, path: str | Path) -> None:
        """Say that ``count`` (e.g. "1,234 customers") went to ``path``."""
        file = Path(path).expanduser().resolve()
        self.plain = QCoreApplication.translate("widgets", "Saved {0} to {1}.").format(
            count, file
        )
        link = QUrl.fromLocalFile(str(file.parent)).toString()
        show = QCoreApplication.translate("widgets", "Open folder")
        self._show(
            "&#10003; "
            + escape(self.plain)
            + f' &nbsp;<a href="{escape(link, quote=True)}">{escape(show)}</a>',
            "#1d6b35",
        )

    def failed(self, sentence: str) -> None:
        """Say why an export was not written."""
        self.plain = sentence
        self._show(escape(sentence), "#8a5a00")

    def clear(self) -> None:
        self.plain = ""
        super().clear()
        self.setVisible(False)

    def _show(self, html: str, colour: str) -> None:
        self.setStyleSheet(
            f"#statusLine {{ color: {colour}; background: #f6f8fb; border: 1px solid #dde3ea;"
            " border-radius: 4px; padding: 4px 8px; }"
        )
        self.setText(html)
        self.setVisible(True)


class EmptyState(QWidget):
    """What a page shows when there is nothing to show yet: a sentence, centred, and a button
    to the Train page when training would fill it (``train_requested``)."""

    train_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        v.addStretch(1)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("font-size: 15px; color: #5b6776; padding: 20px 40px;")
        v.addWidget(self.label)
        self.train_button = QPushButton(self.tr("Go to the Train page"))
        self.train_button.clicked.connect(lambda _checked=False: self.train_requested.emit())
        v.addWidget(self.train_button, 0, Qt.AlignmentFlag.AlignHCenter)
        v.addStretch(2)

    def say(self, text: str, *, train: bool) -> None:
        """Show ``text``, with the Train page button when ``train``."""
        self.label.setText(text)
        self.train_button.setVisible(train)
