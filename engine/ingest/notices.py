"""Warnings an import gives: something that changes numbers, said in one plain sentence.

Each has a stable ``code`` (users' scripts may test it), the ``message`` a shop owner reads, the
``column`` it is about (or None) and how many ``rows`` it touches (or None when it is about the
whole file). ``import --json`` prints them under ``warnings``; the wizard and the Data page show
the messages; they are stored with the import batch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ImportWarning:
    """One warning of an import."""

    code: str
    message: str
    column: str | None = None
    rows: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The documented JSON object: code, message, column, rows."""
        return asdict(self)


def _lines(n: int) -> str:
    return "1 line" if n == 1 else f"{n:,} lines"


def chunk_warning(code: str, column: str, rows: int, example: str = "") -> ImportWarning:
    """A warning counted over the whole file while it was imported."""
    ex = f" (like “{example}”)" if example else ""
    if code == "rounded_ids":
        msg = (
            f"{_lines(rows)} have ids in column “{column}” written in spreadsheet scientific "
            f"notation{ex}: the spreadsheet rounded them, so different customers or items may "
            "have been merged into one. Export the file again with that column formatted as text."
        )
    elif code == "lost_leading_zeros":
        msg = (
            f"In column “{column}” some ids have leading zeros and {_lines(rows)} have the same "
            f"kind of id without them{ex}: a spreadsheet probably dropped the zeros, so one "
            "customer may appear under two ids. Export the file again with that column "
            "formatted as text."
        )
    elif code == "unreadable_number":
        msg = (
            f"{_lines(rows)} have a value in column “{column}” that is not a number{ex}: "
            "those values were left empty (the lines were still imported)."
        )
    elif code == "unknown_status":
        msg = (
            f"{_lines(rows)} have an order status IntentLens does not know in column "
            f"“{column}”{ex}: they were counted as purchases. If that is wrong, say what the "
            "word means with --event WORD=other (or purchase, refund), or in the wizard's "
            "event list."
        )
    elif code == "unknown_event":
        msg = (
            f"{_lines(rows)} have an event word IntentLens does not know in column "
            f"“{column}”{ex}: they are imported as “other”. Say what the word means with "
            "--event WORD=EVENT, or in the wizard's event list."
        )
    elif code == "time_future":
        msg = (
            f"{_lines(rows)} have a time in column “{column}” after today{ex}: check the "
            "date order (--date-order dmy|mdy|ymd) or the time column (--map time=COLUMN)."
        )
    else:
        msg = f"{_lines(rows)} in column “{column}”: {code.replace('_', ' ')}{ex}."
    return ImportWarning(code, msg, column, rows)
