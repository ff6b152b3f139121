"""Figures as the user's locale writes them: counts, decimals, shares, money and days.

Every number a table or a card shows goes through these functions, so grouping, the decimal
mark, the percent sign and the date order follow ``QLocale()``: the system's locale, or the
language chosen in Settings (``gui.app.apply_language`` makes it the default at start).
Money carries the shop's currency once it is known (``set_currency``: the open project's,
``engine.currency``); until then an amount is a plain number, never a guessed symbol.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale

#: What a missing value shows (no score yet, nothing bought).
MISSING = "–"

_currency = ""


def set_currency(symbol: str) -> None:
    """Show money with ``symbol`` ("€", "USD") from now on; "" shows plain numbers."""
    global _currency
    _currency = symbol.strip()


def currency() -> str:
    """The currency money is shown with now ("" when the shop's is not known)."""
    return _currency


def _locale() -> QLocale:
    """The locale figures follow; a bare system with no language set (Qt's "C" locale, which
    groups no digits) writes them the English way: "230,297", not "230297"."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def integer(value: Any, missing: str = MISSING) -> str:
    """A whole number with the locale's grouping ("1,234", "1.234")."""
    if _missing(value):
        return missing
    return _locale().toString(int(round(float(value))))


def number(value: Any, places: int = 2, missing: str = MISSING) -> str:
    """A number with ``places`` decimals in the locale's form ("1,234.50", "1.234,50")."""
    if _missing(value):
        return missing
    rounded = round(float(value), places) + 0.0  # never "-0.00"
    return _locale().toString(rounded, "f", places)


def figure(value: Any, missing: str = MISSING) -> str:
    """A number of any size to three significant digits ("0.0123", "1.23e+06")."""
    if _missing(value):
        return missing
    return _locale().toString(float(value), "g", 3)


def percent(share: Any, places: int = 0, *, signed: bool = False,
            missing: str = MISSING) -> str:
    """A share (0.25) as a percentage ("25%"); ``signed`` writes "+" for a rise and "−" for a
    fall (a change, not a level)."""
    if _missing(share):
        return missing
    locale = _locale()
    value = round(100 * float(share), places) + 0.0
    text = locale.toString(abs(value), "f", places) + locale.percent()
    if value < 0:
        sign = locale.negativeSign()
        return ("−" if sign == "-" else sign) + text
    return (locale.positiveSign() if signed and value > 0 else "") + text


def money(value: Any, places: int = 2, missing: str = MISSING) -> str:
    """An amount in the locale's money form with the shop's currency where it goes
    ("€1,234.50", "1.234,50 €", "USD 1,234.50"); a plain number while the currency is not
    known. A loss is written with a minus sign, not in accounting parentheses."""
    if _missing(value):
        return missing
    if not _currency:
        return number(value, places, missing)
    locale = _locale()
    amount = round(float(value), places) + 0.0
    text = locale.toCurrencyString(abs(amount), _currency, places)
    # A code is a word: "USD 12.50", not "USD12.50" (Qt puts codes where the symbol goes).
    if _currency[-1].isalpha():
        if text.startswith(_currency) and not text[len(_currency)].isspace():
            text = f"{_currency}\u00a0{text[len(_currency):]}"
        elif text.endswith(_currency) and not text[-len(_currency) - 1].isspace():
            text = f"{text[:-len(_currency)]}\u00a0{_currency}"
    return (locale.negativeSign() if amount < 0 else "") + text


def date_pattern(locale: QLocale | None = None) -> str:
    """The locale's short date form with the whole year ("M/d/yyyy", "yyyy/M/d",
    "dd.MM.yyyy"): two-digit years are ambiguous in a shop's history."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"  # no language set (a bare system): ISO, never "26 11 2025"
    pattern = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return pattern


def day(ms: Any, missing: str = MISSING) -> str:
    """The UTC day of an epoch-ms time in the locale's date form."""
    if _missing(ms):
        return missing
    moment = datetime.fromtimestamp(int(ms) / 1000, UTC)
    return QLocale().toString(QDate(moment.year, moment.month, moment.day), date_pattern())


def strftime_local(moment: datetime, pattern: str) -> str:
    """``moment.strftime(pattern)`` with the month (``%b``, ``%B``) and weekday (``%a``, ``%A``)
    names in the locale's language: C's strftime writes them in English whatever the user reads
    ("Nov" on a Chinese desktop, where it should say "11月")."""
    locale = _locale()
    short, long_ = QLocale.FormatType.ShortFormat, QLocale.FormatType.LongFormat
    names = {
        "%b": locale.monthName(moment.month, short),
        "%B": locale.monthName(moment.month, long_),
        "%a": locale.dayName(moment.isoweekday(), short),
        "%A": locale.dayName(moment.isoweekday(), long_),
    }
    for code, name in names.items():
        # A literal "%" in a name would read as a directive: double it.
        pattern = pattern.replace(code, name.replace("%", "%%"))
    return moment.strftime(pattern)
