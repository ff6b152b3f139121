"""Event frame -> steps, the sorted and indexed histories that examples are cut from.

Events are first merged into *steps*: consecutive rows of one customer with the same event type,
session and second (the lines of one invoice or basket). Line-heavy logs such as UCI Online Retail
otherwise spend a 200-event window on about two invoices (shared/notes/intent-baselines.md).

Each step has one int64 search key, ``customer_index << bits | time``, so a customer's history
before any time is a contiguous slice of the sorted step arrays (see ``dataset``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import EVENT_TYPES, MS_PER_DAY
from engine.intent.config import CATEGORY_BUCKETS, ITEM_BUCKETS, WORD_BUCKETS

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

HOUR_MS: Final[int] = 3_600_000
#: Event type codes: 0 is padding, 1.. follow EVENT_TYPES; unknown words count as "other".
TYPE_CODE: Final[dict[str, int]] = {e: i + 1 for i, e in enumerate(EVENT_TYPES)}
PURCHASE: Final[int] = TYPE_CODE["purchase"]
REFUND: Final[int] = TYPE_CODE["refund"]
ITEM_SLOTS: Final[int] = 3
WORD_SLOTS: Final[int] = 4


def slog1p(x: F64) -> F64:
    """Signed log1p: keeps refunds (negative values) distinguishable from purchases."""
    return np.sign(x) * np.log1p(np.abs(x))


#: Rows of an object (text) column handled in one pandas call: pandas holds the GIL while it
#: works through Python strings, so a window whose worker builds the steps of millions of events
#: froze for up to 0.17 s per call; a slice takes a few milliseconds.
SLICE_ROWS: Final[int] = 131_072


def hash_buckets(values: npt.ArrayLike, buckets: int) -> I32:
    """Stable hash of each value's text into 1..buckets-1; missing values get 0 (padding).

    pandas' hash is keyed by a fixed constant (unlike Python's salted ``hash``), so a model saved
    today maps the same item to the same bucket in another process. Hashing the distinct values
    only keeps this fast on millions of rows.
    """
    values = np.asarray(values, dtype=object)
    out = np.zeros(len(values), dtype=np.int32)
    for lo in range(0, len(values), SLICE_ROWS):  # a slice at a time: see SLICE_ROWS
        codes, uniques = pd.factorize(values[lo : lo + SLICE_ROWS], use_na_sentinel=True)
        if len(uniques) == 0:
            continue
        text = pd.Index(uniques).astype(str).to_numpy(dtype=object)
        h = pd.util.hash_array(text) % np.uint64(buckets - 1) + np.uint64(1)
        known = codes >= 0
        out[lo : lo + SLICE_ROWS][known] = h.astype(np.int64)[codes[known]]
    return out


def _event_codes(events: npt.NDArray[np.object_]) -> npt.NDArray[np.int8]:
    """Each row's event type code (1-based; unknown words are "other"), a slice at a time."""
    out = np.empty(len(events), dtype=np.int8)
    for lo in range(0, len(events), SLICE_ROWS):
        codes = pd.Categorical(events[lo : lo + SLICE_ROWS], categories=list(EVENT_TYPES)).codes
        out[lo : lo + SLICE_ROWS] = np.where(codes < 0, TYPE_CODE["other"], codes + 1)
    return out


def _same_as_previous(values: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Whether each row's value equals the row before's (two missing values are equal; the
    first row has none before it), a slice at a time."""
    out = np.zeros(len(values), dtype=bool)
    for lo in range(1, len(values), SLICE_ROWS):
        hi = min(lo + SLICE_ROWS, len(values))
        missing = pd.isna(values[lo - 1 : hi])
        out[lo:hi] = (values[lo:hi] == values[lo - 1 : hi - 1]) | (missing[1:] & missing[:-1])
    return out


def _factorize_slices(values: npt.NDArray[np.object_]) -> tuple[I64, list[object]]:
    """``pd.factorize`` a slice at a time: each row's code (-1: missing) and the distinct
    values in order of first appearance."""
    codes = np.full(len(values), -1, dtype=np.int64)
    seen: dict[object, int] = {}
    for lo in range(0, len(values), SLICE_ROWS):
        part, uniques = pd.factorize(values[lo : lo + SLICE_ROWS], use_na_sentinel=True)
        if len(uniques) == 0:
            continue
        ids = np.array([seen.setdefault(u, len(seen)) for u in uniques], dtype=np.int64)
        known = part >= 0
        codes[lo : lo + SLICE_ROWS][known] = ids[part[known]]
    return codes, list(seen)


@dataclass
class Steps:
    """One row per step, sorted by customer then time; customers are indexed 0..n-1."""

    customer_ids: I64  # the shop's id of customer index c
    cust_start: I64  # steps of customer c are cust_start[c]:cust_start[c+1]
    cust: I64
    time_ms: I64
    keys: I64
    etype: npt.NDArray[np.int8]
    items: I32  # [n, ITEM_SLOTS]
    cats: I32
    words: I32  # [n, WORD_SLOTS] or [n, 0] when the log has no search words
    numeric: F32  # [n, len(STEP_NUMERIC)]
    first_row: I64  # first row of the step in ``rows`` (for explanations)
    lines: I64
    t0: int
    bits: int
    type_keys: dict[int, I64]  # keys of the steps of each event type
    value_keys: I64  # keys of purchase/refund steps
    day_keys: I64  # keys of each customer's first purchase step of every calendar day (UTC)
    value_cum: F64  # cumulative revenue over value_keys, with a leading 0
    rows: pd.DataFrame  # the filtered, sorted event frame (original rows; empty: not kept)

    @property
    def n_customers(self) -> int:
        """Number of customers with at least one step."""
        return len(self.customer_ids)

    def key(self, cust: I64, time_ms: I64 | int) -> I64:
        """Search key of (customer index, time); times before the data map below every step."""
        rel = np.clip(np.asarray(time_ms, dtype=np.int64) - self.t0 + 1, 0, (1 << self.bits) - 1)
        return (cust.astype(np.int64) << self.bits) + rel


def build_steps(events: pd.DataFrame, as_of_ms: int, *, keep_rows: bool = True) -> Steps:
    """Keep events at or before ``as_of_ms`` (nothing later is ever read) and merge them into steps.

    Without ``keep_rows`` the steps do not hold the event frame (``rows``, which only
    explanations read): training then lets a big shop's frame go once its steps are built.
    """
    keep = events["time_ms"].to_numpy() <= as_of_ms
    df = events if keep.all() else events.loc[keep]
    cid = df["customer_id"].to_numpy(dtype=np.int64)
    tms = df["time_ms"].to_numpy(dtype=np.int64)
    d_cid = np.diff(cid)
    if ((d_cid > 0) | ((d_cid == 0) & (np.diff(tms) >= 0))).all():
        # Already in (customer, time) order, as the project's event read gives it: copying
        # millions of rows into the same order (or only to renumber them) cost seconds.
        index = df.index
        if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
            df = df.reset_index(drop=True)
    else:
        order = np.lexsort((tms, cid))  # stable: equal times keep their file order
        df = df.iloc[order].reset_index(drop=True)
        cid, tms = cid[order], tms[order]
        del order
    del d_cid  # a big shop's intermediates go as soon as they are used (issue 14)
    n = len(df)
    if n == 0:
        raise ValueError("There are no events at or before the as-of date.")

    ecode = _event_codes(df["event"].to_numpy(dtype=object))
    same_session = _same_as_previous(df["session"].to_numpy(dtype=object))
    sec = tms // 1000
    new = np.ones(n, dtype=bool)
    new[1:] = (
        (cid[1:] != cid[:-1])
        | (sec[1:] != sec[:-1])
        | (ecode[1:] != ecode[:-1])
        | ~same_session[1:]
    )
    del sec, same_session
    starts = np.flatnonzero(new).astype(np.int64)
    step_of_row = np.cumsum(new) - 1
    ns = len(starts)
    lines = np.diff(np.append(starts, n))

    price = df["price"].to_numpy(dtype=np.float64)
    qty = df["quantity"].to_numpy(dtype=np.float64)
    amount = df["amount"].to_numpy(dtype=np.float64)
    # Revenue is the amount, or price x quantity when the source gave none (GUIDE section 2).
    revenue = np.where(np.isnan(amount), price * np.where(np.isnan(qty), 1.0, qty), amount)
    revenue = np.nan_to_num(revenue, nan=0.0)
    step_amount = np.add.reduceat(revenue, starts)
    del revenue
    has_price = ~np.isnan(price)
    price_sum = np.add.reduceat(np.where(has_price, price, 0.0), starts)
    price_n = np.add.reduceat(has_price.astype(np.int64), starts)
    step_price = np.where(price_n > 0, price_sum / np.maximum(price_n, 1), 0.0)
    del has_price, price_sum, price_n

    s_cid = cid[starts]
    s_time = tms[starts]
    s_type = ecode[starts]
    customer_ids, s_cust = np.unique(s_cid, return_inverse=True)
    s_cust = s_cust.astype(np.int64)
    cust_start = np.searchsorted(s_cust, np.arange(len(customer_ids) + 1)).astype(np.int64)

    gap = np.zeros(ns, dtype=np.float64)
    same = s_cust[1:] == s_cust[:-1]
    gap[1:] = np.where(same, (s_time[1:] - s_time[:-1]) / HOUR_MS, 0.0)
    # Scaled so each input is roughly in [-2, 3]: the LSTM trains faster on unit-sized inputs.
    # Each column is computed in float64 and stored in float32 at once (stacking the four in
    # float64 first held 5x the result: 800 MB on 10 million events).
    numeric = np.empty((ns, 4), dtype=np.float32)
    numeric[:, 0] = np.log1p(gap) / 4.0
    del gap, same
    numeric[:, 1] = np.log1p(np.maximum(step_price, 0.0)) / 4.0
    del step_price
    numeric[:, 2] = np.log1p(lines - 1.0) / 2.0
    numeric[:, 3] = slog1p(step_amount) / 5.0

    pos = np.arange(n) - starts[step_of_row]
    item_hash = hash_buckets(df["item"].to_numpy(dtype=object), ITEM_BUCKETS)
    items = np.zeros((ns, ITEM_SLOTS), dtype=np.int32)
    slot = pos < ITEM_SLOTS
    items[step_of_row[slot], pos[slot]] = item_hash[slot]
    del pos, slot, item_hash
    cats = hash_buckets(df["category"].to_numpy(dtype=object)[starts], CATEGORY_BUCKETS)
    words = _word_slots(df["query"], step_of_row, ns)
    del step_of_row

    t0 = int(s_time.min())
    bits = max(1, int(max(as_of_ms, int(s_time.max())) - t0 + 3).bit_length())
    if bits + max(1, len(customer_ids).bit_length()) > 62:
        raise ValueError("The time span and the number of customers are too large to index.")
    steps = Steps(
        customer_ids=customer_ids.astype(np.int64),
        cust_start=cust_start,
        cust=s_cust,
        time_ms=s_time,
        keys=np.zeros(0, dtype=np.int64),
        etype=s_type,
        items=items,
        cats=cats,
        words=words,
        numeric=numeric,
        first_row=starts,
        lines=lines.astype(np.int64),
        t0=t0,
        bits=bits,
        type_keys={},
        value_keys=np.zeros(0, dtype=np.int64),
        day_keys=np.zeros(0, dtype=np.int64),
        value_cum=np.zeros(1),
        rows=df if keep_rows else pd.DataFrame(columns=df.columns),
    )
    steps.keys = steps.key(s_cust, s_time)
    steps.type_keys = {int(t): steps.keys[s_type == t] for t in np.unique(s_type)}
    is_value = (s_type == PURCHASE) | (s_type == REFUND)
    steps.value_keys = steps.keys[is_value]
    steps.value_cum = np.concatenate([[0.0], np.cumsum(step_amount[is_value])])
    # Purchase occasions: the lines of one invoice, or several invoices of one day, are one
    # purchase day (counting lines made a 40-line invoice look like 40 purchases).
    bought = s_type == PURCHASE
    p_cust, p_day = s_cust[bought], np.floor_divide(s_time[bought], MS_PER_DAY)
    first_of_day = np.ones(len(p_cust), dtype=bool)
    first_of_day[1:] = (p_cust[1:] != p_cust[:-1]) | (p_day[1:] != p_day[:-1])
    steps.day_keys = steps.keys[bought][first_of_day]
    return steps


def _word_slots(query: pd.Series, step_of_row: I64, ns: int) -> I32:
    """Hashed words of search queries, up to WORD_SLOTS per step (0 = none)."""
    # Each distinct query is measured and split once (a shop's searches repeat: 287,000
    # searches of the 20,000-customer demo hold a few thousand distinct texts); the rows are
    # coded a slice at a time (see SLICE_ROWS).
    codes, distinct = _factorize_slices(query.to_numpy(dtype=object))
    text = pd.Series(distinct, dtype=object).astype(str)
    said = (text.str.len() > 0).to_numpy(dtype=bool)
    rows = np.flatnonzero(codes >= 0)
    rows = rows[said[codes[rows]]]
    if len(rows) == 0:
        return np.zeros((ns, 0), dtype=np.int32)
    split = text.str.lower().str.findall(r"\w+").to_numpy()
    words = pd.Series(split[codes[rows]], index=rows).explode().dropna()
    out = np.zeros((ns, WORD_SLOTS), dtype=np.int32)
    if len(words) == 0:
        return out
    step = step_of_row[words.index.to_numpy(dtype=np.int64)]
    first = np.searchsorted(step, step, side="left")  # exploded words keep row order
    pos = np.arange(len(step)) - first
    keep = pos < WORD_SLOTS
    out[step[keep], pos[keep]] = hash_buckets(words.to_numpy(dtype=object), WORD_BUCKETS)[keep]
    return out
