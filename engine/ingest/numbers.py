"""Reading money and quantity columns in the local forms shop exports use, vectorized.

One form is decided per column (:func:`detect_number_form`) and then every chunk of that column
is read with it (:func:`parse_numbers`). Supported:

* decimal point ("1,234.50") or decimal comma ("1.234,50", "12,5");
* thousands separators "," "." space, no-break space (U+00A0), narrow no-break space (U+202F),
  apostrophe and right single quote (Swiss "1'234.50"); groups must be exactly three digits;
* currency signs and codes before or after the number, with or without a space ("€12,50",
  "12,50 €", "US$ 10", "RMB 120.00", "120.00 EUR", "88元");
* negatives as "-12.50", "12.50-", a unicode minus (U+2212), an en dash, a full-width hyphen,
  or parentheses "(12.50)"; a leading "+" is allowed;
* plain numbers "12", "12.5", ".5", "1e3".

Choices worth knowing:

* A value the chosen form cannot read exactly is *unreadable*, never guessed: "12,50" in a
  decimal-point column, "1,234.50" in a decimal-comma column, "1,23" (a bad group), "12%"
  (a percentage is not money or a quantity), "N/A", "nan", "inf", "12 PCS".
* :func:`parse_numbers` reads any supported thousands separator and currency, not only the ones
  the form saw in its sample; only the decimal mark has to match the form. ``NumberForm``'s
  ``thousands`` and ``currency`` tell the user what the sample looked like.
* Everything is done by Arrow compute kernels (RE2 matches, literal replaces, trims, casts) over
  whole columns; RE2 *replace* and *extract* are avoided on full columns because they are
  several times slower than matches. A column of clean numbers is cast in one call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.words import tr

# Currency signs and codes, longest first where one is a prefix of another (RE2 alternation is
# leftmost-first, like Python's).
_CURRENCY_SIGNS: tuple[str, ...] = (
    "US$", "CA$", "AU$", "NZ$", "HK$", "NT$", "MX$", "C$", "A$", "S$", "R$", "CN¥", "JP¥",
    "€", "$", "￥", "¥", "£", "₹", "₽", "₩", "₺", "₴", "₫", "฿", "₪", "₦", "₱", "¢", "₣", "₲", "¤",
    "元", "円", "圆",
)  # fmt: skip
_CURRENCY_CODES: tuple[str, ...] = (
    "EUR", "USD", "GBP", "CNY", "RMB", "JPY", "CHF", "CAD", "AUD", "HKD", "NZD", "SEK", "NOK",
    "DKK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "RUB", "UAH", "TRY", "INR", "KRW", "TWD",
    "SGD", "MYR", "THB", "IDR", "PHP", "VND", "BRL", "MXN", "ARS", "CLP", "COP", "ZAR", "AED",
    "SAR", "ILS", "EGP", "NGN", "KR", "ZŁ", "KČ", "FT", "LEI",
)  # fmt: skip
_CUR = (
    "(?:"
    + "|".join(re.escape(s) for s in _CURRENCY_SIGNS)
    + "|(?i:"
    + "|".join(_CURRENCY_CODES)
    + "))"
)

# RE2's \s is ASCII only; cells are trimmed of all unicode whitespace at both ends, but spaces
# between a sign, a currency and the number may be no-break ones.
_SP = r"[\s\x{a0}\x{202f}]*"
_MINUS_CHARS = "-\u2212\u2013\ufe63\uff0d"
_MINUS = r"[-\x{2212}\x{2013}\x{fe63}\x{ff0d}]"
_SIGN = r"[-+\x{2212}\x{2013}\x{fe63}\x{ff0d}]"

# Grouped integer parts, one thousands separator kind per value. ``{o}`` is the mark that is
# not the decimal one.
_INT = (
    r"(?:[1-9][0-9]{{0,2}}(?:[ \x{{a0}}\x{{202f}}][0-9]{{3}})+"
    r"|[1-9][0-9]{{0,2}}(?:['\x{{2019}}][0-9]{{3}})+"
    r"|[1-9][0-9]{{0,2}}(?:{o}[0-9]{{3}})+"
    r"|[0-9]+)"
)
_NUMBER = r"(?:" + _INT + r"(?:{d}[0-9]*)?|{d}[0-9]+)(?:[eE][-+]?[0-9]+)?"


def _full_pattern(decimal: str) -> str:
    """A whole cell in the given decimal form: sign, parentheses and currency around a number."""
    d, o = (r"\.", ",") if decimal == "." else (",", r"\.")
    n = _NUMBER.format(d=d, o=o)
    p = f"(?:{_CUR}{_SP})?"  # currency before
    q = f"(?:{_SP}{_CUR})?"  # currency after
    shapes = (
        f"{_SIGN}?{_SP}{p}{n}{q}",  # -12  +12  -€12  -12 €
        f"{p}{_SIGN}{_SP}{n}{q}",  # €-12  EUR -12
        f"{p}{n}{q}{_SP}{_MINUS}",  # 12-  12 €-
        f"{p}{n}{_SP}{_MINUS}{_SP}{_CUR}",  # 12- €
        rf"\({_SP}{p}{n}{q}{_SP}\)",  # (12)  (€12)  (12 €)
        rf"{_CUR}{_SP}\({_SP}{n}{_SP}\)",  # €(12)
        rf"\({_SP}{n}{_SP}\){_SP}{_CUR}",  # (12) €
    )
    return "^(?:" + "|".join(shapes) + ")$"


_FULL = {".": _full_pattern("."), ",": _full_pattern(",")}
# Clean numbers Arrow's cast reads as they are (after a decimal comma becomes a point).
_PLAIN = {
    ".": r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$",
    ",": r"^[-+]?(?:[0-9]+,?[0-9]*|,[0-9]+)(?:[eE][-+]?[0-9]+)?$",
}
# In a valid cell: a minus or "(" before the first digit or mark, or a minus after the last digit.
_NEGATIVE = rf"^[^0-9.,]*(?:{_MINUS}|\()|{_MINUS}[^0-9]*$"
# Everything a valid cell may carry around its number; trimmed from both ends. No digit, "." or
# "," is in it, and the number starts with a digit or mark and ends with one, so it is untouched.
_TRIM = "".join(
    sorted(
        {c for s in _CURRENCY_SIGNS + _CURRENCY_CODES for c in s + s.lower() if not c.isdigit()}
        | set(" \t\n\r\f\v\u00a0\u202f()+" + _MINUS_CHARS)
    )
)
assert "." not in _TRIM and "," not in _TRIM
_THOUSANDS_CHARS = (" ", "\u00a0", "\u202f", "'", "\u2019")
_CURRENCY_BEFORE = rf"^[-+(\s\x{{a0}}\x{{202f}}\x{{2212}}\x{{2013}}\x{{fe63}}\x{{ff0d}}]*({_CUR})"
_CURRENCY_AFTER = rf"({_CUR})[-)\s\x{{a0}}\x{{202f}}\x{{2212}}\x{{2013}}\x{{fe63}}\x{{ff0d}}]*$"
_CURRENCY_SAMPLE = 5000

_THOUSANDS_WORDS = {
    ",": "comma for thousands",
    ".": "point for thousands",
    " ": "space for thousands",
    "'": "apostrophe for thousands",
}


@dataclass(frozen=True)
class NumberForm:
    """How a column writes its numbers."""

    decimal: str  # "." or ","
    thousands: str  # "", ",", ".", " " (any space kind) or "'" (either apostrophe)
    currency: str  # the currency sign or code seen most, as written, or ""
    ambiguous: bool  # the values could be read either way; the hint (or ".") decided

    def describe(self) -> str:
        """The form in plain words, e.g. "decimal comma, space for thousands, €"."""
        parts = [tr("decimal comma") if self.decimal == "," else tr("decimal point")]
        if self.ambiguous:
            parts[0] += tr(" (a guess: the values read either way)")
        if self.thousands:
            known = _THOUSANDS_WORDS.get(self.thousands)
            parts.append(tr(known) if known else tr("{0} for thousands").format(
                repr(self.thousands)))
        if self.currency:
            parts.append(self.currency)
        return tr(", ").join(parts)


#: Plain numbers ("12.50"), for a column nobody decided a form for.
PLAIN_NUMBERS = NumberForm(decimal=".", thousands="", currency="", ambiguous=False)


def _arrow_text(values: pd.Series) -> pa.Array:
    """The column as one Arrow string array, trimmed, with empty cells as nulls."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        values = values.astype("string[pyarrow]")
    arr = pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(pc.binary_length(arr), 0), pa.scalar(None, arr.type), arr)


def _to_float(arr: pa.Array) -> npt.NDArray[np.float64]:
    """Cast text Arrow already knows to be clean numbers; nulls become NaN."""
    try:
        nums = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        series = pd.Series(arr.to_pandas(), dtype="object")
        return np.array(pd.to_numeric(series, errors="coerce"), dtype=np.float64)
    return np.array(nums.to_numpy(zero_copy_only=False), dtype=np.float64)


def _mask(arr: pa.Array, pattern: str) -> npt.NDArray[np.bool_]:
    """Which cells match an RE2 pattern (nulls: no)."""
    matched = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return np.asarray(matched.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _read_full(arr: pa.Array, decimal: str) -> npt.NDArray[np.float64]:
    """Cells with currency, signs, parentheses or thousands; NaN where the form does not fit."""
    valid = _mask(arr, _FULL[decimal])
    out = np.full(len(arr), np.nan)
    if not valid.any():
        return out
    idx = np.flatnonzero(valid)
    text = arr.take(pa.array(idx))
    negative = _mask(text, _NEGATIVE)
    text = pc.utf8_trim(text, characters=_TRIM)
    for ch in (*_THOUSANDS_CHARS, "," if decimal == "." else "."):
        text = pc.replace_substring(text, ch, "")
    if decimal == ",":
        text = pc.replace_substring(text, ",", ".")
    nums = _to_float(text)
    nums[negative] = -nums[negative]
    out[idx] = nums
    return out


def _cast_all(arr: pa.Array) -> npt.NDArray[np.float64] | None:
    """The whole column cast at once, or None when some cell is not a clean number."""
    try:
        nums = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return np.asarray(nums.to_numpy(zero_copy_only=False), dtype=np.float64)


#: The largest price, quantity or amount a shop's line can hold (a quadrillion). A larger one,
#: or an infinite one ("1e400", "9e999", "inf", "-Infinity", "∞"), is no real number of a shop:
#: its line is rejected (``read_numbers``' ``too_large``), so no sum can become infinite.
MAX_NUMBER = 1e15
# Infinity written as a word or sign, whatever the decimal mark.
_INFINITE = r"(?i)^[-+\x{2212}]?(?:inf|infinity|∞)$"


def _read(
    values: pd.Series, form: NumberForm
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``(numbers, empty)``: the column read with ``form``, NaN where unreadable or empty,
    infinite where the text was infinite or overflows a float."""
    n = len(values)
    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        # Already numbers (the reader typed the column).
        given = np.array(values.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)
        return given, np.isnan(given)
    if n == 0:
        return np.empty(0, dtype=np.float64), np.zeros(0, dtype=np.bool_)
    arr = _arrow_text(values)
    empty = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
    # Fast path: a column of clean numbers is one cast in C++.
    cast = _cast_all(arr) if form.decimal == "." else None
    if cast is not None:
        nums = cast
    else:
        nums = np.full(n, np.nan)
        plain = _mask(arr, _PLAIN[form.decimal])
        if plain.any():
            idx = np.flatnonzero(plain)
            text = arr.take(pa.array(idx))
            if form.decimal == ",":
                text = pc.replace_substring(text, ",", ".")
            nums[idx] = _to_float(text)
        rest = ~plain & ~empty
        if rest.any():
            idx = np.flatnonzero(rest)
            nums[idx] = _read_full(arr.take(pa.array(idx)), form.decimal)
    nums = np.array(nums, dtype=np.float64)  # own, writable copy
    odd = np.flatnonzero(np.isnan(nums) & ~empty)
    if len(odd):  # "inf" in a decimal-comma column, "∞": infinite all the same
        infinite = _mask(arr.take(pa.array(odd)), _INFINITE)
        nums[odd[infinite]] = np.inf
    return nums, empty


def read_numbers(
    values: pd.Series, form: NumberForm
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Read a column with a decided form: ``(numbers, unreadable, too_large)``.

    ``numbers`` is NaN for empty, unreadable and too large cells. ``unreadable`` is True for
    the non-empty cells that are no number ("N/A", "12%", "nan"); ``too_large`` for the cells
    that are numbers beyond ``MAX_NUMBER`` either way, or infinite.
    """
    nums, empty = _read(values, form)
    too_large = np.isinf(nums) | (np.abs(np.nan_to_num(nums)) > MAX_NUMBER)
    unreadable = ~empty & np.isnan(nums)
    nums[too_large] = np.nan
    return nums, unreadable, too_large


def parse_numbers(
    values: pd.Series, form: NumberForm
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Read a column with a decided form.

    Returns ``(numbers, unreadable)``: ``numbers`` is NaN for empty and for unreadable cells;
    ``unreadable`` is True exactly for the non-empty cells that could not be read as a finite
    number (infinite ones included).
    """
    nums, empty = _read(values, form)
    unreadable = ~empty & ~np.isfinite(nums)
    nums[unreadable] = np.nan
    return nums, unreadable


def _most_common(arr: pa.Array) -> str:
    counts = pc.value_counts(arr.drop_null())
    if len(counts) == 0:
        return ""
    values = counts.field("values").to_pylist()
    numbers = counts.field("counts").to_pylist()
    best = max(range(len(values)), key=lambda i: (numbers[i], -i))
    return str(values[best])


def _currency(arr: pa.Array) -> str:
    """The currency sign or code written most often, as written."""
    sample = arr.drop_null().slice(0, _CURRENCY_SAMPLE)
    found = []
    for pattern in (_CURRENCY_BEFORE, _CURRENCY_AFTER):
        has = pc.fill_null(pc.match_substring_regex(sample, pattern), False)
        hits = sample.filter(has)
        if len(hits):
            found.append(pc.struct_field(pc.extract_regex(hits, _named(pattern)), [0]))
    if not found:
        return ""
    return _most_common(pa.concat_arrays(found))


def _named(pattern: str) -> str:
    """The pattern with its one capturing group named, as Arrow's extract needs."""
    return pattern.replace(f"({_CUR})", f"(?P<c>{_CUR})")


def _thousands(arr: pa.Array, decimal: str) -> str:
    """The thousands separator most of the readable cells use, or ""."""
    other = "," if decimal == "." else "."
    kinds = (
        (" ", r"[0-9][ \x{a0}\x{202f}][0-9]"),
        ("'", r"[0-9]['\x{2019}][0-9]"),
        (other, "[0-9]" + re.escape(other) + "[0-9]"),
    )
    best, best_count = "", 0
    for name, pattern in kinds:
        count = int(_mask(arr, pattern).sum())
        if count > best_count:
            best, best_count = name, count
    return best


def detect_number_form(
    values: Sequence[str] | pd.Series, *, decimal_hint: str | None = None
) -> NumberForm:
    """The number form that reads most of a column's values.

    A value decides the decimal mark when only one form reads it: both marks present (the last
    is the decimal), one mark followed by 1-2 or more than 3 digits, after a leading 0 or after
    more than 3 digits (decimal), or one mark repeated (thousands). A single mark before exactly
    three digits ("1,234") reads both ways. The form reading more values wins; when they read
    equally, ``decimal_hint`` ("," for a file whose other clues suggest decimal comma) decides,
    else ".", and ``ambiguous`` is set if some value had a mark that could be read both ways.
    """
    if decimal_hint not in (None, ".", ","):
        raise ValueError(f"decimal_hint must be '.', ',' or None, not {decimal_hint!r}")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    default = decimal_hint or "."
    if len(series) == 0:
        return NumberForm(default, "", "", False)
    arr = _arrow_text(series).drop_null()
    if len(arr) == 0:
        return NumberForm(default, "", "", False)
    reads_point = _mask(arr, _FULL["."])
    reads_comma = _mask(arr, _FULL[","])
    n_point, n_comma = int(reads_point.sum()), int(reads_comma.sum())
    ambiguous = False
    if n_point > n_comma:
        decimal = "."
    elif n_comma > n_point:
        decimal = ","
    else:
        decimal = default
        both = reads_point & reads_comma
        undecided = both & _mask(arr, "[.,]")
        ambiguous = bool(undecided.any() or (reads_point & ~both).any())
    readable = arr.filter(pa.array(reads_point if decimal == "." else reads_comma))
    return NumberForm(
        decimal=decimal,
        thousands=_thousands(readable, decimal),
        currency=_currency(readable),
        ambiguous=ambiguous,
    )
