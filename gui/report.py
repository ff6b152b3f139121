"""The project report as PDF: the engine's HTML (``engine.report``) laid out on one A4 page by
Qt's rich-text engine and written through ``QPdfWriter``; and File → Project report….

The PDF part needs only a ``QGuiApplication`` (fonts are measured by it): ``python main.py
report PROJECT OUT.pdf`` makes an offscreen one and imports no widgets (they load inside the
functions of the menu entry).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    QSizeF,
    Signal,
)
from PySide6.QtGui import (
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from engine.exports import ExportError, check_target, write_bytes
from engine.report import REPORT_KINDS, build_report, report_kind
from engine.tasks.base import NoData
from gui.worker import Caller

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from storage.project import Project

#: Page margins in millimetres (room for a printer's unprintable edge and a hole punch).
MARGIN_MM = 14.0
#: The PDF's resolution: fine enough for print, small numbers for the layout.
DPI = 300
#: The smallest scale a long report is shrunk to so that it stays one page (then it flows on).
MIN_SCALE = 0.7


def _document(html: str, device: QPaintDevice, scale: float) -> QTextDocument:
    """The report laid out for the device's page (the PDF writer's), ``scale`` times its
    size."""
    doc = QTextDocument()
    # Measured on the PDF itself, so a point is a point on paper and the page count is true.
    doc.documentLayout().setPaintDevice(device)
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    doc.setPageSize(QSizeF(device.width() / scale, device.height() / scale))
    return doc


def pdf_bytes(html: str, title: str = "") -> tuple[bytes, int]:
    """The report as a PDF on A4 and the number of its pages. A report a little longer than a
    page is shrunk (down to :data:`MIN_SCALE`) so that it fits one; a longer one flows on."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    writer.setTitle(title)
    writer.setCreator("IntentLens")
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter))
    scale = 1.0
    doc = _document(html, writer, scale)
    while doc.pageCount() > 1 and scale > MIN_SCALE + 1e-9:
        scale = max(MIN_SCALE, scale - 0.05)
        doc = _document(html, writer, scale)
    pages = doc.pageCount()
    painter = QPainter(writer)
    try:
        painter.scale(scale, scale)
        page = doc.pageSize()
        for n in range(pages):
            if n:
                writer.newPage()
            painter.save()
            painter.translate(0, -n * page.height())
            doc.drawContents(painter, QRectF(0, n * page.height(), page.width(), page.height()))
            painter.restore()
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data()), pages


def write_pdf(html: str, out: str | Path, *, project: Project | None = None,
              title: str = "") -> tuple[Path, int]:
    """Write the report as PDF like every export (never over a database, atomically;
    ExportError in one sentence). Returns the file written and its number of pages."""
    data, pages = pdf_bytes(html, title)
    return write_bytes(data, out, project=project), pages


# -- File → Project report… ------------------------------------------------------------------
def ask_report_path(parent: QWidget, project_name: str) -> str | None:
    """Ask where to save the report (PDF or HTML by the chosen type), starting in the folder of
    the last export; None when the user cancels. A name without an ending gets the type's."""
    from PySide6.QtWidgets import QFileDialog

    from gui.widgets import export_folder

    pdf_filter = QCoreApplication.translate("report", "PDF documents (*.pdf)")
    html_filter = QCoreApplication.translate("report", "Web pages (*.html *.htm)")
    slug = re.sub(r"[^\w]+", "-", project_name, flags=re.UNICODE).strip("-") or "project"
    name = QCoreApplication.translate("report", "{0}-report.pdf").format(slug)
    path, chosen = QFileDialog.getSaveFileName(
        parent, QCoreApplication.translate("report", "Save the project report"),
        str(export_folder() / name), f"{pdf_filter};;{html_filter}", pdf_filter)
    if not path:
        return None
    if Path(path).suffix.lower() not in REPORT_KINDS:
        path += ".html" if chosen == html_filter else ".pdf"
    return path


class ReportSaver(QObject):
    """Writes the open project's report: reads the project on the worker (the campaign list
    takes seconds on a big shop), then lays out the PDF in the GUI thread (Qt's fonts live
    there) and writes the file like every export."""

    written = Signal(str, int)
    """The report was written (payload: the file's path, its number of pages)."""
    failed = Signal(str)
    """Nothing was written (payload: why, one sentence)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._caller = Caller(self)
        # Said where the user cannot miss it, like every export (gui.widgets).
        self.written.connect(self._tell_saved)
        self.failed.connect(self._tell_failed)

    @property
    def busy(self) -> bool:
        """Whether a report is being made."""
        return self._caller.busy

    def save(self, project: Project | None, path: str | None = None) -> None:
        """Ask where (unless ``path`` is given), then make and write the report; nothing
        without a project or while a report is being made."""
        if project is None or self.busy:
            return
        if path is None:
            path = ask_report_path(self._parent, project.name)
            if path is None:
                return
        try:
            kind = report_kind(path)
            check_target(path, project)  # refused before the slow part
        except (ValueError, ExportError) as exc:
            self.failed.emit(str(exc))
            return
        title = QCoreApplication.translate("report", "IntentLens report: {0}").format(
            project.name)
        self._status(QCoreApplication.translate("report", "Making the project report…"))
        self._caller.call(
            build_report, project,
            on_done=lambda html: self._write(project, path, kind, str(html), title),
            on_error=self._build_failed,
        )

    def _build_failed(self, exc: BaseException) -> None:
        """What the project cannot give is one sentence; anything else is a bug, for the
        app's error message with its details."""
        if isinstance(exc, (ExportError, NoData)):
            self.failed.emit(str(exc))
            return
        self._status("")
        sys.excepthook(type(exc), exc, exc.__traceback__)

    def _write(self, project: Project, path: str, kind: str, html: str, title: str) -> None:
        try:
            if kind == "pdf":
                target, pages = write_pdf(html, path, project=project, title=title)
            else:
                target, pages = write_bytes(html.encode("utf-8"), path, project=project), 1
        except ExportError as exc:
            self.failed.emit(str(exc))
            return
        self.written.emit(str(target), pages)

    def _status(self, text: str) -> None:
        from PySide6.QtWidgets import QMainWindow

        window = self._parent.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text)

    def _tell_saved(self, path: str, pages: int) -> None:
        from gui.widgets import tell_saved

        what = (QCoreApplication.translate("report", "the project report") if pages <= 1
                else QCoreApplication.translate("report", "the project report ({0} pages)")
                .format(pages))
        tell_saved(self._parent, what, path)

    def _tell_failed(self, sentence: str) -> None:
        from gui.widgets import tell_failed

        tell_failed(self._parent, sentence)
