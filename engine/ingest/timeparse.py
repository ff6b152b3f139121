"""Reading timestamps in the forms real shop exports use, vectorized.

Supported: unix seconds, milliseconds or microseconds (integer or fractional), ISO 8601 with or
without a zone ("2019-10-01 00:00:00 UTC" included), US and European day/month forms
("12/1/2010 8:26"), YYYYMMDD, and Chinese dates ("2019年10月1日 08:00"). Times without a zone
are taken as UTC.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyarrow import ArrowInvalid

#: Text forms tried in order; the one that reads most of a sample wins (ties: earlier wins, so
#: month-first beats day-first when every day is 12 or less, as in US exports).
TEXT_FORMATS: tuple[str, ...] = (
    "ISO8601",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y %H:%M",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%d-%b-%Y %H:%M",
    "%d-%b-%Y",
    "%d %b %Y %H:%M",
    "%b %d, %Y %H:%M",
)

_NAMES = {
    "unix_s": "Unix time in seconds",
    "unix_ms": "Unix time in milliseconds",
    "unix_us": "Unix time in microseconds",
    "yyyymmdd": "YYYYMMDD dates",
    "ISO8601": "ISO dates (2019-10-01 00:00:00)",
}


def describe_format(fmt: str) -> str:
    """The time format in words for the import wizard."""
    return _NAMES.get(fmt, fmt.replace("%", "").replace("Y", "YYYY").replace("m", "MM"))


def _clean(values: pd.Series) -> pd.Series:
    text = values.astype("string[pyarrow]").str.strip()
    # "2019-10-01 00:00:00 UTC" (REES46) and "...Z" are UTC; the ISO parser wants no " UTC".
    return text.str.replace(r"\s+(UTC|GMT|Z)$", "", regex=True)


def _numeric_format(numbers: pd.Series) -> str | None:
    vals = numbers.dropna()
    if vals.empty:
        return None
    ints = vals[(vals % 1) == 0]
    if len(ints) == len(vals) and ints.between(19000101, 21001231).all():
        as_dates = pd.to_datetime(ints.astype("int64").astype(str), format="%Y%m%d", errors="coerce")
        if as_dates.notna().all():
            return "yyyymmdd"
    med = float(vals.abs().median())
    if med < 1e11:
        return "unix_s"
    if med < 1e14:
        return "unix_ms"
    return "unix_us"


def detect_time_format(sample: Sequence[str] | pd.Series) -> str | None:
    """The format that reads the sample best, or None when no form reads half of it."""
    series = _clean(pd.Series(list(sample), dtype="object"))
    series = series[series.notna() & (series != "")]
    if series.empty:
        return None
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.notna().mean() >= 0.9:
        return _numeric_format(numbers)
    best, best_ok = None, 0
    for fmt in TEXT_FORMATS:
        parsed = pd.to_datetime(series, format=fmt, errors="coerce", utc=True)
        ok = int(parsed.notna().sum())
        if ok > best_ok:
            best, best_ok = fmt, ok
        if ok == len(series):
            break
    return best if best_ok * 2 >= len(series) else None


def parse_times(values: pd.Series, fmt: str) -> npt.NDArray[np.int64]:
    """UTC epoch milliseconds for each value; values that cannot be read become INT64 min."""
    nat = np.iinfo(np.int64).min
    if fmt in ("unix_s", "unix_ms", "unix_us"):
        scale = {"unix_s": 1000.0, "unix_ms": 1.0, "unix_us": 0.001}[fmt]
        try:
            # Arrow casts a column of clean digits in C++, much faster than to_numeric.
            nums = values.astype("float64[pyarrow]").to_numpy(dtype="float64", na_value=np.nan)
        except (ValueError, TypeError, ArrowInvalid):
            nums = pd.to_numeric(values, errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
        ms = np.round(nums * scale)
        # Outside years 1970..2100 is a typo or a different unit, not a real event time.
        bad = ~np.isfinite(ms) | (ms < 0) | (ms > 4_102_444_800_000)
        out = np.where(bad, 0, ms).astype(np.int64)
        out[bad] = nat
        return out
    series = _clean(values)
    if fmt == "yyyymmdd":
        parsed = pd.to_datetime(series, format="%Y%m%d", errors="coerce", utc=True)
    else:
        parsed = pd.to_datetime(series, format=fmt, errors="coerce", utc=True)
    result = parsed.dt.as_unit("ms").astype("int64").to_numpy().copy()
    result[parsed.isna().to_numpy()] = nat
    return np.asarray(result, dtype=np.int64)


def is_missing(times: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which parsed times could not be read."""
    return np.asarray(times == np.iinfo(np.int64).min)
