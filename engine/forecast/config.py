"""Settings of the sales-forecast task: the config dataclass, its method names and the resolved
dates. No statsforecast or scikit-learn here: the GUI builds a :class:`ForecastConfig` at startup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from engine.fields import setting
from engine.intent.config import default_as_of_ms

if TYPE_CHECKING:
    import pandas as pd  # annotations only: making a config imports no pandas

#: Levels, coarsest first: the whole shop, each category, each item.
LEVELS: Final[tuple[str, ...]] = ("shop", "category", "item")
#: What the settings and tables call each level.
LEVEL_LABELS: Final[dict[str, str]] = {
    "shop": "Whole shop", "category": "Categories", "item": "Items",
}
#: Method keys, simplest first (the order of tables and of the JSON ``methods``).
METHODS: Final[tuple[str, ...]] = (
    "seasonal_naive", "moving_average", "croston", "tsb", "adida", "auto_ets", "auto_arima",
    "global_gbm", "global_gbm_no_buyers", "global_gbm_no_signals",
)
#: What the tables call each method.
LABELS: Final[dict[str, str]] = {
    "seasonal_naive": "Seasonal naive (same period last cycle)",
    "moving_average": "Moving average",
    "croston": "Croston (intermittent demand)",
    "tsb": "TSB (intermittent demand)",
    "adida": "ADIDA (intermittent demand)",
    "auto_ets": "Exponential smoothing (AutoETS)",
    "auto_arima": "AutoARIMA",
    "global_gbm": "Global gradient boosting",
    "global_gbm_no_buyers": "Gradient boosting, no expected buyers",
    "global_gbm_no_signals": "Gradient boosting, no views, carts or buyers",
}
#: The same in the middle of a sentence.
NAMES: Final[dict[str, str]] = {
    "seasonal_naive": "seasonal naive",
    "moving_average": "the moving average",
    "croston": "Croston",
    "tsb": "TSB",
    "adida": "ADIDA",
    "auto_ets": "exponential smoothing",
    "auto_arima": "AutoARIMA",
    "global_gbm": "the global gradient-boosting model",
    "global_gbm_no_buyers": "gradient boosting without the expected buyers",
    "global_gbm_no_signals": "gradient boosting without views, carts or expected buyers",
}
#: Period lengths the settings offer ("auto": from the data).
PERIODS: Final[tuple[tuple[str, str], ...]] = (
    ("auto", "From the data"), ("week", "Weeks"), ("day", "Days"),
)


@dataclass(frozen=True)
class ForecastConfig:
    """What the user chose for one forecast run; ``None`` means "from the data"."""

    as_of_ms: int | None = setting(
        None, label="As of", kind="date", flag="--as-of",
        help="forecast from this date (YYYY-MM-DD; default: end of data)",
    )
    weeks: int = setting(
        8, label="Weeks ahead", unit="weeks", low=1, high=26,
        help="how many weeks to forecast, 1 to 26",
    )
    level: str = setting(
        "item", label="Down to",
        choices=(("item", "Items"), ("category", "Categories"), ("shop", "Whole shop")),
        help="the finest level to forecast: item (also categories and the shop), category "
             "(also the shop) or shop",
    )
    period: str = setting(
        "auto", label="Periods", choices=PERIODS, advanced=True,
        help="weeks or days; auto chooses days for a short, busy log and weeks otherwise",
    )
    origins: int = setting(
        3, label="Backtest origins", low=1, high=8, advanced=True,
        help="how many past dates each method forecasts from to measure its error, 1 to 8",
    )
    max_items: int = setting(
        5000, label="Items forecast", low=10, high=100_000, advanced=True,
        help="at most this many items, the best sellers first",
    )
    seed: int = setting(
        7, label="Seed", low=0, high=2**32 - 1, advanced=True,
        help="the random start; the same seed repeats a run",
    )

    def resolved(self, events: pd.DataFrame) -> ForecastConfig:
        """A copy with the as-of date filled from the data; unknown choices refused."""
        if self.level not in LEVELS:
            raise ValueError(f"Unknown level {self.level!r}; choose item, category or shop.")
        if self.period not in [p for p, _ in PERIODS]:
            raise ValueError(f"Unknown period {self.period!r}; choose auto, week or day.")
        if not 1 <= self.weeks <= 26:
            raise ValueError("Weeks ahead must be from 1 to 26.")
        if not 1 <= self.origins <= 8:
            raise ValueError("Backtest origins must be from 1 to 8.")
        as_of = self.as_of_ms if self.as_of_ms is not None else default_as_of_ms(events)
        return replace(self, as_of_ms=int(as_of))


def levels_down_to(level: str) -> tuple[str, ...]:
    """The levels a run forecasts when its finest level is ``level``."""
    return LEVELS[: LEVELS.index(level) + 1]


def settings_dict(config: ForecastConfig) -> dict[str, Any]:
    """The resolved settings as a run stores them (JSON-safe)."""
    return {
        "as_of_ms": config.as_of_ms,
        "weeks": config.weeks,
        "level": config.level,
        "period": config.period,
        "origins": config.origins,
        "max_items": config.max_items,
        "seed": config.seed,
    }
