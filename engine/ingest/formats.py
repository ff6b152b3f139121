"""Known export formats, column names and event words, in English and Chinese.

A ``Mapping`` says which source column feeds each canonical field (engine/events.py FIELDS)
and which canonical event each raw event word becomes. Known formats are recognised without
questions; any other file gets a proposed mapping from its column names and contents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.ingest.numbers import NumberForm
from engine.ingest.vocab import (
    COLUMN_PATTERNS,
    COLUMN_SYNONYMS,
    EVENT_WORDS,
    canonical_event,
    normalize_name,
    status_meaning,
    strip_type_suffix,
)

REQUIRED_FIELDS = ("customer", "time")

KNOWN_COLUMN_NAMES: set[str] = {n for names in COLUMN_SYNONYMS.values() for n in names}

__all__ = [
    "FORMAT_KEYS",
    "KNOWN_FORMATS",
    "KnownFormat",
    "Mapping",
    "Proposal",
    "column_index",
    "detect_known_format",
    "propose_columns",
    "COLUMN_SYNONYMS",
    "EVENT_WORDS",
    "KNOWN_COLUMN_NAMES",
    "REQUIRED_FIELDS",
    "canonical_event",
    "normalize_name",
    "status_meaning",
    "strip_type_suffix",
]


@dataclass(frozen=True)
class Mapping:
    """Which source column feeds each field, and how raw event words map."""

    columns: dict[str, int]  # field -> column index
    events: dict[str, str] = field(default_factory=dict)  # raw word -> canonical event
    default_event: str = "purchase"  # when no event column: a transaction log
    time_format: str | None = None
    refund_prefix: str | None = None  # a session value starting with this means a refund (UCI)
    category_fallback: int | None = None  # column used when the category column is empty
    #: Order exports: columns written only on an order's first line, carried down to the
    #: order's other lines (the order id is the ``session`` column).
    filldown: tuple[int, ...] = ()
    #: Columns that hold one value per order (a total, a refunded amount): counted once.
    order_level: frozenset[int] = frozenset()
    #: Column index -> how its numbers are written (engine.ingest.numbers.NumberForm).
    number_forms: dict[int, NumberForm] = field(default_factory=dict)
    #: Event and status words no vocabulary knows and the user did not set (counted as warnings).
    unknown_words: frozenset[str] = frozenset()

    def describe(self, header: Sequence[str]) -> dict[str, str]:
        """field -> column name, for reports and the JSON output."""
        return {f: header[i] for f, i in sorted(self.columns.items(), key=lambda kv: kv[1])}


@dataclass(frozen=True)
class KnownFormat:
    """A format recognised without asking the user anything."""

    key: str
    title: str
    detect: Callable[[list[str] | None, list[list[str]]], bool]
    columns: dict[str, str | int]  # field -> column name (with header) or index (headerless)
    refund_prefix: str | None = None
    category_fallback: str | None = None
    default_event: str = "purchase"


def _has(header: list[str] | None, *names: str) -> bool:
    if header is None:
        return False
    have = {normalize_name(h) for h in header}
    return all(normalize_name(n) in have for n in names)


def _taobao(header: list[str] | None, rows: list[list[str]]) -> bool:
    good = [r for r in rows[:50] if len(r) == 5]
    return (
        header is None
        and len(good) >= min(5, len(rows))
        and all(r[3] in ("pv", "buy", "cart", "fav") and r[4].isdigit() for r in good)
    )


def _yoochoose_buys(header: list[str] | None, rows: list[list[str]]) -> bool:
    good = [r for r in rows[:50] if len(r) == 5]
    return header is None and bool(good) and all(
        r[0].isdigit() and "T" in r[1] and r[2].isdigit() for r in good
    )


def _yoochoose_clicks_raw(header: list[str] | None, rows: list[list[str]]) -> bool:
    good = [r for r in rows[:50] if len(r) == 4]
    return header is None and bool(good) and all(
        r[0].isdigit() and "T" in r[1] and r[2].isdigit() for r in good
    )


KNOWN_FORMATS: tuple[KnownFormat, ...] = (
    KnownFormat(
        "taobao",
        "Taobao UserBehavior",
        _taobao,
        {"customer": 0, "item": 1, "category": 2, "event": 3, "time": 4},
    ),
    KnownFormat(
        "rees46",
        "REES46 multi-category store",
        lambda h, _r: _has(h, "event_time", "event_type", "product_id", "user_id"),
        {
            "customer": "user_id", "time": "event_time", "event": "event_type",
            "item": "product_id", "category": "category_code", "price": "price",
            "session": "user_session",
        },
        category_fallback="category_id",
    ),
    KnownFormat(
        "retailrocket",
        "RetailRocket events",
        lambda h, _r: _has(h, "timestamp", "visitorid", "event", "itemid"),
        {
            "customer": "visitorid", "time": "timestamp", "event": "event", "item": "itemid",
            "session": "transactionid",
        },
    ),
    KnownFormat(
        "uci_online_retail",
        "UCI Online Retail",
        lambda h, _r: _has(h, "InvoiceNo", "StockCode", "InvoiceDate", "CustomerID"),
        {
            "customer": "CustomerID", "time": "InvoiceDate", "item": "StockCode",
            "name": "Description", "price": "UnitPrice", "quantity": "Quantity",
            "session": "InvoiceNo",
        },
        refund_prefix="C",
    ),
    KnownFormat(
        "otto",
        "OTTO sessions",
        lambda h, _r: _has(h, "session", "aid", "ts", "type"),
        {"customer": "session", "item": "aid", "time": "ts", "event": "type", "session": "session"},
    ),
    KnownFormat(
        "yoochoose_clicks",
        "YooChoose clicks",
        lambda h, _r: _has(h, "SessionId", "ItemId", "Time"),
        {"customer": "SessionId", "item": "ItemId", "time": "Time", "session": "SessionId"},
        default_event="click",
    ),
    KnownFormat(
        "yoochoose_clicks_raw",
        "YooChoose clicks (original)",
        _yoochoose_clicks_raw,
        {"customer": 0, "time": 1, "item": 2, "category": 3, "session": 0},
        default_event="click",
    ),
    KnownFormat(
        "yoochoose_buys",
        "YooChoose buys",
        _yoochoose_buys,
        {"customer": 0, "time": 1, "item": 2, "price": 3, "quantity": 4, "session": 0},
    ),
)

FORMAT_KEYS: dict[str, KnownFormat] = {f.key: f for f in KNOWN_FORMATS}


def detect_known_format(header: list[str] | None, rows: list[list[str]]) -> KnownFormat | None:
    """The known format the file is in, if any."""
    for fmt in KNOWN_FORMATS:
        try:
            if fmt.detect(header, rows):
                return fmt
        except (IndexError, ValueError):
            continue
    return None


def column_index(header: Sequence[str], name: str | int) -> int | None:
    """Index of a column given by name (any case/punctuation) or position."""
    if isinstance(name, int):
        return name if 0 <= name < len(header) else None
    text = str(name).strip()
    wanted = normalize_name(text)
    for i, h in enumerate(header):
        if h == text or normalize_name(h) == wanted:
            return i
    m = re.fullmatch(r"(?:column\s*)?(\d+)", text, flags=re.IGNORECASE)
    if m:
        idx = int(m.group(1)) - 1  # users count columns from 1
        return idx if 0 <= idx < len(header) else None
    return None


@dataclass(frozen=True)
class Proposal:
    """A proposed column mapping and what is still unclear about it."""

    columns: dict[str, int]
    ambiguous: dict[str, list[int]]  # field -> candidate columns when more than one fits equally
    missing: list[str]  # required fields with no column


_NUMBERED = re.compile(r"#\s?\d+")


def _order_numbers(rows: list[list[str]], i: int) -> bool:
    """Whether a column holds hash-numbered order references ("#1001")."""
    values = [r[i].strip() for r in rows[:200] if len(r) > i and r[i].strip()]
    return bool(values) and sum(bool(_NUMBERED.fullmatch(v)) for v in values) >= 0.9 * len(values)


def propose_columns(header: Sequence[str], rows: list[list[str]]) -> Proposal:
    """Map fields to columns by name; for headerless files, by what the values look like."""
    from engine.ingest.timedetect import detect_time_format

    normalized = [normalize_name(h) for h in header]
    columns: dict[str, int] = {}
    ambiguous: dict[str, list[int]] = {}
    used: set[int] = set()
    # "#1001" in a column called "Name" (Shopify) is the order number, never a product name.
    numbered = [i for i in range(len(header)) if _order_numbers(rows, i)]
    for fld, names in COLUMN_SYNONYMS.items():
        best_rank, cands = len(names), []
        for i, n in enumerate(normalized):
            if i in used or n not in names or (i in numbered and fld != "session"):
                continue
            rank = names.index(n)
            if rank < best_rank:
                best_rank, cands = rank, [i]
            elif rank == best_rank:
                cands.append(i)
        if len(cands) == 1:
            columns[fld] = cands[0]
            used.add(cands[0])
        elif len(cands) > 1:
            ambiguous[fld] = cands
    for fld, patterns in COLUMN_PATTERNS.items():
        if fld in columns or fld in ambiguous:
            continue
        for rx in patterns:
            hits = [
                i for i, n in enumerate(normalized)
                if i not in used and i not in numbered and re.search(rx, n)
            ]
            if hits:
                columns[fld] = hits[0]
                used.add(hits[0])
                break
    if "session" not in columns and "session" not in ambiguous:
        free = [i for i in numbered if i not in used]
        if free:
            columns["session"] = free[0]
            used.add(free[0])
    if "item" not in columns and "name" in columns:
        # An export with product names but no product ids: the name is the item.
        columns["item"] = columns["name"]
    if "time" not in columns and "time" not in ambiguous:
        # No named time column: a column whose values read as times.
        found = []
        for i in range(len(header)):
            if i in used:
                continue
            values = [r[i] for r in rows[:100] if len(r) > i and r[i].strip()]
            if values and not all(v.strip().isdigit() and len(v.strip()) < 9 for v in values):
                fmt = detect_time_format(values)
                if fmt is not None and fmt != "unix_s" or (
                    fmt == "unix_s" and all(9 <= len(v.split(".")[0]) <= 10 for v in values)
                ):
                    found.append(i)
        if len(found) == 1:
            columns["time"] = found[0]
            used.add(found[0])
        elif found:
            ambiguous["time"] = found
    if "event" not in columns and "event" not in ambiguous:
        for i in range(len(header)):
            values = [r[i] for r in rows[:200] if len(r) > i and r[i].strip()]
            if i not in used and values:
                known = sum(canonical_event(v) is not None for v in values)
                if known >= 0.9 * len(values):
                    columns["event"] = i
                    used.add(i)
                    break
    missing = [f for f in REQUIRED_FIELDS if f not in columns and f not in ambiguous]
    return Proposal(columns, ambiguous, missing)
