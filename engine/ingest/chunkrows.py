"""The records of one chunk checked and read: which lines are rejected and why, then the times,
events, amounts, order statuses and refunds of the kept ones.

``chunks.prepare_chunk`` runs this on the import's second thread; the keys and columns the kept
rows store are made in ``chunkcolumns``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from engine.ingest import reader as rd
from engine.ingest.chunkcolumns import check_ids, fill_keys_and_columns
from engine.ingest.formats import Mapping, canonical_event, status_meaning
from engine.ingest.numbers import MAX_NUMBER, PLAIN_NUMBERS, read_numbers
from engine.ingest.prepared import ChunkContext, PreparedChunk, reason_text
from engine.ingest.timeparse import describe_format, is_missing, parse_times

_TOTALS = re.compile(
    r"(grand\s*)?totals?\s*:?|sum|summe|gesamt\w*|total\s+g[ée]n[ée]ral|totaux|合计|总计|总和",
    re.IGNORECASE,
)


def _text(values: pd.Series) -> pd.Series:
    # Arrow-backed strings: strip and compare run in C++, not per Python object.
    text = values.astype("string[pyarrow]").str.strip()
    return text.where(text != "", pd.NA)


def _series(values: Any) -> pd.Series:
    """A column of text values (an Arrow array or a tuple of str) as a pandas Series."""
    if isinstance(values, pa.Array):
        return pd.Series(pd.arrays.ArrowStringArray(values))
    return pd.Series(values, dtype="object")


def _drop_float_suffix(keys: pd.Series) -> pd.Series:
    """Spreadsheets turn ids into floats ("17850.0"); the shop's id is "17850"."""
    if not keys.str.endswith(".0").fillna(False).any():  # the common case, cheaply
        return keys
    floaty = keys.str.fullmatch(r"\d+\.0").fillna(False)
    if not floaty.any():
        return keys
    return keys.where(~floaty, keys.str.slice(0, -2))


def prepare_rows(
    chunk: rd.Chunk,
    ncols: int,
    mapping: Mapping,
    key: bytes,
    ctx: ChunkContext,
    p: PreparedChunk,
    pending: list[tuple[int, str]],
) -> None:
    """Check the records of ``chunk`` and fill ``p`` with the kept ones (see
    ``chunks.prepare_chunk``); each rejected record goes to ``pending`` with its reason."""
    rows = chunk.rows

    def reject(i: int, kind_: str, **kw: Any) -> None:
        pending.append((i, reason_text(kind_, **kw)))
        p.reasons[kind_] += 1

    good: list[int] = []
    if chunk.arrow_columns is not None:
        good = list(range(len(chunk)))
    for i, row in enumerate(rows):
        n = len(row)
        if n == ncols:
            good.append(i)
        elif n == 0 or (n == 1 and not row[0].strip()):
            reject(i, "empty_line")
        elif row == ["\x00json"]:
            reject(i, "bad_json")
        elif n < ncols and chunk.ends_without_newline(i):
            reject(i, "cut_off_line", found=n, expected=ncols)
        else:
            reject(i, "wrong_column_count", found=n, expected=ncols)
    if not good:
        return
    cols: list[Any]
    if chunk.arrow_columns is not None:
        cols = chunk.arrow_columns
        n_good = len(chunk)
    else:
        good_rows = [rows[i] for i in good] if len(good) != len(rows) else rows
        cols = list(zip(*good_rows, strict=True))
        n_good = len(good_rows)
    idx = np.asarray(good)
    header = ctx.header
    texts: dict[int, pd.Series] = {}

    def text_at(ci: int) -> pd.Series:
        if ci not in texts:
            texts[ci] = _text(_series(cols[ci]))
        return texts[ci]

    def text_column(fld: str) -> pd.Series | None:
        ci = mapping.columns.get(fld)
        return None if ci is None else text_at(ci)

    def colname(fld: str) -> str:
        ci = mapping.columns.get(fld)
        return header[ci] if ci is not None and ci < len(header) else fld

    # A header line repeated in the middle of the file (files joined end to end).
    repeated = np.zeros(n_good, dtype=bool)
    if header:
        repeated[:] = True
        for fld in ("customer", "time"):
            ci = mapping.columns.get(fld)
            if ci is not None:
                title = header[ci].strip().lstrip("\ufeff")
                vals = text_at(ci)
                same = (vals == title) | (vals == "\ufeff" + title)
                repeated &= same.fillna(False).to_numpy(dtype=bool)

    # Order exports: the order's own values on its first line only are carried down.
    first_line = np.ones(n_good, dtype=bool)
    order_ci = mapping.columns.get("session")
    if ctx.filler is not None and order_ci is not None and (
        mapping.filldown or mapping.order_level
    ):
        orders = text_at(order_ci)
        if repeated.any():
            orders = orders.where(~pd.Series(repeated), pd.NA)
        mapped = set(mapping.columns.values())
        wanted = {c: text_at(c) for c in ctx.filler.filldown if c in mapped}
        first_line, filled = ctx.filler.fill(orders, wanted)
        texts.update(filled)

    customer_col = text_column("customer")
    time_ci = mapping.columns.get("time")
    assert customer_col is not None and time_ci is not None
    assert mapping.time_format is not None
    customers = _drop_float_suffix(customer_col)
    times = parse_times(text_at(time_ci).fillna(""), mapping.time_format)
    bad_customer = customers.isna().to_numpy() & ~repeated
    bad_time = is_missing(times) & ~bad_customer & ~repeated

    raw_events = text_column("event")
    if raw_events is not None:
        lookup: dict[str, str] = {}
        codes, words = pd.factorize(raw_events)  # a few distinct words, many lines
        # Lines of data per word: a repeated header's column name is no event word.
        lines_of = np.bincount(codes[(codes >= 0) & ~repeated], minlength=len(words))
        for at, word in enumerate(words):
            canon = mapping.events.get(word)
            known = canon is not None
            if canon is None:
                canon = canonical_event(word) or "other"
            if lines_of[at]:
                if not known:
                    p.seen_events.setdefault(word, canon)
                if word in mapping.unknown_words or (
                    not known and canonical_event(word) is None
                ):
                    k = ("unknown_event", colname("event"))
                    p.warn[k] += int(lines_of[at])
                    p.warn_example.setdefault(k, str(word))
            lookup[word] = canon
        # Code -1 (no word) takes the last entry: None.
        events = pd.Series(np.array([*lookup.values(), None], dtype=object)[codes])
        bad_event = events.isna().to_numpy() & ~bad_customer & ~bad_time & ~repeated
        raw_event_vals: pd.Series = raw_events
    else:
        events = pd.Series([mapping.default_event] * n_good, dtype="object")
        bad_event = np.zeros(n_good, dtype=bool)
        raw_event_vals = pd.Series([None] * n_good, dtype="object")

    for j in np.flatnonzero(repeated):
        reject(int(idx[j]), "repeated_header")

    def cell(ci: int, j: int) -> str:
        value = cols[ci][j]
        return str(value.as_py() if isinstance(value, pa.Scalar) else value).strip()

    def totals_row(j: int) -> bool:
        """A r_at such as "Total;;;1 234,50" at the bottom of a report."""
        return any(_TOTALS.fullmatch(cell(c, j)) for c in range(min(3, ncols)) if cell(c, j))

    for r_at in np.flatnonzero(bad_customer).tolist():
        reject(int(idx[r_at]), "totals_row" if totals_row(r_at) else "missing_customer")
    time_words = describe_format(mapping.time_format)
    for r_at in np.flatnonzero(bad_time).tolist():
        if totals_row(r_at):
            reject(int(idx[r_at]), "totals_row")
        else:
            reject(int(idx[r_at]), "bad_time", value=cell(time_ci, r_at), fmt=time_words)
    for j in np.flatnonzero(bad_event):
        reject(int(idx[j]), "missing_event")
    taken = bad_customer | bad_time | bad_event | repeated
    numbers = _read_number_columns(mapping, text_at, taken, idx, colname, reject)
    keep = ~(taken | numbers.too_large)
    if key:
        p.seen_customers = set(customers.dropna().unique().tolist())
    n = int(keep.sum())
    if n == 0:
        return

    def sel(s: pd.Series) -> pd.Series:
        return s[keep].reset_index(drop=True)

    def opt(fld: str) -> pd.Series | None:
        values = text_column(fld)
        return None if values is None else sel(values)

    def num(fld: str) -> npt.NDArray[np.float64]:
        ci = mapping.columns.get(fld)
        if ci is None or fld not in numbers.values:
            return np.full(n, np.nan)
        values, unreadable = numbers.values[fld][keep], numbers.unreadable[fld][keep]
        if unreadable.any():
            k = ("unreadable_number", colname(fld))
            p.warn[k] += int(unreadable.sum())
            first_bad = int(np.flatnonzero(unreadable)[0])
            p.warn_example.setdefault(k, str(text_at(ci)[keep].iloc[first_bad]))
        return np.array(values, dtype=np.float64)

    customers = sel(customers)
    times = times[keep]
    first_line = first_line[keep]
    events = sel(events)
    raw_event_vals = sel(raw_event_vals)
    session = opt("session")
    item = opt("item")
    if item is not None:
        item = _drop_float_suffix(item)
    category = opt("category")
    if mapping.category_fallback is not None:
        fallback = sel(_text(_series(cols[mapping.category_fallback])))
        category = fallback if category is None else category.fillna(fallback)
    name = opt("name")
    query = opt("query")
    price = num("price")
    quantity = num("quantity")
    amount_given = num("amount")
    refund_given = num("refund_amount")
    status = opt("status")
    cancelled = opt("cancelled_at")
    check_ids(p, customers, colname("customer"))
    p.id_column = colname("customer")
    future = int((times > ctx.now_ms + 2 * 86_400_000).sum()) if ctx.now_ms else 0
    if future:
        p.warn[("time_future", colname("time"))] += future

    ev = events.to_numpy(dtype=object).copy()
    if "amount" in mapping.columns and mapping.columns["amount"] in mapping.order_level:
        # An order total with nothing per line: counted once, on the order's first line.
        amount_given = np.where(first_line, amount_given, np.nan)
    # Revenue: the amount, else price x quantity (a missing quantity counts as one piece). The
    # lines whose product is too large were rejected above, so no sum here can overflow.
    amount = np.where(
        np.isnan(amount_given), price * np.where(np.isnan(quantity), 1.0, quantity),
        amount_given,
    )
    if mapping.refund_prefix and session is not None:
        marked = session.fillna("").str.startswith(mapping.refund_prefix).to_numpy(dtype=bool)
        ev = np.where(marked & (ev == "purchase"), "refund", ev)
    # A purchase line with a negative quantity or amount is a return.
    negative = (np.nan_to_num(quantity) < 0) | (np.nan_to_num(amount_given) < 0)
    ev = np.where(negative & (ev == "purchase"), "refund", ev)

    # Order status: what each purchase line really was (paid, refunded, cancelled, unpaid).
    refund_all = np.zeros(n, dtype=bool)
    if status is not None:
        words = status.fillna("")
        table = {
            w: _status_event(str(w), mapping, p, colname("status"), int((words == w).sum()))
            for w in words.unique()
        }
        meaning_arr = words.map(table).to_numpy(dtype=object)
        purchase_like = ev == "purchase"
        refund_all = purchase_like & (meaning_arr == "refund")
        changed = purchase_like & (meaning_arr != "purchase") & (meaning_arr != "refund")
        ev = np.where(changed, meaning_arr, ev)
        raw_event_vals = raw_event_vals.where(
            ~pd.Series(purchase_like & (words != "").to_numpy()), words
        )
    if cancelled is not None:
        was_cancelled = cancelled.notna().to_numpy() & (ev == "purchase") & ~refund_all
        ev = np.where(was_cancelled, "other", ev)
        raw_event_vals = raw_event_vals.where(~pd.Series(was_cancelled), "cancelled")
    # Refunded amounts: the order was paid (a purchase), then this much was given back.
    refund_amt = np.abs(refund_given)
    if "refund_amount" in mapping.columns and mapping.columns["refund_amount"] in (
        mapping.order_level
    ):
        refund_amt = np.where(first_line, refund_amt, np.nan)
    has_refund = np.nan_to_num(refund_amt) > 0
    paid_back = has_refund & ((ev == "other") | (ev == "purchase"))
    ev = np.where(paid_back, "purchase", ev)
    refund_all &= ~has_refund
    order_refund = paid_back & ~refund_all

    is_purchase = ev == "purchase"
    is_refund = ev == "refund"
    amount = np.where(is_refund, -np.abs(amount), amount)
    amount = np.where(is_purchase | is_refund, amount, np.nan)

    # One more event for each refund: the refunded line's amount, or the refunded amount.
    extra = np.flatnonzero(refund_all | order_refund)
    if len(extra):
        take = np.concatenate([np.arange(n), extra])
        tail = slice(n, None)
        extra_amount = np.where(
            order_refund[extra], -refund_amt[extra], -np.abs(amount[extra])
        )

        def grow(s: pd.Series | None) -> pd.Series | None:
            return None if s is None else s.iloc[take].reset_index(drop=True)

        whole_order = order_refund[extra]
        customers, session, category, name, query = (
            grow(customers), grow(session), grow(category), grow(name), grow(query)
        )
        assert customers is not None
        raw_event_vals = raw_event_vals.iloc[take].reset_index(drop=True)
        if item is not None:
            item = item.iloc[take].reset_index(drop=True)
            item.iloc[n:] = item.iloc[n:].where(~whole_order, pd.NA)
        times = times[take]
        price, quantity = price[take], quantity[take]
        price[tail] = np.where(whole_order, np.nan, price[tail])
        quantity[tail] = np.where(whole_order, np.nan, quantity[tail])
        amount = np.concatenate([amount, extra_amount])
        ev = np.concatenate([ev, np.full(len(extra), "refund", dtype=object)])

    fill_keys_and_columns(
        p, mapping, key, n, customers=customers, times=times, ev=ev, item=item, price=price,
        quantity=quantity, amount=amount, raw_event_vals=raw_event_vals, session=session,
        category=category, name=name, query=query,
    )


#: The number columns of a line, each read once per chunk.
NUMBER_FIELDS = ("price", "quantity", "amount", "refund_amount")


@dataclass
class _Numbers:
    """The number columns of a chunk's records, read: values (NaN where empty, unreadable or
    too large), which cells are unreadable, and which records are rejected for a number too
    large to be real."""

    values: dict[str, npt.NDArray[np.float64]]
    unreadable: dict[str, npt.NDArray[np.bool_]]
    too_large: npt.NDArray[np.bool_]


def _shown(value: object) -> str:
    text = "" if value is None or value is pd.NA else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _read_number_columns(
    mapping: Mapping,
    text_at: Callable[[int], pd.Series],
    taken: npt.NDArray[np.bool_],
    idx: npt.NDArray[np.intp],
    colname: Callable[[str], str],
    reject: Callable[..., None],
) -> _Numbers:
    """Read the price, quantity, amount and refund columns, and reject each record (not
    ``taken`` by another reason) holding a number no shop's line can hold: beyond
    ``MAX_NUMBER`` or infinite however written, or a price times quantity beyond it. Such a
    value cannot be summed or reported, so its line is left out with the reason, never
    stored."""
    out = _Numbers({}, {}, np.zeros(len(taken), dtype=bool))
    for fld in NUMBER_FIELDS:
        ci = mapping.columns.get(fld)
        if ci is None:
            continue
        text = text_at(ci)
        form = mapping.number_forms.get(ci) or PLAIN_NUMBERS
        values, unreadable, too_large = read_numbers(text.reset_index(drop=True), form)
        out.values[fld], out.unreadable[fld] = values, unreadable
        for j in np.flatnonzero(too_large & ~taken & ~out.too_large).tolist():
            value = _shown(text.iloc[j])
            reject(int(idx[j]), "number_too_large", value=value, column=colname(fld))
        out.too_large |= too_large & ~taken
    if "price" in out.values and "quantity" in out.values:
        price_ci, quantity_ci = mapping.columns["price"], mapping.columns["quantity"]
        with np.errstate(over="ignore", invalid="ignore"):
            product = np.abs(out.values["price"] * out.values["quantity"])
        over = (product > MAX_NUMBER) & ~taken & ~out.too_large  # NaN: not over
        for j in np.flatnonzero(over).tolist():
            reject(
                int(idx[j]), "number_too_large",
                price=_shown(text_at(price_ci).iloc[j]),
                quantity=_shown(text_at(quantity_ci).iloc[j]),
            )
        out.too_large |= over
    return out


def _status_event(word: str, mapping: Mapping, p: PreparedChunk, column: str, lines: int) -> str:
    """The event an order status word gives a purchase line (purchase, refund, other...)."""
    if not word:
        return "purchase"
    canon = mapping.events.get(word)
    unknown = word in mapping.unknown_words
    if canon is None:
        canon = status_meaning(word)
        unknown = canon is None
        canon = canon or "purchase"
        p.seen_events.setdefault(word, canon)
    if unknown:
        p.warn[("unknown_status", column)] += lines
        p.warn_example.setdefault(("unknown_status", column), word)
    return canon
