"""Detecting how a column of times is written, from a sample of its values.

``detect_time`` tries every form ``timeparse`` reads (unix numbers, Excel serials, YYYYMMDD, ISO,
numeric dates in any order, month names, Chinese dates) and keeps the format key that reads the
most values; the day/month order of ambiguous dates comes from the caller's choice or clues.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.ingest.timeforms import (
    AMPM_RE,
    CN_AMPM_RE,
    CN_DATE_RE,
    CN_LITERALS,
    MONTH_WORD_RE,
    NUMDATE_RE,
    TIME_RE,
    WORD_RUN_RE,
    ZONE_SUFFIX_RE,
)
from engine.ingest.timeparse import INT64_MIN, parse_numeric, parse_times

DATE_ORDERS = ("dmy", "mdy", "ymd")

_NULL_WORDS = frozenset({"nan", "nat", "null", "none", "n/a", "na", "-", "--", "#n/a"})


@dataclass(frozen=True)
class TimeDetection:
    """What the values of a time column say about how to read them."""

    #: The format key to give :func:`parse_times`; None when no form reads half the values.
    fmt: str | None
    #: "dmy", "mdy" or "ymd" for dates with a day/month question or a month name; None for
    #: unix, Excel, ISO-like and YYYYMMDD values.
    date_order: str | None
    #: True when the values could not decide day-first against month-first (every day is 12 or
    #: less), so the order came from the caller's choice or clue, the separator, or the default.
    ambiguous: bool
    #: Share of the non-empty sample values that the format reads.
    share_read: float


# --- Excel serial numbers: a column name that says "time" -------------------------------------

_DATE_LABEL_RE = re.compile(
    r"date|time|datum|zeit|fecha|hora|heure|created|updated|modified|日期|时间|時間|日付|时刻"
    r"|時刻|(?:^|[^a-z])(?:dt|ts|day|when)(?:$|[^a-z])|[_ ](?:at|on)$",
    re.IGNORECASE,
)


# --- detection -------------------------------------------------------------------------------


def _sample_values(sample: Sequence[str] | pd.Series) -> list[str]:
    items = sample.tolist() if isinstance(sample, pd.Series) else list(sample)
    out = []
    for v in items:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            continue
        text = str(v).strip()
        if text and text.lower() not in _NULL_WORDS:
            out.append(text)
    return out


def _looks_like_date_label(label: str | None) -> bool:
    return bool(label) and _DATE_LABEL_RE.search(str(label)) is not None


def _numeric_format(
    values: list[str], nums: npt.NDArray[np.float64], label: str | None
) -> str | None:
    """The form of a column of numbers, or None when they are not times (ids, counts, prices)."""
    if any(re.fullmatch(r"0[0-9]+", v) for v in values):
        return None  # zero-padded: an id or a code
    finite = nums[np.isfinite(nums)]
    if finite.size == 0 or (finite < 0).mean() > 0.1:
        return None
    for fmt, low, high in (
        ("yyyymmdd", 19000101, 21001231),
        ("yyyymmddhhmmss", 19000101000000, 21001231235959),
    ):
        if ((finite >= low) & (finite <= high)).mean() >= 0.9:
            ms = parse_numeric(pd.Series(finite), fmt)
            if (ms != INT64_MIN).mean() >= 0.9:
                return fmt
    med = float(np.median(np.abs(finite)))
    if 20_000 <= med < 80_000:
        in_range = ((finite >= 20_000) & (finite < 80_000)).mean() >= 0.9
        fractions = np.mean([re.fullmatch(r"[0-9]+\.[0-9]{4,}", v) is not None for v in values])
        if in_range and (_looks_like_date_label(label) or fractions >= 0.5):
            return "excel"
        return None
    if med < 1e8:
        return None  # fewer than 9 digits: a count or an id, not a unix time
    if med < 1e11:
        return "unix_s"
    if med < 1e14:
        return "unix_ms"
    if med < 1e17:
        return "unix_us"
    if med < 1e20:
        return "unix_ns"
    return None


@dataclass(frozen=True)
class _Candidate:
    fmt: str
    date_order: str | None
    ambiguous: bool


def _prepared(value: str) -> tuple[str, bool]:
    """A value as the text path sees it (no zone word, commas or AM/PM), and whether it had an
    AM/PM mark."""
    v = ZONE_SUFFIX_RE.sub("", value)
    ampm = False
    m = AMPM_RE.search(v) or CN_AMPM_RE.search(v)
    if m is not None:
        ampm = True
        v = v[: m.start()] + " " + v[m.end():]
    v = re.sub(r"\s+", " ", v.replace(",", " ")).strip()
    return v, ampm


def _time_key(rest: str | None, ampm: bool) -> str | None:
    """The strptime words for the time part of a value; "" for none, None when unreadable."""
    rest = (rest or "").strip()
    if not rest:
        return ""
    m = TIME_RE.match(rest)
    if m is None:
        return None
    out = ("%I" if ampm else "%H") + ":%M" + (":%S" if m[3] else "") + (".%f" if m[4] else "")
    if ampm:
        out += " %p"
    if m[5] and m[5] != "Z":
        out += " %z"
    return out


def _common_time(keys: list[str | None]) -> str:
    known = Counter(k for k in keys if k is not None)
    return known.most_common(1)[0][0] if known else ""


def _with_time(date: str, time: str) -> str:
    return f"{date} {time}" if time else date


def _numeric_date_candidate(
    prepared: list[tuple[str, bool]], date_order: str | None, prefer_day_first: bool | None
) -> _Candidate | None:
    """Dates written with numbers and "/", "." or "-": the order is decided by the column."""
    shapes: Counter[tuple[str, str]] = Counter()
    matches = []
    for v, ampm in prepared:
        m = NUMDATE_RE.match(v)
        if m is None:
            continue
        la, lc = len(m[1]), len(m[4])
        shape = "Y" if la == 4 and lc <= 2 else "L4" if la <= 2 and lc == 4 else (
            "L2" if la <= 2 and lc == 2 else ""
        )
        if shape:
            shapes[(shape, m[2])] += 1
            matches.append((shape, m, ampm))
    if not shapes:
        return None
    (shape, sep), _ = shapes.most_common(1)[0]
    chosen = [(m, ampm) for s, m, ampm in matches if s == shape and m[2] == sep]
    time = _common_time([_time_key(m[5], ampm) for m, ampm in chosen])
    if shape == "Y":
        return _Candidate(_with_time(sep.join(("%Y", "%m", "%d")), time), "ymd", False)
    firsts = [(int(m[1]), int(m[3])) for m, _ in chosen]
    day_first = sum(1 for a, b in firsts if 12 < a <= 31 and b <= 12)
    month_first = sum(1 for a, b in firsts if 12 < b <= 31 and a <= 12)
    allowed = ("dmy", "mdy", "ymd") if shape == "L2" else ("dmy", "mdy")
    order: str
    if date_order is not None and date_order in allowed:
        order = date_order
    elif day_first != month_first:
        order = "dmy" if day_first > month_first else "mdy"
    elif prefer_day_first is not None:
        order = "dmy" if prefer_day_first else "mdy"
    elif sep == ".":
        order = "dmy"  # German style: never month-first
    else:
        order = "mdy"  # what US exports write
    year = "%Y" if shape == "L4" else "%y"
    parts = {"dmy": ("%d", "%m", year), "mdy": ("%m", "%d", year), "ymd": ("%y", "%m", "%d")}
    fmt = _with_time(sep.join(parts[order]), time)
    return _Candidate(fmt, order, day_first == 0 and month_first == 0)


def _words_candidate(prepared: list[tuple[str, bool]]) -> _Candidate | None:
    """Dates with a month name: the name's place gives the order."""
    keys: Counter[tuple[str, str | None]] = Counter()
    for v, ampm in prepared:
        low = v.lower()
        m = MONTH_WORD_RE.search(low)
        if m is None:
            continue
        month_first = re.search(r"[0-9]", low[: m.start()]) is None
        skeleton = re.sub(r" +", " ", WORD_RUN_RE.sub(" ", low)).strip().split(" ")
        nums: list[str] = []
        while skeleton and len(nums) < 2 and re.fullmatch(r"[0-9]{1,4}", skeleton[0]):
            nums.append(skeleton.pop(0))
        lens = tuple(len(n) for n in nums)
        if month_first and len(nums) == 1 and lens == (4,):
            date, order = "%b %Y", None
        elif len(nums) != 2:
            continue
        elif month_first and lens[0] <= 2 and lens[1] in (2, 4):
            date, order = ("%b %d %Y" if lens[1] == 4 else "%b %d %y"), "mdy"
        elif not month_first and lens[0] == 4 and lens[1] <= 2:
            date, order = "%Y %b %d", "ymd"
        elif not month_first and lens[0] <= 2 and lens[1] in (2, 4):
            date, order = ("%d %b %Y" if lens[1] == 4 else "%d %b %y"), "dmy"
        else:
            continue
        time = _time_key(" ".join(skeleton), ampm)
        keys[(_with_time(date, time or ""), order)] += 1
    if not keys:
        return None
    (fmt, order), _ = keys.most_common(1)[0]
    return _Candidate(fmt, order, False)


def _chinese_candidate(prepared: list[tuple[str, bool]]) -> _Candidate | None:
    times = []
    for v, ampm in prepared:
        if "年" not in v:
            continue
        for word, repl in CN_LITERALS:
            v = v.replace(word, repl)
        v = re.sub(r" +", " ", re.sub(r":\s*$", "", v).replace("- ", "-")).strip()
        m = CN_DATE_RE.match(v)
        if m is not None:
            times.append(_time_key(m[1], ampm))
    if not times:
        return None
    return _Candidate(_with_time("%Y年%m月%d日", _common_time(times)), "ymd", False)


def detect_time(
    sample: Sequence[str] | pd.Series,
    *,
    date_order: str | None = None,
    prefer_day_first: bool | None = None,
    label: str | None = None,
) -> TimeDetection:
    """How to read a column of times, decided from up to a few hundred of its values.

    ``date_order`` ("dmy", "mdy" or "ymd") is the user's explicit choice and wins whenever the
    dates have a day/month question; ``prefer_day_first`` is the caller's clue from the file
    (decimal commas, a ";" delimiter, a non-English language) used only when every date is
    ambiguous; ``label`` is the column name, which lets numbers like 45301.5 be Excel dates.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")
    values = _sample_values(sample)
    if not values:
        return TimeDetection(None, None, False, 0.0)
    series = pd.Series(values, dtype="object")
    nums = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if np.isfinite(nums).mean() >= 0.9:
        fmt = _numeric_format(values, nums, label)
        if fmt is None:
            return TimeDetection(None, None, False, 0.0)
        share = float((parse_numeric(series, fmt) != INT64_MIN).mean())
        return TimeDetection(fmt if share >= 0.5 else None, None, False, share)

    prepared = [_prepared(v) for v in values]
    candidates = [_Candidate("ISO8601", None, False)]
    for found in (
        _chinese_candidate(prepared),
        _words_candidate(prepared),
        _numeric_date_candidate(prepared, date_order, prefer_day_first),
    ):
        if found is not None:
            candidates.append(found)
    best, best_share = candidates[0], -1.0
    for cand in candidates:
        share = float((parse_times(series, cand.fmt) != INT64_MIN).mean())
        if share > best_share:
            best, best_share = cand, share
        if share == 1.0:
            break
    if best_share < 0.5:
        return TimeDetection(None, None, False, best_share)
    return TimeDetection(best.fmt, best.date_order, best.ambiguous, best_share)


def detect_time_format(
    sample: Sequence[str] | pd.Series,
    *,
    date_order: str | None = None,
    prefer_day_first: bool | None = None,
    label: str | None = None,
) -> str | None:
    """The format that reads the sample best, or None when no form reads half of it."""
    return detect_time(
        sample, date_order=date_order, prefer_day_first=prefer_day_first, label=label
    ).fmt
