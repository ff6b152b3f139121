"""The shop the demo log is drawn from, the same whatever the seed: its catalogue, the habits of
the planted segments, and draws of categories, products and event types by segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

#: Segment key -> the habit that defines it, in words (the profile tests look for these words).
PLANTED_SEGMENTS: Final[dict[str, str]] = {
    "home_decor_regulars": "frequent small baskets of cheap Home Decor items on weekdays, "
    "buying most of what they look at",
    "weekend_bargain_hunters": "shop on the weekend, look at many cheap Toys per purchase",
    "electronics_researchers": "search and compare Electronics a lot in the evening, "
    "rarely buy but buy expensive",
    "fashion_browsers": "favorite and cart many Fashion items but rarely buy (cart abandoners)",
}

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
class Catalogue:
    product_id: npt.NDArray[np.str_]
    name: npt.NDArray[np.str_]
    category: npt.NDArray[np.int64]
    price: npt.NDArray[np.float64]
    query: npt.NDArray[np.str_]
    # by_price[c, r]: product index of the r-th cheapest product of category c.
    by_price: npt.NDArray[np.int64]


def _build_catalogue() -> Catalogue:
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
    return Catalogue(
        np.asarray(ids), np.asarray(names), category, price, np.asarray(queries), by_price
    )


CATALOGUE: Final[Catalogue] = _build_catalogue()

# ---------------------------------------------------------------------------------------------
# Segment habits, one row per segment in PLANTED_SEGMENTS order.
# ---------------------------------------------------------------------------------------------
SEGMENT_KEYS: Final[tuple[str, ...]] = tuple(PLANTED_SEGMENTS)
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
WEEKEND_P: Final[npt.NDArray[np.float64]] = np.array([0.10, 0.80, 0.25, 0.30])
# Session start hour: mean and spread (hours, wrapped to 0..23).
HOUR_MEAN: Final[npt.NDArray[np.float64]] = np.array([12.5, 13.5, 20.5, 16.0])
HOUR_SD: Final[npt.NDArray[np.float64]] = np.array([2.5, 3.0, 1.3, 4.0])
# Price level: product rank within its category ~ Beta(a, b) (small a/b = cheap items).
_PRICE_AB: Final[npt.NDArray[np.float64]] = np.array(
    [[1.0, 5.0], [1.0, 5.0], [5.0, 1.3], [2.0, 2.0]]
)
# Background browsing sessions per active day, and events per session (mean).
BG_RATE: Final[npt.NDArray[np.float64]] = np.array([0.06, 0.065, 0.085, 0.09])
BG_LEN: Final[npt.NDArray[np.float64]] = np.array([2.5, 6.0, 6.0, 5.0])
# Event mix of browsing sessions: view, search, cart, remove_from_cart, favorite.
BG_MIX: Final[npt.NDArray[np.float64]] = np.array(
    [
        [0.84, 0.04, 0.08, 0.01, 0.03],
        [0.90, 0.04, 0.04, 0.00, 0.02],
        [0.52, 0.42, 0.03, 0.01, 0.02],
        [0.42, 0.03, 0.25, 0.12, 0.18],
    ]
)
# Purchase episodes per 30 active days.
BUY_RATE: Final[npt.NDArray[np.float64]] = np.array([1.6, 0.7, 0.35, 0.25])
# Extra units per purchase line (quantity = 1 + Poisson(this)).
EXTRA_QTY: Final[npt.NDArray[np.float64]] = np.array([1.0, 0.6, 0.05, 0.3])
# Share of searches among the intent-episode events.
EP_SEARCH: Final[npt.NDArray[np.float64]] = np.array([0.03, 0.05, 0.35, 0.03])
EP_FAV: Final[npt.NDArray[np.float64]] = np.array([0.03, 0.02, 0.03, 0.25])

ABANDON_P: Final[float] = 0.25
REFUND_P: Final[float] = 0.03


def pick_products(
    rng: np.random.Generator, cat: npt.NDArray[np.int64], seg: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    ab = _PRICE_AB[seg]
    rank = np.minimum(
        (rng.beta(ab[:, 0], ab[:, 1]) * _PER_CATEGORY).astype(np.int64), _PER_CATEGORY - 1
    )
    return CATALOGUE.by_price[cat, rank]


def pick_category(rng: np.random.Generator, seg: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return pick_types(rng, _CAT_P[seg])


def pick_types(rng: np.random.Generator, mix: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Draw one column index per row of ``mix`` (rows are probabilities)."""
    cum = np.cumsum(mix, axis=1)
    drawn: npt.NDArray[np.int64] = (rng.random(len(mix))[:, None] > cum[:, :-1]).sum(axis=1)
    return drawn.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# What the sales forecast finds: trends per segment and a few seasonal products.
# ---------------------------------------------------------------------------------------------
#: Trend of each segment's purchases over the half year, in PLANTED_SEGMENTS order: the density
#: of purchase days rises linearly from (1 - s) to (1 + s). Electronics and Toys grow, Fashion
#: fades, Home Decor stays level.
PURCHASE_TREND: Final[npt.NDArray[np.float64]] = np.array([0.0, 0.4, 0.7, -0.6])
#: Seasonal products: (noun, category, first day, last day, share of that category's purchases
#: in those days that go to one of them). Kites sell in June and July; throw blankets from
#: October on.
SEASONAL: Final[tuple[tuple[str, str, int, int, float], ...]] = (
    ("Kite", "Toys", 0, 60, 0.35),
    ("Throw Blanket", "Home Decor", 122, 179, 0.3),
)


def tilt_days(u: npt.NDArray[np.float64], slope: npt.NDArray[np.float64]
              ) -> npt.NDArray[np.float64]:
    """Uniform draws in [0, 1) turned into draws with the linear density 1 + s(2t - 1)
    (inverse CDF), so a positive slope puts more days near the end."""
    s = np.clip(slope, -0.99, 0.99)
    flat = np.abs(s) < 1e-9
    safe = np.where(flat, 1.0, s)
    t = (-(1 - safe) + np.sqrt((1 - safe) ** 2 + 4 * safe * u)) / (2 * safe)
    return np.asarray(np.clip(np.where(flat, u, t), 0.0, 1.0 - 1e-12), dtype=np.float64)


def seasonal_swap(rng: np.random.Generator, day: npt.NDArray[np.int64],
                  cat: npt.NDArray[np.int64], prod: npt.NDArray[np.int64]
                  ) -> npt.NDArray[np.int64]:
    """Purchases moved to the seasonal products of ``SEASONAL`` in their season."""
    out = prod.copy()
    names = CATALOGUE.name
    for noun, category, first, last, share in SEASONAL:
        c = CATEGORIES.index(category)
        options = np.flatnonzero((CATALOGUE.category == c)
                                 & np.char.endswith(names.astype(str), noun))
        hit = (cat == c) & (day >= first) & (day <= last) & (rng.random(len(day)) < share)
        out[hit] = rng.choice(options, int(hit.sum()))
    return out
