"""Seeded demo data: a shop's customer-behaviour log with known, planted structure.

The generator is the fixture the whole project is tested against, so everything it plants is
documented here and checked by ``tests/engine/test_demo.py``:

* four customer segments (``PLANTED_SEGMENTS``) with distinct category, weekday, hour, price and
  funnel habits, in roughly equal shares;
* purchase "intent episodes": for ``ramp_buyer`` customers the 3-10 days before a purchase show
  escalating views of the product and its category and a cart add 0-2 days before; about 25% of
  episodes are abandoned. Other customers buy on impulse inside a single browsing session;
* churn (some customers stop part-way), late starters, a few refunds (~3% of purchases).

Everything is vectorised with one ``numpy.random.Generator`` so 200,000 customers still work and
the same seed always gives the same log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.events import FRAME_COLUMNS

#: Segment key -> the habit that defines it, in words (the profile tests look for these words).
PLANTED_SEGMENTS: Final[dict[str, str]] = {
    "home_decor_regulars": "frequent small baskets of cheap Home Decor items on weekdays, "
    "buying most of what they look at",
    "weekend_bargain_hunters": "shop on the weekend, look at many cheap Toys per purchase",
    "electronics_researchers": "search and compare Electronics a lot in the evening, "
    "rarely buy but buy expensive",
    "fashion_browsers": "favorite and cart many Fashion items but rarely buy (cart abandoners)",
}

#: Event types written to the CSV (the source's own words; ``events_frame`` maps them).
CSV_EVENT_TYPES: Final[tuple[str, ...]] = (
    "view",
    "search",
    "cart",
    "remove_from_cart",
    "favorite",
    "purchase",
    "refund",
)
_CSV_TO_FRAME_EVENT: Final[dict[str, str]] = {"remove_from_cart": "remove_cart"}

#: CSV columns, in order.
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "customer_id",
    "event_time",
    "event_type",
    "product_id",
    "category",
    "product_name",
    "price",
    "quantity",
    "session_id",
    "search_query",
)

START: Final[pd.Timestamp] = pd.Timestamp("2025-06-01 00:00:00")
N_DAYS: Final[int] = 180
_START_S: Final[int] = int(START.value // 1_000_000_000)
# 2025-06-01 is a Sunday; pandas' dayofweek (Monday=0) of day index d is (6 + d) % 7.
_FIRST_DOW: Final[int] = 6

# Event type codes (index into CSV_EVENT_TYPES).
_VIEW, _SEARCH, _CART, _REMOVE, _FAV, _PURCHASE, _REFUND = range(7)

# ---------------------------------------------------------------------------------------------
# Catalogue: fixed (independent of the seed) so product ids mean the same thing in every demo.
# ---------------------------------------------------------------------------------------------
CATEGORIES: Final[tuple[str, ...]] = ("Home Decor", "Toys", "Electronics", "Fashion", "Garden")
_NOUNS: Final[dict[str, tuple[str, ...]]] = {
    "Home Decor": (
        "Tealight Holder",
        "Candle",
        "Cushion Cover",
        "Photo Frame",
        "Vase",
        "Wall Clock",
        "Table Lamp",
        "Mirror",
        "Throw Blanket",
        "Storage Basket",
        "Table Runner",
        "Rug",
    ),
    "Toys": (
        "Bubble Wand",
        "Puzzle",
        "Card Game",
        "Plush Bear",
        "Toy Car",
        "Building Blocks",
        "Doll",
        "Kite",
        "Board Game",
        "Train Set",
        "Science Kit",
        "Ride-On Scooter",
    ),
    "Electronics": (
        "USB Cable",
        "Phone Case",
        "Power Bank",
        "Earbuds",
        "Smart Plug",
        "Keyboard",
        "Headphones",
        "Smartwatch",
        "Tablet",
        "Monitor",
        "Camera",
        "Laptop",
    ),
    "Fashion": (
        "Socks",
        "Scarf",
        "T-Shirt",
        "Cap",
        "Belt",
        "Blouse",
        "Jeans",
        "Sneakers",
        "Dress",
        "Handbag",
        "Jacket",
        "Winter Coat",
    ),
    "Garden": (
        "Seed Packet",
        "Plant Label Set",
        "Gloves",
        "Trowel",
        "Watering Can",
        "Flower Pot",
        "Bird Feeder",
        "Pruning Shears",
        "Solar Lights",
        "Hose",
        "Garden Chair",
        "Parasol",
    ),
}
_ADJECTIVES: Final[dict[str, tuple[str, ...]]] = {
    "Home Decor": ("Rustic", "Nordic", "Velvet", "Ceramic", "Vintage"),
    "Toys": ("Rainbow", "Wooden", "Mini", "Deluxe", "Classic"),
    "Electronics": ("Basic", "Pro", "Wireless", "Ultra", "Compact"),
    "Fashion": ("Cotton", "Linen", "Denim", "Leather", "Wool"),
    "Garden": ("Green", "Sturdy", "Terracotta", "Bamboo", "Weatherproof"),
}
#: Category-typical price range (cheapest noun, dearest noun) in the shop's currency.
_PRICE_RANGE: Final[dict[str, tuple[float, float]]] = {
    "Home Decor": (2.5, 90.0),
    "Toys": (2.0, 80.0),
    "Electronics": (8.0, 1200.0),
    "Fashion": (6.0, 180.0),
    "Garden": (2.0, 160.0),
}
_PER_CATEGORY: Final[int] = 60


@dataclass(frozen=True)
class _Catalogue:
    product_id: npt.NDArray[np.str_]
    name: npt.NDArray[np.str_]
    category: npt.NDArray[np.int64]
    price: npt.NDArray[np.float64]
    query: npt.NDArray[np.str_]
    # by_price[c, r]: product index of the r-th cheapest product of category c.
    by_price: npt.NDArray[np.int64]


def _build_catalogue() -> _Catalogue:
    rng = np.random.default_rng(20250601)
    ids: list[str] = []
    names: list[str] = []
    queries: list[str] = []
    cats: list[int] = []
    prices: list[float] = []
    for c, cat in enumerate(CATEGORIES):
        lo, hi = _PRICE_RANGE[cat]
        nouns = _NOUNS[cat]
        # Nouns are listed cheapest first; prices spread log-evenly over the category range.
        base = np.exp(np.linspace(np.log(lo), np.log(hi), len(nouns)))
        for n_i, noun in enumerate(nouns):
            for adj in _ADJECTIVES[cat]:
                ids.append(f"P{len(ids) + 1:04d}")
                names.append(f"{adj} {noun}")
                queries.append(f"{adj.lower()} {noun.lower()}")
                cats.append(c)
                raw = base[n_i] * rng.uniform(0.8, 1.25)
                # Shop prices end in .99 or .49 once they are above a few units.
                prices.append(round(max(np.floor(raw) + (0.99 if raw > 5 else 0.49), 0.49), 2))
    price = np.asarray(prices, dtype=np.float64)
    category = np.asarray(cats, dtype=np.int64)
    by_price = np.stack(
        [
            np.flatnonzero(category == c)[np.argsort(price[category == c], kind="stable")]
            for c in range(len(CATEGORIES))
        ]
    ).astype(np.int64)
    return _Catalogue(
        np.asarray(ids), np.asarray(names), category, price, np.asarray(queries), by_price
    )


_CATALOGUE: Final[_Catalogue] = _build_catalogue()

# ---------------------------------------------------------------------------------------------
# Segment habits, one row per segment in PLANTED_SEGMENTS order.
# ---------------------------------------------------------------------------------------------
_SEGMENT_KEYS: Final[tuple[str, ...]] = tuple(PLANTED_SEGMENTS)
# Share of activity per category (Home Decor, Toys, Electronics, Fashion, Garden).
_CAT_P: Final[npt.NDArray[np.float64]] = np.array(
    [
        [0.74, 0.05, 0.05, 0.06, 0.10],
        [0.07, 0.74, 0.06, 0.06, 0.07],
        [0.05, 0.05, 0.76, 0.07, 0.07],
        [0.06, 0.06, 0.06, 0.76, 0.06],
    ]
)
# Probability that a session falls on a weekend day (2/7 = 0.29 would be no preference).
_WEEKEND_P: Final[npt.NDArray[np.float64]] = np.array([0.10, 0.80, 0.25, 0.30])
# Session start hour: mean and spread (hours, wrapped to 0..23).
_HOUR_MEAN: Final[npt.NDArray[np.float64]] = np.array([12.5, 13.5, 20.5, 16.0])
_HOUR_SD: Final[npt.NDArray[np.float64]] = np.array([2.5, 3.0, 1.3, 4.0])
# Price level: product rank within its category ~ Beta(a, b) (small a/b = cheap items).
_PRICE_AB: Final[npt.NDArray[np.float64]] = np.array(
    [[1.0, 5.0], [1.0, 5.0], [5.0, 1.3], [2.0, 2.0]]
)
# Background browsing sessions per active day, and events per session (mean).
_BG_RATE: Final[npt.NDArray[np.float64]] = np.array([0.06, 0.065, 0.085, 0.09])
_BG_LEN: Final[npt.NDArray[np.float64]] = np.array([2.5, 6.0, 6.0, 5.0])
# Event mix of browsing sessions: view, search, cart, remove_from_cart, favorite.
_BG_MIX: Final[npt.NDArray[np.float64]] = np.array(
    [
        [0.84, 0.04, 0.08, 0.01, 0.03],
        [0.90, 0.04, 0.04, 0.00, 0.02],
        [0.52, 0.42, 0.03, 0.01, 0.02],
        [0.42, 0.03, 0.25, 0.12, 0.18],
    ]
)
# Purchase episodes per 30 active days.
_BUY_RATE: Final[npt.NDArray[np.float64]] = np.array([1.6, 0.7, 0.35, 0.25])
# Extra units per purchase line (quantity = 1 + Poisson(this)).
_EXTRA_QTY: Final[npt.NDArray[np.float64]] = np.array([1.0, 0.6, 0.05, 0.3])
# Share of searches among the intent-episode events.
_EP_SEARCH: Final[npt.NDArray[np.float64]] = np.array([0.03, 0.05, 0.35, 0.03])
_EP_FAV: Final[npt.NDArray[np.float64]] = np.array([0.03, 0.02, 0.03, 0.25])

_ABANDON_P: Final[float] = 0.25
_REFUND_P: Final[float] = 0.03


@dataclass(frozen=True)
class DemoData:
    """A generated demo log and the structure planted in it.

    ``events`` is CSV-ready (columns ``CSV_COLUMNS``, sorted by time); ``truth`` has one row per
    customer: ``customer`` (the key), ``segment`` (a ``PLANTED_SEGMENTS`` key), ``ramp_buyer``.
    """

    events: pd.DataFrame
    truth: pd.DataFrame

    def customer_ids(self) -> pd.Series:
        """Map customer key -> the dense ``customer_id`` (1, 2, ... in order of first event)."""
        keys = pd.unique(self.events["customer_id"].to_numpy())
        return pd.Series(
            np.arange(1, len(keys) + 1, dtype=np.int64),
            index=pd.Index(keys, name="customer"),
            name="customer_id",
        )

    def events_frame(self) -> pd.DataFrame:
        """The same events as an event frame (``engine.events.FRAME_COLUMNS``).

        Sorted by ``customer_id`` then ``time_ms``; refunds get a negative ``amount`` the way the
        importer stores them, so models can be tested without going through an import.
        """
        ev = self.events
        ids = self.customer_ids()
        etype = ev["event_type"].to_numpy(dtype=object)
        event = pd.Series(etype).replace(_CSV_TO_FRAME_EVENT).to_numpy(dtype=object)
        time_ms = (
            pd.to_datetime(ev["event_time"], format="%Y-%m-%d %H:%M:%S")
            .to_numpy(dtype="datetime64[ms]")
            .astype(np.int64)
        )
        price = ev["price"].to_numpy(dtype=np.float64)
        quantity = ev["quantity"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        amount = price * quantity
        amount = np.where(etype == "refund", -amount, amount)

        def _nullable(col: str) -> pd.Series:
            # Object dtype keeps missing text as None (the contract), not the str dtype's NaN.
            values = ev[col].to_numpy(dtype=object)
            return pd.Series(np.where(values == "", None, values), dtype=object)

        frame = pd.DataFrame(
            {
                "customer_id": ids.reindex(ev["customer_id"].to_numpy()).to_numpy(dtype=np.int64),
                "time_ms": time_ms,
                "event": pd.Series(event, dtype=object),
                "item": _nullable("product_id"),
                "category": _nullable("category"),
                "price": price,
                "quantity": quantity,
                "amount": amount,
                "session": _nullable("session_id"),
                "query": _nullable("search_query"),
            }
        )
        frame = frame.sort_values(["customer_id", "time_ms"], kind="stable")
        return frame.reset_index(drop=True)[list(FRAME_COLUMNS)]


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


def _pick_products(
    rng: np.random.Generator, cat: npt.NDArray[np.int64], seg: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    ab = _PRICE_AB[seg]
    rank = np.minimum(
        (rng.beta(ab[:, 0], ab[:, 1]) * _PER_CATEGORY).astype(np.int64), _PER_CATEGORY - 1
    )
    return _CATALOGUE.by_price[cat, rank]


def _pick_category(rng: np.random.Generator, seg: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return _pick_types(rng, _CAT_P[seg])


def _pick_types(rng: np.random.Generator, mix: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Draw one column index per row of ``mix`` (rows are probabilities)."""
    cum = np.cumsum(mix, axis=1)
    drawn: npt.NDArray[np.int64] = (rng.random(len(mix))[:, None] > cum[:, :-1]).sum(axis=1)
    return drawn.astype(np.int64)


def generate_demo(customers: int = 2000, seed: int = 7) -> DemoData:
    """Generate a seeded demo log of ``customers`` customers over 2025-06-01..2025-11-27.

    The same ``(customers, seed)`` always gives the same log. About 60-70 events per customer.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    rng = np.random.default_rng(seed)
    n = customers
    seg = rng.permutation(np.arange(n) % len(_SEGMENT_KEYS)).astype(np.int64)
    ramp_buyer = rng.random(n) < 0.5
    activity = rng.lognormal(0.0, 0.45, n)
    # Most customers are there all along; some start late and some churn part-way.
    start = np.where(rng.random(n) < 0.2, rng.integers(0, 120, n), 0).astype(np.int64)
    churn_end = start + 30 + (rng.random(n) * (N_DAYS - 1 - start - 30)).astype(np.int64)
    end = np.where(rng.random(n) < 0.2, churn_end, N_DAYS - 1).astype(np.int64)
    active_days = (end - start + 1).astype(np.float64)

    # ---- background browsing sessions -------------------------------------------------------
    n_bg = rng.poisson(_BG_RATE[seg] * active_days * activity) + 1
    b_cust = np.repeat(np.arange(n), n_bg)
    b_seg = seg[b_cust]
    b_day = start[b_cust] + (rng.random(len(b_cust)) * active_days[b_cust]).astype(np.int64)
    b_day = _snap_days(rng, b_day, start[b_cust], end[b_cust], _WEEKEND_P[b_seg])
    b_cat = _pick_category(rng, b_seg)
    b_focus = _pick_products(rng, b_cat, b_seg)
    b_len = 1 + rng.poisson(_BG_LEN[b_seg] - 1.0)

    bs = np.repeat(np.arange(len(b_cust)), b_len)  # background session of each event
    be_seg = b_seg[bs]
    be_type = _pick_types(rng, _BG_MIX[be_seg])
    # Within a session people come back to one item; otherwise they look around the category.
    other = _pick_products(rng, b_cat[bs], be_seg)
    be_prod = np.where(rng.random(len(bs)) < 0.35, b_focus[bs], other)

    # ---- purchase episodes --------------------------------------------------------------------
    ep_rate = _BUY_RATE[seg] / 30.0 * active_days * np.sqrt(activity)
    n_ep = np.where(ramp_buyer, 1 + rng.poisson(ep_rate / (1 - _ABANDON_P)), rng.poisson(ep_rate))
    e_cust = np.repeat(np.arange(n), n_ep)
    e_seg = seg[e_cust]
    e_ramp = ramp_buyer[e_cust]
    n_e = len(e_cust)
    e_len = np.where(e_ramp, rng.integers(3, 11, n_e), 0).astype(np.int64)
    e_lo = np.minimum(start[e_cust] + e_len, end[e_cust])
    e_span = (end[e_cust] - e_lo + 1).astype(np.float64)
    e_day = e_lo + (rng.random(n_e) * e_span).astype(np.int64)
    e_day = _snap_days(rng, e_day, e_lo, end[e_cust], _WEEKEND_P[e_seg])
    e_abandon = e_ramp & (rng.random(n_e) < _ABANDON_P)
    e_cat = _pick_category(rng, e_seg)
    e_prod = _pick_products(rng, e_cat, e_seg)
    # Ramps are long and escalating; impulse buys are a few looks in one session.
    e_nramp = np.where(e_ramp, 5 + rng.poisson(6.0, n_e), 1 + rng.poisson(1.0, n_e))

    rs = np.repeat(np.arange(n_e), e_nramp)  # episode of each ramp event
    rs_seg = e_seg[rs]
    # days_before = len * u^2 puts most events near the purchase: activity intensifies.
    before = np.floor((e_len[rs] + 1) * rng.random(len(rs)) ** 2).astype(np.int64)
    before = np.minimum(before, e_len[rs])
    r_day = e_day[rs] - before
    r_day = _snap_days(rng, r_day, e_day[rs] - e_len[rs], e_day[rs], _WEEKEND_P[rs_seg])
    u = rng.random(len(rs))
    r_type = np.where(
        u < _EP_SEARCH[rs_seg],
        _SEARCH,
        np.where(u < _EP_SEARCH[rs_seg] + _EP_FAV[rs_seg], _FAV, _VIEW),
    )
    r_prod = np.where(
        rng.random(len(rs)) < 0.55, e_prod[rs], _pick_products(rng, e_cat[rs], rs_seg)
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
    p_qty = 1 + rng.poisson(_EXTRA_QTY[e_seg[p_ep]])

    # ---- refunds (about 3% of purchases, 3-20 days later) ----------------------------------
    rf_mask = rng.random(len(p_ep)) < _REFUND_P
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
            np.full(len(c_ep), _CART),
            np.full(len(rm_ep), _REMOVE),
            np.full(len(p_ep), _PURCHASE),
            np.full(len(rf_ep), _REFUND),
        ]
    )
    prod = np.concatenate(
        [be_prod, r_prod, e_prod[c_ep], e_prod[rm_ep], e_prod[p_ep], e_prod[rf_ep]]
    )
    # Within a session: looking around first, then cart, removal, purchase.
    rank = np.concatenate(
        [
            np.where(be_type == _CART, 1, np.where(be_type == _REMOVE, 2, 0)),
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
    hour = np.mod(np.rint(rng.normal(_HOUR_MEAN[s_seg], _HOUR_SD[s_seg])), 24).astype(np.int64)
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

    return _to_frames(n, seg, ramp_buyer, cust, secs, etype, prod, qty, sess)


_STR: Final = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str" dtype


def _text(codes: npt.NDArray[np.int64], labels: npt.NDArray[np.str_]) -> pd.Series:
    """labels[codes] as a pandas str column.

    Decoded by Arrow: a numpy unicode take would need 4 bytes per character per row, gigabytes
    at 200,000 customers.
    """
    return pd.Series(_arrow_text(codes, labels).to_pandas(types_mapper=lambda _: _STR))


def _arrow_text(codes: npt.NDArray[np.int64], labels: npt.NDArray[np.str_]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(labels.tolist(), type=pa.string())
    ).cast(pa.string())


def _to_frames(
    n: int,
    seg: npt.NDArray[np.int64],
    ramp_buyer: npt.NDArray[np.bool_],
    cust: npt.NDArray[np.int64],
    secs: npt.NDArray[np.int64],
    etype: npt.NDArray[np.int64],
    prod: npt.NDArray[np.int64],
    qty: npt.NDArray[np.int64],
    sess: npt.NDArray[np.int64],
) -> DemoData:
    order = np.lexsort((sess, cust, secs))
    cust, secs, etype, prod, qty, sess = (a[order] for a in (cust, secs, etype, prod, qty, sess))
    # Session ids numbered in order of first appearance, like a shop's log would show them.
    _, first_idx, inv = np.unique(sess, return_index=True, return_inverse=True)
    sess_rank = np.empty(len(first_idx), dtype=np.int64)
    sess_rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    width = max(6, len(str(len(first_idx))))
    sess_names = np.char.add(
        "S", np.char.zfill(np.arange(1, len(first_idx) + 1).astype(str), width)
    )
    keys = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), max(5, len(str(n)))))
    is_search = etype == _SEARCH
    is_money = (etype == _PURCHASE) | (etype == _REFUND)
    blank = len(_CATALOGUE.product_id)  # code of the empty string in the padded label arrays
    # Timestamps as "date time" from two small dictionaries (180 dates, 86,400 clock times):
    # Arrow's strftime and numpy's datetime_as_string are 5-10x slower at millions of rows.
    dates = np.datetime_as_string(
        START.to_datetime64().astype("datetime64[D]") + np.arange(N_DAYS), unit="D"
    )
    clock = np.char.replace(
        np.datetime_as_string(np.arange(86400).astype("datetime64[s]"), unit="s"), "1970-01-01T", ""
    )
    stamp = pc.binary_join_element_wise(
        _arrow_text(secs // 86400, dates), _arrow_text(secs % 86400, clock), " "
    )
    events = pd.DataFrame(
        {
            "customer_id": _text(cust, keys),
            "event_time": pd.Series(stamp.to_pandas(types_mapper=lambda _: _STR)),
            "event_type": _text(etype, np.asarray(CSV_EVENT_TYPES)),
            "product_id": _text(
                np.where(is_search, blank, prod), np.append(_CATALOGUE.product_id, "")
            ),
            "category": _text(_CATALOGUE.category[prod], np.asarray(CATEGORIES)),
            "product_name": _text(np.where(is_search, blank, prod), np.append(_CATALOGUE.name, "")),
            "price": np.where(is_search, np.nan, _CATALOGUE.price[prod]),
            "quantity": pd.arrays.IntegerArray(np.where(is_money, qty, 0), ~is_money),
            "session_id": _text(sess_rank[inv], sess_names),
            "search_query": _text(
                np.where(is_search, prod, blank), np.append(_CATALOGUE.query, "")
            ),
        }
    )
    truth = pd.DataFrame(
        {
            "customer": keys,
            "segment": np.asarray(_SEGMENT_KEYS)[seg],
            "ramp_buyer": ramp_buyer.astype(bool),
        }
    )
    return DemoData(events=events.reset_index(drop=True), truth=truth)


def write_demo_csv(path: str | Path, customers: int = 2000, seed: int = 7) -> DemoData:
    """Generate a demo log and write it as a UTF-8 CSV with a header row; return the data."""
    data = generate_demo(customers=customers, seed=seed)
    data.events.to_csv(Path(path), index=False, encoding="utf-8", float_format="%.2f")
    return data


__all__ = [
    "CATEGORIES",
    "CSV_COLUMNS",
    "CSV_EVENT_TYPES",
    "PLANTED_SEGMENTS",
    "DemoData",
    "generate_demo",
    "write_demo_csv",
]
