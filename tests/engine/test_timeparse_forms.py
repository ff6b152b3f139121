"""Time forms from real exports: each value must become one exact UTC instant, each column must
get the right day/month order (and say when it had to guess), and numbers that are not times
(ids, counts, prices) must not be read as times.

Expected instants are written out as ISO text and converted with the standard library, so a
wrong parse fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.ingest.timedetect import TimeDetection, detect_time, detect_time_format
from engine.ingest.timeparse import (
    INT64_MIN,
    describe_format,
    describe_implausible,
    implausible,
    is_missing,
    parse_times,
)


def _ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _read(values: list[str], **kwargs: Any) -> tuple[TimeDetection, list[int]]:
    det = detect_time(values, **kwargs)
    assert det.fmt is not None, (values, det)
    ms = parse_times(pd.Series(values, dtype="object"), det.fmt)
    assert ms.dtype == np.int64
    return det, [int(x) for x in ms]


# --- every form: one value, one exact instant ---------------------------------------------------

FORMS: list[tuple[str, str]] = [
    # month names, English
    ("Jan 5, 2023 02:03:22 PM", "2023-01-05T14:03:22"),
    ("January 5, 2023", "2023-01-05T00:00:00"),
    ("5 Jan 2023", "2023-01-05T00:00:00"),
    ("05-Jan-2023 14:03", "2023-01-05T14:03:00"),
    ("Sep 30, 2023 11:59 PM", "2023-09-30T23:59:00"),
    ("Dec 1, 2023 12:15 AM", "2023-12-01T00:15:00"),
    ("August 17th, 2023", "2023-08-17T00:00:00"),
    ("Thu, 05 Jan 2023 14:03:22 +0000", "2023-01-05T14:03:22"),
    ("2023 Nov 7", "2023-11-07T00:00:00"),
    ("17-Mar-23", "2023-03-17T00:00:00"),
    # French
    ("5 janv. 2023", "2023-01-05T00:00:00"),
    ("5 janvier 2023 14:03", "2023-01-05T14:03:00"),
    ("14 févr. 2023", "2023-02-14T00:00:00"),
    ("1er août 2023", "2023-08-01T00:00:00"),
    ("25 DÉCEMBRE 2023 08:00", "2023-12-25T08:00:00"),
    # German
    ("5. März 2023", "2023-03-05T00:00:00"),
    ("5 Mär 2023", "2023-03-05T00:00:00"),
    ("3. Oktober 2023 09:30", "2023-10-03T09:30:00"),
    ("24. Dez. 2023", "2023-12-24T00:00:00"),
    ("6. Mai 2023", "2023-05-06T00:00:00"),
    # Spanish
    ("5 de enero de 2023", "2023-01-05T00:00:00"),
    ("5 ene 2023", "2023-01-05T00:00:00"),
    ("12 de Agosto de 2023 18:45", "2023-08-12T18:45:00"),
    ("9 dic. 2023", "2023-12-09T00:00:00"),
    # Chinese
    ("2023年1月5日 14:03", "2023-01-05T14:03:00"),
    ("2023年01月05日 14:03:22", "2023-01-05T14:03:22"),
    ("2023年1月5日", "2023-01-05T00:00:00"),
    ("2023年12月25日14时30分", "2023-12-25T14:30:00"),
    ("2023年1月5日 下午2:03", "2023-01-05T14:03:00"),
    ("2023/1/5 14:03", "2023-01-05T14:03:00"),
    # numbers with separators, decided by a day or month above 12
    ("25/12/2023", "2023-12-25T00:00:00"),
    ("25/12/2023 14:05", "2023-12-25T14:05:00"),
    ("25/12/2023 14:05:09", "2023-12-25T14:05:09"),
    ("12/25/2023 2:05 PM", "2023-12-25T14:05:00"),
    ("12/25/2023 02:05:09 AM", "2023-12-25T02:05:09"),
    ("12/25/2023, 2:05:09 PM", "2023-12-25T14:05:09"),
    ("25.12.2023 14:05", "2023-12-25T14:05:00"),
    ("25-12-2023 14:05:09", "2023-12-25T14:05:09"),
    ("25/12/23 14:05", "2023-12-25T14:05:00"),
    ("12/25/99", "1999-12-25T00:00:00"),
    ("13.1.2024", "2024-01-13T00:00:00"),
    ("2023/12/25 2:05 PM", "2023-12-25T14:05:00"),
    # numbers
    ("45301.084722", "2024-01-10T02:02:00"),
    ("1704850920123456", "2024-01-10T01:42:00.123"),
    ("1704850920123", "2024-01-10T01:42:00.123"),
    ("1704850920", "2024-01-10T01:42:00"),
    ("1704850920.5", "2024-01-10T01:42:00.500"),
    ("20231225", "2023-12-25T00:00:00"),
    ("20231225140509", "2023-12-25T14:05:09"),
    # ISO, zones and offsets (converted to UTC; no zone is UTC)
    ("2023-12-25 14:05:09", "2023-12-25T14:05:09"),
    ("2023-12-25T14:05:09.250", "2023-12-25T14:05:09.250"),
    ("2024-02-26 09:14:05 -0500", "2024-02-26T14:14:05"),
    ("2024-02-26T09:14:05-05:00", "2024-02-26T14:14:05"),
    ("2024-02-26T09:14:05Z", "2024-02-26T09:14:05"),
    ("2024-02-26 09:14:05 UTC", "2024-02-26T09:14:05"),
    ("2024-02-26 09:14:05 GMT", "2024-02-26T09:14:05"),
    ("2024-02-26 09:14:05+08:00", "2024-02-26T01:14:05"),
    ("2024-02-26 09:14:05 +0800", "2024-02-26T01:14:05"),
    ("2024-02-26T09:14:05.5+05:30", "2024-02-26T03:44:05.500"),
    ("25/12/2023 14:05:09 +0100", "2023-12-25T13:05:09"),
]


@pytest.mark.parametrize(("value", "expected"), FORMS, ids=[v for v, _ in FORMS])
def test_each_form_becomes_one_exact_utc_instant(value: str, expected: str) -> None:
    det, ms = _read([value])
    assert det.share_read == 1.0
    assert ms == [_ms(expected)], (det.fmt, ms)
    words = describe_format(det.fmt or "")
    assert words and "%" not in words


def test_expected_instants_are_what_the_calendar_says() -> None:
    """The table cross-checked against plain arithmetic, so a wrong expectation is caught."""
    assert _ms("2024-01-10T02:02:00") == ((45301 - 25569) * 86400 + 2 * 3600 + 2 * 60) * 1000
    assert _ms("2024-02-26T09:14:05") == 1_708_938_845_000
    assert _ms("1970-01-01T00:00:00") == 0


@pytest.mark.parametrize(
    "values",
    [
        ["Jan 5, 2023", "JAN 5, 2023", "jan 5, 2023"],
        ["5 janv. 2023", "5 JANV 2023", "5 Janv. 2023"],
        ["5 de Enero de 2023", "5 de enero de 2023", "5 DE ENERO DE 2023"],
    ],
)
def test_month_names_ignore_case_and_the_trailing_dot(values: list[str]) -> None:
    _, ms = _read(values)
    assert ms == [_ms("2023-01-05")] * 3


def test_every_month_in_four_languages() -> None:
    names = {
        "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        "en_full": ["January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"],
        "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre"],
        "fr_abbr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                    "oct.", "nov.", "déc."],
        "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember"],
        "de_abbr": ["Jan.", "Feb.", "Mär.", "Apr.", "Mai", "Jun.", "Jul.", "Aug.", "Sep.",
                    "Okt.", "Nov.", "Dez."],
        "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
               "septiembre", "octubre", "noviembre", "diciembre"],
        "es_abbr": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct",
                    "nov", "dic"],
    }
    for lang, months in names.items():
        values = [f"7 {m} 2023 10:30" for m in months]
        det, ms = _read(values)
        assert (det.fmt, det.date_order, det.ambiguous) == ("%d %b %Y %H:%M", "dmy", False)
        assert ms == [_ms(f"2023-{i:02d}-07T10:30") for i in range(1, 13)], lang


# --- the day/month order is decided by the whole column -----------------------------------------

AMBIGUOUS = ["05/01/2023 10:00", "06/02/2023 11:30", "07/03/2023 12:45"]
DAY_FIRST = ["05/01/2023 10:00", "13/02/2023 11:30", "07/03/2023 12:45"]
MONTH_FIRST = ["05/01/2023 10:00", "02/13/2023 11:30", "07/03/2023 12:45"]

ORDER_CASES: list[tuple[str, list[str], dict[str, Any], str, str, bool, str]] = [
    # (name, values, clues, fmt, date_order, ambiguous, instant of the first value)
    ("ambiguous, no clue: US default", AMBIGUOUS, {}, "%m/%d/%Y %H:%M", "mdy", True,
     "2023-05-01T10:00"),
    ("ambiguous, clue day-first", AMBIGUOUS, {"prefer_day_first": True}, "%d/%m/%Y %H:%M",
     "dmy", True, "2023-01-05T10:00"),
    ("ambiguous, clue month-first", AMBIGUOUS, {"prefer_day_first": False}, "%m/%d/%Y %H:%M",
     "mdy", True, "2023-05-01T10:00"),
    ("ambiguous, user says dmy", AMBIGUOUS, {"date_order": "dmy", "prefer_day_first": False},
     "%d/%m/%Y %H:%M", "dmy", True, "2023-01-05T10:00"),
    ("a day above 12 decides", DAY_FIRST, {}, "%d/%m/%Y %H:%M", "dmy", False,
     "2023-01-05T10:00"),
    ("a day above 12 beats the clue", DAY_FIRST, {"prefer_day_first": False},
     "%d/%m/%Y %H:%M", "dmy", False, "2023-01-05T10:00"),
    ("a month-first value decides", MONTH_FIRST, {"prefer_day_first": True},
     "%m/%d/%Y %H:%M", "mdy", False, "2023-05-01T10:00"),
    ("the user's order wins over the values", DAY_FIRST, {"date_order": "mdy"},
     "%m/%d/%Y %H:%M", "mdy", False, "2023-05-01T10:00"),
    ("dots mean day-first", ["05.01.2023", "06.02.2023"], {}, "%d.%m.%Y", "dmy", True,
     "2023-01-05"),
    ("dots, but the user says mdy", ["05.01.2023", "06.02.2023"], {"date_order": "mdy"},
     "%m.%d.%Y", "mdy", True, "2023-05-01"),
    ("dashes, ambiguous", ["05-01-2023", "06-02-2023"], {}, "%m-%d-%Y", "mdy", True,
     "2023-05-01"),
    ("dashes, a day above 12", ["05-01-2023", "26-02-2023"], {}, "%d-%m-%Y", "dmy", False,
     "2023-01-05"),
    ("2-digit years, ambiguous", ["05/01/23", "06/02/23"], {"prefer_day_first": True},
     "%d/%m/%y", "dmy", True, "2023-01-05"),
    ("2-digit years, user says ymd", ["23/01/05", "23/02/06"], {"date_order": "ymd"},
     "%y/%m/%d", "ymd", False, "2023-01-05"),  # 23 > 12 "decided" day-first: the user wins
    ("12-hour clock, ambiguous", ["1/5/2023 2:03 PM", "2/6/2023 11:00 AM"], {},
     "%m/%d/%Y %I:%M %p", "mdy", True, "2023-01-05T14:03"),
    ("seconds, a month above 12", ["1/5/2023 14:03:22", "1/25/2023 08:00:00"], {},
     "%m/%d/%Y %H:%M:%S", "mdy", False, "2023-01-05T14:03:22"),
    ("year first is never ambiguous", ["2023/01/05 2:03 PM", "2023/02/06 9:00 AM"],
     {"date_order": "dmy"}, "%Y/%m/%d %I:%M %p", "ymd", False, "2023-01-05T14:03"),
    ("ISO has no order to decide", ["2023-01-05 10:00:00"], {"date_order": "dmy"}, "ISO8601",
     "", False, "2023-01-05T10:00"),
    ("a month name decides (month first)", ["Jan 5, 2023", "Feb 6, 2023"],
     {"prefer_day_first": True}, "%b %d %Y", "mdy", False, "2023-01-05"),
    ("a month name decides (day first)", ["5 Jan 2023", "6 Feb 2023"],
     {"prefer_day_first": False}, "%d %b %Y", "dmy", False, "2023-01-05"),
    ("Chinese dates are year first", ["2023年1月5日"], {"date_order": "mdy"}, "%Y年%m月%d日",
     "ymd", False, "2023-01-05"),
]


@pytest.mark.parametrize(
    ("values", "clues", "fmt", "order", "ambiguous", "first"),
    [c[1:] for c in ORDER_CASES],
    ids=[c[0] for c in ORDER_CASES],
)
def test_date_order_is_decided_by_the_column(
    values: list[str], clues: dict[str, Any], fmt: str, order: str, ambiguous: bool, first: str
) -> None:
    det, ms = _read(values, **clues)
    assert (det.fmt, det.date_order or "", det.ambiguous) == (fmt, order, ambiguous)
    assert ms[0] == _ms(first)
    assert detect_time_format(values, **clues) == fmt


def test_user_order_against_the_values_leaves_their_dates_unread() -> None:
    det, ms = _read(["05/01/2023", "06/01/2023", "25/01/2023"], date_order="mdy")
    assert det.fmt == "%m/%d/%Y"
    assert det.share_read == pytest.approx(2 / 3)
    assert ms[:2] == [_ms("2023-05-01"), _ms("2023-06-01")]
    assert ms[2] == INT64_MIN


def test_a_bad_date_order_is_refused() -> None:
    with pytest.raises(ValueError):
        detect_time(["05/01/2023"], date_order="ydm")


def test_mixed_precision_rows_of_one_column_all_read() -> None:
    values = ["25/12/2023 14:05", "25/12/2023 14:05:09", "26/12/2023", "27/12/2023 9:05:09.5"]
    det, ms = _read(values)
    assert det.fmt == "%d/%m/%Y %H:%M" and det.date_order == "dmy"
    assert ms == [
        _ms("2023-12-25T14:05"),
        _ms("2023-12-25T14:05:09"),
        _ms("2023-12-26"),
        _ms("2023-12-27T09:05:09.500"),
    ]


def test_unreadable_values_are_int64_min() -> None:
    values = pd.Series(["25/12/2023", "31/02/2023", "not a date", None, "", "13/13/2023"])
    ms = parse_times(values, "%d/%m/%Y")
    assert int(ms[0]) == _ms("2023-12-25")
    assert is_missing(ms).tolist() == [False, True, True, True, True, True]


def test_share_read_counts_only_non_empty_values() -> None:
    det = detect_time(["25/12/2023", "", "null", "garbage", "26/12/2023", "27/12/2023"])
    assert det.fmt == "%d/%m/%Y"
    assert det.share_read == pytest.approx(3 / 4)
    assert detect_time(["garbage", "more garbage", "25/12/2023"]).fmt is None
    assert detect_time([]) == TimeDetection(None, None, False, 0.0)


# --- numbers: times only when they can be -------------------------------------------------------

NOT_TIMES: list[tuple[str, list[str], str | None]] = [
    ("zero-padded ids", ["000000001", "000000002", "000000003"], None),
    ("zero-padded long ids", ["0001569888000", "0001569888001"], None),
    ("small counts", ["1", "2", "3", "17"], None),
    ("8-digit ids", ["12345678", "23456789"], None),
    ("customer numbers as floats", ["17850.0", "13047.0"], None),
    ("prices", ["3.50", "12.99"], None),
    ("excel-sized integers without a date label", ["45301", "45302"], "amount"),
    ("excel-sized prices with cents", ["45301.50", "45302.25"], "price"),
    ("negative numbers", ["-1569888000", "-1569888001"], None),
]


@pytest.mark.parametrize(
    ("values", "label"), [c[1:] for c in NOT_TIMES], ids=[c[0] for c in NOT_TIMES]
)
def test_numbers_that_are_not_times(values: list[str], label: str | None) -> None:
    det = detect_time(values, label=label)
    assert det.fmt is None
    assert detect_time_format(values, label=label) is None


@pytest.mark.parametrize(
    "label", ["Order Date", "created_at", "Zeitpunkt", "Datum", "fecha", "Heure", "下单日期",
              "付款时间", "time", "Created", "order_dt"]
)
def test_excel_serial_days_with_a_date_label(label: str) -> None:
    values = ["45301", "45302.5", "45303.75"]
    det, ms = _read(values, label=label)
    assert det.fmt == "excel" and det.date_order is None and not det.ambiguous
    assert ms == [_ms("2024-01-10"), _ms("2024-01-11T12:00"), _ms("2024-01-12T18:00")]


def test_excel_serial_days_with_time_fractions_need_no_label() -> None:
    values = ["45301.084722", "45301.5", "45302.999988", "45303.0006944"]
    det, ms = _read(values)
    assert det.fmt == "excel"
    # rounded to the second: 0.999988 days is 23:59:59 (86398.96 s)
    assert ms == [
        _ms("2024-01-10T02:02:00"),
        _ms("2024-01-10T12:00:00"),
        _ms("2024-01-11T23:59:59"),
        _ms("2024-01-12T00:01:00"),
    ]


UNIX = [
    ("unix_s", ["1569888000", "1569891661"], ["2019-10-01T00:00:00", "2019-10-01T01:01:01"]),
    ("unix_ms", ["1569888000123", "1569891661000"],
     ["2019-10-01T00:00:00.123", "2019-10-01T01:01:01"]),
    ("unix_us", ["1704850920123456", "1704850921999999"],
     ["2024-01-10T01:42:00.123", "2024-01-10T01:42:02"]),
    ("unix_ns", ["1704850920123456789", "1704850921000000000"],
     ["2024-01-10T01:42:00.123", "2024-01-10T01:42:01"]),
    ("yyyymmdd", ["20191001", "20191231"], ["2019-10-01", "2019-12-31"]),
    ("yyyymmddhhmmss", ["20191001000000", "20191231235959"],
     ["2019-10-01", "2019-12-31T23:59:59"]),
]


@pytest.mark.parametrize(("fmt", "values", "expected"), UNIX, ids=[u[0] for u in UNIX])
def test_unix_and_compact_numbers(fmt: str, values: list[str], expected: list[str]) -> None:
    det, ms = _read(values, label="event_timestamp")
    assert det.fmt == fmt
    assert ms == [_ms(e) for e in expected]


def test_impossible_compact_dates_are_not_read() -> None:
    ms = parse_times(pd.Series(["20190230", "20191301", "20191001"]), "yyyymmdd")
    assert ms.tolist() == [INT64_MIN, INT64_MIN, _ms("2019-10-01")]


def test_a_big_chunk_parses_the_same_as_one_value() -> None:
    """Vectorized parsing of many rows gives what one row gives, in every text form."""
    rng = np.random.default_rng(7)
    seconds = 1_672_531_200 + rng.integers(0, 365 * 86400, 3000)
    stamps = pd.to_datetime(seconds, unit="s")
    forms = {
        "%d/%m/%Y %H:%M:%S": stamps.strftime("%d/%m/%Y %H:%M:%S"),
        "%m/%d/%Y %I:%M:%S %p": stamps.strftime("%m/%d/%Y %I:%M:%S %p"),
        "%b %d %Y %I:%M:%S %p": stamps.strftime("%b %d, %Y %I:%M:%S %p"),
        "%d %b %Y %H:%M:%S": stamps.strftime("%d-%b-%Y %H:%M:%S"),
        "%Y年%m月%d日 %H:%M:%S": stamps.strftime("%Y年%m月%d日 %H:%M:%S"),
        "ISO8601": stamps.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
    }
    for fmt, text in forms.items():
        values = pd.Series(list(text), dtype="string[pyarrow]")
        assert detect_time(values[:200]).fmt == fmt
        assert parse_times(values, fmt).tolist() == (seconds * 1000).tolist(), fmt


# --- plausibility -------------------------------------------------------------------------------

NOW = _ms("2024-06-01T12:00:00")
MIN = 60_000


def _spread(start: str, n: int, step_ms: int) -> list[int]:
    return [_ms(start) + i * step_ms for i in range(n)]


PLAUSIBILITY: list[tuple[str, list[int], str | None]] = [
    ("a normal log", _spread("2024-01-01", 500, 3 * 60 * MIN), None),
    ("a few events", _spread("2024-05-01", 20, MIN // 60), None),
    ("ids read as seconds", _spread("1970-01-01", 100, 1000), "time_1970"),
    ("mostly 1970", _spread("1970-01-02", 60, MIN) + _spread("2024-01-01", 40, MIN),
     "time_1970"),
    ("one value far in the future", _spread("2024-01-01", 300, MIN) + [NOW + 3 * 86_400_000],
     "time_future"),
    ("many a little in the future", _spread("2024-05-31T12:00", 50, 30 * MIN), "time_future"),
    ("one just after now", _spread("2024-01-01", 300, 60 * MIN) + [NOW + MIN], None),
    ("10-digit ids read as seconds", _spread("2023-05-01", 300, 1000), "time_span_seconds"),
    ("21 values in ten minutes", _spread("2023-05-01", 21, 30_000), "time_span_seconds"),
    ("unreadable values are ignored", [INT64_MIN] * 50 + _spread("2024-01-01", 5, MIN), None),
    ("nothing readable", [INT64_MIN] * 5, None),
]


@pytest.mark.parametrize(
    ("ms", "code"), [c[1:] for c in PLAUSIBILITY], ids=[c[0] for c in PLAUSIBILITY]
)
def test_implausible_times(ms: list[int], code: str | None) -> None:
    assert implausible(np.asarray(ms, dtype=np.int64), now_ms=NOW) == code


@pytest.mark.parametrize("code", ["time_1970", "time_future", "time_span_seconds", "other"])
def test_implausible_sentences_name_the_column_and_the_flags(code: str) -> None:
    sentence = describe_implausible(code, "Date")
    assert "“Date”" in sentence
    assert "--map time=COLUMN" in sentence and "--date-order dmy|mdy|ymd" in sentence
    assert "\n" not in sentence and sentence.endswith(".")
    problem, _, fix = sentence.partition(":")
    assert problem.startswith("The times") or problem.startswith("Some times")
    assert fix.startswith(" choose the time column")


def test_unix_seconds_that_are_really_milliseconds_are_caught() -> None:
    det, ms = _read(["1569888000", "1569891661"])
    assert implausible(np.asarray(ms, dtype=np.int64), now_ms=NOW) is None
    wrong = parse_times(pd.Series(["1569888000123", "1569891661000"]), "unix_s")
    assert is_missing(wrong).all()  # beyond 2100: not read rather than wrong
    wrong = parse_times(pd.Series(["1569888", "1569891"]), "unix_ms")
    assert implausible(wrong, now_ms=NOW) == "time_1970"


# --- words for the wizard -----------------------------------------------------------------------

DESCRIPTIONS = [
    ("%d/%m/%Y %H:%M", "day/month/year (31/12/2023 14:05)"),
    ("%m/%d/%Y %I:%M %p", "month/day/year (12/31/2023 02:05 PM)"),
    ("%d.%m.%Y", "day.month.year (31.12.2023)"),
    ("%d/%m/%y", "day/month/year (2-digit year) (31/12/23)"),
    ("%d %b %Y %H:%M", "day month year (31 Dec 2023 14:05)"),
    ("%b %d %Y", "month day year (Dec 31 2023)"),
    ("%Y年%m月%d日 %H:%M", "year/month/day (2023年12月31日 14:05)"),
    ("excel", "Excel serial day numbers (45291.5 is 31/12/2023 12:00)"),
    ("unix_us", "Unix time in microseconds"),
    ("yyyymmdd", "YYYYMMDD dates (20231231)"),
    ("ISO8601", "ISO dates (2019-10-01 00:00:00)"),
]


@pytest.mark.parametrize(("fmt", "words"), DESCRIPTIONS)
def test_formats_in_plain_words(fmt: str, words: str) -> None:
    assert describe_format(fmt) == words


def test_old_pattern_keys_still_read() -> None:
    """Patterns saved by earlier versions (or typed by a user) keep working."""
    cases = [
        ("%d-%b-%Y %H:%M", "05-Jan-2023 14:03", "2023-01-05T14:03"),
        ("%b %d, %Y %H:%M", "Jan 5, 2023 14:03", "2023-01-05T14:03"),
        ("%Y年%m月%d日 %H:%M:%S", "2023年1月5日 14:03:22", "2023-01-05T14:03:22"),
        ("%m/%d/%Y %I:%M:%S %p", "1/5/2023 2:03:22 PM", "2023-01-05T14:03:22"),
        ("%H:%M %d/%m/%Y", "14:03 05/01/2023", "2023-01-05T14:03"),
    ]
    for fmt, value, expected in cases:
        assert parse_times(pd.Series([value]), fmt).tolist() == [_ms(expected)], fmt


@pytest.mark.parametrize(
    "value", ["", " ", "customer", "May", "mar-123", "12:30", "1.2.3", "∞", "١٢٣", "\x00",
              "2019-13-45", "a\nb", "Jan 99, 2023", "31/31/2023", "5 Jan"]
)
def test_odd_values_are_never_times_and_never_raise(value: str) -> None:
    assert detect_time([value]).fmt is None


def test_times_outside_1900_to_2100_are_unreadable_not_year_minus_one() -> None:
    ms = parse_times(pd.Series(["-1", "2024-05-01 10:00:00", "0001-01-01", "9999-01-01"]), "ISO8601")
    assert ms.tolist() == [INT64_MIN, 1714557600000, INT64_MIN, INT64_MIN]
