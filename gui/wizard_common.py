"""What the import wizard's parts share: the choices they offer, the warning box, translation.

Every part of the wizard translates in the one context "ImportWizard" (the context of
``resources/translations``), whichever class shows the text: ``translate("ImportWizard", ...)``
is written out in full so that ``pyside6-lupdate`` files each text under that context too.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QLabel

from engine.ingest import FilePreview

translate = QCoreApplication.translate

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252", "big5", "shift_jis"]
DELIMITERS = [
    (",", "Comma ,"), ("\t", "Tab"), (";", "Semicolon ;"), ("|", "Pipe |"),
    (" ", "Spaces (aligned columns)"),
]
#: The command line's --date-order values, in words.
DATE_ORDERS = ("dmy", "mdy", "ymd")
DATE_ORDER_WORDS = {"dmy": "Day-month-year", "mdy": "Month-day-year", "ymd": "Year-month-day"}
MONEY_FIELDS = ("price", "amount", "refund_amount")
#: What an order status can mean for the order's lines.
STATUS_MEANINGS = ("purchase", "refund", "other")
WARNING_STYLE = (
    "QLabel { color: #6b4500; background: #fff4dc; border: 1px solid #f0d08a; "
    "border-radius: 4px; padding: 6px 8px; }"
)
FILE_FILTER = "Behavior logs (*.csv *.tsv *.txt *.gz *.zip *.jsonl *.json);;All files (*)"


def warning_label() -> QLabel:
    """An amber, word-wrapped box for import warnings (hidden while empty)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setStyleSheet(WARNING_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


def bullets(messages: list[str]) -> str:
    """Sentences as one rich-text block, one per paragraph, each marked as a warning."""
    return "".join(
        f"<p style='margin:0 0 4px 0'>⚠ {escape(m)}</p>" for m in messages
    )


def words_in(pv: FilePreview, fld: str) -> set[str]:
    """The distinct values of a mapped column in the preview rows (empty when not mapped)."""
    idx = pv.mapping.columns.get(fld)
    if idx is None:
        return set()
    return {r[idx].strip() for r in pv.rows if len(r) > idx and r[idx].strip()}


def select_data(combo: QComboBox, data: Any) -> None:
    """Make the item holding ``data`` current (nothing changes when no item holds it)."""
    i = combo.findData(data)
    if i >= 0:
        combo.setCurrentIndex(i)
