"""A read-only project, said in the window: a banner above the pages, a word in the status bar,
and one sentence for every action that would write (import, training, making a run active,
forgetting a customer), refused before any work starts.

``storage.project.open_project`` opens a project whose file or folder cannot be written for
reading only (``Project.read_only``); viewing, lookups and exports work as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from storage.project import Project

_CONTEXT = "ReadOnly"
_BANNER_STYLE = (
    "QFrame#read_only_banner { background: #fff4ce; border-bottom: 1px solid #e0c36b; } "
    "QLabel { color: #4d3b00; font-size: 13px; }"
)


def is_read_only(project: Project | None) -> bool:
    """Whether ``project`` is open for reading only."""
    return bool(project is not None and project.read_only)


def read_only_sentence(project: Project) -> str:
    """The one sentence that says why nothing can be changed, and what to do."""
    name = project.path.name if project.path is not None else project.name
    return QCoreApplication.translate(
        _CONTEXT,
        "This project is read-only: “{0}” or its folder cannot be written, so you can look at "
        "everything but change nothing. Open a copy to import or train.",
    ).format(name)


def refuse_if_read_only(parent: QWidget | None, project: Project | None, title: str) -> bool:
    """Say the sentence in a message box and return True when ``project`` is read-only (the
    caller then stops before any work); False otherwise."""
    if project is None or not is_read_only(project):
        return False
    QMessageBox.information(parent, title, read_only_sentence(project))
    return True


class ReadOnlyBanner(QFrame):
    """A strip above the pages, shown only while the open project is read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("read_only_banner")
        self.setStyleSheet(_BANNER_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setObjectName("read_only_text")
        row.addWidget(icon)
        row.addWidget(self.label, 1)
        self.setVisible(False)

    def set_project(self, project: Project | None) -> None:
        """Follow the open project: shown with the sentence when it is read-only."""
        read_only = project is not None and is_read_only(project)
        self.label.setText(read_only_sentence(project) if project is not None and read_only else "")
        self.setVisible(read_only)


def install_read_only_notice(window: MainWindow) -> ReadOnlyBanner:
    """Put the banner above the window's pages and a "Read-only" word in its status bar, both
    following ``window.project_changed``. Installing twice returns the banner already there."""
    found = window.findChild(ReadOnlyBanner)
    if found is not None:
        return found
    pages = window.takeCentralWidget()
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    banner = ReadOnlyBanner(holder)
    column.addWidget(banner)
    column.addWidget(pages, 1)
    window.setCentralWidget(holder)
    word = QLabel(QCoreApplication.translate(_CONTEXT, "Read-only"))
    word.setObjectName("read_only_word")
    word.setStyleSheet("color: #8a6100; font-weight: 600; padding: 0 6px;")
    word.setVisible(False)
    window.statusBar().addPermanentWidget(word)

    def follow(project: Project | None) -> None:
        banner.set_project(project)
        word.setVisible(is_read_only(project))

    window.project_changed.connect(follow)
    follow(window.project)
    return banner
