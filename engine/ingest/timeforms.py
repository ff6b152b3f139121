"""The written forms of dates that time parsing and detection share: month names in four
languages, the regular expressions that clean values up, and the layout of a pattern key.

The patterns are plain enough for both Python's ``re`` (detection, in ``timedetect``) and
RE2, which pandas and Arrow use (parsing, in ``timeparse``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
MONTH_NUMBER: dict[str, int] = {
    word: i for i, words in enumerate(_MONTH_WORDS, 1) for word in words
}
LETTERS = "a-zà-ÿ"  # after lower(): the letters of the four languages
MONTH_WORD_RE = re.compile(
    rf"(?<![{LETTERS}])("
    + "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))
    + rf")(?![{LETTERS}])"
)
#: A run of letters with the separators around it: month and weekday names, "de", "5th", "Uhr".
WORD_RUN = rf"[ ,./-]*[{LETTERS}]+\.?[ ,./-]*"
WORD_RUN_RE = re.compile(WORD_RUN)

# --- text clean-up shared by detection (Python re) and parsing (pandas/RE2) --------------------

ZONE_SUFFIX = r"[ \t]+(?:UTC|GMT|Z|utc|gmt)$"
CN_AM = ("上午", "凌晨", "早上")
CN_PM = ("下午", "晚上", "傍晚")
CN_LITERALS = (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("時", ":"), ("时", ":"),
               ("分", ":"), ("秒", ""))

ZONE_SUFFIX_RE = re.compile(ZONE_SUFFIX)
AMPM_RE = re.compile(r"(?<=[0-9])[ \t]*([AaPp])\.?[Mm]\.?$")
CN_AMPM_RE = re.compile("|".join((*CN_AM, *CN_PM)))
NUMDATE_RE = re.compile(
    r"^([0-9]{1,4})([./-])([0-9]{1,2})\2([0-9]{1,4})(?:[ T](.*))?$"
)
TIME_RE = re.compile(
    r"^([0-9]{1,2}):([0-9]{2})(:[0-9]{2})?([.,][0-9]+)?[ ]?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
CN_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?: (.*))?$")

# --- the layout of a pattern key ----------------------------------------------------------------


@dataclass(frozen=True)
class KeyLayout:
    """How the dates of a pattern key are laid out (see ``key_layout``)."""

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


def key_layout(fmt: str) -> KeyLayout | None:
    """How a pattern key's dates are laid out, or None for a pattern read by strptime."""
    ampm = "%p" in fmt
    if "年" in fmt:
        return KeyLayout("chinese", ("Y", "m", "d"), "/", ampm)
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
        return KeyLayout("numeric", tokens, sep, ampm)
    if tokens in _WORD_ORDERS:
        return KeyLayout("words", tokens, " ", ampm)
    return None


def iso_rules(
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
