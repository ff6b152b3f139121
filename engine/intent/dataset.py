"""Event frame -> labelled (customer, cutoff) examples, fully vectorized (numpy/pandas, no torch).

Events are first merged into *steps*: consecutive rows of one customer with the same event type,
session and second (the lines of one invoice or basket). Line-heavy logs such as UCI Online Retail
otherwise spend a 200-event window on about two invoices (shared/notes/intent-baselines.md).

Everything per cutoff is found with ``searchsorted`` on one int64 key per step,
``customer_index << bits | time``, so a customer's history before any time is a contiguous slice
of the sorted step arrays: an example is only (start, length, cutoff) plus its aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import EVENT_TYPES, MS_PER_DAY
from engine.intent.config import (
    CATEGORY_BUCKETS,
    ITEM_BUCKETS,
    MIN_CUSTOMERS_PER_CUTOFF,
    WORD_BUCKETS,
)

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
BOOL = npt.NDArray[np.bool_]

HOUR_MS: Final[int] = 3_600_000
#: Event type codes: 0 is padding, 1.. follow EVENT_TYPES; unknown words count as "other".
TYPE_CODE: Final[dict[str, int]] = {e: i + 1 for i, e in enumerate(EVENT_TYPES)}
N_TYPES: Final[int] = len(EVENT_TYPES) + 1
PURCHASE: Final[int] = TYPE_CODE["purchase"]
REFUND: Final[int] = TYPE_CODE["refund"]
ITEM_SLOTS: Final[int] = 3
WORD_SLOTS: Final[int] = 4
WINDOWS_DAYS: Final[tuple[int, ...]] = (7, 30, 90)
#: Per-step numeric inputs; the time to the cutoff is added per cutoff when a batch is gathered.
STEP_NUMERIC: Final[tuple[str, ...]] = ("log_gap", "log_price", "log_lines", "log_amount")
N_NUMERIC: Final[int] = len(STEP_NUMERIC) + 1

AGG_NAMES: Final[tuple[str, ...]] = (
    "log_steps",
    "log_recency_days",
    "log_tenure_days",
    "log_since_purchase_days",
    "has_purchase",
    "log_value",
    "log_value_30d",
    "log_value_90d",
) + tuple(
    f"log_{e}_{w}" for e in EVENT_TYPES for w in ("total",) + tuple(f"{d}d" for d in WINDOWS_DAYS)
)
#: The textbook RFM set of the logistic-regression baseline (a subset of AGG_NAMES).
RFM_NAMES: Final[tuple[str, ...]] = (
    "log_recency_days",
    "log_tenure_days",
    "log_purchase_total",
    "log_value",
    "log_purchase_7d",
    "log_purchase_30d",
    "log_purchase_90d",
)


def _slog1p(x: F64) -> F64:
    """Signed log1p: keeps refunds (negative values) distinguishable from purchases."""
    return np.sign(x) * np.log1p(np.abs(x))


def hash_buckets(values: npt.ArrayLike, buckets: int) -> I32:
    """Stable hash of each value's text into 1..buckets-1; missing values get 0 (padding).

    pandas' hash is keyed by a fixed constant (unlike Python's salted ``hash``), so a model saved
    today maps the same item to the same bucket in another process. Hashing the distinct values
    only keeps this fast on millions of rows.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    out = np.zeros(len(codes), dtype=np.int32)
    if len(uniques) == 0:
        return out
    text = pd.Index(uniques).astype(str).to_numpy(dtype=object)
    h = pd.util.hash_array(text) % np.uint64(buckets - 1) + np.uint64(1)
    known = codes >= 0
    out[known] = h.astype(np.int64)[codes[known]]
    return out


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
    value_cum: F64  # cumulative revenue over value_keys, with a leading 0
    rows: pd.DataFrame  # the filtered, sorted event frame (original rows)

    @property
    def n_customers(self) -> int:
        """Number of customers with at least one step."""
        return len(self.customer_ids)

    def key(self, cust: I64, time_ms: I64 | int) -> I64:
        """Search key of (customer index, time); times before the data map below every step."""
        rel = np.clip(np.asarray(time_ms, dtype=np.int64) - self.t0 + 1, 0, (1 << self.bits) - 1)
        return (cust.astype(np.int64) << self.bits) + rel


def build_steps(events: pd.DataFrame, as_of_ms: int) -> Steps:
    """Keep events at or before ``as_of_ms`` (nothing later is ever read) and merge them into steps."""
    df = events.loc[events["time_ms"].to_numpy() <= as_of_ms]
    cid = df["customer_id"].to_numpy(dtype=np.int64)
    tms = df["time_ms"].to_numpy(dtype=np.int64)
    order = np.lexsort((tms, cid))  # stable: equal times keep their file order
    df = df.iloc[order].reset_index(drop=True)
    cid, tms = cid[order], tms[order]
    n = len(df)
    if n == 0:
        raise ValueError("There are no events at or before the as-of date.")

    ecode = (
        pd.Categorical(df["event"].to_numpy(dtype=object), categories=list(EVENT_TYPES)).codes + 1
    )
    ecode = np.where(ecode == 0, TYPE_CODE["other"], ecode).astype(np.int8)
    session_codes, _ = pd.factorize(df["session"].to_numpy(dtype=object), use_na_sentinel=True)
    sec = tms // 1000
    new = np.ones(n, dtype=bool)
    new[1:] = (
        (cid[1:] != cid[:-1])
        | (sec[1:] != sec[:-1])
        | (ecode[1:] != ecode[:-1])
        | (session_codes[1:] != session_codes[:-1])
    )
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
    has_price = ~np.isnan(price)
    price_sum = np.add.reduceat(np.where(has_price, price, 0.0), starts)
    price_n = np.add.reduceat(has_price.astype(np.int64), starts)
    step_price = np.where(price_n > 0, price_sum / np.maximum(price_n, 1), 0.0)

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
    numeric = np.stack(
        [
            np.log1p(gap) / 4.0,
            np.log1p(np.maximum(step_price, 0.0)) / 4.0,
            np.log1p(lines - 1.0) / 2.0,
            _slog1p(step_amount) / 5.0,
        ],
        axis=1,
    ).astype(np.float32)

    pos = np.arange(n) - starts[step_of_row]
    item_hash = hash_buckets(df["item"].to_numpy(dtype=object), ITEM_BUCKETS)
    items = np.zeros((ns, ITEM_SLOTS), dtype=np.int32)
    slot = pos < ITEM_SLOTS
    items[step_of_row[slot], pos[slot]] = item_hash[slot]
    cats = hash_buckets(df["category"].to_numpy(dtype=object)[starts], CATEGORY_BUCKETS)
    words = _word_slots(df["query"], step_of_row, ns)

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
        value_cum=np.zeros(1),
        rows=df,
    )
    steps.keys = steps.key(s_cust, s_time)
    steps.type_keys = {int(t): steps.keys[s_type == t] for t in np.unique(s_type)}
    is_value = (s_type == PURCHASE) | (s_type == REFUND)
    steps.value_keys = steps.keys[is_value]
    steps.value_cum = np.concatenate([[0.0], np.cumsum(step_amount[is_value])])
    return steps


def _word_slots(query: pd.Series, step_of_row: I64, ns: int) -> I32:
    """Hashed words of search queries, up to WORD_SLOTS per step (0 = none)."""
    q = query.dropna()
    q = q[q.astype(str).str.len() > 0]
    if len(q) == 0:
        return np.zeros((ns, 0), dtype=np.int32)
    words = q.astype(str).str.lower().str.findall(r"\w+").explode().dropna()
    out = np.zeros((ns, WORD_SLOTS), dtype=np.int32)
    if len(words) == 0:
        return out
    step = step_of_row[words.index.to_numpy(dtype=np.int64)]
    first = np.searchsorted(step, step, side="left")  # exploded words keep row order
    pos = np.arange(len(step)) - first
    keep = pos < WORD_SLOTS
    out[step[keep], pos[keep]] = hash_buckets(words.to_numpy(dtype=object), WORD_BUCKETS)[keep]
    return out


@dataclass
class Examples:
    """Examples of one or more cutoffs: the last ``length`` steps from ``start``, seen at ``cutoff``."""

    cust: I64
    start: I64
    length: I64
    cutoff_ms: I64
    label: F32
    agg: F32  # [n, len(AGG_NAMES)], log-scaled, not standardized

    def __len__(self) -> int:
        return len(self.cust)

    @staticmethod
    def concat(parts: list[Examples]) -> Examples:
        """All examples of several cutoffs in one set."""
        return Examples(
            cust=np.concatenate([p.cust for p in parts]),
            start=np.concatenate([p.start for p in parts]),
            length=np.concatenate([p.length for p in parts]),
            cutoff_ms=np.concatenate([p.cutoff_ms for p in parts]),
            label=np.concatenate([p.label for p in parts]),
            agg=np.concatenate([p.agg for p in parts]),
        )


def history_counts(steps: Steps, cutoff_ms: int) -> int:
    """How many customers have at least one step at or before the cutoff."""
    ends = np.searchsorted(
        steps.keys, steps.key(np.arange(steps.n_customers), cutoff_ms), side="right"
    )
    return int(np.count_nonzero(ends > steps.cust_start[:-1]))


def examples_at(steps: Steps, cutoff_ms: int, seq_len: int, horizon_ms: int | None) -> Examples:
    """Every customer with history at the cutoff; labelled when a horizon is given."""
    all_c = np.arange(steps.n_customers, dtype=np.int64)
    kc = steps.key(all_c, cutoff_ms)
    ends = np.searchsorted(steps.keys, kc, side="right").astype(np.int64)
    has = ends > steps.cust_start[:-1]
    c = all_c[has]
    end = ends[has]
    first = steps.cust_start[c]
    start = np.maximum(first, end - seq_len)
    label = np.zeros(len(c), dtype=np.float32)
    if horizon_ms is not None:
        pk = steps.type_keys.get(PURCHASE, np.zeros(0, dtype=np.int64))
        after = np.searchsorted(pk, steps.key(c, cutoff_ms + horizon_ms), side="right")
        label = (after > np.searchsorted(pk, kc[has], side="right")).astype(np.float32)
    agg = _aggregates(steps, c, first, end, cutoff_ms)
    return Examples(c, start, end - start, np.full(len(c), cutoff_ms, np.int64), label, agg)


def _aggregates(steps: Steps, c: I64, first: I64, end: I64, t: int) -> F32:
    """The per-customer aggregates of AGG_NAMES at cutoff t (recency, frequency, monetary, ...)."""
    day = float(MS_PER_DAY)
    k_now = steps.key(c, t)
    recency = (t - steps.time_ms[end - 1]) / day
    tenure = (t - steps.time_ms[first]) / day
    pk = steps.type_keys.get(PURCHASE, np.zeros(0, dtype=np.int64))
    last = np.searchsorted(pk, k_now, side="right") - 1
    last_c = np.where(last >= 0, pk[np.maximum(last, 0)] >> steps.bits, -1)
    has_p = (last >= 0) & (last_c == c)
    last_t = (pk[np.maximum(last, 0)] & ((1 << steps.bits) - 1)) + steps.t0 - 1
    # A customer who never bought is treated as "last bought just before the first visit".
    since_p = np.where(has_p, (t - last_t) / day, tenure + 1.0)

    def value_since(time_ms: int | None) -> F64:
        lo_key = steps.key(c, -(1 << 62)) if time_ms is None else steps.key(c, time_ms)
        hi = np.searchsorted(steps.value_keys, k_now, side="right")
        lo = np.searchsorted(steps.value_keys, lo_key, side="right")
        return np.asarray(steps.value_cum[hi] - steps.value_cum[lo], dtype=np.float64)

    cols: list[F64] = [
        np.log1p((end - first).astype(np.float64)),
        np.log1p(recency),
        np.log1p(tenure),
        np.log1p(since_p),
        has_p.astype(np.float64),
        _slog1p(value_since(None)),
        _slog1p(value_since(t - 30 * MS_PER_DAY)),
        _slog1p(value_since(t - 90 * MS_PER_DAY)),
    ]
    lo_total = steps.key(c, -(1 << 62))
    for code in range(1, N_TYPES):
        tk = steps.type_keys.get(code)
        if tk is None:
            cols.extend(np.zeros(len(c)) for _ in range(1 + len(WINDOWS_DAYS)))
            continue
        hi = np.searchsorted(tk, k_now, side="right")
        for lo_key in [lo_total] + [steps.key(c, t - w * MS_PER_DAY) for w in WINDOWS_DAYS]:
            cols.append(np.log1p((hi - np.searchsorted(tk, lo_key, side="right")).astype(float)))
    return np.stack(cols, axis=1).astype(np.float32)


@dataclass
class IntentData:
    """Train / validation / scoring examples of one as-of date and horizon."""

    steps: Steps
    cutoffs_ms: list[int]  # T1 (validation) first, then the earlier training cutoffs
    train: Examples
    valid: Examples
    score: Examples  # every customer with history at the as-of date, unlabelled


def build_data(
    events: pd.DataFrame, as_of_ms: int, horizon_days: int, seq_len: int, max_cutoffs: int
) -> IntentData:
    """Cutoffs step back from the as-of date by the horizon while enough customers have history."""
    steps = build_steps(events, as_of_ms)
    h = horizon_days * MS_PER_DAY
    parts: list[Examples] = []
    cutoffs: list[int] = []
    k = 1
    while k <= max_cutoffs:
        t = as_of_ms - k * h
        if history_counts(steps, t) < MIN_CUSTOMERS_PER_CUTOFF:
            break
        parts.append(examples_at(steps, t, seq_len, h))
        cutoffs.append(t)
        k += 1
    empty = examples_at(steps, steps.t0 - 1, seq_len, h)  # no one has history: an empty set
    valid = parts[0] if parts else empty
    train = Examples.concat(parts[1:]) if len(parts) > 1 else empty
    score = examples_at(steps, as_of_ms, seq_len, None)
    return IntentData(steps, cutoffs, train, valid, score)


def gather(
    steps: Steps,
    ex: Examples,
    idx: I64,
    rng: np.random.Generator | None = None,
    crop: bool = False,
    drop_p: float = 0.0,
) -> dict[str, npt.NDArray[np.generic]]:
    """Right-padded arrays of the examples ``idx``, padded only to this batch's longest sequence.

    With ``crop`` a random older part of each history is cut off; with ``drop_p`` steps other than
    the latest are dropped at random (the sequence augmentation of the thorough preset).
    """
    start, length = ex.start[idx], ex.length[idx]
    if rng is not None and (crop or drop_p > 0.0):
        pos, valid, length = _augment(start, length, rng, crop, drop_p)
    else:
        ar = np.arange(max(int(length.max()), 1) if len(idx) else 1)
        pos = start[:, None] + ar[None, :]
        valid = ar[None, :] < length[:, None]
    width = max(int(length.max()), 1) if len(idx) else 1
    pos, valid = pos[:, :width], valid[:, :width]
    pos = np.where(valid, pos, 0)
    to_cut = (ex.cutoff_ms[idx][:, None] - steps.time_ms[pos]) / HOUR_MS
    numeric = np.concatenate(
        [steps.numeric[pos], (np.log1p(np.maximum(to_cut, 0.0)) / 4.0)[..., None]], axis=2
    ).astype(np.float32)
    numeric[~valid] = 0.0
    etype = np.where(valid, steps.etype[pos], 0).astype(np.int64)
    items = np.where(valid[..., None], steps.items[pos], 0).astype(np.int64)
    cats = np.where(valid, steps.cats[pos], 0).astype(np.int64)
    wslots = steps.words.shape[1]
    words = (
        np.where(valid[..., None], steps.words[pos], 0).astype(np.int64)
        if wslots
        else np.zeros((len(idx), pos.shape[1], 1), dtype=np.int64)
    )
    return {
        "etype": etype,
        "items": items,
        "cats": cats,
        "words": words,
        "numeric": numeric,
        "lengths": length.astype(np.int64),
        "agg": ex.agg[idx],
        "label": ex.label[idx],
    }


def _augment(
    start: I64, length: I64, rng: np.random.Generator, crop: bool, drop_p: float
) -> tuple[I64, BOOL, I64]:
    """Step positions, validity mask and lengths of randomly cropped / thinned histories.

    Crops keep the latest steps (what matters most near the cutoff) and cut older ones.
    """
    if crop:
        frac = rng.uniform(0.3, 1.0, size=len(length))
        new_len = np.maximum(1, np.ceil(length * frac).astype(np.int64))
        start = start + (length - new_len)
        length = new_len
    full = max(int(length.max()), 1)
    ar = np.arange(full)
    inside = ar[None, :] < length[:, None]
    kept = inside & (rng.random((len(length), full)) >= drop_p)
    kept[np.arange(len(length)), length - 1] = True  # never drop the latest step
    new_length = kept.sum(axis=1).astype(np.int64)
    # Compact the kept steps to the left in their order: a stable sort on "not kept".
    order = np.argsort(~kept, axis=1, kind="stable")
    valid = ar[None, :] < new_length[:, None]
    return (start[:, None] + order).astype(np.int64), valid, new_length
