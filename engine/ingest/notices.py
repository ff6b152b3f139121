"""Warnings an import gives: something that changes numbers, said in one plain sentence.

Each has a stable ``code`` (users' scripts may test it), the ``message`` a shop owner reads, the
``column`` it is about (or None) and how many ``rows`` it touches (or None when it is about the
whole file). ``import --json`` prints them under ``warnings``; the wizard and the Data page show
the messages; they are stored with the import batch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from engine.words import one_or_many, tr


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


def _pick(rows: int, one: str, many: str) -> str:
    """The singular or plural form of a sentence (each already translated)."""
    return one_or_many(rows, one, many)


def chunk_warning(code: str, column: str, rows: int, example: str = "") -> ImportWarning:
    """A warning counted over the whole file while it was imported. Every sentence goes through
    the engine's translation hook (``{0}`` the lines, ``{1}`` the column, ``{2}`` the example
    in words such as ' (like “x”)', or nothing)."""
    ex = tr(" (like “{0}”)").format(example) if example else ""
    if code == "rounded_ids":
        msg = _pick(
            rows,
            tr("1 line has an id in column “{1}” written in spreadsheet scientific notation{2}: "
               "the spreadsheet rounded it, so different customers or items may have been merged "
               "into one. Export the file again with that column formatted as text."),
            tr("{0:,} lines have ids in column “{1}” written in spreadsheet scientific "
               "notation{2}: the spreadsheet rounded them, so different customers or items may "
               "have been merged into one. Export the file again with that column formatted as "
               "text."),
        )
    elif code == "lost_leading_zeros":
        msg = _pick(
            rows,
            tr("In column “{1}” some ids have leading zeros and 1 line has the same kind of id "
               "without them{2}: a spreadsheet probably dropped the zeros, so one customer may "
               "appear under two ids. Export the file again with that column formatted as text."),
            tr("In column “{1}” some ids have leading zeros and {0:,} lines have the same kind "
               "of id without them{2}: a spreadsheet probably dropped the zeros, so one customer "
               "may appear under two ids. Export the file again with that column formatted as "
               "text."),
        )
    elif code == "unreadable_number":
        msg = _pick(
            rows,
            tr("1 line has a value in column “{1}” that is not a number{2}: that value was left "
               "empty (the line was still imported)."),
            tr("{0:,} lines have a value in column “{1}” that is not a number{2}: those values "
               "were left empty (the lines were still imported)."),
        )
    elif code == "unknown_status":
        msg = _pick(
            rows,
            tr("1 line has an order status IntentLens does not know in column “{1}”{2}: it was "
               "counted as a purchase. If that is wrong, say what the word means with --event "
               "WORD=other (or purchase, refund), or in the wizard's event list."),
            tr("{0:,} lines have an order status IntentLens does not know in column “{1}”{2}: "
               "they were counted as purchases. If that is wrong, say what the word means with "
               "--event WORD=other (or purchase, refund), or in the wizard's event list."),
        )
    elif code == "unknown_event":
        msg = _pick(
            rows,
            tr("1 line has an event word IntentLens does not know in column “{1}”{2}: it is "
               "imported as “other”. Say what the word means with --event WORD=EVENT, or in "
               "the wizard's event list."),
            tr("{0:,} lines have an event word IntentLens does not know in column “{1}”{2}: "
               "they are imported as “other”. Say what the word means with --event WORD=EVENT, "
               "or in the wizard's event list."),
        )
    elif code == "time_future":
        msg = _pick(
            rows,
            tr("1 line has a time in column “{1}” after today{2}: check the date order "
               "(--date-order dmy|mdy|ymd) or the time column (--map time=COLUMN)."),
            tr("{0:,} lines have a time in column “{1}” after today{2}: check the date order "
               "(--date-order dmy|mdy|ymd) or the time column (--map time=COLUMN)."),
        )
    else:
        msg = _pick(
            rows, tr("1 line in column “{1}”: {3}{2}."), tr("{0:,} lines in column “{1}”: {3}{2}.")
        )
    return ImportWarning(code, msg.format(rows, column, ex, code.replace("_", " ")), column, rows)
