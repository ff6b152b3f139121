"""Steps -> labelled (customer, cutoff) examples, fully vectorized (numpy/pandas, no torch).

An event frame is first merged into steps (``steps.build_steps``). Everything per cutoff is then
found with ``searchsorted`` on one int64 key per step, ``customer_index << bits | time``, so a
customer's history before any time is a contiguous slice of the sorted step arrays: an example
is only (start, length, cutoff) plus its aggregates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.events import MS_PER_DAY
from engine.intent.config import MIN_CUSTOMERS_PER_CUTOFF
from engine.intent.names import AGG_NAMES as AGG_NAMES
from engine.intent.names import LEGACY_AGG_NAMES as LEGACY_AGG_NAMES
from engine.intent.names import N_NUMERIC as N_NUMERIC
from engine.intent.names import N_TYPES as N_TYPES
from engine.intent.names import TIMING_NAMES, WINDOWS_DAYS
from engine.intent.steps import (
    BOOL,
    F32,
    F64,
    HOUR_MS,
    I64,
    ITEM_SLOTS,
    PURCHASE,
    Steps,
    build_steps,
    slog1p,
)

#: The logistic-regression baseline's features (a subset of AGG_NAMES): the textbook RFM set
#: plus the purchase-occasion and timing features, so the comparison with the network stays fair.
RFM_NAMES: Final[tuple[str, ...]] = (
    "log_recency_days",
    "log_tenure_days",
    "log_purchase_total",
    "log_value",
    "log_purchase_7d",
    "log_purchase_30d",
    "log_purchase_90d",
) + TIMING_NAMES
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

    def take(self, idx: I64) -> Examples:
        """The examples at positions ``idx``, in that order."""
        return Examples(cust=self.cust[idx], start=self.start[idx], length=self.length[idx],
                        cutoff_ms=self.cutoff_ms[idx], label=self.label[idx], agg=self.agg[idx])

    @staticmethod
    def empty(n: int) -> Examples:
        """``n`` examples to be filled in (``put``)."""
        return Examples(cust=np.empty(n, np.int64), start=np.empty(n, np.int64),
                        length=np.empty(n, np.int64), cutoff_ms=np.empty(n, np.int64),
                        label=np.empty(n, np.float32),
                        agg=np.empty((n, len(AGG_NAMES)), np.float32))

    def put(self, at: int, part: Examples) -> None:
        """Copy ``part`` into these examples from position ``at`` on."""
        end = at + len(part)
        for name in ("cust", "start", "length", "cutoff_ms", "label", "agg"):
            getattr(self, name)[at:end] = getattr(part, name)

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


def examples_at(
    steps: Steps,
    cutoff_ms: int,
    seq_len: int,
    horizon_ms: int | None,
    *,
    window_ms: int | None = None,
    customers: tuple[int, int] | None = None,
) -> Examples:
    """Every customer with history at the cutoff; labelled when a horizon is given.

    ``window_ms`` is the recent window of the trend aggregates (the horizon: scoring passes it
    without labels); it defaults to ``horizon_ms``, else 30 days. ``customers`` (lo, hi) keeps
    the customer indexes lo..hi-1 only: a big shop is scored a slice of customers at a time,
    each customer's example the same as in the whole set.
    """
    lo_c, hi_c = (0, steps.n_customers) if customers is None else customers
    all_c = np.arange(lo_c, max(lo_c, min(hi_c, steps.n_customers)), dtype=np.int64)
    kc = steps.key(all_c, cutoff_ms)
    ends = np.searchsorted(steps.keys, kc, side="right").astype(np.int64)
    has = ends > steps.cust_start[all_c]
    c = all_c[has]
    end = ends[has]
    first = steps.cust_start[c]
    start = np.maximum(first, end - seq_len)
    label = np.zeros(len(c), dtype=np.float32)
    if horizon_ms is not None:
        pk = steps.type_keys.get(PURCHASE, np.zeros(0, dtype=np.int64))
        after = np.searchsorted(pk, steps.key(c, cutoff_ms + horizon_ms), side="right")
        label = (after > np.searchsorted(pk, kc[has], side="right")).astype(np.float32)
    window = window_ms if window_ms is not None else horizon_ms
    agg = _aggregates(steps, c, first, end, cutoff_ms, window or 30 * MS_PER_DAY)
    return Examples(c, start, end - start, np.full(len(c), cutoff_ms, np.int64), label, agg)


def _aggregates(steps: Steps, c: I64, first: I64, end: I64, t: int, window_ms: int) -> F32:
    """The per-customer aggregates of AGG_NAMES at cutoff t (recency, frequency, monetary, ...);
    nothing after t is read.

    Each column is computed in float64 and stored into the float32 result as soon as it is
    made (stacking them all in float64 first held 3x the result: 1.2 GB a cutoff on a
    1,000,000-customer shop)."""
    out = np.empty((len(c), len(AGG_NAMES)), dtype=np.float32)
    j = 0
    for col in _aggregate_columns(steps, c, first, end, t, window_ms):
        out[:, j] = col
        j += 1
    assert j == len(AGG_NAMES)
    return out


def _aggregate_columns(steps: Steps, c: I64, first: I64, end: I64, t: int, window_ms: int
                       ) -> Iterator[F64]:
    """The columns of ``_aggregates`` one at a time, in AGG_NAMES order."""
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

    yield np.log1p((end - first).astype(np.float64))
    yield np.log1p(recency)
    yield np.log1p(tenure)
    yield np.log1p(since_p)
    yield has_p.astype(np.float64)
    yield slog1p(value_since(None))
    yield slog1p(value_since(t - 30 * MS_PER_DAY))
    yield slog1p(value_since(t - 90 * MS_PER_DAY))
    lo_total = steps.key(c, -(1 << 62))
    for code in range(1, N_TYPES):
        tk = steps.type_keys.get(code)
        if tk is None:
            for _ in range(1 + len(WINDOWS_DAYS)):
                yield np.zeros(len(c))
            continue
        hi = np.searchsorted(tk, k_now, side="right")
        for w in (None, *WINDOWS_DAYS):
            lo_key = lo_total if w is None else steps.key(c, t - w * MS_PER_DAY)
            yield np.log1p((hi - np.searchsorted(tk, lo_key, side="right")).astype(float))
    yield from _timing(steps, c, end, t, window_ms, since_p)


def _timing(steps: Steps, c: I64, end: I64, t: int, window_ms: int, since_p: F64) -> list[F64]:
    """The TIMING_NAMES columns at cutoff t (see there); ``since_p`` is days since the last
    purchase (tenure + 1 for customers who never bought)."""
    day = float(MS_PER_DAY)
    dk = steps.day_keys
    k_now = steps.key(c, t)
    lo = np.searchsorted(dk, steps.key(c, -(1 << 62)), side="right")
    hi = np.searchsorted(dk, k_now, side="right")
    n_days = (hi - lo).astype(np.float64)
    recent_days = (hi - np.searchsorted(dk, steps.key(c, t - window_ms), side="right")).astype(
        np.float64
    )
    mask = (1 << steps.bits) - 1
    if len(dk):
        first_t = (dk[np.minimum(lo, len(dk) - 1)] & mask).astype(np.float64)
        last_t = (dk[np.maximum(hi - 1, 0)] & mask).astype(np.float64)
        span = np.where(n_days >= 2, (last_t - first_t) / day, 0.0)
    else:
        span = np.zeros(len(c))
    # The usual gap, shrunk by one pseudo-gap of one horizon: two purchase days a day apart do
    # not yet make someone who buys daily, and a customer with one purchase day (or none) is
    # taken to buy about once a horizon. A constant, not the shop's median: each customer's
    # aggregates then depend on their own history only (a lookup reads one customer).
    prior = max(window_ms / day, 1.0)
    usual = np.where(n_days >= 1, (span + prior) / np.maximum(n_days, 1.0), prior)
    usual = np.maximum(usual, 1.0)  # several purchase days inside one day's span
    k_win = steps.key(c, t - window_ms)
    k_prev = steps.key(c, t - 2 * window_ms)
    last_n = (end - np.searchsorted(steps.keys, k_win, side="right")).astype(np.float64)
    prev_n = (
        np.searchsorted(steps.keys, k_win, side="right")
        - np.searchsorted(steps.keys, k_prev, side="right")
    ).astype(np.float64)
    return [
        np.log1p(n_days),
        np.log1p(recent_days),
        np.log1p(usual),
        np.log1p(since_p / usual),
        np.log1p(last_n),
        np.log1p(last_n) - np.log1p(prev_n),
    ]


#: Customers whose scoring examples are made at a time (``IntentData.score_slices``).
SCORE_CUSTOMERS: Final[int] = 100_000


@dataclass
class IntentData:
    """Train / validation / scoring examples of one as-of date and horizon."""

    steps: Steps
    cutoffs_ms: list[int]  # T1 (validation) first, then the earlier training cutoffs
    train: Examples
    valid: Examples
    as_of_ms: int
    seq_len: int
    horizon_ms: int
    _score: Examples | None = field(default=None, repr=False)

    @property
    def score(self) -> Examples:
        """Every customer with history at the as-of date, unlabelled (made when first read:
        training scores a big shop a slice at a time, ``score_slices``, and never needs it)."""
        if self._score is None:
            self._score = examples_at(self.steps, self.as_of_ms, self.seq_len, None,
                                      window_ms=self.horizon_ms)
        return self._score

    def score_slices(self, customers: int = SCORE_CUSTOMERS) -> Iterator[Examples]:
        """``score`` a slice of ``customers`` customers at a time, in the same order: together
        exactly its examples."""
        for lo in range(0, max(self.steps.n_customers, 1), customers):
            yield examples_at(self.steps, self.as_of_ms, self.seq_len, None,
                              window_ms=self.horizon_ms, customers=(lo, lo + customers))


def build_data(
    events: pd.DataFrame, as_of_ms: int, horizon_days: int, seq_len: int, max_cutoffs: int
) -> IntentData:
    """Cutoffs step back from the as-of date by the horizon while enough customers have history."""
    steps = build_steps(events, as_of_ms, keep_rows=False)
    return data_of_steps(steps, as_of_ms, horizon_days, seq_len, max_cutoffs)


def data_of_steps(
    steps: Steps, as_of_ms: int, horizon_days: int, seq_len: int, max_cutoffs: int
) -> IntentData:
    """``build_data`` from steps already built. The training cutoffs' examples are written into
    one set as each is made (a concatenation held every cutoff twice)."""
    h = horizon_days * MS_PER_DAY
    cutoffs: list[int] = []
    counts: list[int] = []
    k = 1
    while k <= max_cutoffs:
        t = as_of_ms - k * h
        n = history_counts(steps, t)  # exactly the customers examples_at gives
        if n < MIN_CUSTOMERS_PER_CUTOFF:
            break
        cutoffs.append(t)
        counts.append(n)
        k += 1
    empty = examples_at(steps, steps.t0 - 1, seq_len, h)  # no one has history: an empty set
    valid = examples_at(steps, cutoffs[0], seq_len, h) if cutoffs else empty
    train = Examples.empty(sum(counts[1:])) if len(cutoffs) > 1 else empty
    at = 0
    for t in cutoffs[1:]:
        part = examples_at(steps, t, seq_len, h)
        train.put(at, part)
        at += len(part)
    assert at == len(train)
    return IntentData(steps, cutoffs, train, valid, as_of_ms, seq_len, h)


def gather(
    steps: Steps,
    ex: Examples,
    idx: I64,
    rng: np.random.Generator | None = None,
    crop: bool = False,
    drop_p: float = 0.0,
    sequence: bool = True,
) -> dict[str, npt.NDArray[np.generic]]:
    """Right-padded arrays of the examples ``idx``, padded only to this batch's longest sequence.

    With ``crop`` a random older part of each history is cut off; with ``drop_p`` steps other than
    the latest are dropped at random (the sequence augmentation of the thorough preset). Without
    ``sequence`` every history is one blank step: the network then sees the aggregates only
    (the ablation that says what the sequence adds).
    """
    if not sequence:
        return _blank(ex, idx, steps.words.shape[1])
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


def _blank(ex: Examples, idx: I64, wslots: int) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of ``gather`` with one all-zero step per example (aggregates kept)."""
    n = len(idx)
    return {
        "etype": np.zeros((n, 1), dtype=np.int64),
        "items": np.zeros((n, 1, ITEM_SLOTS), dtype=np.int64),
        "cats": np.zeros((n, 1), dtype=np.int64),
        "words": np.zeros((n, 1, max(wslots, 1)), dtype=np.int64),
        "numeric": np.zeros((n, 1, N_NUMERIC), dtype=np.float32),
        "lengths": np.ones(n, dtype=np.int64),
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
