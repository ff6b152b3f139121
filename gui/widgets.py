"""Small shared widgets: headline numbers, section titles, charts in the house style (with their
right-click menu), and the save dialogs and confirmations every export and picture uses."""

from __future__ import annotations

import math
import os
from functools import partial
from html import escape
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPainter,
    QPixmap,
    QTextDocumentFragment,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.exports import ExportError, check_target
from gui.date_axis import LocaleDateAxis
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


class NumberAxis(pg.AxisItem):
    """Numbers as a shop owner writes them: the thousands grouped in the user's way
    (1,500,000, never pyqtgraph's 1.5e+06), decimals only where the ticks are that close."""

    def tickStrings(  # noqa: N802 - pyqtgraph's name
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        """Each tick's number with as many decimals as the spacing of the ticks needs."""
        if self.logMode:
            return list(super().tickStrings(values, scale, spacing))
        from gui import formats

        step = abs(spacing * scale)
        places = 0 if step >= 1 or step == 0 else min(6, math.ceil(-math.log10(step) - 1e-9))
        return [formats.number(v * scale, places) for v in values]


class EpochAxis(NumberAxis):
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


def _tr(text: str) -> str:
    return QCoreApplication.translate("widgets", text)


class Chart(pg.PlotWidget):
    """A pyqtgraph plot that behaves like the rest of the page: the mouse wheel scrolls the page
    (Ctrl+wheel zooms the chart), and a right-click offers "Save chart as picture…", "Copy
    chart" and "Reset view" (pyqtgraph's own menu, full of terms, stays off).

    ``caption`` is a label drawn above the chart outside it (a wrapping title), put on top of a
    saved or copied picture too; ``file_name`` is the name the save dialog suggests ("" names
    the picture after the title)."""

    def __init__(self, axisItems: dict[str, pg.AxisItem] | None = None) -> None:  # noqa: N803
        super().__init__(axisItems=axisItems)
        self.setMenuEnabled(False)
        self.caption: QLabel | None = None
        self.file_name = ""
        #: The ranges the page set (x and/or y, with padding): what "Reset view" goes back to.
        self._home: dict[str, tuple[float, float, float | None]] = {}
        # PlotWidget binds setXRange/setYRange to its PlotItem per instance; wrap them so a
        # range the page sets is remembered (the user's zooming goes through the ViewBox).
        self.setXRange = partial(self._set_range, "x")
        self.setYRange = partial(self._set_range, "y")

    def _set_range(self, axis: str, low: float, high: float, padding: float | None = None,
                   update: bool = True) -> None:
        self._home[axis] = (low, high, padding)
        item = self.getPlotItem()
        setter = item.setXRange if axis == "x" else item.setYRange
        setter(low, high, padding=padding, update=update)

    def movable(self) -> bool:
        """Whether the user can zoom or move the view (some charts are fixed pictures)."""
        return any(self.getViewBox().state["mouseEnabled"])

    def reset_view(self) -> None:
        """Show the chart as the page drew it: the ranges it set, else everything fitted."""
        box = self.getViewBox()
        for axis, which in (("x", pg.ViewBox.XAxis), ("y", pg.ViewBox.YAxis)):
            home = self._home.get(axis)
            if home is None:
                box.enableAutoRange(axis=which, enable=True)
            else:
                self._set_range(axis, *home)

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802
        """Ctrl+wheel zooms; the plain wheel scrolls the page the chart sits on."""
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev)
            return
        area = scroll_area_of(self)
        if area is None:
            ev.ignore()
            return
        QApplication.sendEvent(area.viewport(), ev.clone())
        ev.accept()

    def contextMenuEvent(self, ev: QContextMenuEvent) -> None:  # noqa: N802
        """The chart's menu (never pyqtgraph's)."""
        self.context_menu().exec(ev.globalPos())
        ev.accept()

    def context_menu(self) -> QMenu:
        """The right-click menu: save as a picture, copy, reset the view."""
        menu = QMenu(self)
        menu.addAction(_tr("Save chart as picture…"), lambda: save_chart(self))
        menu.addAction(_tr("Copy chart"), lambda: copy_chart(self))
        if self.movable():
            menu.addSeparator()
            reset = menu.addAction(_tr("Reset view"), self.reset_view)
            reset.setToolTip(_tr("Undo zooming and moving: show the whole chart again"))
        return menu

    def title_text(self) -> str:
        """The chart's title as plain text (its caption's, else its own; "" without one)."""
        if self.caption is not None and self.caption.text():
            text = self.caption.text()
        else:
            label = self.getPlotItem().titleLabel
            text = label.text if label.isVisible() else ""
        return QTextDocumentFragment.fromHtml(text).toPlainText() if "<" in text else text


def scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The scroll area a widget sits in (None when its page does not scroll)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def plot(title_text: str = "", *, date_axis: bool = False,
         epoch_axis: bool = False) -> Chart:
    """A chart in the house style (white background, light grid, the chart menu); its bottom
    axis reads dates or whole epochs when asked."""
    axis: dict[str, pg.AxisItem] = {"left": NumberAxis(orientation="left")}
    if date_axis:
        axis["bottom"] = LocaleDateAxis()  # month names in the user's language
    elif epoch_axis:
        axis["bottom"] = EpochAxis(orientation="bottom")
    else:
        axis["bottom"] = NumberAxis(orientation="bottom")
    widget = Chart(axisItems=axis)
    widget.showGrid(x=True, y=True, alpha=0.15)
    if title_text:
        set_plot_title(widget, title_text)
    widget.setMinimumHeight(180)
    return widget


def chart_picture(chart: Chart) -> QPixmap:
    """The chart as shown, with its caption above it when it has one."""
    shot = chart.grab()
    caption = chart.caption
    if caption is None or not caption.isVisible() or not caption.text():
        return shot
    top = caption.grab()
    ratio = shot.devicePixelRatio()
    picture = QPixmap(max(shot.width(), top.width()), shot.height() + top.height())
    picture.setDevicePixelRatio(ratio)
    picture.fill(Qt.GlobalColor.white)
    painter = QPainter(picture)
    painter.drawPixmap(0, 0, top)
    painter.drawPixmap(0, round(top.height() / ratio), shot)
    painter.end()
    return picture


def _file_name(chart: Chart) -> str:
    if chart.file_name:
        return chart.file_name
    words = "".join(c if c.isalnum() else " " for c in chart.title_text().lower()).split()
    return "-".join(words)[:60].strip("-") + ".png" if words else "chart.png"


def save_chart(chart: Chart, path: str | Path | None = None) -> Path | None:
    """Save a chart as shown as a PNG picture: asks where (starting in :func:`export_folder`)
    unless ``path`` is given, then says where it went (:func:`tell_saved`) or why nothing was
    written (:func:`tell_failed`). Returns the file written, or None."""
    if not path:
        chosen, _ = QFileDialog.getSaveFileName(
            chart, _tr("Save chart as picture"), str(export_folder() / _file_name(chart)),
            _tr("PNG pictures (*.png)"))
        if not chosen:
            return None
        path = chosen if chosen.lower().endswith(".png") else chosen + ".png"
    try:
        target = check_target(path, getattr(page_of(chart), "project", None))
    except ExportError as exc:
        tell_failed(chart, str(exc))
        return None
    # Written beside the target and renamed, so a failure leaves an older picture as it was.
    tmp = target.with_name(f".{target.name}.part")
    if not chart_picture(chart).save(str(tmp), "PNG"):
        tmp.unlink(missing_ok=True)
        tell_failed(chart, _tr("“{0}” could not be written (no permission, or the disk is "
                               "full), so nothing changed.").format(target.name))
        return None
    os.replace(tmp, target)
    tell_saved(chart, _tr("the chart"), target)
    return target


def copy_chart(chart: Chart) -> None:
    """Put the chart as shown on the clipboard, as a picture."""
    QGuiApplication.clipboard().setPixmap(chart_picture(chart))
    window = chart.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(
            _tr("The chart is copied: paste it into a document or an e-mail."), 8000)


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


def page_of(widget: QWidget) -> QWidget | None:
    """The page (or window) a widget belongs to: the nearest one, itself included, that
    follows a project (has a ``project``); None for a widget on its own."""
    at: QWidget | None = widget
    while at is not None and not hasattr(at, "project"):
        at = at.parentWidget()
    return at


def _page_line(widget: QWidget) -> StatusLine | None:
    line = getattr(page_of(widget), "status", None)
    return line if isinstance(line, StatusLine) else None


def tell_saved(widget: QWidget, what: str, path: str | Path) -> None:
    """Say that ``what`` ("the chart", "1,234 rows") was saved to ``path``, where the user
    cannot miss it: on the page's status line when it has one (with a link to the folder),
    else in a message with an "Open" button for the folder; the window's status bar repeats it.
    The next save dialog opens in that folder."""
    file = Path(path).expanduser().resolve()
    remember_export_folder(file)
    sentence = _tr("Saved {0} to {1}.").format(what, file)
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(sentence, 15_000)
    line = _page_line(widget)
    if line is not None:
        line.saved(what, file)
        return
    box = QMessageBox.StandardButton
    answer = QMessageBox.information(
        widget, _tr("Saved"), sentence + "\n\n" + _tr("Open the folder to see the file?"),
        box.Open | box.Close, box.Close)
    if answer == box.Open:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(file.parent)))


def tell_failed(widget: QWidget, sentence: str) -> None:
    """Say why nothing was saved: on the page's status line when it has one, else in a
    message; the window's status bar repeats it."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(sentence, 15_000)
    line = _page_line(widget)
    if line is not None:
        line.failed(sentence)
    else:
        QMessageBox.warning(widget, _tr("Not saved"), sentence)


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
