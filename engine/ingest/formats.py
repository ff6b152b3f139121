"""Known export formats, column names and event words, in English and Chinese.

A ``Mapping`` says which source column feeds each canonical field (engine/events.py FIELDS)
and which canonical event each raw event word becomes. Known formats are recognised without
questions; any other file gets a proposed mapping from its column names and contents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from engine.events import EVENT_TYPES

REQUIRED_FIELDS = ("customer", "time")


def normalize_name(name: str) -> str:
    """Lower-case a column name and drop spaces, underscores and punctuation."""
    return re.sub(r"[\s_\-./()#:：（）]+", "", name.strip().lower().lstrip("\ufeff"))


#: Field -> column names that mean it, most specific first.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": (
        "customerid", "customer", "userid", "user", "visitorid", "visitor", "memberid", "member",
        "clientid", "client", "buyerid", "buyer", "accountid", "shopperid",
        "客户id", "客户", "客户编号", "用户id", "用户", "会员id", "会员", "顾客", "买家",
    ),
    "time": (
        "eventtime", "timestamp", "time", "datetime", "invoicedate", "orderdate", "date",
        "createdat", "ts", "eventdate", "时间", "日期", "行为时间", "下单时间", "时间戳", "发生时间",
    ),
    "event": (
        "eventtype", "event", "behaviortype", "behaviourtype", "behavior", "behaviour", "action",
        "type", "行为类型", "行为", "事件", "事件类型", "类型",
    ),
    "item": (
        "productid", "itemid", "item", "product", "sku", "stockcode", "aid", "articleid",
        "商品id", "商品", "商品编号", "产品", "产品id", "货号",
    ),
    "category": (
        "categorycode", "category", "categoryid", "categoryname", "cat", "department",
        "类目", "类目id", "类别", "品类", "分类",
    ),
    "name": (
        "productname", "itemname", "name", "description", "title",
        "商品名称", "名称", "商品名", "品名",
    ),
    "price": ("unitprice", "price", "单价", "价格", "售价"),
    "quantity": ("quantity", "qty", "count", "units", "数量", "件数"),
    "amount": (
        "amount", "total", "linetotal", "revenue", "sales", "value", "金额", "总价", "实付金额", "实付",
    ),
    "session": (
        "sessionid", "session", "usersession", "invoiceno", "invoice", "orderid", "order",
        "transactionid", "会话", "会话id", "订单号", "订单id",
    ),
    "query": ("searchquery", "query", "search", "keyword", "keywords", "searchterm", "搜索词", "关键词"),
}

KNOWN_COLUMN_NAMES: set[str] = {n for names in COLUMN_SYNONYMS.values() for n in names}

#: Raw event word (normalized) -> canonical event.
EVENT_WORDS: dict[str, str] = {}
for _event, _words in {
    "view": ("view", "views", "pv", "pageview", "detail", "productview", "浏览", "查看", "访问"),
    "click": ("click", "clicks", "点击"),
    "search": ("search", "searches", "query", "搜索"),
    "cart": (
        "cart", "carts", "addtocart", "addcart", "cartadd", "加购", "加入购物车", "购物车",
    ),
    "remove_cart": ("removefromcart", "removecart", "cartremove", "移除购物车", "删除购物车"),
    "favorite": ("fav", "favorite", "favourite", "wishlist", "收藏"),
    "purchase": (
        "buy", "purchase", "purchases", "order", "orders", "transaction", "checkout", "paid",
        "pay", "sale", "购买", "下单", "支付", "成交", "付款",
    ),
    "refund": ("refund", "return", "returned", "cancel", "cancellation", "退款", "退货"),
    "like": ("like", "likes", "点赞"),
    "comment": ("comment", "review", "评论", "评价"),
    "share": ("share", "分享"),
    "other": ("other", "其他"),
}.items():
    for _w in _words:
        EVENT_WORDS[_w] = _event
for _e in EVENT_TYPES:
    EVENT_WORDS.setdefault(normalize_name(_e), _e)


def canonical_event(raw: str) -> str | None:
    """The canonical event a raw word means, or None when unknown."""
    return EVENT_WORDS.get(normalize_name(raw))


@dataclass(frozen=True)
class Mapping:
    """Which source column feeds each field, and how raw event words map."""

    columns: dict[str, int]  # field -> column index
    events: dict[str, str] = field(default_factory=dict)  # raw word -> canonical event
    default_event: str = "purchase"  # when no event column: a transaction log
    time_format: str | None = None
    refund_prefix: str | None = None  # a session value starting with this means a refund (UCI)
    category_fallback: int | None = None  # column used when the category column is empty

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


def propose_columns(header: Sequence[str], rows: list[list[str]]) -> Proposal:
    """Map fields to columns by name; for headerless files, by what the values look like."""
    from engine.ingest.timeparse import detect_time_format

    normalized = [normalize_name(h) for h in header]
    columns: dict[str, int] = {}
    ambiguous: dict[str, list[int]] = {}
    used: set[int] = set()
    for fld, names in COLUMN_SYNONYMS.items():
        best_rank, cands = len(names), []
        for i, n in enumerate(normalized):
            if i in used or n not in names:
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
