"""Reading timestamps in the forms real shop exports use, vectorized.

Supported: unix seconds, milliseconds, microseconds or nanoseconds (integer or fractional),
Excel serial day numbers, ISO 8601 with or without a zone ("2019-10-01 00:00:00 UTC" included),
day/month/year and month/day/year with "/", "." or "-" (4- or 2-digit years, 24- or 12-hour
clock), month names in English, French, German and Spanish ("Jan 5, 2023", "5. März 2023",
"5 de enero de 2023"), YYYYMMDD, YYYYMMDDhhmmss and Chinese dates ("2019年10月1日 08:00").
Times without a zone are taken as UTC; times with an offset are converted to UTC.

Every text form is rewritten into ISO text with a few vectorized regex passes and then read by
pandas' fast ISO parser; numbers are read with numpy arithmetic.

A format key is what ``timedetect.detect_time`` finds and :func:`parse_times` reads: one of the
names in ``NUMERIC_FORMATS``, ``"ISO8601"``, or a strptime-style pattern such as
``"%d/%m/%Y %H:%M"``, ``"%b %d %Y %I:%M:%S %p"`` or ``"%Y年%m月%d日 %H:%M"``. For patterns, the
date part (order, 2- or 4-digit year, month number or name) and a ``%p`` decide how values are
read; the time of day is read whatever its precision, so rows with and without seconds both work.
Month names and the layout of pattern keys are in ``timeforms``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ArrowInvalid

from engine.ingest.timeforms import (
    CN_AM,
    CN_LITERALS,
    CN_PM,
    LETTERS,
    MONTH_NUMBER,
    WORD_RUN,
    ZONE_SUFFIX,
    iso_rules,
    key_layout,
)
from engine.words import tr

#: What :func:`parse_times` gives for a value it cannot read.
INT64_MIN: int = int(np.iinfo(np.int64).min)
NUMERIC_FORMATS = (
    "unix_s",
    "unix_ms",
    "unix_us",
    "unix_ns",
    "excel",
    "yyyymmdd",
    "yyyymmddhhmmss",
)

_DAY_MS = 86_400_000
_MAX_MS = 4_102_444_800_000  # 2100-01-01: later is a typo or another unit
_MS_1980 = 315_532_800_000
_EXCEL_EPOCH_DAYS = 25_569  # 1899-12-30 .. 1970-01-01


# --- describing formats ------------------------------------------------------------------------

_NAMES = {
    "unix_s": "Unix time in seconds",
    "unix_ms": "Unix time in milliseconds",
    "unix_us": "Unix time in microseconds",
    "unix_ns": "Unix time in nanoseconds",
    "excel": "Excel serial day numbers (45291.5 is 31/12/2023 12:00)",
    "yyyymmdd": "YYYYMMDD dates (20231231)",
    "yyyymmddhhmmss": "YYYYMMDDhhmmss times (20231231140509)",
    "ISO8601": "ISO dates (2019-10-01 00:00:00)",
}
_TOKEN_WORDS = {
    "d": "day",
    "m": "month",
    "b": "month",
    "B": "month",
    "Y": "year",
    "y": "year",
}
_EXAMPLE = datetime(2023, 12, 31, 14, 5, 9, tzinfo=UTC)


def describe_format(fmt: str) -> str:
    """The time format in plain words with an example, for the import wizard and reports."""
    if fmt in _NAMES:
        return tr(_NAMES[fmt])
    if "%" not in fmt:
        return fmt
    try:
        example = _EXAMPLE.strftime(fmt)
    except ValueError:
        return fmt
    layout = key_layout(fmt)
    if layout is None:
        return tr("the form {0} ({1})").format(fmt.replace("%", ""), example)
    joiner = "/" if layout.kind == "chinese" else layout.sep
    words = joiner.join(tr(_TOKEN_WORDS[t]) for t in layout.tokens)
    if "y" in layout.tokens:
        words += tr(" (2-digit year)")
    return f"{words} ({example})"


# --- parsing -------------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> npt.NDArray[np.float64]:
    try:
        # Arrow casts a column of clean digits in C++, much faster than to_numeric.
        nums = values.astype("float64[pyarrow]").to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, TypeError, ArrowInvalid):
        nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(nums, dtype=np.float64)


def _from_ms(ms: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Float milliseconds to int64, unreadable outside years 1970..2100."""
    bad = ~np.isfinite(ms) | (ms < 0) | (ms > _MAX_MS)
    out = np.where(bad, 0, ms).astype(np.int64)
    out[bad] = INT64_MIN
    return out


def _civil_ms(
    y: npt.NDArray[np.int64],
    mo: npt.NDArray[np.int64],
    d: npt.NDArray[np.int64],
    seconds: npt.NDArray[np.int64],
    valid: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int64]:
    """Epoch ms of calendar dates plus seconds of the day; impossible dates are unreadable."""
    ok = valid & (y >= 1900) & (y <= 2100) & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31)
    months = np.where(ok, (y - 1970) * 12 + mo - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # 31 February runs into March
    ms = days.astype("datetime64[ms]").astype(np.int64) + seconds * 1000
    return np.where(ok, ms, INT64_MIN).astype(np.int64)


def parse_numeric(values: pd.Series, fmt: str) -> npt.NDArray[np.int64]:
    nums = _numbers(values)
    if fmt in ("unix_s", "unix_ms", "unix_us", "unix_ns"):
        scale = {"unix_s": 1000.0, "unix_ms": 1.0, "unix_us": 1e-3, "unix_ns": 1e-6}[fmt]
        return _from_ms(np.round(nums * scale))
    if fmt == "excel":
        seconds = np.round((nums - _EXCEL_EPOCH_DAYS) * 86_400.0)
        return _from_ms(seconds * 1000.0)
    whole = np.isfinite(nums) & (nums == np.floor(nums)) & (nums >= 0) & (nums < 1e15)
    n = np.where(whole, nums, 0).astype(np.int64)
    secs = np.zeros(len(n), dtype=np.int64)
    if fmt == "yyyymmddhhmmss":
        hh, mm, ss = (n // 10_000) % 100, (n // 100) % 100, n % 100
        whole &= (hh < 24) & (mm < 60) & (ss < 60)
        secs = hh * 3600 + mm * 60 + ss
        n = n // 1_000_000
    return _civil_ms(n // 10_000, (n // 100) % 100, n % 100, secs, whole)


def _text(values: pd.Series) -> Any:
    """The values as one Arrow string array, stripped, without a trailing UTC/GMT/Z word."""
    arr = pa.array(values.astype("string[pyarrow]"))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.utf8_trim_whitespace(arr)
    # Literal checks first: a regex anchored at the end costs ten times more.
    if any(pc.any(pc.ends_with(arr, word)).as_py() for word in ("UTC", "GMT", "Z", "utc", "gmt")):
        arr = pc.replace_substring_regex(arr, ZONE_SUFFIX, "")
    return arr


def _collapse(arr: Any) -> Any:
    """Runs of spaces as one space, none at the ends."""
    if pc.any(pc.match_substring(arr, "  ")).as_py():
        arr = pc.replace_substring_regex(arr, "  +", " ")
    return pc.utf8_trim(arr, " ")


def _regex(arr: Any, rules: Sequence[tuple[str, str]]) -> Any:
    for pattern, repl in rules:
        arr = pc.replace_substring_regex(arr, pattern, repl)
    return arr


def _read_iso(arr: Any) -> npt.NDArray[np.int64]:
    parsed = pd.to_datetime(
        arr.to_numpy(zero_copy_only=False), format="ISO8601", errors="coerce", utc=True
    )
    result = np.asarray(parsed.as_unit("ms").asi8, dtype=np.int64).copy()
    result[np.asarray(parsed.isna(), dtype=bool)] = INT64_MIN
    return result


def _flags(arr: Any, words: Sequence[str], *, at_end: bool) -> npt.NDArray[np.bool_]:
    """Which values end with (or contain) one of ``words``, case-insensitively."""
    found = np.zeros(len(arr), dtype=bool)
    for word in words:
        hit = pc.ends_with(arr, word, ignore_case=True) if at_end else pc.match_substring(
            arr, word
        )
        found |= np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)
    return found


def _words_to_iso(arr: Any, tokens: tuple[str, ...]) -> Any:
    """Month names to numbers: the words of each value tell its month (looked up once per
    distinct set of words), and the digits that remain are rewritten to ISO month by month."""
    low = pc.utf8_lower(arr)
    letters = pc.replace_substring_regex(low, rf"[^{LETTERS}]+", " ").dictionary_encode()
    by_word = [_month_of_words(str(w)) for w in letters.dictionary.to_pylist()] + [0]
    codes = pc.fill_null(letters.indices, -1).to_numpy(zero_copy_only=False)
    month = np.asarray(by_word, dtype=np.int64)[codes]
    skeleton = pc.replace_substring(pc.replace_substring_regex(low, WORD_RUN, " "), ",", " ")
    skeleton = _collapse(skeleton)
    numeric = tuple(t for t in tokens if t != "b")
    out = skeleton
    for k in np.unique(month[month > 0]):
        mask = pa.array(month == k)
        part = _regex(pc.filter(skeleton, mask), iso_rules(numeric, sep=" ", month=f"{k:02d}"))
        out = pc.replace_with_mask(out, mask, part)
    return out


def _month_of_words(words: str) -> int:
    for word in words.split():
        if word in MONTH_NUMBER:
            return MONTH_NUMBER[word]
    return 0


#: Event times outside these years are typos or other numbers ("-1" is not year -1).
_EARLIEST_MS = -2_208_988_800_000  # 1900-01-01
_LATEST_MS = 4_133_980_799_000  # 2100-12-31 23:59:59


def parse_times(values: pd.Series, fmt: str) -> npt.NDArray[np.int64]:
    """UTC epoch milliseconds for each value; values that cannot be read, or that fall outside
    the years 1900 to 2100, become INT64 min."""
    ms = np.array(_parse_times(values, fmt), dtype=np.int64)
    ms[(ms < _EARLIEST_MS) | (ms > _LATEST_MS)] = INT64_MIN
    return ms


def _parse_times(values: pd.Series, fmt: str) -> npt.NDArray[np.int64]:
    if fmt in NUMERIC_FORMATS:
        return parse_numeric(values, fmt)
    text = _text(values)
    if fmt == "ISO8601":
        return _read_iso(_collapse(text))
    layout = key_layout(fmt)
    if layout is None:  # a pattern of the user's own: strptime, slower but exact
        parsed = pd.to_datetime(
            text.to_numpy(zero_copy_only=False), format=fmt, errors="coerce", utc=True
        )
        result = np.asarray(parsed.as_unit("ms").asi8, dtype=np.int64).copy()
        result[np.asarray(parsed.isna(), dtype=bool)] = INT64_MIN
        return result
    am = pm = np.zeros(len(text), dtype=bool)
    if layout.kind == "chinese":
        if layout.ampm:
            am = _flags(text, CN_AM, at_end=False)
            pm = _flags(text, CN_PM, at_end=False)
            for word in (*CN_AM, *CN_PM):
                text = pc.replace_substring(text, word, " ")
        for word, repl in CN_LITERALS:
            text = pc.replace_substring(text, word, repl)
        text = _collapse(pc.replace_substring(pc.utf8_rtrim(text, " :"), "- ", "-"))
    elif layout.ampm:
        am = _flags(text, ("am", "a.m."), at_end=True)
        pm = _flags(text, ("pm", "p.m."), at_end=True)
        if am.any() or pm.any():
            text = pc.utf8_rtrim(text, " .AMPamp")
    if layout.kind == "words":
        text = _words_to_iso(text, layout.tokens)
    elif layout.kind == "numeric":
        text = _collapse(pc.replace_substring(text, ",", " "))
        text = _regex(text, iso_rules(layout.tokens, sep="[./-]"))
    ms = _read_iso(text)
    if am.any() or pm.any():
        ok = ms != INT64_MIN
        hour = (ms // 3_600_000) % 24
        ms = np.where(ok & pm & (hour < 12), ms + 12 * 3_600_000, ms)
        ms = np.where(ok & am & (hour == 12), ms - 12 * 3_600_000, ms)
    return np.array(ms, dtype=np.int64)


def is_missing(times: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which parsed times could not be read."""
    return np.asarray(times == INT64_MIN)


# --- plausibility ------------------------------------------------------------------------------


def implausible(ms: npt.NDArray[np.int64], *, now_ms: int) -> str | None:
    """Why parsed times cannot be a shop's real times, as a stable code, or None when they can.

    "time_1970": most fall before 1980 (a unit mistake, or counts read as seconds);
    "time_future": more than 1% fall after ``now_ms``, or any more than 2 days after it;
    "time_span_seconds": more than 20 values all within 10 minutes (ids read as seconds).
    Unreadable values (INT64 min) are ignored.
    """
    arr = np.asarray(ms, dtype=np.int64)
    valid = arr[arr != INT64_MIN]
    if valid.size == 0:
        return None
    if float((valid < _MS_1980).mean()) > 0.5:
        return "time_1970"
    if float((valid > now_ms).mean()) > 0.01 or bool((valid > now_ms + 2 * _DAY_MS).any()):
        return "time_future"
    if valid.size > 20 and int(valid.max()) - int(valid.min()) <= 10 * 60 * 1000:
        return "time_span_seconds"
    return None


_IMPLAUSIBLE = {
    "time_1970": "The times in column “{col}” would fall in the 1970s, which cannot be right",
    "time_future": "Some times in column “{col}” would fall in the future, which cannot be right",
    "time_span_seconds": "The times in column “{col}” would all fall within a few minutes, so "
    "they look like numbers or ids rather than times",
}


def describe_implausible(code: str, column: str) -> str:
    """One plain sentence about a code from :func:`implausible`: what is wrong with the times
    in ``column`` and the flags that fix it."""
    problem = _IMPLAUSIBLE.get(
        code, "The times in column “{col}” do not look like real times"
    ).format(col=column)
    return (
        f"{problem}: choose the time column with --map time=COLUMN, or the date order with "
        "--date-order dmy|mdy|ymd."
    )
