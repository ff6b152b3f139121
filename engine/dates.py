"""Dates as IntentLens shows and reads them: one formatter, one day-end parser, one horizon rule.

Every date a user sees is UTC and written ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM`` with a time);
every date a user gives is read by :func:`parse_date`, where a bare day means the end of it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from engine.events import MS_PER_DAY

#: The earliest and the latest moment IntentLens stores (1900-01-01 and 2100-01-01, UTC ms).
FIRST_MS = -2_208_988_800_000
LAST_MS = 4_102_444_800_000


def day(ms: int | float | None, missing: str = "–") -> str:
    """``YYYY-MM-DD`` of a UTC epoch-ms time, or ``missing`` when there is none."""
    if ms is None or ms != ms:  # None or NaN
        return missing
    return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d")


def minute(ms: int | float | None) -> str | None:
    """``YYYY-MM-DD HH:MM`` of a UTC epoch-ms time, or None when there is none."""
    if ms is None or ms != ms:
        return None
    return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def second(ms: int | float | None, missing: str = "?") -> str:
    """``YYYY-MM-DD HH:MM:SS`` of a UTC epoch-ms time (how a preview shows a parsed time)."""
    if ms is None or ms != ms:
        return missing
    return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def day_end(year: int, month: int, day_of_month: int) -> int:
    """The last millisecond of a calendar day (UTC): an as-of day includes all of that day."""
    start = datetime(year, month, day_of_month, tzinfo=UTC).timestamp() * 1000
    return int(start) + MS_PER_DAY - 1


def end_of_day(ms: int) -> int:
    """The last millisecond of the UTC day that holds ``ms``."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return day_end(moment.year, moment.month, moment.day)


def parse_date(text: str) -> int:
    """A date given by the user (YYYY-MM-DD, optionally with a time) as UTC epoch ms; a bare
    date means the end of that day. Raises ValueError (or OverflowError) when it is no date."""
    import re

    import pandas as pd

    # Year first only: "1.11.2025" or "11/01/2025" would be read month first, which half the
    # world does not mean; such a date is refused rather than silently turned around.
    if not re.match(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(\b|T|\s|$)", text):
        raise ValueError(f"{text!r} is not a year-first date")
    value = pd.Timestamp(text)
    if value.tzinfo is None:
        value = value.tz_localize("UTC")
    ms = int(value.tz_convert("UTC").value // 1_000_000)
    if len(text.strip()) <= 10:  # a day: include all of it
        ms += MS_PER_DAY - 1
    return ms


def default_horizon_days(first_ms: int, as_of_ms: int) -> int:
    """The default "buys within" horizon: about a quarter of the data's span up to the as-of
    date, at least 1 and at most 30 days. The CLI, the GUI and the engine all use this rule."""
    span_days = (as_of_ms - first_ms) / MS_PER_DAY
    return int(min(30, max(1, round(span_days / 4))))
