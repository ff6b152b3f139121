"""Seeded demo data: a shop's customer-behaviour log with known, planted structure.

The generator is the fixture the whole project is tested against, so everything it plants is
documented here and checked by ``tests/engine/test_demo.py``:

* four customer segments (``demo_shop.PLANTED_SEGMENTS``) with distinct category, weekday, hour,
  price and funnel habits, in roughly equal shares;
* purchase "intent episodes": for ``ramp_buyer`` customers the 3-10 days before a purchase show
  escalating views of the product and its category and a cart add 0-2 days before; about 25% of
  episodes are abandoned. Other customers buy on impulse inside a single browsing session;
* churn (some customers stop part-way), late starters, a few refunds (~3% of purchases);
* for the sales forecast: purchase trends per segment (``demo_shop.PURCHASE_TREND``: Electronics
  and Toys grow, Fashion fades), seasonal products (``demo_shop.SEASONAL``: kites in June and
  July, throw blankets from October) and the weekly cycle of the segments' weekday habits.

Everything is vectorised with one ``numpy.random.Generator`` so 200,000 customers still work and
the same seed always gives the same log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from engine.demo_frames import (
    CART,
    FAV,
    N_DAYS,
    PURCHASE,
    REFUND,
    REMOVE,
    SEARCH,
    VIEW,
    DemoData,
    to_frames,
)
from engine.demo_shop import (
    ABANDON_P,
    BG_LEN,
    BG_MIX,
    BG_RATE,
    BUY_RATE,
    EP_FAV,
    EP_SEARCH,
    EXTRA_QTY,
    HOUR_MEAN,
    HOUR_SD,
    PURCHASE_TREND,
    REFUND_P,
    SEGMENT_KEYS,
    WEEKEND_P,
    pick_category,
    pick_products,
    pick_types,
    seasonal_swap,
    tilt_days,
)

# 2025-06-01 is a Sunday; pandas' dayofweek (Monday=0) of day index d is (6 + d) % 7.
_FIRST_DOW: Final[int] = 6


def _dow(day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return (_FIRST_DOW + day) % 7


def _snap_days(
    rng: np.random.Generator,
    day: npt.NDArray[np.int64],
    lo: npt.NDArray[np.int64],
    hi: npt.NDArray[np.int64],
    weekend_p: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """Move each day to a weekend (with prob. weekend_p) or weekday, staying within [lo, hi]."""
    want_weekend = rng.random(len(day)) < weekend_p
    dow = _dow(day)
    is_weekend = dow >= 5
    target = np.where(want_weekend, 5 + rng.integers(0, 2, len(day)), rng.integers(0, 5, len(day)))
    moved = day + (target - dow) % 7
    # Prefer the earlier occurrence when the later one leaves the window.
    moved = np.where(moved > hi, moved - 7, moved)
    ok = (moved >= lo) & (moved <= hi)
    keep = want_weekend == is_weekend
    return np.where(keep | ~ok, day, moved).astype(np.int64)


def generate_demo(customers: int = 2000, seed: int = 7) -> DemoData:
    """Generate a seeded demo log of ``customers`` customers over 2025-06-01..2025-11-27.

    The same ``(customers, seed)`` always gives the same log. About 60-70 events per customer.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    rng = np.random.default_rng(seed)
    n = customers
    seg = rng.permutation(np.arange(n) % len(SEGMENT_KEYS)).astype(np.int64)
    ramp_buyer = rng.random(n) < 0.5
    activity = rng.lognormal(0.0, 0.45, n)
    # Most customers are there all along; some start late and some churn part-way.
    start = np.where(rng.random(n) < 0.2, rng.integers(0, 120, n), 0).astype(np.int64)
    churn_end = start + 30 + (rng.random(n) * (N_DAYS - 1 - start - 30)).astype(np.int64)
    end = np.where(rng.random(n) < 0.2, churn_end, N_DAYS - 1).astype(np.int64)
    active_days = (end - start + 1).astype(np.float64)

    # ---- background browsing sessions -------------------------------------------------------
    n_bg = rng.poisson(BG_RATE[seg] * active_days * activity) + 1
    b_cust = np.repeat(np.arange(n), n_bg)
    b_seg = seg[b_cust]
    b_day = start[b_cust] + (rng.random(len(b_cust)) * active_days[b_cust]).astype(np.int64)
    b_day = _snap_days(rng, b_day, start[b_cust], end[b_cust], WEEKEND_P[b_seg])
    b_cat = pick_category(rng, b_seg)
    b_focus = pick_products(rng, b_cat, b_seg)
    b_len = 1 + rng.poisson(BG_LEN[b_seg] - 1.0)

    bs = np.repeat(np.arange(len(b_cust)), b_len)  # background session of each event
    be_seg = b_seg[bs]
    be_type = pick_types(rng, BG_MIX[be_seg])
    # Within a session people come back to one item; otherwise they look around the category.
    other = pick_products(rng, b_cat[bs], be_seg)
    be_prod = np.where(rng.random(len(bs)) < 0.35, b_focus[bs], other)

    # ---- purchase episodes --------------------------------------------------------------------
    ep_rate = BUY_RATE[seg] / 30.0 * active_days * np.sqrt(activity)
    n_ep = np.where(ramp_buyer, 1 + rng.poisson(ep_rate / (1 - ABANDON_P)), rng.poisson(ep_rate))
    e_cust = np.repeat(np.arange(n), n_ep)
    e_seg = seg[e_cust]
    e_ramp = ramp_buyer[e_cust]
    n_e = len(e_cust)
    e_len = np.where(e_ramp, rng.integers(3, 11, n_e), 0).astype(np.int64)
    e_lo = np.minimum(start[e_cust] + e_len, end[e_cust])
    e_span = (end[e_cust] - e_lo + 1).astype(np.float64)
    e_day = e_lo + (tilt_days(rng.random(n_e), PURCHASE_TREND[e_seg]) * e_span).astype(np.int64)
    e_day = _snap_days(rng, e_day, e_lo, end[e_cust], WEEKEND_P[e_seg])
    e_abandon = e_ramp & (rng.random(n_e) < ABANDON_P)
    e_cat = pick_category(rng, e_seg)
    e_prod = pick_products(rng, e_cat, e_seg)
    # A stream of its own, so the planted seasons leave every other draw as it was.
    e_prod = seasonal_swap(np.random.default_rng([seed, 2]), e_day, e_cat, e_prod)
    # Ramps are long and escalating; impulse buys are a few looks in one session.
    e_nramp = np.where(e_ramp, 5 + rng.poisson(6.0, n_e), 1 + rng.poisson(1.0, n_e))

    rs = np.repeat(np.arange(n_e), e_nramp)  # episode of each ramp event
    rs_seg = e_seg[rs]
    # days_before = len * u^2 puts most events near the purchase: activity intensifies.
    before = np.floor((e_len[rs] + 1) * rng.random(len(rs)) ** 2).astype(np.int64)
    before = np.minimum(before, e_len[rs])
    r_day = e_day[rs] - before
    r_day = _snap_days(rng, r_day, e_day[rs] - e_len[rs], e_day[rs], WEEKEND_P[rs_seg])
    u = rng.random(len(rs))
    r_type = np.where(
        u < EP_SEARCH[rs_seg],
        SEARCH,
        np.where(u < EP_SEARCH[rs_seg] + EP_FAV[rs_seg], FAV, VIEW),
    )
    r_prod = np.where(
        rng.random(len(rs)) < 0.55, e_prod[rs], pick_products(rng, e_cat[rs], rs_seg)
    )
    r_rank = np.zeros(len(rs), dtype=np.int64)

    # Cart adds 0-2 days before the purchase; abandoned episodes often remove the item again.
    has_cart = rng.random(n_e) < np.where(e_abandon, 0.6, np.where(e_ramp, 0.85, 0.5))
    c_ep = np.flatnonzero(has_cart)
    c_before = np.minimum(rng.integers(0, 3, len(c_ep)), e_len[c_ep])
    c_day = e_day[c_ep] - c_before
    rm_ep = c_ep[e_abandon[c_ep] & (rng.random(len(c_ep)) < 0.5)]
    rm_day = c_day[np.isin(c_ep, rm_ep)]
    p_ep = np.flatnonzero(~e_abandon)
    p_qty = 1 + rng.poisson(EXTRA_QTY[e_seg[p_ep]])

    # ---- refunds (about 3% of purchases, 3-20 days later) ----------------------------------
    rf_mask = rng.random(len(p_ep)) < REFUND_P
    rf_ep = p_ep[rf_mask]
    rf_day = e_day[rf_ep] + rng.integers(3, 21, len(rf_ep))
    rf_keep = rf_day < N_DAYS
    rf_ep, rf_day, rf_qty = rf_ep[rf_keep], rf_day[rf_keep], p_qty[rf_mask][rf_keep]

    # ---- assemble -----------------------------------------------------------------------------
    # Session keys: background sessions are their own; episode events are grouped per day.
    ep_sess_key = np.concatenate([rs, c_ep, rm_ep, p_ep]) * N_DAYS
    ep_day_all = np.concatenate([r_day, c_day, rm_day, e_day[p_ep]])
    parts_cust = [b_cust[bs], e_cust[rs], e_cust[c_ep], e_cust[rm_ep], e_cust[p_ep], e_cust[rf_ep]]
    cust = np.concatenate(parts_cust)
    day = np.concatenate([b_day[bs], ep_day_all, rf_day])
    etype = np.concatenate(
        [
            be_type,
            r_type,
            np.full(len(c_ep), CART),
            np.full(len(rm_ep), REMOVE),
            np.full(len(p_ep), PURCHASE),
            np.full(len(rf_ep), REFUND),
        ]
    )
    prod = np.concatenate(
        [be_prod, r_prod, e_prod[c_ep], e_prod[rm_ep], e_prod[p_ep], e_prod[rf_ep]]
    )
    # Within a session: looking around first, then cart, removal, purchase.
    rank = np.concatenate(
        [
            np.where(be_type == CART, 1, np.where(be_type == REMOVE, 2, 0)),
            r_rank,
            np.full(len(c_ep), 1),
            np.full(len(rm_ep), 2),
            np.full(len(p_ep), 3),
            np.zeros(len(rf_ep), dtype=np.int64),
        ]
    )
    qty = np.concatenate(
        [np.zeros(len(bs) + len(rs) + len(c_ep) + len(rm_ep), dtype=np.int64), p_qty, rf_qty]
    )
    # Session identity: key * 3 + kind is unique across kinds (0 background, 1 episode day,
    # 2 refund), then made dense.
    raw_sess = np.concatenate(
        [
            bs.astype(np.int64) * 3,
            (ep_sess_key + ep_day_all) * 3 + 1,
            np.arange(len(rf_ep), dtype=np.int64) * 3 + 2,
        ]
    )
    _, sess = np.unique(raw_sess, return_inverse=True)
    sess = sess.astype(np.int64)
    n_sess = int(sess.max()) + 1

    # Session start times from the segment's hour habit; events follow each other 5-300 s apart.
    s_cust = np.zeros(n_sess, dtype=np.int64)
    s_cust[sess] = cust
    s_seg = seg[s_cust]
    hour = np.mod(np.rint(rng.normal(HOUR_MEAN[s_seg], HOUR_SD[s_seg])), 24).astype(np.int64)
    s_start = hour * 3600 + rng.integers(0, 3600, n_sess)
    order = np.lexsort((rng.random(len(sess)), rank, sess))
    gap = 5 + rng.exponential(50.0, len(sess)).astype(np.int64)
    sorted_sess = sess[order]
    csum = np.cumsum(gap[order])
    first = np.r_[True, sorted_sess[1:] != sorted_sess[:-1]]
    group_base = np.maximum.accumulate(np.where(first, csum - gap[order], 0))
    offset = np.empty(len(sess), dtype=np.int64)
    offset[order] = csum - group_base - gap[order]
    secs = day * 86400 + s_start[sess] + offset
    secs = np.minimum(secs, N_DAYS * 86400 - 1)

    return to_frames(n, seg, ramp_buyer, cust, secs, etype, prod, qty, sess)


def write_demo_csv(path: str | Path, customers: int = 2000, seed: int = 7) -> DemoData:
    """Generate a demo log and write it as a UTF-8 CSV with a header row; return the data."""
    data = generate_demo(customers=customers, seed=seed)
    data.events.to_csv(Path(path), index=False, encoding="utf-8", float_format="%.2f")
    return data


__all__ = [
    "generate_demo",
    "write_demo_csv",
]
