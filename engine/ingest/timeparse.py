"""Reading timestamps in the forms real shop exports use, vectorized.

Supported: unix seconds, milliseconds, microseconds or nanoseconds (integer or fractional),
Excel serial day numbers, ISO 8601 with or without a zone ("2019-10-01 00:00:00 UTC" included),
day/month/year and month/day/year with "/", "." or "-" (4- or 2-digit years, 24- or 12-hour
clock), month names in English, French, German and Spanish ("Jan 5, 2023", "5. März 2023",
"5 de enero de 2023"), YYYYMMDD, YYYYMMDDhhmmss and Chinese dates ("2019年10月1日 08:00").
Times without a zone are taken as UTC; times with an offset are converted to UTC.

Every text form is rewritten into ISO text with a few vectorized regex passes and then read by
pandas' fast ISO parser; numbers are read with numpy arithmetic.

A format key is what :func:`detect_time` finds and :func:`parse_times` reads: one of the
names in ``NUMERIC_FORMATS``, ``"ISO8601"``, or a strptime-style pattern such as
``"%d/%m/%Y %H:%M"``, ``"%b %d %Y %I:%M:%S %p"`` or ``"%Y年%m月%d日 %H:%M"``. For patterns, the
date part (order, 2- or 4-digit year, month number or name) and a ``%p`` decide how values are
read; the time of day is read whatever its precision, so rows with and without seconds both work.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ArrowInvalid

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
DATE_ORDERS = ("dmy", "mdy", "ymd")

_DAY_MS = 86_400_000
_MAX_MS = 4_102_444_800_000  # 2100-01-01: later is a typo or another unit
_MS_1980 = 315_532_800_000
_EXCEL_EPOCH_DAYS = 25_569  # 1899-12-30 .. 1970-01-01
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


# --- month and weekday words (lower case, longest first within each month) ---------------------

_MONTH_WORDS: tuple[tuple[str, ...], ...] = (
    ("january", "januar", "janvier", "jänner", "janner", "enero", "janv", "jän", "jan", "ene"),
    ("february", "februar", "février", "fevrier", "febrero", "févr", "fevr", "fév", "fev", "feb"),
    ("march", "märz", "maerz", "marzo", "mars", "marz", "mär", "mrz", "mar"),
    ("april", "avril", "abril", "avr", "abr", "apr"),
    ("mayo", "may", "mai"),
    ("june", "junio", "juni", "juin", "jun"),
    ("juillet", "july", "julio", "juli", "juil", "jul"),
    ("august", "agosto", "août", "aout", "aoû", "aug", "ago"),
    (
        "september", "septembre", "septiembre", "setiembre", "sept", "sep", "set",
    ),
    ("october", "oktober", "octobre", "octubre", "oct", "okt"),
    ("november", "novembre", "noviembre", "nov"),
    (
        "december", "dezember", "décembre", "decembre", "diciembre", "déc", "dec", "dez", "dic",
    ),
)
_MONTH_NUMBER: dict[str, int] = {
    word: i for i, words in enumerate(_MONTH_WORDS, 1) for word in words
}
_LETTERS = "a-zà-ÿ"  # after lower(): the letters of the four languages
_MONTH_WORD_RE = re.compile(
    rf"(?<![{_LETTERS}])("
    + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
    + rf")(?![{_LETTERS}])"
)
#: A run of letters with the separators around it: month and weekday names, "de", "5th", "Uhr".
_WORD_RUN = rf"[ ,./-]*[{_LETTERS}]+\.?[ ,./-]*"
_WORD_RUN_RE = re.compile(_WORD_RUN)

# --- text clean-up shared by detection (Python re) and parsing (pandas/RE2) --------------------

_ZONE_SUFFIX = r"[ \t]+(?:UTC|GMT|Z|utc|gmt)$"
_CN_AM = ("上午", "凌晨", "早上")
_CN_PM = ("下午", "晚上", "傍晚")
_CN_LITERALS = (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("時", ":"), ("时", ":"),
                ("分", ":"), ("秒", ""))

_ZONE_SUFFIX_RE = re.compile(_ZONE_SUFFIX)
_AMPM_RE = re.compile(r"(?<=[0-9])[ \t]*([AaPp])\.?[Mm]\.?$")
_CN_AMPM_RE = re.compile("|".join((*_CN_AM, *_CN_PM)))
_NUMDATE_RE = re.compile(
    r"^([0-9]{1,4})([./-])([0-9]{1,2})\2([0-9]{1,4})(?:[ T](.*))?$"
)
_TIME_RE = re.compile(
    r"^([0-9]{1,2}):([0-9]{2})(:[0-9]{2})?([.,][0-9]+)?[ ]?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_CN_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?: (.*))?$")

# --- Excel serial numbers: a column name that says "time" -------------------------------------

_DATE_LABEL_RE = re.compile(
    r"date|time|datum|zeit|fecha|hora|heure|created|updated|modified|日期|时间|時間|日付|时刻"
    r"|時刻|(?:^|[^a-z])(?:dt|ts|day|when)(?:$|[^a-z])|[_ ](?:at|on)$",
    re.IGNORECASE,
)


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
        return _NAMES[fmt]
    if "%" not in fmt:
        return fmt
    try:
        example = _EXAMPLE.strftime(fmt)
    except ValueError:
        return fmt
    layout = _layout(fmt)
    if layout is None:
        return f"the form {fmt.replace('%', '')} ({example})"
    joiner = "/" if layout.kind == "chinese" else layout.sep
    words = joiner.join(_TOKEN_WORDS[t] for t in layout.tokens)
    if "y" in layout.tokens:
        words += " (2-digit year)"
    return f"{words} ({example})"


# --- the layout of a pattern key ----------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    kind: str  # "numeric", "words" or "chinese"
    tokens: tuple[str, ...]  # date directives in order, e.g. ("d", "m", "Y")
    sep: str  # the separator between them, for words
    ampm: bool


_KEY_TIME_RE = re.compile(
    r"(?:[ T](?:%[HI](?::%M)?(?::%S)?(?:\.%f)?(?: ?%p)?)?)?(?: ?%z)?$"
)
_NUMERIC_ORDERS = {("d", "m", "Y"), ("d", "m", "y"), ("m", "d", "Y"), ("m", "d", "y"),
                   ("Y", "m", "d"), ("y", "m", "d")}
_WORD_ORDERS = {("d", "b", "Y"), ("d", "b", "y"), ("b", "d", "Y"), ("b", "d", "y"),
                ("Y", "b", "d"), ("b", "Y")}


def _layout(fmt: str) -> _Layout | None:
    """How a pattern key's dates are laid out, or None for a pattern read by strptime."""
    ampm = "%p" in fmt
    if "年" in fmt:
        return _Layout("chinese", ("Y", "m", "d"), "/", ampm)
    body = re.sub(r"^%[aA],? ", "", fmt)
    m = re.match(r"^((?:%[dmbBYy]|[/.\-, ]|de )+)", body)
    if m is None:
        return None
    date = m.group(1).rstrip()
    if _KEY_TIME_RE.fullmatch(body[len(date):]) is None:
        return None
    tokens = tuple("b" if t == "B" else t for t in re.findall(r"%([dmbBYy])", date))
    seps = re.sub(r"%[dmbBYy]", "", date).replace("de ", " ").strip()
    sep = seps[0] if seps and seps[0] in "/.-" else " "
    if tokens in _NUMERIC_ORDERS:
        return _Layout("numeric", tokens, sep, ampm)
    if tokens in _WORD_ORDERS:
        return _Layout("words", tokens, " ", ampm)
    return None


def _iso_rules(
    tokens: tuple[str, ...], *, sep: str, month: str | None = None
) -> list[tuple[str, str]]:
    """Regex rewrites turning dates laid out as ``tokens`` into ISO "YYYY-MM-DD" text.

    ``month`` stands in for a month that is not among the tokens (month names)."""
    token_re = {"d": "([0-9]{1,2})", "m": "([0-9]{1,2})", "Y": "([0-9]{4})"}
    groups = {t: i for i, t in enumerate(tokens, 1)}
    trailer = rf"\{len(tokens) + 1}"
    centuries = [("20", "[0-5][0-9]|6[0-8]"), ("19", "69|[7-9][0-9]")] if "y" in groups else [
        ("", "")
    ]
    rules = []
    for century, years in centuries:
        pattern = "^" + sep.join(token_re.get(t, f"({years})") for t in tokens) + "([ T]|$)"
        year = century + rf"\{groups.get('Y', groups.get('y'))}"
        mon = rf"\{groups['m']}" if "m" in groups else (month or "01")
        day = rf"\{groups['d']}" if "d" in groups else "01"
        rules.append((pattern, f"{year}-{mon}-{day}{trailer}"))
    return rules


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


def _parse_numeric(values: pd.Series, fmt: str) -> npt.NDArray[np.int64]:
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
        arr = pc.replace_substring_regex(arr, _ZONE_SUFFIX, "")
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
    letters = pc.replace_substring_regex(low, rf"[^{_LETTERS}]+", " ").dictionary_encode()
    by_word = [_month_of_words(str(w)) for w in letters.dictionary.to_pylist()] + [0]
    codes = pc.fill_null(letters.indices, -1).to_numpy(zero_copy_only=False)
    month = np.asarray(by_word, dtype=np.int64)[codes]
    skeleton = pc.replace_substring(pc.replace_substring_regex(low, _WORD_RUN, " "), ",", " ")
    skeleton = _collapse(skeleton)
    numeric = tuple(t for t in tokens if t != "b")
    out = skeleton
    for k in np.unique(month[month > 0]):
        mask = pa.array(month == k)
        part = _regex(pc.filter(skeleton, mask), _iso_rules(numeric, sep=" ", month=f"{k:02d}"))
        out = pc.replace_with_mask(out, mask, part)
    return out


def _month_of_words(words: str) -> int:
    for word in words.split():
        if word in _MONTH_NUMBER:
            return _MONTH_NUMBER[word]
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
        return _parse_numeric(values, fmt)
    text = _text(values)
    if fmt == "ISO8601":
        return _read_iso(_collapse(text))
    layout = _layout(fmt)
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
            am = _flags(text, _CN_AM, at_end=False)
            pm = _flags(text, _CN_PM, at_end=False)
            for word in (*_CN_AM, *_CN_PM):
                text = pc.replace_substring(text, word, " ")
        for word, repl in _CN_LITERALS:
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
        text = _regex(text, _iso_rules(layout.tokens, sep="[./-]"))
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
            ms = _parse_numeric(pd.Series(finite), fmt)
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
    v = _ZONE_SUFFIX_RE.sub("", value)
    ampm = False
    m = _AMPM_RE.search(v) or _CN_AMPM_RE.search(v)
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
    m = _TIME_RE.match(rest)
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
        m = _NUMDATE_RE.match(v)
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
        m = _MONTH_WORD_RE.search(low)
        if m is None:
            continue
        month_first = re.search(r"[0-9]", low[: m.start()]) is None
        skeleton = re.sub(r" +", " ", _WORD_RUN_RE.sub(" ", low)).strip().split(" ")
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
        for word, repl in _CN_LITERALS:
            v = v.replace(word, repl)
        v = re.sub(r" +", " ", re.sub(r":\s*$", "", v).replace("- ", "-")).strip()
        m = _CN_DATE_RE.match(v)
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
        share = float((_parse_numeric(series, fmt) != INT64_MIN).mean())
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
