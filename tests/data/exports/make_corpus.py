#!/usr/bin/env python3
"""Writes the generated import corpus: small files shaped like real shop exports, each with the
``expected.json`` of a correct import (issue 7).

    python tests/data/exports/make_corpus.py

The files land in ``tests/data/exports/files/<kind>/``: ``<name>.<ext>`` and, next to it,
``<name>.expected.json`` in the format of the hand-made import cases (``file``, ``flags``,
``expect`` with only the keys that are certain, ``must_warn``, ``why``, optionally ``also``
and ``exit``). ``tests/engine/test_export_corpus.py`` reads them; it does not regenerate them.

Everything is deterministic (fixed seeds), so running the script again rewrites the same
bytes. Expected values are derived here from the same records that are written into each file,
never by running the importer, following the conventions of the hand-made cases:

- one event per order line; a cancelled, voided or never-paid line is not a purchase (imported
  as ``other`` or rejected, so ``imported``/``rejected`` are left open where that choice matters);
- a refunded order is its purchase line plus a refund event with a negative amount (the
  refunded amount); revenue = purchases + refunds;
- customers = distinct customer keys among the imported events;
- times without a zone are UTC.

A key is left out whenever a reading allowed by those conventions could change it: customers
only when every not-a-purchase line's customer also has a certain event, first/last time only
when no not-a-purchase line lies outside the certain events' span, and so on
(see ``expectation``).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "files"

KINDS = (
    "orders",
    "statuses",
    "money",
    "dates",
    "excel",
    "customers",
    "vocabulary",
    "no_event",
    "layouts",
)

NBSP = "\u00a0"
NNBSP = "\u202f"


# --------------------------------------------------------------------------------------------
# The model: what each data record of a file certainly yields
# --------------------------------------------------------------------------------------------


@dataclass
class Ev:
    """An event a correct import certainly yields. ``type`` None: imported, type left open."""

    type: str | None
    customer: str
    time: datetime
    item: str | None = None
    cents: float = 0  # revenue contribution in cents: purchases positive, refunds negative


@dataclass
class Rec:
    """One data record of a file (one unit of ``lines_read``)."""

    sure: list[Ev] = field(default_factory=list)
    maybe: Ev | None = None  # not a purchase: imported as 'other' or rejected
    rejected: bool = False  # certainly rejected


def expectation(
    recs: Sequence[Rec],
    *,
    junk: bool = False,
    items: bool = False,
    revenue: bool = True,
    times: bool = True,
    customers: bool = True,
    types: bool = True,
    zero_types: Sequence[str] = ("purchase", "refund"),
    time_tol: int | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The keys of ``expect`` that are certain for these records.

    ``junk``: the file also has lines that are not data (notes, a totals row, repeated headers)
    which an importer may skip or reject, so ``lines_read`` and ``rejected`` stay open.
    """
    sure = [e for r in recs for e in r.sure]
    maybe = [r.maybe for r in recs if r.maybe is not None]
    exp: dict[str, Any] = {}
    if not junk:
        exp["lines_read"] = len(recs)
    if not maybe and all(len(r.sure) <= 1 for r in recs):
        exp["imported"] = len(sure)
        if not junk:
            exp["rejected"] = sum(1 for r in recs if r.rejected)
    custs = {e.customer for e in sure}
    if customers and all(m.customer is None or m.customer in custs for m in maybe):
        exp["customers"] = len(custs)
    item_set = {e.item for e in sure if e.item is not None}
    if items and all(m.item is None or m.item in item_set for m in maybe):
        exp["items"] = len(item_set)
    if types:
        counts = Counter(e.type for e in sure if e.type is not None)
        for t in zero_types:
            counts.setdefault(t, 0)
        exp["events_by_type"] = dict(sorted(counts.items()))
    if revenue:
        cents = sum(e.cents for e in sure if e.type in ("purchase", "refund"))
        exp["revenue"] = round(cents / 100, 2)
        exp["revenue_tolerance"] = 0.01
    if times and sure:
        lo = min(e.time for e in sure)
        hi = max(e.time for e in sure)
        if all(lo <= m.time <= hi for m in maybe):
            exp["first_time"] = iso_z(lo)
            exp["last_time"] = iso_z(hi)
            if time_tol is not None:
                exp["time_tolerance_s"] = time_tol
    if only is not None:
        keep = set(only) | {"revenue_tolerance", "time_tolerance_s"}
        exp = {k: v for k, v in exp.items() if k in keep}
    return exp


@dataclass
class Case:
    kind: str
    name: str
    content: bytes
    expect: dict[str, Any]
    why: str
    flags: list[str] = field(default_factory=list)
    must_warn: list[str] = field(default_factory=list)
    also: list[dict[str, Any]] = field(default_factory=list)
    exit: int | None = None


CASES: list[Case] = []


def add(case: Case) -> None:
    CASES.append(case)


# --------------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------------


def T(text: str) -> datetime:
    """A UTC instant from 'YYYY-MM-DD HH:MM[:SS]'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


START_2023_03 = T("2023-03-01")
START_2023_03_8H = T("2023-03-01 08:00")
START_2023_05 = T("2023-05-02")
START_2023_06 = T("2023-06-01 08:00")
START_2024_03 = T("2024-03-01")


def iso_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_text(rows: Sequence[Sequence[str]], delim: str = ",", crlf: bool = False,
             quote_all: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(
        buf, delimiter=delim, lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def num(cents: int, thou: str = "", dec: str = ".") -> str:
    """12345 -> '123.45'; with thou=',' 123456 -> '1,234.56'; negative with a leading '-'."""
    units, frac = divmod(abs(cents), 100)
    body = f"{units:,}".replace(",", thou) if thou else str(units)
    return ("-" if cents < 0 else "") + body + dec + f"{frac:02d}"


def plain(cents: int) -> str:
    return num(cents)


def ampm(dt: datetime, pad_hour: bool = True, seconds: bool = True) -> str:
    h = dt.hour % 12 or 12
    hh = f"{h:02d}" if pad_hour else str(h)
    sec = f":{dt.second:02d}" if seconds else ""
    return f"{hh}:{dt.minute:02d}{sec} {'PM' if dt.hour >= 12 else 'AM'}"


EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FR_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
             "nov.", "déc."]
DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]
ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]

EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)


def excel_serial(dt: datetime, decimals: int = 6) -> str:
    days = (dt - EXCEL_EPOCH).total_seconds() / 86400
    if decimals == 0:
        return str(int(round(days)))
    return f"{days:.{decimals}f}".rstrip("0").rstrip(".")


def unix_s(dt: datetime) -> int:
    return int(dt.timestamp())


def excel_sci(n: int) -> str:
    """How Excel shows a long number in a General cell: 7012345678901 -> '7.01235E+12'."""
    return f"{n:.5E}"


# --------------------------------------------------------------------------------------------
# Pools of invented people and products
# --------------------------------------------------------------------------------------------

PEOPLE_EN = [("Ava", "Moss"), ("Ben", "Oak"), ("Cleo", "Reed"), ("Dan", "Lark"), ("Eva", "Fern"),
             ("Finn", "Ash"), ("Gina", "Birch"), ("Hugo", "Stone"), ("Iris", "Vale"),
             ("Jon", "Brook")]
PEOPLE_FR = [("Camille", "Leroy"), ("Manon", "Faure"), ("Hugo", "Girard"), ("Léa", "Bonnet"),
             ("Louis", "Morel"), ("Chloé", "Fournier")]
PEOPLE_DE = [("Jonas", "Becker"), ("Lena", "Schäfer"), ("Paul", "Wagner"), ("Mia", "Krüger"),
             ("Felix", "Wolf"), ("Emma", "Neumann")]
PEOPLE_ES = [("Lucía", "García"), ("Mateo", "López"), ("Sofía", "Martín"), ("Hugo", "Sánchez"),
             ("Martina", "Pérez"), ("Pablo", "Gómez")]

PRODUCTS_EN = [
    ("TEE-BLK-M", "Crew Tee - Black / M", 1800), ("MUG-11", "Logo Mug", 1200),
    ("CAP-NVY", "Cap - Navy", 2200), ("HOOD-GRY-L", "Hoodie - Grey / L", 4800),
    ("SOCK-3P", "Socks 3-pack", 950), ("TOTE-NAT", "Canvas Tote", 1550),
    ("BOTL-750", "Steel Bottle 750ml", 2490), ("JKT-RAIN-M", "Rain Jacket / M", 8900),
]
PRODUCTS_FR = [
    ("SAV-LAV", "Savon lavande", 690), ("BOU-FIG", "Bougie figue", 2450),
    ("HUI-ARG", "Huile d'argan 50 ml", 1890), ("COF-CAD", "Coffret cadeau", 12350),
    ("DIF-BOI", "Diffuseur bois", 3900),
]
PRODUCTS_DE = [
    ("ART-1001", "Kaffeebohnen 1 kg", 1890), ("ART-1002", "Espressotasse", 790),
    ("ART-1003", "Handmühle", 6490), ("ART-1004", "Siebträger", 124900),
    ("ART-1005", "Milchkännchen", 1450),
]
PRODUCTS_ZH = [
    ("SOAP-3", "森林系 手工皂 3块装", 5900), ("OIL-30", "玫瑰精油 30ml", 12800),
    ("BRUSH-F", "竹炭牙刷 家庭装", 3550), ("CNDL-LV", "薰衣草香薰蜡烛", 8800),
    ("TEA-250", "明前龙井 250g", 26800),
]


def emails(people: Sequence[tuple[str, str]], domain: str = "example.test") -> list[str]:
    return [f"{f.lower()}.{last.lower()}@{domain}".replace("é", "e").replace("ä", "ae")
            .replace("ü", "ue").replace("í", "i").replace("á", "a") for f, last in people]


# --------------------------------------------------------------------------------------------
# Orders: the model shared by every order export
# --------------------------------------------------------------------------------------------

PURCHASE_CLASSES = ("paid", "refund", "partial")  # 'cancel' is the class of every non-purchase


@dataclass
class OLine:
    sku: str
    name: str
    qty: int
    unit: int  # cents

    @property
    def total(self) -> int:
        return self.qty * self.unit


@dataclass
class Order:
    oid: str
    cust: str
    time: datetime
    cls: str  # paid | refund | partial | cancel
    status: str  # the raw word written into the file
    lines: list[OLine]
    refund: int = 0  # cents refunded

    @property
    def total(self) -> int:
        return sum(ln.total for ln in self.lines)


def build_orders(
    seed: int,
    spec: Sequence[tuple[str, str, int]],
    custs: Sequence[str],
    products: Sequence[tuple[str, str, int]],
    start: datetime,
    *,
    gap_min: tuple[int, int] = (180, 2400),
    res: str = "s",
    qty_max: int = 3,
    oid: Callable[[int], str] = lambda k: str(1001 + k),
    cust_order: Sequence[int] | None = None,
) -> list[Order]:
    """Orders from a spec of (class, raw status word, number of lines)."""
    rng = random.Random(seed)
    orders: list[Order] = []
    t = start
    for k, (cls, status, n) in enumerate(spec):
        assert cls in PURCHASE_CLASSES + ("cancel",)
        assert n == 1 or cls not in ("refund", "partial"), "refunded orders have one line"
        t = t + timedelta(minutes=rng.randint(*gap_min))
        t = t.replace(second=rng.randint(0, 59)) if res == "s" else t.replace(second=0)
        tt = t.replace(hour=0, minute=0) if res == "d" else t
        cust = custs[(cust_order[k] if cust_order else k) % len(custs)]
        picks = rng.sample(list(products), n)
        lines = [OLine(s, nm, rng.randint(1, qty_max), u) for s, nm, u in picks]
        o = Order(oid(k), cust, tt, cls, status, lines)
        if cls == "refund":
            o.refund = o.total
        elif cls == "partial":
            o.refund = max(100, (o.total * 3 // 10) // 50 * 50)
        orders.append(o)
    return orders


def order_recs(orders: Sequence[Order], *, items: bool = True,
               line_amount: Callable[[Order, OLine], float] | None = None) -> list[Rec]:
    """One record per order line: purchases (plus a refund on a refunded order's line) or a
    not-a-purchase line."""
    recs: list[Rec] = []
    for o in orders:
        for j, ln in enumerate(o.lines):
            item = ln.sku if items else None
            amount = line_amount(o, ln) if line_amount else ln.total
            if o.cls in PURCHASE_CLASSES:
                evs = [Ev("purchase", o.cust, o.time, item, amount)]
                if j == 0 and o.refund:
                    evs.append(Ev("refund", o.cust, o.time, item, -o.refund))
                recs.append(Rec(evs))
            else:
                recs.append(Rec(maybe=Ev("other", o.cust, o.time, item)))
    return recs


Col = tuple[str, str, Callable[[Order, OLine, int], str]]  # header, 'o'rder or 'l'ine, value


def render_orders(orders: Sequence[Order], cols: Sequence[Col], *, first_only: bool,
                  delim: str = ",", crlf: bool = False) -> str:
    rows = [[h for h, _, _ in cols]]
    for o in orders:
        for j, ln in enumerate(o.lines):
            rows.append([
                "" if (first_only and lvl == "o" and j > 0) else fn(o, ln, j)
                for _, lvl, fn in cols
            ])
    return csv_text(rows, delim, crlf)


def spec_of(*parts: tuple[str, str, int]) -> list[tuple[str, str, int]]:
    return list(parts)


# --------------------------------------------------------------------------------------------
# Event logs: the model shared by logs with one event per line
# --------------------------------------------------------------------------------------------


@dataclass
class LogEv:
    cust: str
    time: datetime
    type: str  # canonical type
    item: str | None
    cents: int | None  # purchases (and refunds, positive here) carry an amount


def build_log(
    seed: int,
    n: int,
    custs: Sequence[str],
    items: Sequence[str],
    start: datetime,
    *,
    span_days: float = 30,
    weights: dict[str, int] | None = None,
    amounts: Sequence[int] = (1299, 2450, 899, 4590, 12900, 123450, 6780, 315000),
    res: str = "s",
    first_cust_all: bool = True,
) -> list[LogEv]:
    """A sorted event log. Every customer in ``custs`` appears (when n allows)."""
    rng = random.Random(seed)
    weights = weights or {"view": 6, "cart": 2, "purchase": 2}
    kinds = list(weights)
    w = [weights[k] for k in kinds]
    span = int(span_days * 86400)
    offsets = sorted(rng.randrange(0, span) for _ in range(n))
    out: list[LogEv] = []
    for i, off in enumerate(offsets):
        t = start + timedelta(seconds=off)
        if res == "m":
            t = t.replace(second=0)
        elif res == "d":
            t = t.replace(hour=0, minute=0, second=0)
        cust = custs[i] if (first_cust_all and i < len(custs)) else rng.choice(list(custs))
        typ = rng.choices(kinds, w)[0]
        item = rng.choice(list(items))
        cents = rng.choice(list(amounts)) if typ in ("purchase", "refund") else None
        out.append(LogEv(cust, t, typ, item, cents))
    # make the customer order independent of the time order
    custs_shuffled = [e.cust for e in out]
    rng.shuffle(custs_shuffled)
    for e, c in zip(out, custs_shuffled, strict=True):
        e.cust = c
    return out


def log_recs(log: Sequence[LogEv], *, items: bool = True,
             type_of: Callable[[LogEv], str | None] | None = None) -> list[Rec]:
    recs = []
    for e in log:
        typ = type_of(e) if type_of else e.type
        cents = 0
        if e.type == "purchase":
            cents = e.cents or 0
        elif e.type == "refund":
            cents = -(e.cents or 0)
        recs.append(Rec([Ev(typ, e.cust, e.time, e.item if items else None, cents)]))
    return recs


def render_log(log: Sequence[LogEv], cols: Sequence[tuple[str, Callable[[LogEv], str]]],
               *, delim: str = ",", crlf: bool = False, quote_all: bool = False) -> str:
    rows = [[h for h, _ in cols]] + [[fn(e) for _, fn in cols] for e in log]
    return csv_text(rows, delim, crlf, quote_all)


def amount_or_blank(fmt: Callable[[int], str]) -> Callable[[LogEv], str]:
    return lambda e: fmt(e.cents) if e.cents is not None else ""


def u8(text: str) -> bytes:
    return text.encode("utf-8")


def day_over_12(name: str, times: Sequence[datetime]) -> None:
    """A file whose dates are written dd/mm or mm/dd must show a day above 12 somewhere, or its
    expected times would not be certain."""
    assert any(t.day > 12 for t in times), f"{name}: no day above 12 decides the date order"


# ============================================================================================
# orders: order-line exports
# ============================================================================================


def orders_shopify_like() -> None:
    people = PEOPLE_EN[:6]
    custs = emails(people)
    names = {e: f"{f} {last}" for e, (f, last) in zip(custs, people, strict=True)}
    towns = ["Leeds", "York", "Bath", "Derby", "Hull", "Ely"]
    cities = dict(zip(custs, towns, strict=True))
    spec = spec_of(
        ("paid", "paid", 2), ("paid", "paid", 1), ("paid", "paid", 3), ("refund", "refunded", 1),
        ("paid", "paid", 2), ("cancel", "voided", 2), ("paid", "paid", 1),
        ("partial", "partially_refunded", 1), ("paid", "paid", 2), ("cancel", "pending", 1),
        ("paid", "paid", 3), ("paid", "paid", 1), ("cancel", "voided", 1), ("paid", "paid", 2),
    )
    orders = build_orders(11, spec, custs, PRODUCTS_EN, T("2024-05-02 07:00:00"))
    tz = timezone(timedelta(hours=2))

    def st(dt: datetime) -> str:
        return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %z")

    cols: list[Col] = [
        ("Name", "l", lambda o, ln, j: f"#{o.oid}"),
        ("Email", "o", lambda o, ln, j: o.cust),
        ("Financial Status", "o", lambda o, ln, j: o.status),
        ("Paid at", "o", lambda o, ln, j: st(o.time) if o.cls in PURCHASE_CLASSES else ""),
        ("Fulfillment Status", "o",
         lambda o, ln, j: "fulfilled" if o.cls in ("paid", "partial") else "unfulfilled"),
        ("Currency", "o", lambda o, ln, j: "EUR"),
        ("Subtotal", "o", lambda o, ln, j: plain(o.total)),
        ("Shipping", "o", lambda o, ln, j: "0.00"),
        ("Taxes", "o", lambda o, ln, j: "0.00"),
        ("Total", "o", lambda o, ln, j: plain(o.total)),
        ("Discount Amount", "o", lambda o, ln, j: "0.00"),
        ("Created at", "o", lambda o, ln, j: st(o.time)),
        ("Lineitem quantity", "l", lambda o, ln, j: str(ln.qty)),
        ("Lineitem name", "l", lambda o, ln, j: ln.name),
        ("Lineitem price", "l", lambda o, ln, j: plain(ln.unit)),
        ("Lineitem sku", "l", lambda o, ln, j: ln.sku),
        ("Billing Name", "o", lambda o, ln, j: names[o.cust]),
        ("Billing City", "o", lambda o, ln, j: cities[o.cust]),
        ("Notes", "o", lambda o, ln, j: "Gift - please wrap.\nLeave at the back door"
         if o.oid == "1003" else ""),
        ("Cancelled at", "o",
         lambda o, ln, j: st(o.time + timedelta(hours=3)) if o.status == "voided" else ""),
        ("Refunded Amount", "o", lambda o, ln, j: plain(o.refund)),
        ("Vendor", "l", lambda o, ln, j: "Northwind Goods"),
        ("Id", "o", lambda o, ln, j: f"58000000{o.oid}"),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "shopify_like_orders_export.csv",
        u8(render_orders(orders, cols, first_only=True)),
        expectation(recs, items=True),
        "Shopify-style export, one row per line item; Email, Financial Status, Created at and "
        "the totals are written on the order's first line only and belong to every line of the "
        "order. Revenue is quantity x Lineitem price per line (equal to the order Total here: no "
        "shipping, tax or discount), never the Total once per line. 'refunded' is a purchase "
        "plus a refund of the Refunded Amount, 'partially_refunded' a purchase plus the partial "
        "refund; 'voided' (with Cancelled at) and 'pending' orders are not purchases (other or "
        "rejected). Times carry a +0200 offset.",
    ))


def orders_woocommerce_like() -> None:
    people = PEOPLE_EN[4:10]
    custs = emails(people, "mail.example")
    first = {e: f for e, (f, _) in zip(custs, people, strict=True)}
    surname = {e: last for e, (_, last) in zip(custs, people, strict=True)}
    spec = spec_of(
        ("paid", "Completed", 2), ("paid", "Completed", 1), ("cancel", "Cancelled", 2),
        ("paid", "Completed", 3), ("refund", "Refunded", 1), ("paid", "Completed", 2),
        ("cancel", "Pending payment", 1), ("paid", "Completed", 1), ("paid", "Completed", 2),
        ("cancel", "Cancelled", 1), ("paid", "Completed", 2), ("paid", "Completed", 1),
    )
    orders = build_orders(12, spec, custs, PRODUCTS_EN, T("2023-06-01 08:00"), res="m",
                          oid=lambda k: str(4410 + 3 * k))
    cols: list[Col] = [
        ("Order Number", "l", lambda o, ln, j: o.oid),
        ("Order Status", "o", lambda o, ln, j: o.status),
        ("Order Date", "o", lambda o, ln, j: o.time.strftime("%Y-%m-%d %H:%M")),
        ("Customer Email", "o", lambda o, ln, j: o.cust),
        ("Billing First Name", "o", lambda o, ln, j: first[o.cust]),
        ("Billing Last Name", "o", lambda o, ln, j: surname[o.cust]),
        ("Payment Method Title", "o", lambda o, ln, j: "Credit Card (Stripe)"),
        ("Order Subtotal Amount", "o", lambda o, ln, j: plain(o.total)),
        ("Order Shipping Amount", "o", lambda o, ln, j: "0.00"),
        ("Order Total Amount", "o", lambda o, ln, j: plain(o.total)),
        ("Item Name", "l", lambda o, ln, j: ln.name),
        ("Quantity", "l", lambda o, ln, j: str(ln.qty)),
        ("Item Cost", "l", lambda o, ln, j: plain(ln.unit)),
        ("SKU", "l", lambda o, ln, j: ln.sku),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "woocommerce_like_orders.csv",
        u8(render_orders(orders, cols, first_only=True)),
        expectation(recs, items=True),
        "WooCommerce-style order export with one row per item: order status, date, Customer "
        "Email and the order amounts are filled on the order's first row only and must be "
        "carried to its other rows. 'Completed' lines are purchases, 'Refunded' is a purchase "
        "plus a full refund, 'Cancelled' and 'Pending payment' are not purchases. Revenue: "
        "Quantity x Item Cost per line, which adds up to the Order Total Amount of each order "
        "(counting the total once per line would be wrong).",
    ))


def orders_bigcommerce_like() -> None:
    people = PEOPLE_EN[:5]
    custs = emails(people, "shop.example")
    cid = {e: str(101 + i) for i, e in enumerate(custs)}
    names = {e: f"{f} {last}" for e, (f, last) in zip(custs, people, strict=True)}
    pid = {s: str(77 + 4 * i) for i, (s, _, _) in enumerate(PRODUCTS_EN)}
    spec = spec_of(
        ("paid", "Completed", 1), ("paid", "Shipped", 2), ("paid", "Completed", 3),
        ("cancel", "Cancelled", 2), ("paid", "Shipped", 1), ("refund", "Refunded", 1),
        ("paid", "Completed", 2), ("cancel", "Pending", 1), ("paid", "Shipped", 2),
        ("paid", "Completed", 1), ("paid", "Completed", 2),
    )
    orders = build_orders(13, spec, custs, PRODUCTS_EN, T("2023-05-08 09:00"),
                          oid=lambda k: str(120 + k))
    day_over_12("bigcommerce", [o.time for o in orders])
    cols: list[Col] = [
        ("Order ID", "l", lambda o, ln, j: o.oid),
        ("Customer ID", "o", lambda o, ln, j: cid[o.cust]),
        ("Customer Name", "o", lambda o, ln, j: names[o.cust]),
        ("Customer Email", "o", lambda o, ln, j: o.cust),
        ("Order Date", "o", lambda o, ln, j: o.time.strftime("%d/%m/%Y %H:%M:%S")),
        ("Order Status", "o", lambda o, ln, j: o.status),
        ("Subtotal (ex tax)", "o", lambda o, ln, j: plain(o.total)),
        ("Order Total (inc tax)", "o", lambda o, ln, j: plain(o.total)),
        ("Payment Method", "o", lambda o, ln, j: "PayPal"),
        ("Product ID", "l", lambda o, ln, j: pid[ln.sku]),
        ("Product SKU", "l", lambda o, ln, j: ln.sku),
        ("Product Name", "l", lambda o, ln, j: ln.name),
        ("Product Qty", "l", lambda o, ln, j: str(ln.qty)),
        ("Product Unit Price", "l", lambda o, ln, j: plain(ln.unit)),
        ("Product Total Price", "l", lambda o, ln, j: plain(ln.total)),
    ]
    # customers are keyed by Customer ID or e-mail: one to one, so the count is the same
    recs = order_recs(orders)
    add(Case(
        "orders", "bigcommerce_like_orders.csv",
        u8(render_orders(orders, cols, first_only=True)),
        expectation(recs, items=True),
        "BigCommerce-style export: the order's customer, date (dd/mm/yyyy, days above 12 "
        "further down), status and totals only on its first product row. Completed/Shipped "
        "lines are purchases, Refunded is a purchase plus a full refund, Cancelled and Pending "
        "are not purchases. Revenue is the Product Total Price (= Product Qty x Product Unit "
        "Price) of the purchase lines; the order total copied to each line would overcount.",
    ))


def orders_etsy_like() -> None:
    users = ["craftylou", "mossandfern", "pixelpetal", "oldoakhome", "sunnyside77"]
    full = dict(zip(users, ["Lou Hart", "Mo Fern", "Pia Lee", "Ola Oak", "Sam Side"],
                    strict=True))
    city = dict(zip(users, ["Portland", "Austin", "Denver", "Tucson", "Boise"], strict=True))
    spec = [("paid", "", n) for n in (1, 2, 3, 1, 2, 1, 3, 2, 1, 2, 2)]
    orders = build_orders(14, spec, users, PRODUCTS_EN, T("2023-06-02 10:00"), res="d",
                          gap_min=(600, 2880), oid=lambda k: str(2934610001 + 37 * k))
    day_over_12("etsy", [o.time for o in orders])
    cols: list[Col] = [
        ("Sale Date", "o", lambda o, ln, j: o.time.strftime("%m/%d/%Y")),
        ("Order ID", "l", lambda o, ln, j: o.oid),
        ("Buyer User ID", "o", lambda o, ln, j: o.cust),
        ("Full Name", "o", lambda o, ln, j: full[o.cust]),
        ("Number of Items", "o", lambda o, ln, j: str(sum(x.qty for x in o.lines))),
        ("Order Value", "o", lambda o, ln, j: plain(o.total)),
        ("Item Name", "l", lambda o, ln, j: ln.name),
        ("Quantity", "l", lambda o, ln, j: str(ln.qty)),
        ("Price", "l", lambda o, ln, j: plain(ln.unit)),
        ("SKU", "l", lambda o, ln, j: ln.sku),
        ("Ship City", "o", lambda o, ln, j: city[o.cust]),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "etsy_like_sold_order_items.csv",
        u8(render_orders(orders, cols, first_only=True)),
        expectation(recs, items=True),
        "Etsy-style sold-items list without a status: Sale Date (mm/dd/yyyy, a day above 12 "
        "decides), Buyer User ID and Order Value on each order's first row only. A transaction "
        "log with order ids: every line is a purchase of Quantity x Price; the Order Value "
        "(= the sum of its lines) must not be added per line.",
    ))


def orders_tiktok_like() -> None:
    users = ["user8823kq", "lily.b.shop", "mrs_dawson", "tk_jay_01", "anna.k.99"]
    recip = dict(zip(users, ["K. Quinn", "Lily B.", "J. Dawson", "Jay O.", "Anna K."],
                     strict=True))
    sku_id = {s: str(1729384756102938 + 1111 * i) for i, (s, _, _) in enumerate(PRODUCTS_EN)}
    spec = spec_of(
        ("paid", "Completed", 2), ("paid", "Delivered", 1), ("cancel", "Cancelled", 2),
        ("paid", "Shipped", 3), ("paid", "Completed", 1), ("cancel", "Unpaid", 1),
        ("paid", "Delivered", 2), ("paid", "Completed", 1), ("paid", "Shipped", 2),
        ("cancel", "Cancelled", 1), ("paid", "Completed", 2), ("paid", "Delivered", 1),
    )
    orders = build_orders(15, spec, users, PRODUCTS_EN, T("2023-06-03 15:00"),
                          oid=lambda k: str(576461413071200000 + 7919 * k))
    day_over_12("tiktok", [o.time for o in orders])
    sub = {"Completed": "Completed", "Delivered": "Delivered", "Shipped": "In transit",
           "Cancelled": "Cancelled", "Unpaid": "Unpaid"}

    def us(dt: datetime) -> str:
        return f"{dt:%m/%d/%Y} {ampm(dt, pad_hour=False)}"

    cols: list[Col] = [
        ("Order ID", "o", lambda o, ln, j: o.oid),
        ("Order Status", "o", lambda o, ln, j: o.status),
        ("Order Substatus", "o", lambda o, ln, j: sub[o.status]),
        ("SKU ID", "l", lambda o, ln, j: sku_id[ln.sku]),
        ("Seller SKU", "l", lambda o, ln, j: ln.sku),
        ("Product Name", "l", lambda o, ln, j: ln.name),
        ("Quantity", "l", lambda o, ln, j: str(ln.qty)),
        ("SKU Unit Original Price", "l", lambda o, ln, j: plain(ln.unit)),
        ("SKU Subtotal Before Discount", "l", lambda o, ln, j: plain(ln.total)),
        ("SKU Platform Discount", "l", lambda o, ln, j: "0.00"),
        ("SKU Seller Discount", "l", lambda o, ln, j: "0.00"),
        ("SKU Subtotal After Discount", "l", lambda o, ln, j: plain(ln.total)),
        ("Shipping Fee After Discount", "o", lambda o, ln, j: "0.00"),
        ("Order Amount", "o", lambda o, ln, j: plain(o.total)),
        ("Created Time", "o", lambda o, ln, j: us(o.time)),
        ("Paid Time", "o", lambda o, ln, j: us(o.time + timedelta(seconds=25))
         if o.cls in PURCHASE_CLASSES else ""),
        ("Buyer Username", "o", lambda o, ln, j: o.cust),
        ("Recipient", "o", lambda o, ln, j: recip[o.cust]),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "tiktok_shop_like_orders.csv",
        u8(render_orders(orders, cols, first_only=False)),
        expectation(recs, time_tol=60),
        "TikTok Shop-style export: every line repeats the order's columns, including Order "
        "Amount, the total of the whole order. One purchase per line with the line's SKU "
        "Subtotal After Discount (= quantity x unit price); adding Order Amount on every line "
        "would overcount multi-item orders. Buyer Username is the customer. Cancelled and Unpaid "
        "orders are not purchases. Times are US month-first with AM/PM; Created Time or Paid "
        "Time (25 s later) are both acceptable.",
    ))


def orders_amazon_like() -> None:
    buyers = [f"{s}@marketplace.example" for s in
              ("x7k2m9p4q1r8", "b3n5v7c9x1z2", "q9w8e7r6t5y4", "m1n2b3v4c5x6", "l0k9j8h7g6f5",
               "p2o4i6u8y0t1")]
    asin = {s: f"B0{9 * i + 17:02d}XKQ{i}Z" for i, (s, _, _) in enumerate(PRODUCTS_EN)}
    spec = spec_of(
        ("paid", "Shipped", 1), ("paid", "Shipped", 2), ("paid", "Shipped", 1),
        ("cancel", "Cancelled", 1), ("paid", "Shipped", 2), ("cancel", "Pending", 1),
        ("paid", "Shipped", 1), ("paid", "Shipped", 1), ("paid", "Shipped", 2),
        ("paid", "Shipped", 1), ("cancel", "Cancelled", 2), ("paid", "Shipped", 1),
    )
    orders = build_orders(16, spec, buyers, PRODUCTS_EN, T("2023-07-01 06:00"), qty_max=1,
                          oid=lambda k: f"2{k + 2:02d}-{4410193 + 977 * k}-{7731150 + 53 * k}")
    item_status = {"paid": "Shipped", "cancel": "Cancelled"}
    cols: list[Col] = [
        ("amazon-order-id", "o", lambda o, ln, j: o.oid),
        ("merchant-order-id", "o", lambda o, ln, j: ""),
        ("purchase-date", "o", lambda o, ln, j: o.time.strftime("%Y-%m-%dT%H:%M:%S+00:00")),
        ("order-status", "o", lambda o, ln, j: o.status),
        ("fulfillment-channel", "o", lambda o, ln, j: "Merchant"),
        ("sales-channel", "o", lambda o, ln, j: "Amazon.co.uk"),
        ("product-name", "l", lambda o, ln, j: ln.name),
        ("sku", "l", lambda o, ln, j: ln.sku),
        ("asin", "l", lambda o, ln, j: asin[ln.sku]),
        ("item-status", "l", lambda o, ln, j: "Unshipped" if o.status == "Pending"
         else item_status[o.cls]),
        ("quantity", "l", lambda o, ln, j: str(ln.qty)),
        ("currency", "o", lambda o, ln, j: "GBP"),
        ("item-price", "l", lambda o, ln, j: plain(ln.total) if o.cls == "paid" else ""),
        ("item-tax", "l", lambda o, ln, j: "0.00" if o.cls == "paid" else ""),
        ("shipping-price", "l", lambda o, ln, j: "0.00" if o.cls == "paid" else ""),
        ("buyer-email", "o", lambda o, ln, j: o.cust),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "amazon_like_all_orders_report.txt",
        u8(render_orders(orders, cols, first_only=False, delim="\t")),
        expectation(recs, items=True),
        "A marketplace 'all orders' flat file (tab-separated, order columns repeated on every "
        "item line, ISO times with +00:00). Every quantity is 1, so item-price is the line "
        "amount whichever way it is read. Shipped orders are purchases; Cancelled and Pending "
        "(not yet paid) orders are not (other or rejected). buyer-email is the customer.",
    ))


def orders_total_only() -> None:
    buyers = ["Rosa Lind", "Omar Haddad", "Yuki Sato", "Priya Nair", "Tom Kerr"]
    items = [("Linen Napkins", "", 0), ("Oak Board", "", 0), ("Clay Vase", "", 0),
             ("Wool Throw", "", 0), ("Brass Hook", "", 0), ("Jute Rug", "", 0)]
    spec = [("paid", "Paid", n) for n in (2, 1, 3, 2, 1, 2, 3, 1, 2, 2)]
    orders = build_orders(17, spec, buyers, items, T("2023-08-01 09:00"), res="m",
                          oid=lambda k: f"MP-{88100 + k}")
    totals = [4250, 1999, 12480, 6400, 2500, 8875, 15320, 990, 5600, 7345]
    for o, tot in zip(orders, totals, strict=True):
        for ln in o.lines:
            ln.qty, ln.unit = 1, 0
        o.lines[0].unit = tot  # the model's line amounts only need to add up to the total

    cols: list[Col] = [
        ("Order No", "o", lambda o, ln, j: o.oid),
        ("Order Date", "o", lambda o, ln, j: o.time.strftime("%Y-%m-%d %H:%M")),
        ("Buyer", "o", lambda o, ln, j: o.cust),
        ("Order Status", "o", lambda o, ln, j: o.status),
        ("Item", "l", lambda o, ln, j: ln.sku),
        ("Order Total", "o", lambda o, ln, j: plain(o.total)),
    ]
    recs = order_recs(orders)
    add(Case(
        "orders", "marketplace_order_total_only.csv",
        u8(render_orders(orders, cols, first_only=False)),
        expectation(recs, items=True),
        "Order lines with only the order's total, repeated on each of its lines, and no price "
        "or quantity per line: every line is a purchase, and the Order Total counts once per "
        "order (split over its lines), so revenue is the sum of the 10 order totals, not of "
        "the 19 lines.",
    ))


for _fn in (orders_shopify_like, orders_woocommerce_like, orders_bigcommerce_like,
            orders_etsy_like, orders_tiktok_like, orders_amazon_like, orders_total_only):
    _fn()


# ============================================================================================
# statuses: status words in several languages, cancel dates, refund amounts, C-invoices
# ============================================================================================

BIG_FR = PRODUCTS_FR + [("FAU-ROT", "Fauteuil rotin", 123450)]
BIG_DE = PRODUCTS_DE


def fr_money(cents: int, thin: str = NBSP) -> str:
    return num(cents, thin, ",") + NBSP + "€"


def statuses_english() -> None:
    people = PEOPLE_EN[:7]
    custs = [f"{f} {last}" for f, last in people]
    words = [
        ("paid", "paid"), ("paid", "completed"), ("paid", "shipped"), ("paid", "delivered"),
        ("cancel", "cancelled"), ("paid", "paid"), ("refund", "refunded"),
        ("paid", "completed"), ("cancel", "voided"), ("paid", "shipped"),
        ("partial", "partially_refunded"), ("paid", "delivered"), ("cancel", "pending"),
        ("paid", "paid"), ("paid", "completed"), ("refund", "refunded"), ("paid", "shipped"),
        ("cancel", "cancelled"), ("partial", "partially_refunded"), ("paid", "delivered"),
        ("paid", "paid"), ("paid", "completed"),
    ]
    orders = build_orders(21, [(c, w, 1) for c, w in words], custs, PRODUCTS_EN,
                          T("2023-09-01 08:00"), oid=lambda k: f"SO-{5001 + k}")
    rows = [["Order ID", "Customer", "Order Date", "Status", "Order Total", "Refunded Amount"]]
    for o in orders:
        rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), o.status,
                     plain(o.total), plain(o.refund)])
    add(Case(
        "statuses", "order_status_english.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "One row per order with an English Status: paid, completed, shipped and delivered are "
        "purchases; refunded is a purchase plus a refund of its Refunded Amount (the whole "
        "total); partially_refunded is a purchase plus the partial Refunded Amount; cancelled, "
        "voided and pending (never paid) are not purchases (other or rejected).",
    ))


def statuses_mostly_cancelled() -> None:
    custs = emails(PEOPLE_EN[6:9], "example.org")
    paid_at = {0, 8, 13, 19}
    words = [("paid", "Paid") if k in paid_at else
             ("cancel", "Cancelled" if k % 2 else "Canceled") for k in range(20)]
    orders = build_orders(22, [(c, w, 1) for c, w in words], custs, PRODUCTS_EN,
                          T("2023-10-02 09:00"), oid=lambda k: str(70001 + k))
    rows = [["order_id", "customer_email", "created", "status", "amount"]]
    for o in orders:
        rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%dT%H:%M:%SZ"), o.status,
                     plain(o.total)])
    add(Case(
        "statuses", "mostly_cancelled_orders.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "16 of 20 orders are Cancelled/Canceled and 4 are Paid. The status decides per row, "
        "whatever share of the file is paid: 4 purchases; the cancelled orders are not "
        "purchases (other or rejected).",
    ))


def statuses_french() -> None:
    people = PEOPLE_FR
    custs = [f"{f[0]}. {last.upper()}" for f, last in people]
    mail = dict(zip(custs, emails(people, "exemple.fr"), strict=True))
    words = [
        ("paid", "Paiement accepté"), ("paid", "Livré"), ("paid", "Expédié"),
        ("cancel", "Annulé"), ("paid", "Livré"), ("refund", "Remboursé"),
        ("cancel", "En attente de paiement"), ("paid", "Paiement accepté"), ("paid", "Livré"),
        ("paid", "Expédié"), ("cancel", "En attente du paiement par chèque"), ("paid", "Livré"),
        ("cancel", "Annulé"), ("paid", "Livré"), ("paid", "Expédié"), ("refund", "Remboursé"),
        ("paid", "Paiement accepté"), ("paid", "Livré"),
    ]
    orders = build_orders(23, [(c, w, 1) for c, w in words], custs, BIG_FR,
                          T("2023-01-03 08:00"), qty_max=2, gap_min=(600, 4000))
    day_over_12("commandes", [o.time for o in orders])
    rng = random.Random(23)
    rows = [["N° commande", "Référence", "Client", "E-mail", "Total", "Paiement", "État",
             "Date"]]
    for o in orders:
        ref = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9))
        rows.append([o.oid, ref, o.cust, mail[o.cust], fr_money(o.total),
                     rng.choice(["Carte bancaire", "Chèque", "Virement bancaire"]), o.status,
                     o.time.strftime("%d/%m/%Y %H:%M:%S")])
    add(Case(
        "statuses", "commandes_prestashop_like_fr.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False)),
        "French back-office order list (';', dd/mm/yyyy, totals like '1 234,50 €' with "
        "no-break spaces). Paiement accepté, Expédié and Livré are purchases; Remboursé is a "
        "purchase plus a refund of the whole Total; Annulé and both 'En attente ... paiement' "
        "states (never paid) are not purchases.",
    ))


def statuses_german() -> None:
    custs = [f"K-{10001 + i}" for i in range(5)]
    words = [
        ("paid", "Bezahlt"), ("paid", "Versandt"), ("paid", "Abgeschlossen"),
        ("cancel", "Storniert"), ("paid", "Versandt"), ("refund", "Erstattet"),
        ("paid", "Bezahlt"), ("cancel", "Zahlung ausstehend"), ("paid", "Abgeschlossen"),
        ("paid", "Versandt"), ("cancel", "Storniert"), ("paid", "Bezahlt"),
        ("refund", "Erstattet"), ("paid", "Abgeschlossen"), ("paid", "Versandt"),
        ("paid", "Bezahlt"),
    ]
    orders = build_orders(24, [(c, w, 1) for c, w in words], custs, BIG_DE,
                          T("2023-02-01 08:00"), res="m", qty_max=2, gap_min=(600, 3000),
                          oid=lambda k: str(300100 + k))
    pay = ["PayPal", "Rechnung", "Vorkasse", "Kreditkarte"]
    rows = [["Bestellnummer", "Bestelldatum", "Kunden-Nr", "Status", "Zahlungsart",
             "Gesamtbetrag"]]
    for k, o in enumerate(orders):
        rows.append([o.oid, o.time.strftime("%d.%m.%Y %H:%M"), o.cust, o.status,
                     pay[k % 4], num(o.total, ".", ",") + " €"])
    add(Case(
        "statuses", "bestellungen_de_cp1252.csv",
        csv_text(rows, ";", crlf=True).encode("cp1252"),
        expectation(order_recs(orders, items=False)),
        "German shop order list saved by Excel as 'CSV (Trennzeichen-getrennt)': Windows-1252 "
        "(the € sign is byte 0x80), ';', CRLF, dd.mm.yyyy dates, '1.249,00 €' totals, "
        "Kunden-Nr as the customer. Bezahlt, Versandt and Abgeschlossen are purchases; "
        "Erstattet is a purchase plus a full refund; Storniert and 'Zahlung ausstehend' are not "
        "purchases.",
    ))


def statuses_spanish() -> None:
    people = PEOPLE_ES
    custs = [f"{f} {last}" for f, last in people]
    mail = dict(zip(custs, emails(people, "correo.example"), strict=True))
    words = [
        ("paid", "Pagado"), ("paid", "Enviado"), ("paid", "Completado"), ("cancel", "Cancelado"),
        ("paid", "Enviado"), ("refund", "Reembolsado"), ("paid", "Pagado"),
        ("cancel", "Pendiente de pago"), ("paid", "Completado"), ("paid", "Enviado"),
        ("cancel", "Cancelado"), ("paid", "Completado"), ("paid", "Pagado"),
        ("refund", "Reembolsado"), ("paid", "Enviado"), ("paid", "Completado"),
    ]
    orders = build_orders(25, [(c, w, 1) for c, w in words], custs, BIG_FR,
                          T("2023-04-02 08:00"), res="m", qty_max=2, gap_min=(600, 3000),
                          oid=lambda k: f"#{2300 + k}")
    day_over_12("pedidos", [o.time for o in orders])
    rows = [["Número de pedido", "Fecha", "Cliente", "Correo electrónico", "Estado", "Total"]]
    for o in orders:
        rows.append([o.oid, o.time.strftime("%d/%m/%Y %H:%M"), o.cust, mail[o.cust], o.status,
                     num(o.total, ".", ",") + " €"])
    add(Case(
        "statuses", "pedidos_es.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "Spanish order list (dd/mm/yyyy, totals '1.234,50 €' in quotes). Pagado, Enviado and "
        "Completado are purchases; Reembolsado is a purchase plus a full refund; Cancelado and "
        "'Pendiente de pago' are not purchases.",
    ))


ZH_BUYERS = ["tb_小鱼儿2019", "快乐的土豆", "星星点灯88", "阿May的小店铺", "tb_98765432",
             "晴天娃娃"]


def statuses_taobao_like() -> None:
    spec = spec_of(
        ("paid", "交易成功", 2), ("paid", "卖家已发货，等待买家确认", 1),
        ("paid", "买家已付款，等待卖家发货", 2), ("cancel", "交易关闭", 1),
        ("paid", "交易成功", 1), ("refund", "交易成功", 1), ("paid", "交易成功", 3),
        ("cancel", "等待买家付款", 2), ("partial", "交易成功", 1),
        ("paid", "卖家已发货，等待买家确认", 2), ("paid", "交易成功", 1),
        ("cancel", "交易关闭", 1), ("paid", "买家已付款，等待卖家发货", 1),
    )
    orders = build_orders(26, spec, ZH_BUYERS, PRODUCTS_ZH, T("2023-03-01 02:00"),
                          oid=lambda k: str(3312004400000000001 + 977 * k))
    rows = [["订单编号", "买家会员名", "订单状态", "退款状态", "退款金额", "宝贝标题", "商家编码",
             "单价", "购买数量", "实收金额", "订单创建时间"]]
    for o in orders:
        for ln in o.lines:
            rows.append([
                o.oid, o.cust, o.status, "退款成功" if o.refund else "", plain(o.refund),
                ln.name, ln.sku, plain(ln.unit), str(ln.qty),
                plain(o.total if o.cls in PURCHASE_CLASSES else 0),
                o.time.strftime("%Y/%m/%d %H:%M:%S"),
            ])
    add(Case(
        "statuses", "taobao_like_orders_gb18030.csv",
        csv_text(rows, crlf=True).encode("gb18030"),
        expectation(order_recs(orders)),
        "Chinese marketplace order lines (GB18030, CRLF), order columns repeated on each item "
        "line, 实收金额 being the order's total. 交易成功, 卖家已发货 and 买家已付款，等待卖家发货 "
        "are paid: one purchase per line at 单价 x 购买数量. 退款状态 退款成功 with 退款金额 adds "
        "a refund (one full, one partial). 交易关闭 with nothing received and 等待买家付款 are "
        "never-paid orders: not purchases.",
    ))


def statuses_pdd_like() -> None:
    members = ["pdd_小王", "花开富贵", "momo酱", "pdd_88771", "阳光少年"]
    words = [
        ("paid", "已发货"), ("paid", "交易成功"), ("cancel", "等待买家付款"), ("paid", "交易成功"),
        ("refund", "退款成功"), ("paid", "已发货"), ("cancel", "交易关闭"), ("paid", "交易成功"),
        ("paid", "已发货"), ("refund", "退款成功"), ("paid", "交易成功"), ("cancel", "交易关闭"),
        ("paid", "已发货"), ("paid", "交易成功"),
    ]
    orders = build_orders(27, [(c, w, 1) for c, w in words], members, PRODUCTS_ZH,
                          T("2023-04-01 01:00"), oid=lambda k: f"230401-{5544120 + 31 * k}")
    rows = [["订单号", "会员名", "商品", "订单状态", "支付金额", "退款金额", "下单时间"]]
    for o in orders:
        ln = o.lines[0]
        rows.append([o.oid, o.cust, ln.name, o.status,
                     plain(o.total if o.cls in PURCHASE_CLASSES else 0), plain(o.refund),
                     o.time.strftime("%Y-%m-%d %H:%M:%S")])
    add(Case(
        "statuses", "pdd_like_orders_zh.csv", b"\xef\xbb\xbf" + u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "Chinese order list (UTF-8 with BOM), one row per order, 会员名 the customer, 支付金额 "
        "the amount. 已发货 and 交易成功 are purchases; 退款成功 is a purchase plus a refund of "
        "退款金额 (the whole amount); 等待买家付款 and 交易关闭 with 0.00 paid are never-paid "
        "orders, not purchases.",
    ))


def statuses_cancelled_at_api() -> None:
    custs = emails(PEOPLE_EN[2:7], "example.net")
    cancel = {3, 6, 10}
    spec = [("cancel" if k in cancel else "paid", "", 1) for k in range(14)]
    orders = build_orders(28, spec, custs, PRODUCTS_EN, T("2024-01-03 12:00"),
                          oid=lambda k: str(5512345670001 + 1013 * k))
    tz = timezone(timedelta(hours=-5))
    rows = [["id", "email", "created_at", "cancelled_at", "cancel_reason", "total_price",
             "currency"]]
    for k, o in enumerate(orders):
        c = o.cls == "cancel"
        rows.append([
            o.oid, o.cust, o.time.astimezone(tz).isoformat(),
            (o.time + timedelta(hours=5)).astimezone(tz).isoformat() if c else "",
            ("customer" if k % 2 else "inventory") if c else "", plain(o.total), "USD",
        ])
    add(Case(
        "statuses", "orders_api_cancelled_at.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "An order dump without a status column: the 3 orders with a cancelled_at time are "
        "cancelled, so not purchases (other or rejected); the 11 others are purchases of "
        "total_price. Times are ISO with a -05:00 offset.",
    ))


def statuses_cancellation_date() -> None:
    custs = ["Rosa Lind", "Omar Haddad", "Yuki Sato", "Priya Nair", "Tom Kerr"]
    cancel = {2, 5, 9}
    spec = [("cancel" if k in cancel else "paid", "", 1) for k in range(13)]
    orders = build_orders(29, spec, custs, PRODUCTS_EN, T("2023-05-02 08:00"), res="m",
                          oid=lambda k: f"R{40021 + k}")
    rows = [["Order Ref", "Customer", "Order Date", "Cancellation Date", "Net Sales"]]
    for o in orders:
        c = o.cls == "cancel"
        rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M"),
                     (o.time + timedelta(days=1)).strftime("%Y-%m-%d") if c else "",
                     plain(o.total)])
    add(Case(
        "statuses", "orders_cancellation_date.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False)),
        "';'-separated order list whose only cancellation signal is a filled Cancellation Date "
        "column (3 orders): those are not purchases; the other 10 are purchases of Net Sales.",
    ))


def statuses_refund_amounts() -> None:
    custs = emails(PEOPLE_EN[:5], "woo.example")
    words = [
        ("paid", "completed"), ("partial", "completed"), ("paid", "completed"),
        ("refund", "refunded"), ("paid", "completed"), ("cancel", "cancelled"),
        ("partial", "completed"), ("paid", "completed"), ("refund", "refunded"),
        ("paid", "completed"), ("paid", "completed"), ("cancel", "failed"),
        ("partial", "completed"), ("paid", "completed"),
    ]
    orders = build_orders(30, [(c, w, 1) for c, w in words], custs, PRODUCTS_EN,
                          T("2023-08-01 10:00"), oid=lambda k: str(9801 + k))
    rows = [["order_id", "status", "date_created", "billing_email", "total", "refund_amount"]]
    for o in orders:
        rows.append([o.oid, o.status, o.time.strftime("%Y-%m-%dT%H:%M:%S"), o.cust,
                     plain(o.total), plain(o.refund) if o.refund else ""])
    add(Case(
        "statuses", "orders_refund_amount_column.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "Refunds told by a refund_amount column: 'refunded' orders are refunded in full, and "
        "three 'completed' orders carry a partial refund_amount, each a purchase plus a refund "
        "of that amount. 'cancelled' and 'failed' (payment failed) orders are not purchases.",
    ))


def statuses_refunds_no_status() -> None:
    custs = ["Ada Quist", "Bo Ruiz", "Cy Tran", "Di Vogel"]
    cls = ["paid", "paid", "partial", "paid", "refund", "paid", "paid", "partial", "paid",
           "paid", "refund", "paid"]
    orders = build_orders(31, [(c, "", 1) for c in cls], custs, PRODUCTS_EN,
                          T("2023-11-02 09:00"), oid=lambda k: f"INV-{310 + k}")
    rows = [["Order", "Customer", "Date", "Paid Amount", "Refunded Amount"]]
    for o in orders:
        rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), plain(o.total),
                     plain(o.refund)])
    add(Case(
        "statuses", "payments_refunded_amount_no_status.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "A payments list without a status: every order is a purchase of Paid Amount, and each "
        "of the 4 orders with a non-zero Refunded Amount (2 full, 2 partial) also gets a "
        "refund of that amount.",
    ))


UCI_ITEMS = [
    ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 255), ("71053", "WHITE METAL LANTERN", 339),
    ("84406B", "CREAM CUPID HEARTS COAT HANGER", 275), ("22752", "SET 7 BABUSHKA NESTING BOXES",
                                                          765),
    ("21730", "GLASS STAR FROSTED T-LIGHT HOLDER", 425), ("22633", "HAND WARMER UNION JACK", 185),
    ("84879", "ASSORTED COLOUR BIRD ORNAMENT", 169), ("22745", "POPPY'S PLAYHOUSE BEDROOM", 210),
]


def uci_rows(seed: int, custs: Sequence[str], start: datetime, n_inv: int,
             cancel_at: set[int], missing_at: set[int], c_prefix: bool = True
             ) -> list[tuple[str, str, str, int, datetime, int, str | None]]:
    """(invoice, code, description, quantity, time, unit cents, customer or None) lines."""
    rng = random.Random(seed)
    out = []
    t = start
    inv = 536365
    for k in range(n_inv):
        t = t + timedelta(minutes=rng.randint(60, 1500))
        t = t.replace(second=0)
        cust = None if k in missing_at else custs[k % len(custs)]
        picks = rng.sample(UCI_ITEMS, rng.randint(1, 3))
        if k in cancel_at:
            code = f"C{inv + k}" if c_prefix else str(inv + k)
            for c, d, u in picks[:2]:
                out.append((code, c, d, -rng.randint(1, 6), t, u, cust))
        else:
            for c, d, u in picks:
                out.append((str(inv + k), c, d, rng.choice([1, 2, 6, 12, 24]), t, u, cust))
    return out


def uci_recs(lines: Sequence[tuple[str, str, str, int, datetime, int, str | None]]) -> list[Rec]:
    recs = []
    for _inv, code, _d, q, t, u, cust in lines:
        if cust is None:
            recs.append(Rec(rejected=True))
        else:
            recs.append(Rec([Ev("refund" if q < 0 else "purchase", cust, t, code, q * u)]))
    return recs


def statuses_uci_classic() -> None:
    custs = ["17850", "13047", "12583", "13748", "15100", "15291"]
    lines = uci_rows(32, custs, T("2010-12-09 07:00"), 14, cancel_at={4, 9, 12},
                     missing_at={7})
    day_over_12("uci classic", [ln[4] for ln in lines])
    rows = [["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
             "CustomerID", "Country"]]
    for inv, code, d, q, t, u, cust in lines:
        rows.append([inv, code, d, str(q), f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}",
                     num(u).rstrip("0").rstrip("."), cust or "", "United Kingdom"])
    add(Case(
        "statuses", "online_retail_classic.csv", u8(csv_text(rows)),
        expectation(uci_recs(lines), items=True),
        "UCI Online Retail (classic header InvoiceNo, UnitPrice, CustomerID; m/d/yyyy H:MM "
        "times, days above 12 further down). Invoices starting with 'C' are cancellations with "
        "negative quantities: refund events of Quantity x UnitPrice (negative). The line "
        "without a CustomerID is rejected.",
    ))


def statuses_uci_ii() -> None:
    custs = ["13085.0", "13078.0", "15362.0", "18102.0", "12682.0"]
    lines = uci_rows(33, custs, T("2009-12-01 07:30"), 13, cancel_at={3, 8, 11},
                     missing_at={6})
    rows = [["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price",
             "Customer ID", "Country"]]
    for inv, code, d, q, t, u, cust in lines:
        rows.append([inv, code, d, str(q), t.strftime("%Y-%m-%d %H:%M:%S"),
                     num(u).rstrip("0").rstrip("."), cust or "", "United Kingdom"])
    recs = uci_recs([(a, b, c, q, t, u, cu[:-2] if cu else None)
                     for a, b, c, q, t, u, cu in lines])
    add(Case(
        "statuses", "online_retail_ii_layout.csv", u8(csv_text(rows)),
        expectation(recs, items=True),
        "The 'Online Retail II' header (Invoice, Price, Customer ID) with float-written ids "
        "(13085.0 is customer 13085): 'C' invoices with negative quantities are refunds with "
        "negative amounts, not purchases; the line without a customer is rejected.",
    ))


def statuses_negative_qty_returns() -> None:
    custs = ["M-2201", "M-2202", "M-2203", "M-2204", "M-2205"]
    lines = uci_rows(34, custs, T("2023-02-01 09:00"), 14, cancel_at={4, 10}, missing_at=set(),
                     c_prefix=False)
    rows = [["Receipt No", "Date", "Member ID", "Article", "Description", "Qty", "Unit Price",
             "Line Total"]]
    for inv, code, d, q, t, u, cust in lines:
        rows.append([f"R{inv}", t.strftime("%Y-%m-%d %H:%M"), cust or "", code, d.title(),
                     str(q), plain(u), plain(q * u)])
    add(Case(
        "statuses", "pos_sales_negative_qty_returns.csv", u8(csv_text(rows)),
        expectation(uci_recs(lines), items=True),
        "A till/loyalty sales log without status or invoice prefix: returns are the lines with "
        "a negative Qty and negative Line Total. They are refunds (negative amounts), not "
        "purchases; every other line is a purchase of its Line Total.",
    ))


for _fn in (statuses_english, statuses_mostly_cancelled, statuses_french, statuses_german,
            statuses_spanish, statuses_taobao_like, statuses_pdd_like,
            statuses_cancelled_at_api, statuses_cancellation_date, statuses_refund_amounts,
            statuses_refunds_no_status, statuses_uci_classic, statuses_uci_ii,
            statuses_negative_qty_returns):
    _fn()


# ============================================================================================
# money: local number and currency forms
# ============================================================================================

BIG_AMOUNTS = (1299, 2450, 899, 4590, 12900, 123450, 6780, 315000, 99, 100000)


def order_list(seed: int, n: int, custs: Sequence[str], start: datetime,
               amounts: Sequence[int] = BIG_AMOUNTS, res: str = "s",
               oid: Callable[[int], str] = lambda k: str(10001 + k)) -> list[Order]:
    """n one-line paid orders whose totals cycle through ``amounts`` (a transaction log)."""
    orders = build_orders(seed, [("paid", "", 1)] * n, custs, [("X", "x", 100)], start,
                          res=res, oid=oid, gap_min=(90, 2000))
    for k, o in enumerate(orders):
        o.lines[0].qty, o.lines[0].unit = 1, amounts[k % len(amounts)]
    return orders


def money_transaction_log(name: str, seed: int, header: Sequence[str], money: Callable[[int], str],
                          why: str, delim: str = ",", amounts: Sequence[int] = BIG_AMOUNTS,
                          n: int = 16, cents_of: Callable[[int], float] | None = None) -> None:
    custs = [f"{f} {last}" for f, last in PEOPLE_EN[:5]]
    orders = order_list(seed, n, custs, T("2023-03-01 08:00"), amounts)
    rows = [list(header)]
    for o in orders:
        rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), money(o.total)])
    recs = order_recs(orders, items=False,
                      line_amount=(lambda o, ln: cents_of(o.total)) if cents_of else None)
    add(Case("money", name, u8(csv_text(rows, delim)), expectation(recs), why))


def money_event_log(name: str, seed: int, header: Sequence[str], money: Callable[[int], str],
                    why: str, delim: str = ",", weights: dict[str, int] | None = None,
                    words: dict[str, str] | None = None, refund_money: Callable[[int], str] |
                    None = None, n: int = 26, encoding: str = "utf-8",
                    time_fmt: str = "%Y-%m-%d %H:%M:%S") -> None:
    custs = [f"C{301 + i}" for i in range(6)]
    items = [f"P-{i:03d}" for i in (11, 12, 14, 20, 31, 42)]
    log = build_log(seed, n, custs, items, T("2023-05-01 00:00"), weights=weights,
                    amounts=BIG_AMOUNTS)
    words = words or {}

    def amount(e: LogEv) -> str:
        if e.cents is None:
            return ""
        if e.type == "refund":
            return (refund_money or (lambda c: money(-c)))(e.cents)
        return money(e.cents)

    cols = [
        (header[0], lambda e: e.cust),
        (header[1], lambda e: e.time.strftime(time_fmt)),
        (header[2], lambda e: words.get(e.type, e.type)),
        (header[3], lambda e: e.item or ""),
        (header[4], amount),
    ]
    add(Case("money", name, render_log(log, cols, delim=delim).encode(encoding),
             expectation(log_recs(log), items=True), why))


def money_files() -> None:
    money_transaction_log(
        "decimal_comma_dot_thousands.csv", 41, ["order_id", "customer", "order_date", "total"],
        lambda c: num(c, ".", ","),
        "';'-separated with German number forms: '1.234,50' is 1234.50, '3.150,00' is 3150.00 "
        "and '0,99' is 0.99 (never 1.2345 or nothing). Every row is a purchase.", delim=";")
    money_event_log(
        "euro_suffix_nbsp.csv", 42, ["customer", "event_time", "event", "product", "amount"],
        lambda c: num(c, NBSP, ",") + NBSP + "€",
        "French amounts with U+00A0 no-break spaces: '1 234,50 €' (thousands and before the "
        "euro sign) on the purchase lines; revenue is their sum.", delim=";")
    money_event_log(
        "euro_suffix_narrow_nbsp_refunds.csv", 43,
        ["customer", "event_time", "event", "product", "amount"],
        lambda c: num(c, NNBSP, ",") + NBSP + "€",
        "Amounts written the way current French locales do: U+202F narrow no-break space as the "
        "thousands separator ('3 150,00 €'), and refunds as '-12,99 €'. Revenue = purchases "
        "minus refunds.", delim=";",
        weights={"view": 5, "cart": 2, "purchase": 3, "refund": 1})
    money_transaction_log(
        "euro_prefix.csv", 44, ["Order", "Customer", "Date", "Total"],
        lambda c: "€" + num(c, ","),
        "Irish/English form with the sign before the number: '€1,234.50' (comma thousands, "
        "dot decimals, quoted because of the comma).")
    money_event_log(
        "usd_parentheses_negatives.csv", 45, ["Customer", "Date", "Type", "Item", "Amount"],
        lambda c: "$" + num(c, ","),
        "A US ledger: sales as '$1,234.50' and refunds written the accounting way, "
        "'($12.99)' or '(12.99)', which are negative amounts (not unreadable, not positive). "
        "Sale is a purchase, Refund a refund.",
        weights={"purchase": 4, "refund": 1},
        words={"purchase": "Sale", "refund": "Refund"},
        refund_money=lambda c: f"(${num(c, ',')})" if c % 2 else f"({num(c, ',')})")
    money_event_log(
        "yuan_yen_signs.csv", 46, ["用户ID", "时间", "行为", "商品ID", "金额"],
        lambda c: ("¥" if c % 2 else "￥") + num(c, ","),
        "Chinese event log with amounts '¥88.00' and full-width '￥1,234.50' (both signs, comma "
        "thousands). 浏览 is a view, 加购 a cart, 购买 a purchase.",
        words={"view": "浏览", "cart": "加购", "purchase": "购买"})
    money_transaction_log(
        "rmb_code_prefix.csv", 47, ["Order No", "Buyer", "Order Date", "Paid Amount"],
        lambda c: "RMB " + num(c, ","),
        "Amounts with a currency code in front: 'RMB 1,234.50'. Paid Amount is the money "
        "column; every row is a purchase.")
    money_transaction_log(
        "chf_apostrophe.csv", 48, ["Order", "Customer", "Date", "Total"],
        lambda c: "CHF " + num(c, "'"),
        "Swiss form: 'CHF 1'234.50' (apostrophe thousands separator, code before).", delim=";")
    money_transaction_log(
        "eur_code_suffix.csv", 49, ["Order", "Customer", "Date", "Amount"],
        lambda c: num(c, ".", ",") + " EUR",
        "Code after the number with a decimal comma: '1.234,50 EUR'.", delim=";")
    money_transaction_log(
        "ambiguous_comma_thousands.csv", 50, ["Order", "Customer", "Date", "Sales"],
        lambda c: num(c, ",")[:-3] if c % 100 == 0 else num(c, ","),
        "Whole amounts are written without decimals: '1,234' and '3,150'. Other values of the "
        "same column ('12.99', '1,234.50') show ',' is the thousands separator, so '1,234' is "
        "1234.", amounts=(123400, 1299, 315000, 4590, 123450, 100000, 899, 250000))
    money_transaction_log(
        "ambiguous_comma_decimal.csv", 51, ["Order", "Customer", "Date", "Amount"],
        lambda c: {1234: "1,234", 1250: "12,5", 99: "0,99", 725: "7,25", 1990: "19,9",
                   4000: "40,00"}[c],
        "'1,234' alone could be 1234 or 1.234; the rest of the column ('12,5', '0,99', '19,9') "
        "can only be decimal commas, so it is 1.234 (a three-decimal price).", delim=";",
        amounts=(1234, 1250, 99, 725, 1990, 4000),
        cents_of=lambda c: 123.4 if c == 1234 else c)
    money_event_log(
        "pound_minus_sign.csv", 52, ["Customer", "Date", "Type", "Item", "Amount"],
        lambda c: ("-£" + num(-c, ",")) if c < 0 else "£" + num(c, ","),
        "Pounds with the minus before the sign for refunds ('-£12.99') and comma thousands "
        "('£1,234.50').", weights={"purchase": 4, "refund": 1},
        words={"purchase": "Sale", "refund": "Refund"})


money_files()


# ============================================================================================
# dates: local time forms
# ============================================================================================


def date_log(name: str, seed: int, header: Sequence[str], fmt: Callable[[datetime], str],
             why: str, *, delim: str = ",", res: str = "s", start: datetime = START_2023_03,
             span_days: float = 40, n: int = 24, must_warn: Sequence[str] = (),
             only: Sequence[str] | None = None, times: bool = True,
             log: list[LogEv] | None = None, time_tol: int | None = None,
             decide: bool = False) -> None:
    custs = [f"{600 + 7 * i}" for i in range(5)]
    items = ["A-1", "A-2", "B-7", "C-3", "D-9"]
    if log is None:
        log = build_log(seed, n, custs, items, start, span_days=span_days, res=res)
    if decide:
        day_over_12(name, [e.time for e in log])
    cols = [
        (header[0], lambda e: e.cust),
        (header[1], lambda e: fmt(e.time)),
        (header[2], lambda e: e.type),
        (header[3], lambda e: e.item or ""),
        (header[4], amount_or_blank(plain)),
    ]
    add(Case("dates", name, u8(render_log(log, cols, delim=delim)),
             expectation(log_recs(log), items=True, only=only, times=times, time_tol=time_tol),
             why, must_warn=list(must_warn)))


def with_offset(dt: datetime, hours: float) -> str:
    tz = timezone(timedelta(hours=hours))
    return dt.astimezone(tz).isoformat()


def dates_files() -> None:
    std = ["Customer ID", "Date", "Event", "Product", "Amount"]
    date_log("uk_day_first.csv", 61, std, lambda t: t.strftime("%d/%m/%Y %H:%M"),
             "dd/mm/yyyy HH:MM (British): days above 12 in the column decide day-first.",
             res="m", decide=True)
    date_log("us_month_first_ampm.csv", 62, ["Customer ID", "Order Date", "Event", "Product",
                                              "Amount"],
             lambda t: f"{t:%m/%d/%Y} {ampm(t, seconds=False)}",
             "mm/dd/yyyy hh:mm AM/PM (US): days above 12 in the second place decide "
             "month-first.", res="m", start=T("2023-04-01"), decide=True)
    date_log("de_dotted.csv", 63, ["Kunden-Nr", "Zeitpunkt", "Event", "Product", "Amount"],
             lambda t: t.strftime("%d.%m.%Y %H:%M:%S"),
             "German dd.mm.yyyy HH:MM:SS times in a ';' file with German column names "
             "(Kunden-Nr is the customer, Zeitpunkt the time).", delim=";")
    date_log("en_month_names.csv", 64, std,
             lambda t: f"{EN_MONTHS[t.month - 1]} {t.day}, {t.year} {ampm(t)}",
             "English month names with a 12-hour clock: 'Jan 5, 2023 02:03:22 PM'.",
             start=T("2023-01-02"), span_days=70)
    date_log("fr_month_names.csv", 65, ["Client", "Date", "Event", "Product", "Amount"],
             lambda t: f"{t.day} {FR_MONTHS[t.month - 1]} {t.year} {t:%H:%M}",
             "French abbreviated month names: '5 janv. 2023 14:03', 'févr.', 'mars', 'avr.'.",
             delim=";", res="m", start=T("2023-01-03"), span_days=110)
    date_log("de_month_names.csv", 66, ["Kundennummer", "Datum", "Event", "Product", "Amount"],
             lambda t: f"{t.day}. {DE_MONTHS[t.month - 1]} {t.year}",
             "German long dates without a time: '5. März 2023' (midnight UTC).", delim=";",
             res="d", start=T("2023-01-10"), span_days=120)
    date_log("es_month_names.csv", 67, ["Customer ID", "Fecha", "Event", "Product", "Amount"],
             lambda t: f"{t.day} de {ES_MONTHS[t.month - 1]} de {t.year} {t:%H:%M}",
             "Spanish long dates: '5 de enero de 2023 14:03'.", res="m",
             start=T("2023-01-04"), span_days=100)
    date_log("zh_dates.csv", 68, ["客户编号", "时间", "Event", "商品", "Amount"],
             lambda t: f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}",
             "Chinese dates without zero padding: '2023年1月5日 14:03'.", res="m",
             start=T("2023-01-02"), span_days=60)
    date_log("excel_serial_whole_days.csv", 69, ["Customer ID", "Order Date", "Event",
                                                  "Product", "Amount"],
             lambda t: excel_serial(t, 0),
             "A date column re-saved from a spreadsheet as whole Excel day numbers (45292 = "
             "2024-01-01): they are dates in 2024, never seconds after 1970.", res="d",
             start=T("2024-01-01"), span_days=45)
    date_log("unix_seconds.csv", 70, ["user", "ts", "event", "item", "amount"],
             lambda t: str(unix_s(t)), "Unix seconds.", start=T("2022-11-05"))
    date_log("unix_milliseconds.csv", 71, ["user_id", "event_time_ms", "event_type", "item_id",
                                            "amount"],
             lambda t: str(unix_s(t) * 1000 + (unix_s(t) % 499)),
             "Unix milliseconds (13 digits) in a column whose name is not a known time name.",
             start=T("2022-12-01"))
    offsets = [1, -5, 5.5, 9, 0, -3]
    date_log("iso_with_offsets.csv", 72, std,
             lambda t: with_offset(t, offsets[t.minute % len(offsets)]),
             "ISO 8601 times with various UTC offsets (+01:00, -05:00, +05:30, +09:00, +00:00, "
             "-03:00): first/last are the UTC instants.", start=T("2023-06-01"))

    # day-first, but only the last rows have a day above 12
    custs = [f"{600 + 7 * i}" for i in range(5)]
    rng = random.Random(73)
    times = sorted(T(f"2023-{m:02d}-{d:02d} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}")
                   for m in (2, 3, 4) for d in rng.sample(range(1, 13), 12))
    times = times[:36] + [T("2023-04-20 10:15"), T("2023-04-21 16:40"), T("2023-04-23 09:05")]
    log = [LogEv(custs[i % 5], t, ["view", "view", "cart", "purchase"][i % 4],
                 ["A-1", "A-2", "B-7"][i % 3], 1999 + 100 * i if i % 4 == 3 else None)
           for i, t in enumerate(times)]
    date_log("day_first_decided_late.csv", 73, std, lambda t: t.strftime("%d/%m/%Y %H:%M"),
             "dd/mm/yyyy where the first 36 rows all have days of 12 or less; only the last 3 "
             "rows (20/04/2023 ...) show the order. The decision is made from the whole column: "
             "day-first.", log=log, decide=True)

    # ambiguous throughout, but a French ';' file with decimal commas
    custs_fr = [f"{f} {last}" for f, last in PEOPLE_FR[:4]]
    rng = random.Random(74)
    times = sorted(T(f"2023-{m:02d}-{d:02d} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}")
                   for m in (1, 2, 3, 5) for d in rng.sample(range(1, 13), 4))
    orders = []
    for k, t in enumerate(times):
        orders.append(Order(f"FR{7001 + k}", custs_fr[k % 4], t, "paid", "",
                            [OLine("x", "x", 1, [4990, 1250, 8900, 123450, 990][k % 5])]))
    rows = [["N° commande", "Date", "Client", "Total"]]
    for o in orders:
        rows.append([o.oid, o.time.strftime("%d/%m/%Y %H:%M"), o.cust, num(o.total, "", ",")])
    add(Case(
        "dates", "ambiguous_dates_french_clues.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False)),
        "Every date has a day of 12 or less, so the values alone cannot tell dd/mm from mm/dd; "
        "the file is French (';', decimal commas, French headers), which makes it day-first. "
        "A warning about the choice is allowed but not required here.",
    ))

    # ambiguous throughout, no clue: the CLI must warn; which reading is left open
    custs_us = ["Ava Moss", "Ben Oak", "Cleo Reed", "Dan Lark"]
    rng = random.Random(75)
    times = sorted(T(f"2023-{m:02d}-{d:02d} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}")
                   for m in (1, 3, 6, 9) for d in rng.sample(range(1, 13), 4))
    orders = [Order(f"{9100 + k}", custs_us[k % 4], t, "paid", "",
                    [OLine("x", "x", 1, [2599, 1400, 899, 15000][k % 4])])
              for k, t in enumerate(times)]
    rows = [["Order ID", "Customer", "Order Date", "Amount"]]
    for o in orders:
        rows.append([o.oid, o.cust, o.time.strftime("%m/%d/%Y %H:%M"), plain(o.total)])
    add(Case(
        "dates", "ambiguous_dates_no_clue.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False), times=False),
        "Every date is ambiguous (all days 12 or less) and nothing in the file tells "
        "day-first from month-first: the CLI must warn that it chose (and name --date-order). "
        "Which order it chose is left open, so first/last time are not fixed.",
        must_warn=["dates are ambiguous (dd/mm or mm/dd): the reading chosen is reported "
                   "with --date-order"],
    ))

    # zero-padded order numbers next to a German date column
    custs_de = [f"K-{20001 + i}" for i in range(5)]
    orders = order_list(76, 18, custs_de, T("2023-02-01 08:00"), res="m",
                        amounts=(4990, 1250, 8900, 124900, 990, 3450),
                        oid=lambda k: f"{104211 + 13 * k:09d}")
    rows = [["Bestellnummer", "Bestelldatum", "Kunden-Nr", "Total"]]
    for o in orders:
        rows.append([o.oid, o.time.strftime("%d.%m.%Y %H:%M"), o.cust, num(o.total, ".", ",")])
    add(Case(
        "dates", "padded_order_numbers_not_times.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False)),
        "Bestellnummer holds 9-digit zero-padded order numbers (000104211): they are not Unix "
        "seconds. The time is Bestelldatum (dd.mm.yyyy HH:MM); every row is a purchase.",
    ))


dates_files()


# ============================================================================================
# excel: damage done by re-saving in a spreadsheet
# ============================================================================================

SCI_WARN = ("customer ids in spreadsheet scientific notation (E+): they were rounded, so "
            "different customers may have been merged")
ZERO_WARN = ("a zero-padded customer id column lost its leading zeros in part of the file: "
             "'000123' and '123' may be the same customer or not")


def excel_log(name: str, seed: int, header: Sequence[str], cust_text: dict[str, str] |
              Callable[[LogEv, int], str], why: str, *, delim: str = ",", n: int = 30,
              must_warn: Sequence[str] = (), only: Sequence[str] | None = None,
              custs: Sequence[str] | None = None, time_fmt: Callable[[datetime], str] =
              lambda t: t.strftime("%Y-%m-%d %H:%M:%S"), item_text: Callable[[str, int], str] |
              None = None, start: datetime = START_2024_03, res: str = "s") -> None:
    custs = list(custs or cust_text)  # type: ignore[arg-type]
    items = ["4711", "4712", "4720", "4801", "4903"]
    log = build_log(seed, n, custs, items, start, res=res)

    def cust(e: LogEv, i: int) -> str:
        return cust_text(e, i) if callable(cust_text) else cust_text[e.cust]

    rows = [list(header)]
    for i, e in enumerate(log):
        rows.append([cust(e, i), time_fmt(e.time), e.type,
                     item_text(e.item or "", i) if item_text else e.item or "",
                     plain(e.cents) if e.cents is not None else ""])
    add(Case("excel", name, u8(csv_text(rows, delim)),
             expectation(log_recs(log), items=True, only=only), why,
             must_warn=list(must_warn)))


def excel_files() -> None:
    # 13-digit member numbers shortened by Excel: six members, two visible keys
    members = [7012345600011, 7012346100022, 7012347700033, 7019870000044, 7019880000055,
               7019891000066]
    excel_log(
        "member_ids_scientific.csv", 81, ["Member ID", "Visit Time", "Event", "Product ID",
                                           "Amount"],
        {str(m): excel_sci(m) for m in members},
        "Every Member ID (13 digits) was shortened by a spreadsheet to '7.01235E+12' and the "
        "like: three of the six members collapse into one key. The import must say so; whether "
        "the rows are still imported is open, so only lines_read is fixed.",
        must_warn=[SCI_WARN], only=["lines_read"])

    # partly scientific: short ids intact, 14-digit ids rounded (lower-case e)
    ids = ["100234", "100871", "44123456789012", "44123459876543", "44123461112223", "100990"]

    def partly(e: LogEv, i: int) -> str:
        return f"{int(e.cust):.5e}" if len(e.cust) > 11 else e.cust

    excel_log(
        "customer_ids_partly_scientific.csv", 82, ["Customer", "Date", "Event Type", "SKU",
                                                    "Revenue"], partly,
        "Short customer ids are intact, but the 14-digit ones were written as '4.41235e+13' "
        "by a spreadsheet: three different customers became one key. Warn; only lines_read is "
        "fixed.", must_warn=[SCI_WARN], only=["lines_read"], custs=ids)

    # GA4 pseudo ids (1187406391.1672531200) rounded by Excel to 1.18741E+09
    pseudo = ["1187406391.1672531200", "1187412230.1672617600", "1187499999.1672704000",
              "1190023456.1672790400", "1190088812.1672876800"]
    log = build_log(83, 30, pseudo, ["SKU_101", "SKU_102", "SKU_205"], T("2023-01-05"),
                    weights={"page_view": 5, "view_item": 3, "add_to_cart": 2, "purchase": 1})
    rows = [["event_timestamp", "event_name", "user_pseudo_id", "item_id", "value"]]
    for e in log:
        rows.append([str(unix_s(e.time) * 1_000_000 + 123456), e.type,
                     excel_sci(int(float(e.cust))), e.item or "",
                     plain(e.cents) if e.cents is not None else ""])
    add(Case(
        "excel", "ga4_pseudo_ids_scientific.csv", u8(csv_text(rows)),
        {"lines_read": len(log)},
        "A GA4 export opened and saved in Excel: user_pseudo_id values like "
        "1187406391.1672531200 became '1.18741E+09', so two of the five browsers collapse "
        "into one key. Warn; only lines_read is fixed.", must_warn=[SCI_WARN],
    ))

    # zero-padded ids that lost their zeros in the second half of the file
    ids6 = ["000123", "000456", "000789", "001024", "000077"]
    excel_log(
        "customer_ids_zeros_lost_in_part.csv", 84, ["Customer ID", "Event Time", "Event Type",
                                                     "Product ID", "Amount"],
        lambda e, i: e.cust if i < 15 else e.cust.lstrip("0"),
        "Customer IDs are 6-digit zero-padded ('000123') in the first 15 rows and lost their "
        "zeros ('123') in the other 15, the part that went through a spreadsheet. The import "
        "must warn naming the column; only lines_read is fixed.",
        must_warn=[ZERO_WARN], only=["lines_read"], custs=ids6)

    ids8 = ["00012345", "00023456", "00034567", "00045678"]
    excel_log(
        "kundennummer_zeros_lost.csv", 85, ["Kundennummer", "Datum", "Event", "Artikelnummer",
                                             "Amount"],
        lambda e, i: e.cust.lstrip("0") if i % 3 == 0 else e.cust,
        "Kundennummer is 8 digits with leading zeros, except in every third row, where a "
        "spreadsheet dropped them ('12345'). Warn; only lines_read is fixed.", delim=";",
        must_warn=[ZERO_WARN], only=["lines_read"], custs=ids8,
        time_fmt=lambda t: t.strftime("%d.%m.%Y %H:%M:%S"))

    # float-written ids: 13085.0 is 13085, mixed with plain 13085
    ids_f = ["13085", "13078", "15362", "18102", "12682"]
    excel_log(
        "float_written_ids.csv", 86, ["client_id", "date", "event_type", "product_id",
                                       "amount"],
        lambda e, i: e.cust + ".0" if i % 2 else e.cust,
        "Ids written as floats by a spreadsheet or pandas ('13085.0', product '4711.0') in "
        "every other row, plain ('13085') in the rest: they are the same ids, so 5 customers "
        "and 5 items.", custs=ids_f,
        item_text=lambda it, i: it + ".0" if i % 3 == 1 else it)

    # fractional Excel serial times in a column named like a date
    excel_log(
        "excel_serial_datetimes.csv", 87, ["Customer", "Transaction Date", "Type", "Item",
                                           "Amount"],
        {c: c for c in ["C-1001", "C-1002", "C-1003", "C-1004", "C-1005"]},
        "Transaction Date holds Excel serial day numbers with a time fraction (45352.584028 = "
        "2024-03-01 14:01): they are dates in March 2024, not 1970.",
        time_fmt=lambda t: excel_serial(t, 6), res="m")

    # a re-saved order list: integer ids in several columns, serial date
    custs = ["20417", "20533", "20688", "20791"]
    orders = order_list(88, 16, custs, T("2024-02-02 08:00"), res="m",
                        amounts=(4990, 1250, 8900, 12490, 990, 3450),
                        oid=lambda k: str(1234 + k))
    rows = [["Order ID", "Customer ID", "Order Date", "Items", "Total"]]
    for k, o in enumerate(orders):
        rows.append([o.oid, o.cust, excel_serial(o.time, 6), str(1 + k % 3), plain(o.total)])
    add(Case(
        "excel", "orders_resaved_serial_dates.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False)),
        "An order list re-saved from Excel: Order ID, Customer ID and Items are plain integers "
        "and Order Date is an Excel serial (45324.35...). The time is Order Date, in Feb-Mar "
        "2024; each row is one purchase of Total.",
    ))


excel_files()


# ============================================================================================
# customers: customer keys and money columns under other names
# ============================================================================================


def simple_log_case(kind: str, name: str, seed: int, header: Sequence[str], custs: Sequence[str],
                    why: str, *, delim: str = ",", words: dict[str, str] | None = None,
                    weights: dict[str, int] | None = None, money: Callable[[int], str] = plain,
                    time_fmt: Callable[[datetime], str] =
                    lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
                    items: Sequence[str] = ("A-100", "A-200", "B-300", "C-400", "D-500"),
                    n: int = 28, res: str = "s", start: datetime = START_2023_05,
                    encoding: str = "utf-8", item_col: bool = True,
                    type_of: Callable[[LogEv], str | None] | None = None,
                    blank_item: Sequence[str] = ()) -> list[LogEv]:
    """An event log: customer, time, event word, item, amount (in ``header`` order)."""
    log = build_log(seed, n, custs, items, start, weights=weights, res=res)
    for e in log:
        if e.type in blank_item:
            e.item = None
    words = words or {}
    rows = [list(header)]
    for e in log:
        row = [e.cust, time_fmt(e.time), words.get(e.type, e.type)]
        if item_col:
            row.append(e.item or "")
        row.append(money(e.cents) if e.cents is not None else "")
        rows.append(row)
    add(Case(kind, name, csv_text(rows, delim).encode(encoding),
             expectation(log_recs(log, items=item_col, type_of=type_of), items=item_col), why))
    return log


def txn_case(kind: str, name: str, seed: int, header: Sequence[str], custs: Sequence[str],
             why: str, *, delim: str = ",", money: Callable[[int], str] = plain,
             time_fmt: Callable[[datetime], str] = lambda t: t.strftime("%Y-%m-%d %H:%M:%S"),
             cols: str = "ocdm", n: int = 16, start: datetime = START_2023_06,
             encoding: str = "utf-8", res: str = "s") -> None:
    """A transaction log (one paid order per row); ``cols`` orders the o/c/d/m columns."""
    orders = order_list(seed, n, custs, start, res=res,
                        amounts=(4990, 1250, 8900, 12490, 990, 3450, 23900))
    rows = [list(header)]
    for o in orders:
        vals = {"o": o.oid, "c": o.cust, "d": time_fmt(o.time), "m": money(o.total)}
        rows.append([vals[c] for c in cols])
    add(Case(kind, name, csv_text(rows, delim).encode(encoding),
             expectation(order_recs(orders, items=False)), why))


def customers_files() -> None:
    simple_log_case(
        "customers", "email_column_e-mail.csv", 91,
        ["E-mail", "Event Time", "Event", "Product ID", "Value"], emails(PEOPLE_DE[:5]),
        "The customer is the 'E-mail' column (addresses; pseudonymized by default, which does "
        "not change the count); 'Value' is the money column.")
    txn_case(
        "customers", "customer_email_paid_amount.csv", 92,
        ["Order ID", "Customer Email", "Order Date", "Paid Amount"], emails(PEOPLE_EN[:5]),
        "'Customer Email' is the customer and 'Paid Amount' the money; a transaction log, so "
        "every row is a purchase.")
    # buyer usernames on multi-line orders, Net Sales per line
    users = ["vintage_vera", "bargainbob22", "retro.rick", "ella-finds", "maxdeals"]
    orders = build_orders(93, [("paid", "", n) for n in (1, 2, 1, 3, 1, 2, 2, 1, 1, 2)], users,
                          PRODUCTS_EN, T("2023-07-03 09:00"), oid=lambda k: f"23-{10412 + k}-0")
    rows = [["Order Number", "Buyer Username", "Sale Date", "Item Number", "Item Title",
             "Quantity", "Net Sales"]]
    for o in orders:
        for ln in o.lines:
            rows.append([o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"),
                         str(2040000 + PRODUCTS_EN.index(next(p for p in PRODUCTS_EN
                                                               if p[0] == ln.sku))),
                         ln.name, str(ln.qty), plain(ln.total)])
    add(Case("customers", "buyer_username_net_sales.csv", u8(csv_text(rows)),
             expectation(order_recs(orders), items=True),
             "Marketplace sales with 'Buyer Username' as the customer and 'Net Sales' as each "
             "line's amount (quantity already included); every line is a purchase."))
    simple_log_case(
        "customers", "member_name_zh.csv", 94, ["会员名", "时间", "行为", "商品ID", "销售额"],
        ["小鹿乱撞", "tb_果果", "阿木木", "风一样的女子", "zhang_88"],
        "会员名 (member name) is the customer and 销售额 (sales) the money column; 浏览 view, "
        "加购 cart, 收藏 favorite, 购买 purchase.",
        words={"view": "浏览", "cart": "加购", "favorite": "收藏", "purchase": "购买"},
        weights={"view": 5, "cart": 2, "favorite": 1, "purchase": 2})
    txn_case(
        "customers", "customer_number_zh.csv", 95, ["客户编号", "订单号", "日期", "实收金额"],
        ["KH0001", "KH0002", "KH0003", "KH0004", "KH0005"],
        "客户编号 (customer number) is the customer and 实收金额 (amount received) the money; "
        "dates like '2023/6/1 9:05' without zero padding.", cols="codm", res="m",
        time_fmt=lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}")
    txn_case(
        "customers", "buyer_nickname_zh.csv", 96, ["订单编号", "买家昵称", "付款时间", "支付金额"],
        ["小鱼儿", "土豆丝", "点点星", "大白兔"],
        "买家昵称 (buyer nickname) is the customer and 支付金额 (amount paid) the money; "
        "GB18030-encoded like most Chinese seller tools write.", encoding="gb18030")
    txn_case(
        "customers", "kundennummer_value.csv", 97, ["Kundennummer", "Bestellnummer", "Datum",
                                                     "Value"],
        ["40211", "40212", "40213", "40214"],
        "Kundennummer is the customer (German), Value the money; ';' and dd.mm.yyyy.",
        delim=";", cols="codm", res="m", time_fmt=lambda t: t.strftime("%d.%m.%Y %H:%M"))
    txn_case(
        "customers", "n_client_fr.csv", 98, ["N° client", "N° commande", "Date", "Total"],
        ["CL-0007", "CL-0019", "CL-0023", "CL-0031", "CL-0042"],
        "'N° client' is the customer (French back-office); amounts with a decimal comma.",
        delim=";", cols="codm", money=lambda c: num(c, "", ","))
    # RecBole atomic file without an event column
    users = ["196", "186", "22", "244", "166", "298"]
    log = build_log(99, 36, users, ["242", "302", "377", "51", "346", "474", "265"],
                    T("1997-12-04 15:00"), span_days=20, weights={"view": 1})
    rows = [["user_id:token", "item_id:token", "rating:float", "timestamp:float"]]
    rng = random.Random(99)
    for e in log:
        rows.append([e.cust, e.item or "", str(rng.randint(1, 5)), str(unix_s(e.time))])
    recs = log_recs(log, type_of=lambda e: None)
    base = expectation(recs, items=True, types=False, revenue=False)
    with_view = expectation(log_recs(log), items=True, zero_types=("purchase",))
    add(Case(
        "customers", "recbole_ratings.inter", u8(csv_text(rows, "\t")), base,
        "A RecBole atomic file: tab-separated, every header typed ('user_id:token', "
        "'timestamp:float'); the ':type' suffix is dropped when matching names. It has no "
        "event column and no amount, order or quantity: the import must not silently call the "
        "36 lines purchases; it says which event they were given (event counts open).",
        must_warn=["the file has no event column: say which event the lines were given and "
                   "name --default-event"],
        also=[{"file": "recbole_ratings.inter", "flags": ["--default-event", "view"],
               "expect": with_view, "must_warn": [],
               "why": "With --default-event view every line is a view."}],
    ))
    # RecBole file with a typed event column
    log = build_log(100, 32, ["1001", "1002", "1003", "1004", "1005"],
                    ["2268318", "2333346", "4576651", "3576283"], T("2017-11-25 01:00"),
                    span_days=8, weights={"pv": 6, "cart": 2, "fav": 1, "buy": 2})
    canon = {"pv": "view", "cart": "cart", "fav": "favorite", "buy": "purchase"}
    rows = [["user_id:token", "item_id:token", "timestamp:float", "behavior_type:token"]]
    for e in log:
        rows.append([e.cust, e.item or "", f"{unix_s(e.time)}.0", e.type])
    for e in log:
        e.type, e.cents = canon[e.type], None
    recs = [Rec([Ev(e.type, e.cust, e.time, e.item, 0)]) for e in log]
    add(Case(
        "customers", "recbole_behavior_typed.inter", u8(csv_text(rows, "\t")),
        expectation(recs, items=True),
        "RecBole-typed headers with an event column ('behavior_type:token': pv, cart, fav, "
        "buy) and float Unix seconds ('1511572800.0'). No amounts, so revenue is 0."))
    # household key, basket, SALES_VALUE per line
    hh = ["2375", "1364", "1130", "98", "718"]
    orders = build_orders(101, [("paid", "", n) for n in (2, 1, 3, 2, 1, 2, 3, 1, 2, 1)], hh,
                          [(str(1004906 + 37 * i), f"P{i}", u) for i, u in
                           enumerate((139, 82, 299, 399, 125, 250, 189))],
                          T("2023-03-01 09:00"), res="m",
                          oid=lambda k: str(26984851472 + 517 * k))
    rows = [["household_key", "BASKET_ID", "DATE", "PRODUCT_ID", "QUANTITY", "SALES_VALUE",
             "STORE_ID"]]
    for o in orders:
        for ln in o.lines:
            rows.append([o.cust, o.oid, o.time.strftime("%Y-%m-%d %H:%M"), ln.sku, str(ln.qty),
                         plain(ln.total), "364"])
    add(Case("customers", "household_baskets_sales_value.csv", u8(csv_text(rows)),
             expectation(order_recs(orders), items=True),
             "A grocery panel in the Complete Journey style: household_key is the customer, "
             "BASKET_ID the order, SALES_VALUE the line's amount (quantity included). A "
             "transaction log: every line is a purchase."))
    txn_case(
        "customers", "account_spend.csv", 102, ["Account", "Invoice", "Invoice Date", "Spend"],
        ["ACC-1001", "ACC-1002", "ACC-1003", "ACC-1004"],
        "A B2B invoice list: 'Account' is the customer and 'Spend' the money column.",
        cols="codm")


customers_files()


# ============================================================================================
# vocabulary: GA4 event names and German, French, Spanish event words
# ============================================================================================

GA4_CANON = {
    "page_view": "view", "view_item": "view", "view_item_list": "view", "select_item": "view",
    "add_to_cart": "cart", "remove_from_cart": "remove_cart", "add_to_wishlist": "favorite",
    "view_search_results": "search", "purchase": "purchase", "refund": "refund",
    "begin_checkout": None,  # a checkout step: imported, its event type is left open
}


def ga4_log(seed: int, n: int, pseudo: Sequence[str], start: datetime) -> list[LogEv]:
    log = build_log(seed, n, pseudo, ["SKU_101", "SKU_102", "SKU_205", "SKU_311", "SKU_400"],
                    start, span_days=10, weights={
                        "page_view": 6, "view_item_list": 2, "view_item": 5, "select_item": 2,
                        "add_to_cart": 3, "remove_from_cart": 1, "add_to_wishlist": 1,
                        "view_search_results": 2, "begin_checkout": 2, "purchase": 3,
                        "refund": 1})
    for e in log:
        if e.type in ("page_view", "view_search_results", "view_item_list"):
            e.item = None
    return log


def ga4_recs(log: Sequence[LogEv]) -> list[Rec]:
    recs = []
    for e in log:
        cents = {"purchase": e.cents or 0, "refund": -(e.cents or 0)}.get(e.type, 0)
        recs.append(Rec([Ev(GA4_CANON[e.type], e.cust, e.time, e.item, cents)]))
    return recs


def vocabulary_files() -> None:
    pseudo = ["1187406391.1672531200", "2094417712.1672617600", "318220554.1672704000",
              "1733902218.1672790400", "906551203.1672876800", "1444019083.1672963200"]
    log = ga4_log(111, 50, pseudo, T("2023-01-06"))
    rows = [["event_timestamp", "event_name", "user_pseudo_id", "item_id", "search_term",
             "value", "currency"]]
    for e in log:
        us = unix_s(e.time) * 1_000_000 + (unix_s(e.time) % 400_000)
        rows.append([str(us), e.type, e.cust, e.item or "",
                     "linen shirt" if e.type == "view_search_results" else "",
                     plain(e.cents) if e.cents is not None else "",
                     "EUR" if e.cents is not None else ""])
    add(Case(
        "vocabulary", "ga4_events_export.csv", u8(csv_text(rows)),
        expectation(ga4_recs(log), items=True, zero_types=("purchase", "refund", "view",
                                                           "cart", "remove_cart", "favorite",
                                                           "search")),
        "A GA4 event export: event_timestamp in microseconds, user_pseudo_id the customer, "
        "GA4 event names (page_view, view_item_list, view_item, select_item -> view; "
        "add_to_cart -> cart; remove_from_cart -> remove_cart; add_to_wishlist -> favorite; "
        "view_search_results -> search; purchase; refund with a positive value, so a negative "
        "amount). begin_checkout lines are imported, their event type is left open.",
    ))
    log = ga4_log(112, 44, pseudo[:5], T("2023-02-10"))
    rows = [["event_date", "event_timestamp", "event_name", "user_pseudo_id",
             "ecommerce.transaction_id", "items.item_id", "value"]]
    for k, e in enumerate(log):
        rows.append([e.time.strftime("%Y%m%d"), str(unix_s(e.time) * 1_000_000), e.type, e.cust,
                     f"T-{5000 + k}" if e.type in ("purchase", "refund") else "",
                     e.item or "", plain(e.cents) if e.cents is not None else ""])
    add(Case(
        "vocabulary", "ga4_bigquery_flattened.csv", u8(csv_text(rows)),
        expectation(ga4_recs(log), items=True, time_tol=86400),
        "A flattened GA4 BigQuery export with both event_date (YYYYMMDD) and event_timestamp "
        "(microseconds); user_pseudo_id values look like decimal numbers "
        "('1187406391.1672531200') but are ids, not times. Times are checked to within a day.",
    ))
    for name, seed, header, words, delim, why in (
        ("ereignisse_de.csv", 113, ["customer_id", "timestamp", "Aktion", "product_id", "amount"],
         {"view": "Ansicht", "cart": "Warenkorb", "purchase": "Kauf", "search": "Suche"}, ";",
         "German event words: Ansicht (view), Warenkorb (cart), Kauf (purchase), Suche "
         "(search)."),
        ("evenements_fr.csv", 114, ["customer_id", "timestamp", "événement", "product_id",
                                    "amount"],
         {"view": "vue", "cart": "panier", "purchase": "achat", "search": "recherche"}, ";",
         "French event words: vue (view), panier (cart), achat (purchase), recherche "
         "(search)."),
        ("eventos_es.csv", 115, ["customer_id", "timestamp", "evento", "product_id", "amount"],
         {"view": "vista", "cart": "carrito", "purchase": "compra", "search": "búsqueda"}, ",",
         "Spanish event words: vista (view), carrito (cart), compra (purchase), búsqueda "
         "(search)."),
    ):
        simple_log_case(
            "vocabulary", name, seed, header, [f"U{71 + 3 * i}" for i in range(5)], why,
            delim=delim, words=words, weights={"view": 6, "cart": 3, "purchase": 2, "search": 1},
            n=32)


vocabulary_files()


# ============================================================================================
# no_event: no silent "every row is a purchase"
# ============================================================================================


def no_event_files() -> None:
    for name, seed, header, delim, tfmt in (
        ("page_visits.csv", 121, ["visitor_id", "visited_at", "product_id", "category"], ",",
         lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
        ("product_impressions.tsv", 122, ["customer", "timestamp", "item", "category"], "\t",
         lambda t: str(unix_s(t))),
    ):
        custs = [f"v{1000 + 17 * i}" for i in range(6)]
        cats = {"p-11": "shoes", "p-12": "shoes", "p-20": "bags", "p-31": "hats", "p-42": "bags"}
        log = build_log(seed, 34, custs, list(cats), T("2023-09-01"), weights={"view": 1})
        rows = [list(header)] + [[e.cust, tfmt(e.time), e.item or "", cats[e.item or ""]]
                                 for e in log]
        base = expectation(log_recs(log, type_of=lambda e: None), items=True, types=False,
                           revenue=False)
        views = expectation(log_recs(log), items=True, zero_types=("purchase",))
        add(Case(
            "no_event", name, u8(csv_text(rows, delim)), base,
            "A browsing log with customer, time, product and category, and no event column, "
            "amount, order or quantity. Making all lines purchases silently is wrong: the "
            "import must say which event it gave them and how to choose (event counts open).",
            must_warn=["no event column and no amounts or orders: say which event the lines "
                       "were given and name --default-event"],
            also=[{"file": name, "flags": ["--default-event", "view"], "expect": views,
                   "must_warn": [], "why": "With --default-event view all lines are views."}],
        ))
    txn_case(
        "no_event", "transaction_log_orders.csv", 123,
        ["order_id", "customer_id", "created_at", "amount"], ["501", "502", "503", "504", "505"],
        "Order ids and amounts, no event column: a transaction log, every row a purchase (no "
        "warning needed).")
    custs = ["501", "502", "503", "504"]
    log = build_log(124, 22, custs, ["SKU-1", "SKU-2", "SKU-3"], T("2023-10-01"),
                    weights={"purchase": 1})
    qty = random.Random(124)
    rows = [["customer_id", "date", "sku", "quantity"]]
    for e in log:
        rows.append([e.cust, e.time.strftime("%Y-%m-%d %H:%M:%S"), e.item or "",
                     str(qty.randint(1, 4))])
    recs = [Rec([Ev("purchase", e.cust, e.time, e.item, 0)]) for e in log]
    add(Case(
        "no_event", "transaction_log_quantities.csv", u8(csv_text(rows)),
        expectation(recs, items=True),
        "Quantities but no event column and no amounts: a transaction log, every row a "
        "purchase; revenue 0 (no prices)."))
    # an event column whose words are not known
    custs = ["u1", "u2", "u3", "u4", "u5"]
    log = build_log(125, 30, custs, ["i-1", "i-2", "i-3", "i-4"], T("2023-11-01"),
                    weights={"impr": 5, "dwell": 3, "zoomin": 2})
    rows = [["user_id", "timestamp", "event", "item_id"]]
    for e in log:
        rows.append([e.cust, e.time.strftime("%Y-%m-%dT%H:%M:%SZ"), e.type, e.item or ""])
    canon = {"impr": "view", "dwell": "view", "zoomin": "click"}
    recs = [Rec([Ev(canon[e.type], e.cust, e.time, e.item, 0)]) for e in log]
    flags = ["--event", "impr=view", "--event", "dwell=view", "--event", "zoomin=click"]
    add(Case(
        "no_event", "unknown_event_words.csv", u8(csv_text(rows)),
        expectation(recs, items=True, zero_types=("purchase",)),
        "An event column whose words (impr, dwell, zoomin) are not in any vocabulary, mapped "
        "with --event: 30 lines, views and clicks as stated.", flags=flags,
        also=[{"file": "unknown_event_words.csv", "flags": [], "exit": 2, "expect": {},
               "must_warn": [],
               "why": "Without --event the words are unknown: issue 7 says the CLI stops with "
                      "one sentence naming --event RAW=EVENT or --default-event (exit 2), "
                      "instead of importing 30 lines as 'other' or purchases."}],
    ))


no_event_files()


# ============================================================================================
# layouts: delimiters, whitespace alignment, notes, totals, repeated headers
# ============================================================================================


def layout_orders(seed: int, n: int = 16, custs: Sequence[str] | None = None,
                  start: datetime = START_2023_03_8H, res: str = "s") -> list[Order]:
    custs = custs or ["Ava Moss", "Ben Oak", "Cleo Reed", "Dan Lark", "Eva Fern"]
    return order_list(seed, n, custs, start, res=res,
                      amounts=(4990, 1250, 8900, 12490, 990, 3450, 123450))


def layouts_files() -> None:
    # CDNOW-style: headerless, whitespace-aligned, leading space
    rng = random.Random(131)
    ids = [f"{i:05d}" for i in (1, 2, 3, 4, 5, 6, 7, 8)]
    recs, lines = [], []
    day = T("1997-01-01")
    for k in range(30):
        day = day + timedelta(days=rng.choice([0, 1, 2, 3, 5]))
        cid = ids[k % len(ids)] if k < len(ids) else rng.choice(ids)
        qty = rng.randint(1, 4)
        cents = qty * rng.choice([1177, 1299, 1536, 999, 2399])
        lines.append(f" {cid} {day:%Y%m%d} {qty:>2} {num(cents):>7}")
        recs.append(Rec([Ev("purchase", cid, day, None, cents)]))
    add(Case(
        "layouts", "cdnow_master.txt", u8("\n".join(lines) + "\n"), expectation(recs),
        "CDNOW-style purchase log: no header, columns aligned with runs of spaces and a "
        "leading space (' 00001 19970101  1   11.77'). Whitespace is the delimiter; with the "
        "columns named on the command line every line is a purchase of its dollar amount on "
        "its YYYYMMDD date.",
        flags=["--map", "customer=1", "--map", "time=2", "--map", "quantity=3", "--map",
               "amount=4"],
    ))
    # SAS PROC PRINT-like listing with a header
    rng = random.Random(132)
    out = [f"{'Obs':>4}{'customer_id':>14}{'order_date':>14}{'quantity':>11}{'amount':>10}"]
    recs = []
    day = T("1997-02-03")
    for k in range(26):
        day = day + timedelta(days=rng.choice([0, 1, 2, 4]))
        cid = ids[k % 6] if k < 6 else rng.choice(ids[:6])
        qty = rng.randint(1, 3)
        cents = qty * rng.choice([1177, 1299, 1536, 999, 2399])
        date = f"{day:%Y-%m-%d}"
        out.append(f"{k + 1:>4}{cid:>14}{date:>14}{qty:>11}{num(cents):>10}")
        recs.append(Rec([Ev("purchase", cid, day, None, cents)]))
    add(Case(
        "layouts", "sas_listing.txt", u8("\n".join(out) + "\n"), expectation(recs),
        "A report listing as SAS or R print it: a header, right-aligned columns separated by "
        "runs of spaces, a leading space, and an 'Obs' row-number column. Whitespace is the "
        "delimiter; every row is a purchase (customer_id, order_date, quantity, amount).",
    ))

    # notes above the header (comma)
    orders = layout_orders(133)
    rows = [["order_id", "customer", "order_date", "amount"]] + [
        [o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), plain(o.total)] for o in orders]
    text = ("Sales report - Northwind online shop\n"
            "Generated 2023-04-01 08:00 by admin@example.test\n"
            "Period: March 2023\n\n" + csv_text(rows))
    add(Case(
        "layouts", "notes_above_header.csv", u8(text),
        expectation(order_recs(orders, items=False), junk=True),
        "Three lines of notes and a blank line above the header. They are skipped or rejected "
        "with a reason (so lines_read/rejected are open); all 16 order rows import as "
        "purchases.",
    ))
    # notes padded with delimiters, German ';'
    orders = layout_orders(134, custs=["K-501", "K-502", "K-503", "K-504"], res="m")
    rows = [["Bericht", "Bestellungen März 2023", "", ""], ["Erstellt am", "01.04.2023", "", ""],
            ["", "", "", ""], ["Bestellnr", "Kunden-Nr", "Datum", "Total"]] + [
        [o.oid, o.cust, o.time.strftime("%d.%m.%Y %H:%M"), num(o.total, ".", ",")]
        for o in orders]
    add(Case(
        "layouts", "notes_above_header_semicolon.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False), junk=True),
        "A German report saved from Excel: two note lines padded with ';' to the table's width "
        "and an empty ';;;' line above the real header (Bestellnr;Kunden-Nr;Datum;Total). The "
        "notes are not data; all 16 rows import as purchases.",
    ))
    # totals row at the bottom, label in the order column
    orders = layout_orders(135)
    total = sum(o.total for o in orders)
    rows = [["order_id", "customer", "order_date", "amount"]] + [
        [o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), plain(o.total)] for o in orders]
    rows.append(["TOTAL", "", "", plain(total)])
    add(Case(
        "layouts", "totals_row_bottom.csv", u8(csv_text(rows)),
        expectation(order_recs(orders, items=False), junk=True),
        "A 'TOTAL' row at the bottom repeats the sum of all amounts. It is not an event "
        "(rejected with a reason or skipped): exactly 16 purchases and the revenue once.",
    ))
    # totals row with the label in the customer column, after a blank ';;;' line
    orders = layout_orders(136, custs=["Jonas Becker", "Lena Schäfer", "Paul Wagner",
                                       "Mia Krüger"], res="m")
    total = sum(o.total for o in orders)
    rows = [["Kunde", "order_date", "order_id", "total"]] + [
        [o.cust, o.time.strftime("%d.%m.%Y %H:%M"), o.oid, num(o.total, ".", ",")]
        for o in orders]
    rows += [["", "", "", ""], ["Gesamt", "", "", num(total, ".", ",")]]
    add(Case(
        "layouts", "totals_row_label_in_customer.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False), junk=True),
        "An empty ';;;' line and a 'Gesamt' (total) row at the bottom, its label in the "
        "customer column and its sum in the amount column: not an event. Exactly 16 purchases "
        "and the revenue once.",
    ))
    # repeated header lines (comma)
    custs = ["311", "312", "313", "314", "315"]
    log = build_log(137, 36, custs, ["A-1", "A-2", "B-3", "C-4"], T("2023-01-03"),
                    span_days=85)
    head = ["user_id", "event_time", "event_type", "product_id", "price"]
    body = [[e.cust, e.time.strftime("%Y-%m-%d %H:%M:%S"), e.type, e.item or "",
             plain(e.cents) if e.cents is not None else ""] for e in log]
    text = (csv_text([head] + body[:12]) + csv_text([head] + body[12:25])
            + csv_text([head] + body[25:]))
    add(Case(
        "layouts", "repeated_headers.csv", u8(text),
        expectation(log_recs(log), items=True, junk=True),
        "Three monthly exports joined: the header line appears again before the 2nd and 3rd "
        "part. The repeated headers are skipped or rejected as repeated headers; all 36 data "
        "rows import.",
    ))
    log = build_log(138, 30, custs, ["A-1", "A-2", "B-3", "C-4"], T("2023-04-03"),
                    span_days=85)
    head = ["Customer ID", "Event Time", "Event", "Product", "Amount"]
    body = [[e.cust, e.time.strftime("%d.%m.%Y %H:%M:%S"), e.type, e.item or "",
             num(e.cents, "", ",") if e.cents is not None else ""] for e in log]
    parts = [body[:10], body[10:21], body[21:]]
    data = b"".join(b"\xef\xbb\xbf" + u8(csv_text([head] + p, ";", crlf=True)) for p in parts)
    add(Case(
        "layouts", "repeated_headers_bom_semicolon.csv", data,
        expectation(log_recs(log), items=True, junk=True),
        "Three Excel 'CSV UTF-8' files joined: each part starts with a byte-order mark and its "
        "header line, ';'-separated with CRLF and decimal commas. All 30 data rows import.",
    ))
    # tab, pipe
    for name, seed, delim in (("tab_separated.tsv", 139, "\t"), ("pipe_separated.txt", 140, "|")):
        log = build_log(seed, 28, custs, ["A-1", "A-2", "B-3", "C-4"], T("2023-02-01"))
        rows = [["customer_id", "timestamp", "event", "item_id", "revenue"]] + [
            [e.cust, e.time.strftime("%Y-%m-%d %H:%M:%S"), e.type, e.item or "",
             plain(e.cents) if e.cents is not None else ""] for e in log]
        add(Case(
            "layouts", name, u8(csv_text(rows, delim)), expectation(log_recs(log), items=True),
            f"A {'tab' if delim == chr(9) else 'pipe'}-separated event log: "
            f"{repr(delim)} is the delimiter."))
    # ';' with quoted fields holding ';' and line breaks
    orders = layout_orders(141, n=14)
    notes = ["", "Bitte klingeln; Hintereingang", "", "Geschenk\nbitte einpacken", "",
             "Lieferung \"nach 18 Uhr\"", ""]
    rows = [["order_id", "customer", "order_date", "amount", "comment"]] + [
        [o.oid, o.cust, o.time.strftime("%Y-%m-%d %H:%M:%S"), num(o.total, "", ","),
         notes[k % len(notes)]] for k, o in enumerate(orders)]
    add(Case(
        "layouts", "semicolon_quoted_multiline.csv", u8(csv_text(rows, ";")),
        expectation(order_recs(orders, items=False)),
        "';'-separated with quoted comments that hold ';', doubled quotes and line breaks: "
        "each quoted record is one line read; every row is a purchase.",
    ))


layouts_files()


# ============================================================================================
# Writing
# ============================================================================================


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    names: set[tuple[str, str]] = set()
    for case in CASES:
        assert case.kind in KINDS, case.kind
        stem = case.name.rsplit(".", 1)[0]
        assert (case.kind, stem) not in names, f"two cases named {case.kind}/{stem}"
        names.add((case.kind, stem))
        folder = OUT / case.kind
        folder.mkdir(parents=True, exist_ok=True)
        (folder / case.name).write_bytes(case.content)
        spec: dict[str, Any] = {"file": case.name, "flags": case.flags}
        if case.exit is not None:
            spec["exit"] = case.exit
        spec.update({"expect": case.expect, "must_warn": case.must_warn, "why": case.why})
        if case.also:
            spec["also"] = case.also
        (folder / f"{stem}.expected.json").write_text(
            json.dumps(spec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    counts = Counter(c.kind for c in CASES)
    print(f"{len(CASES)} files in {len(counts)} kinds ({total / 1024:.0f} KiB): "
          + ", ".join(f"{k} {counts[k]}" for k in KINDS))


if __name__ == "__main__":
    main()
