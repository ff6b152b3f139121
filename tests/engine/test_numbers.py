"""Money and quantity columns in local forms: deciding a column's form and reading it.

Every expected number is written out, and every non-empty cell that cannot be read must be
flagged: a NaN that is not flagged is a silent loss and fails here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ingest.numbers import NumberForm, detect_number_form, parse_numbers

POINT = NumberForm(".", "", "", False)
COMMA = NumberForm(",", "", "", False)
NBSP = "\u00a0"
NNBSP = "\u202f"


def read(cells: Sequence[str | None], form: NumberForm) -> tuple[list[float], list[bool]]:
    nums, bad = parse_numbers(pd.Series(cells, dtype="object"), form)
    assert nums.dtype == np.float64 and bad.dtype == np.bool_
    assert len(nums) == len(bad) == len(cells)
    return nums.tolist(), bad.tolist()


def read_one(cell: str, form: NumberForm) -> float | None:
    """The number, or None when the cell is flagged unreadable (never a silent NaN)."""
    (num,), (bad,) = read([cell], form)
    if bad:
        assert np.isnan(num)
        return None
    assert not np.isnan(num), f"{cell!r} gave NaN without being flagged"
    return num


# (cell, number read with a decimal point, number read with a decimal comma); None: unreadable.
CELLS: list[tuple[str, float | None, float | None]] = [
    # plain numbers
    ("12", 12.0, 12.0),
    ("0", 0.0, 0.0),
    ("007", 7.0, 7.0),
    ("12.5", 12.5, None),
    ("12,5", None, 12.5),
    ("12.50", 12.5, None),
    ("12,50", None, 12.5),
    (".5", 0.5, None),
    (",5", None, 0.5),
    ("12.", 12.0, None),
    ("1e3", 1000.0, 1000.0),
    ("1.5E-3", 0.0015, None),
    ("1,5e3", None, 1500.0),
    ("+12", 12.0, 12.0),
    ("  12.50  ", 12.5, None),
    (f"{NBSP}12{NNBSP}", 12.0, 12.0),
    # thousands
    ("1,234.50", 1234.5, None),
    ("1.234,50", None, 1234.5),
    ("1,234,567.89", 1234567.89, None),
    ("1.234.567,89", None, 1234567.89),
    ("1,234,567", 1234567.0, None),
    ("1.234.567", None, 1234567.0),
    ("1,234", 1234.0, 1.234),
    ("1.234", 1.234, 1234.0),
    ("1 234,50", None, 1234.5),
    ("1 234.50", 1234.5, None),
    (f"1{NBSP}234,50", None, 1234.5),
    (f"1{NNBSP}234{NNBSP}567,5", None, 1234567.5),
    ("1 234 567", 1234567.0, 1234567.0),
    ("1'234.50", 1234.5, None),
    ("1\u2019234.50", 1234.5, None),
    ("1'234'567", 1234567.0, 1234567.0),
    ("0,123", None, 0.123),
    ("1234,567", None, 1234.567),
    # currencies, before or after, with or without a space
    ("€12,50", None, 12.5),
    ("12,50 €", None, 12.5),
    ("12,50€", None, 12.5),
    (f"12,50{NBSP}€", None, 12.5),
    ("1 234,50 €", None, 1234.5),
    ("$1,234.50", 1234.5, None),
    ("$ 5", 5.0, 5.0),
    ("¥88.00", 88.0, None),
    ("￥88.00", 88.0, None),
    ("£5", 5.0, 5.0),
    ("RMB 120.00", 120.0, None),
    ("120.00 EUR", 120.0, None),
    ("EUR12,50", None, 12.5),
    ("eur 12", 12.0, 12.0),
    ("88元", 88.0, 88.0),
    ("US$ 10", 10.0, 10.0),
    ("CN¥88", 88.0, 88.0),
    ("12,50 zł", None, 12.5),
    ("CHF 1'234.50", 1234.5, None),
    ("$12.00 USD", 12.0, None),  # Shopify writes both
    # negatives
    ("-12.50", -12.5, None),
    ("-12,50", None, -12.5),
    ("12.50-", -12.5, None),
    ("12,50-", None, -12.5),
    ("\u221212.50", -12.5, None),
    ("\u22121 234,50 €", None, -1234.5),
    ("\u201312", -12.0, -12.0),
    ("(12.50)", -12.5, None),
    ("(1.234,50)", None, -1234.5),
    ("- 12", -12.0, -12.0),
    ("-€12,50", None, -12.5),
    ("€-12,50", None, -12.5),
    ("€ -12,50", None, -12.5),
    ("-12,50 €", None, -12.5),
    ("12,50 €-", None, -12.5),
    ("12.50- USD", -12.5, None),
    ("(€12.50)", -12.5, None),
    ("€(12.50)", -12.5, None),
    ("(12.50 €)", -12.5, None),
    ("(12.50) €", -12.5, None),
    ("USD -1,234.50", -1234.5, None),
    ("-1e-3", -0.001, -0.001),
    ("+€12", 12.0, 12.0),
    # unreadable in both forms
    ("12%", None, None),
    ("12 %", None, None),
    ("abc", None, None),
    ("N/A", None, None),
    ("nan", None, None),
    ("NaN", None, None),
    ("inf", None, None),
    ("-inf", None, None),
    ("1e400", None, None),
    ("-", None, None),
    ("€", None, None),
    ("12 PCS", None, None),
    ("1_000", None, None),
    ("0x10", None, None),
    ("12e", None, None),
    ("1,23", None, 1.23),
    ("1.23", 1.23, None),
    ("1 23", None, None),
    ("12 34", None, None),
    ("1,2345.6", None, None),
    ("1,234,5", None, None),
    ("1.5.5", None, None),
    ("1'234,5'6", None, None),
    ("--12", None, None),
    ("-12-", None, None),
    ("-(12)", None, None),
    ("(12", None, None),
    ("12)", None, None),
    ("12€50", None, None),
    ("1 234.567,5", None, None),
]


@pytest.mark.parametrize(("cell", "with_point", "with_comma"), CELLS, ids=[c[0] for c in CELLS])
def test_cells_in_both_forms(cell: str, with_point: float | None, with_comma: float | None) -> None:
    assert read_one(cell, POINT) == pytest.approx(with_point)
    assert read_one(cell, COMMA) == pytest.approx(with_comma)


def test_cells_read_the_same_one_at_a_time_and_as_a_column() -> None:
    cells = [c[0] for c in CELLS]
    for form, col in ((POINT, 1), (COMMA, 2)):
        nums, bad = read(list(cells), form)
        for (cell, *expected), num, flagged in zip(CELLS, nums, bad, strict=True):
            want = expected[col - 1]
            if want is None:
                assert flagged and np.isnan(num), cell
            else:
                assert not flagged and num == pytest.approx(want), cell


def test_empty_cells_are_nan_but_not_unreadable() -> None:
    nums, bad = read(["", "   ", "\t", NBSP, None, "12", "x"], POINT)
    assert np.isnan(nums[:5]).all()
    assert nums[5] == 12.0 and np.isnan(nums[6])
    assert bad == [False, False, False, False, False, False, True]


def test_no_silent_nan_for_a_non_empty_cell() -> None:
    cells = [c[0] for c in CELLS] + ["", None, "12"]
    for form in (POINT, COMMA):
        nums, bad = parse_numbers(pd.Series(cells, dtype="object"), form)
        filled = np.array([c is not None and c.strip() != "" for c in cells])
        assert (np.isnan(nums) & filled == bad).all()
        assert not bad[~filled].any()


@pytest.mark.parametrize(
    "make",
    [
        lambda cells: pd.Series(cells, dtype="object"),
        lambda cells: pd.Series(cells, dtype="string[pyarrow]"),
        lambda cells: pd.Series(cells, dtype="string[python]"),
        lambda cells: pd.Series(cells, dtype="str"),
        lambda cells: pd.Series(pd.arrays.ArrowStringArray(pa.array(cells, type=pa.string()))),
        lambda cells: pd.Series(pd.arrays.ArrowStringArray(pa.array(cells, pa.large_string()))),
        lambda cells: pd.Series(cells, dtype="object", index=range(100, 100 + len(cells))),
    ],
    ids=["object", "string[pyarrow]", "string[python]", "str", "arrow", "arrow-large", "index"],
)
def test_input_kinds(make: Callable[[list[str | None]], pd.Series]) -> None:
    cells: list[str | None] = ["1 234,50 €", None, "", "12", "12,5", "bad", "(3,00)"]
    series = make(cells)
    nums, bad = parse_numbers(series, COMMA)
    assert nums.tolist()[:1] == [1234.5] and nums.tolist()[3:5] == [12.0, 12.5]
    assert nums[6] == -3.0
    assert bad.tolist() == [False, False, False, False, False, True, False]
    form = detect_number_form(series)
    assert form == NumberForm(",", " ", "€", False)
    # the fast path for clean columns, with missing cells
    nums, bad = parse_numbers(make(["1.5", None, "2", ""]), POINT)
    assert nums[[0, 2]].tolist() == [1.5, 2.0] and np.isnan(nums[[1, 3]]).all()
    assert not bad.any()
    nums[0] = 0.0  # the result is the caller's to change


def test_numeric_series_pass_through() -> None:
    nums, bad = parse_numbers(pd.Series([1.5, np.nan, 2.0, np.inf]), POINT)
    assert nums[[0, 2]].tolist() == [1.5, 2.0] and np.isnan(nums[[1, 3]]).all()
    assert bad.tolist() == [False, False, False, True]
    nums, bad = parse_numbers(pd.Series([1, None], dtype="Int64"), COMMA)
    assert nums[0] == 1.0 and np.isnan(nums[1]) and not bad.any()


def test_empty_series() -> None:
    nums, bad = parse_numbers(pd.Series([], dtype="object"), POINT)
    assert nums.shape == bad.shape == (0,)
    assert detect_number_form([]) == NumberForm(".", "", "", False)
    assert detect_number_form([], decimal_hint=",") == NumberForm(",", "", "", False)
    assert detect_number_form(["", None]) == NumberForm(".", "", "", False)


# (values, hint, expected form)
COLUMNS: list[tuple[list[str], str | None, NumberForm]] = [
    (["12.50", "3.00", "7"], None, NumberForm(".", "", "", False)),
    (["12.50", "3.00", "7"], ",", NumberForm(".", "", "", False)),
    (["12,50", "3,00", "7"], None, NumberForm(",", "", "", False)),
    (["12", "7", "1e3"], None, NumberForm(".", "", "", False)),
    (["12", "7"], ",", NumberForm(",", "", "", False)),
    # a group of exactly three digits after one mark decides nothing
    (["1,234"], None, NumberForm(".", ",", "", True)),
    (["1,234"], ",", NumberForm(",", "", "", True)),
    (["1.234", "5.678", "12"], None, NumberForm(".", "", "", True)),
    (["1.234", "5.678", "12"], ",", NumberForm(",", ".", "", True)),
    # ... unless another value decides
    (["1,234", "12,5"], None, NumberForm(",", "", "", False)),
    (["1,234", "12.5"], ",", NumberForm(".", ",", "", False)),
    (["1,234", "1,234,567"], ",", NumberForm(".", ",", "", False)),
    (["1.234", "1.234.567"], None, NumberForm(",", ".", "", False)),
    (["1,234", "1234,567"], None, NumberForm(",", "", "", False)),
    (["1,234", "0,123"], None, NumberForm(",", "", "", False)),
    (["1,234", "1 234,567"], None, NumberForm(",", " ", "", False)),
    (["1.234,50", "12,00"], None, NumberForm(",", ".", "", False)),
    (["1,234.50", "12.00"], ",", NumberForm(".", ",", "", False)),
    # currencies and thousands seen
    (["€12,50", "1 234,50 €", "3 €"], None, NumberForm(",", " ", "€", False)),
    ([f"1{NBSP}234,50{NBSP}€"], None, NumberForm(",", " ", "€", False)),
    ([f"1{NNBSP}234,50"], None, NumberForm(",", " ", "", False)),
    (["$1,234.50", "$5.00"], None, NumberForm(".", ",", "$", False)),
    (["¥88.00", "¥1,288.00"], None, NumberForm(".", ",", "¥", False)),
    (["￥88.00"], None, NumberForm(".", "", "￥", False)),
    (["RMB 120.00", "RMB 1.00", "CNY 3.00"], None, NumberForm(".", "", "RMB", False)),
    (["120.00 EUR", "1.50 EUR"], None, NumberForm(".", "", "EUR", False)),
    (["88元", "8元"], None, NumberForm(".", "", "元", False)),
    (["US$ 10", "US$ 12.50"], None, NumberForm(".", "", "US$", False)),
    (["£5", "£7.5"], None, NumberForm(".", "", "£", False)),
    (["1'234.50", "CHF 12.00"], None, NumberForm(".", "'", "CHF", False)),
    (["1\u2019234.50"], None, NumberForm(".", "'", "", False)),
    (["(12.50)", "12.50-", "-3.00"], None, NumberForm(".", "", "", False)),
    # nothing readable: the default, not a guess about marks
    (["abc", "12%"], None, NumberForm(".", "", "", False)),
    (["abc", "12%"], ",", NumberForm(",", "", "", False)),
    # values that disagree: the form that reads more of them
    (["1.234,50", "2.000,00", "1,234.50"], None, NumberForm(",", ".", "", False)),
    (["1,234.50", "2,000.00", "1.234,50"], ",", NumberForm(".", ",", "", False)),
    (["12,5", "12.5"], None, NumberForm(".", "", "", True)),
    (["12,5", "12.5"], ",", NumberForm(",", "", "", True)),
]


@pytest.mark.parametrize(("values", "hint", "expected"), COLUMNS, ids=[str(c[:2]) for c in COLUMNS])
def test_column_form(values: list[str], hint: str | None, expected: NumberForm) -> None:
    assert detect_number_form(values, decimal_hint=hint) == expected
    assert detect_number_form(pd.Series(values, dtype="str"), decimal_hint=hint) == expected


def test_disagreeing_values_become_unreadable() -> None:
    cells = ["1.234,50", "2.000,00", "1,234.50", "12,5", "12.5"]
    form = detect_number_form(cells)
    assert form.decimal == ","
    nums, bad = read(cells, form)
    assert nums[0:2] == [1234.5, 2000.0] and nums[3] == 12.5
    assert bad == [False, False, True, False, True]


def test_ambiguous_column_follows_the_hint_when_read() -> None:
    cells = ["1,234", "2,500", "12"]
    assert read(cells, detect_number_form(cells))[0] == [1234.0, 2500.0, 12.0]
    assert read(cells, detect_number_form(cells, decimal_hint=","))[0] == [1.234, 2.5, 12.0]


def test_bad_hint_is_refused() -> None:
    with pytest.raises(ValueError):
        detect_number_form(["1"], decimal_hint=";")


@pytest.mark.parametrize(
    ("form", "words"),
    [
        (NumberForm(",", " ", "€", False), "decimal comma, space for thousands, €"),
        (NumberForm(".", "", "", False), "decimal point"),
        (NumberForm(".", ",", "$", False), "decimal point, comma for thousands, $"),
        (NumberForm(",", ".", "", False), "decimal comma, point for thousands"),
        (NumberForm(".", "'", "CHF", False), "decimal point, apostrophe for thousands, CHF"),
        (
            NumberForm(".", ",", "", True),
            "decimal point (a guess: the values read either way), comma for thousands",
        ),
    ],
)
def test_describe(form: NumberForm, words: str) -> None:
    assert form.describe() == words


def _european(x: float) -> str:
    return f"{x:,.2f}".replace(",", " ").replace(".", ",")


STYLES: dict[str, tuple[Callable[[float], str], NumberForm]] = {
    "plain": (lambda x: f"{x:.2f}", POINT),
    "us": (lambda x: f"${x:,.2f}", POINT),
    "german": (lambda x: f"{x:,.2f}".translate(str.maketrans(",.", ".,")) + " €", COMMA),
    "french": (lambda x: _european(x).replace(" ", NNBSP) + f"{NBSP}€", COMMA),
    "swiss": (lambda x: "CHF " + f"{x:,.2f}".replace(",", "'"), POINT),
    "accounting": (lambda x: f"({abs(x):,.2f})" if x < 0 else f"{x:,.2f}", POINT),
    "trailing minus": (lambda x: f"{abs(x):.2f}-" if x < 0 else f"{x:.2f}", POINT),
    "comma plain": (lambda x: f"{x:.2f}".replace(".", ","), COMMA),
}


@pytest.mark.parametrize("style", list(STYLES))
@settings(max_examples=40, deadline=None, database=None)
@given(cents=st.lists(st.integers(min_value=-(10**11), max_value=10**11), min_size=1, max_size=30))
def test_round_trip(style: str, cents: list[int]) -> None:
    write, form = STYLES[style]
    exact = [c / 100 for c in cents]
    cells = [write(x) for x in exact]
    nums, bad = parse_numbers(pd.Series(cells, dtype="object"), form)
    assert not bad.any(), [c for c, b in zip(cells, bad, strict=True) if b]
    assert np.allclose(nums, exact, rtol=0, atol=1e-9 * (1 + np.abs(exact)))
    detected = detect_number_form(cells)
    if not detected.ambiguous:
        assert detected.decimal == form.decimal


def _best_of(runs: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def test_speed_local_forms() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(-(10**8), 10**8, 200_000) / 100
    cells = [_european(x) + " €" for x in values]
    for series in (pd.Series(cells, dtype="object"), pd.Series(cells, dtype="str")):
        start = time.perf_counter()
        form = detect_number_form(series.iloc[:5000])
        nums, bad = parse_numbers(series, form)
        elapsed = time.perf_counter() - start
        assert form == NumberForm(",", " ", "€", False)
        assert not bad.any() and np.allclose(nums, values)
        assert elapsed < 2.0, f"200k cells of '1 234,50 €' took {elapsed:.2f} s"


def test_speed_clean_numbers_close_to_to_numeric() -> None:
    rng = np.random.default_rng(8)
    cells = [f"{x:.2f}" for x in rng.integers(0, 10**7, 200_000) / 100]
    series = pd.Series(cells, dtype="object")
    ours = _best_of(3, lambda: parse_numbers(series, POINT))
    theirs = _best_of(3, lambda: pd.to_numeric(series))
    assert ours < 2 * theirs + 0.02, f"parse_numbers {ours:.3f} s, to_numeric {theirs:.3f} s"
    # a few bad cells must not send the whole column down the slow road
    series[::1000] = "n/a"
    start = time.perf_counter()
    nums, bad = parse_numbers(series, POINT)
    assert time.perf_counter() - start < 1.0
    assert int(bad.sum()) == 200 and np.isnan(nums[::1000]).all()
