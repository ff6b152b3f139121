"""Settings of the recommendations task: the config dataclass, its presets and the resolved
dates. No torch, scipy or scikit-learn here: the GUI builds a :class:`RecommendConfig` at startup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from engine.fields import setting
from engine.intent.config import default_as_of_ms, default_horizon_days

if TYPE_CHECKING:
    import pandas as pd  # annotations only: making a config imports no pandas

#: Method keys, simplest first (the order of tables and of the JSON ``baselines``).
METHODS: Final[tuple[str, ...]] = (
    "popularity", "own_history", "co_occurrence", "neural", "blend")
#: What the tables call each method.
LABELS: Final[dict[str, str]] = {
    "popularity": "Recent popularity",
    "own_history": "Own history (repeat-aware)",
    "co_occurrence": "Bought together / chosen after",
    "neural": "Neural sequence model",
    "blend": "Blend (learned reranker)",
}
#: The same in the middle of a sentence.
NAMES: Final[dict[str, str]] = {
    "popularity": "popularity",
    "own_history": "own history",
    "co_occurrence": "co-occurrence",
    "neural": "the neural model",
    "blend": "the blend",
}
#: The sequence model's size and time budget per preset (``SequenceSettings`` fields).
PRESETS: Final[dict[str, dict[str, Any]]] = {
    "fast": {"max_len": 30, "dim": 32, "layers": 1, "heads": 2, "epochs": 6, "patience": 2,
             "max_seconds": 60.0},
    "balanced": {"max_len": 50, "dim": 64, "layers": 2, "heads": 2, "epochs": 20, "patience": 3,
                 "max_seconds": 300.0},
    "thorough": {"max_len": 100, "dim": 96, "layers": 2, "heads": 4, "epochs": 40, "patience": 4,
                 "max_seconds": 1200.0},
}

#: How already-bought items are treated, as the settings offer it.
EXCLUDE_BOUGHT = (
    ("learned", "Learned per category"),
    ("always", "Always leave out what they bought"),
    ("never", "Never leave out"),
)


@dataclass(frozen=True)
class RecommendConfig:
    """What the user chose for one recommendations run; ``None`` means "from the data"."""

    as_of_ms: int | None = setting(
        None, label="As of", kind="date", flag="--as-of",
        help="recommend as of this date (YYYY-MM-DD; default: end of data)",
    )
    horizon_days: int | None = setting(
        None, label="Next", unit="days", low=1, high=365, flag="--horizon",
        help="the days ahead a recommendation is for, 1 to 365 (default: from the data, "
             "at most 30)",
    )
    preset: str = setting(
        "balanced", label="Preset",
        choices=(("fast", "Fast"), ("balanced", "Balanced"), ("thorough", "Thorough")),
        help="how long and how carefully to train the sequence model",
    )
    keep: int = setting(
        20, label="Items per customer", low=1, high=100,
        help="how many items each customer gets, 1 to 100",
    )
    exclude_bought: str = setting(
        "learned", label="Already bought", choices=EXCLUDE_BOUGHT,
        help="leave out what a customer bought: learned per category (kept where people buy "
             "the same item again), always, or never",
    )
    exclude_items: str = setting(
        "", label="Never recommend", kind="items",
        help="item ids separated by commas or spaces, or a text/CSV file whose first column "
             "lists them (out of stock, discontinued)",
    )
    only_categories: str = setting(
        "", label="Only these categories", kind="categories",
        help="category names separated by commas; recommend only from these",
    )
    no_neural: bool = setting(
        False, label="Leave out the sequence model", advanced=True, flag="--no-neural",
        help="measure only the fast methods (the neural sequence model takes the longest)",
    )
    half_life_days: float | None = setting(
        None, label="Memory half-life", unit="days", low=0.5, high=3650.0, special="auto",
        advanced=True, decimals=1,
        help="how fast old interactions fade for own history and co-occurrence "
             "(auto: four times the horizon)",
    )
    eval_customers: int = setting(
        5000, label="Customers checked", low=100, high=100_000, advanced=True,
        help="at most this many customers (drawn at random) are used to measure the methods",
    )
    seed: int = setting(
        7, label="Seed", low=0, high=2**32 - 1, advanced=True,
        help="the random start; the same seed repeats a run",
    )
    device: str = "auto"

    def resolved(self, events: pd.DataFrame) -> RecommendConfig:
        """A copy with the as-of date and the horizon filled from the data (the intent rule)."""
        if self.preset not in PRESETS:
            raise ValueError(f"Unknown preset {self.preset!r}; choose one of {sorted(PRESETS)}.")
        if self.exclude_bought not in [c for c, _ in EXCLUDE_BOUGHT]:
            raise ValueError(
                f"Unknown rule {self.exclude_bought!r}; choose learned, always or never."
            )
        if not 1 <= self.keep <= 100:
            raise ValueError("Items per customer must be from 1 to 100.")
        as_of = self.as_of_ms if self.as_of_ms is not None else default_as_of_ms(events)
        horizon = self.horizon_days
        if horizon is None:
            horizon = default_horizon_days(events, int(as_of))
        elif horizon < 1:
            raise ValueError("The horizon must be at least 1 day.")
        return replace(self, as_of_ms=int(as_of), horizon_days=int(horizon))


def settings_dict(config: RecommendConfig) -> dict[str, Any]:
    """The resolved settings as a run stores them (JSON-safe)."""
    return {
        "as_of_ms": config.as_of_ms,
        "horizon_days": config.horizon_days,
        "preset": config.preset,
        "keep": config.keep,
        "exclude_bought": config.exclude_bought,
        "exclude_items": config.exclude_items,
        "only_categories": config.only_categories,
        "no_neural": config.no_neural,
        "half_life_days": config.half_life_days,
        "eval_customers": config.eval_customers,
        "seed": config.seed,
    }
