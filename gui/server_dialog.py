"""File → Connect to a database server…: the address of a PostgreSQL database and its password.

The password is typed apart from the address and hidden; IntentLens never stores it (the recent
projects list keeps a server's address only when it needs no password there).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from storage.project import server_location

#: What an address looks like (shown in the empty address field).
EXAMPLE = "postgresql+psycopg://user@host:5432/database"


class ServerDialog(QDialog):
    """Asks for a database server's address and password; ``location()`` is what to open."""

    def __init__(self, parent: QWidget | None = None, address: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to a database server"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "A shop that outgrows one project file can keep its project in a PostgreSQL "
            "database. Give the database's address; in an empty database IntentLens creates "
            "its tables."
        ))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.address = QLineEdit(address)
        self.address.setObjectName("server_address")
        self.address.setPlaceholderText(EXAMPLE)
        self.password = QLineEdit()
        self.password.setObjectName("server_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("only if the server asks for one"))
        form.addRow(self.tr("Address:"), self.address)
        form.addRow(self.tr("Password:"), self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Connect"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.address.textChanged.connect(
            lambda text: buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
                "://" in text
            )
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled("://" in address)

    def location(self) -> str:
        """The project's location: the address with the typed password put in."""
        return server_location(self.address.text().strip(), self.password.text())
