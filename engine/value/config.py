"""Settings of the customer-value task and the names of its methods. No scikit-learn here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from engine.fields import setting
from engine.intent.config import default_as_of_ms, default_horizon_days

if TYPE_CHECKING:
    import pandas as pd  # annotations only: making a config imports no pandas

#: What the tables call each method, per prediction.
LABELS: Final[dict[str, str]] = {
    "spend_model": "Zero-inflated model (chance to buy × spend if buying)",
    "shrunk_mean": "Own past spend rate, shrunk to the shop's",
    "shop_average": "Everyone spends the shop average",
    "gap_model": "Usual gap, given the time already waited",
    "last_plus_gap": "Last purchase + the customer's mean gap",
    "constant_gap": "The shop's usual gap, for everyone",
    "churn_model": "Learned from the shop's churners (logistic)",
    "recency": "Days since the last purchase",
}
#: Churn bands: a probability at or above the first is High, at or above the second Medium.
CHURN_HIGH: Final[float] = 0.7
CHURN_MEDIUM: Final[float] = 0.4


@dataclass(frozen=True)
class ValueConfig:
    """What the user chose for one customer-value run; ``None`` means "from the data"."""

    as_of_ms: int | None = setting(
        None, label="As of", kind="date", flag="--as-of",
        help="predict as of this date (YYYY-MM-DD; default: end of data)",
    )
    horizon_days: int | None = setting(
        None, label="Spend over the next", unit="days", low=1, high=365, flag="--horizon",
        help="the days the expected spend covers, 1 to 365 (default: from the data, at most 30)",
    )
    churn_min_days: int = setting(
        90, label="Churn window at least", unit="days", low=7, high=730, advanced=True,
        help="a customer has churned after no order for 3 times their usual gap, and at "
             "least this many days",
    )
    seed: int = setting(
        7, label="Seed", low=0, high=2**32 - 1, advanced=True,
        help="the random start; the same seed repeats a run",
    )

    def resolved(self, events: pd.DataFrame) -> ValueConfig:
        """A copy with the as-of date and the horizon filled from the data (the intent rule)."""
        as_of = self.as_of_ms if self.as_of_ms is not None else default_as_of_ms(events)
        horizon = self.horizon_days
        if horizon is None:
            horizon = default_horizon_days(events, int(as_of))
        elif horizon < 1:
            raise ValueError("The horizon must be at least 1 day.")
        return replace(self, as_of_ms=int(as_of), horizon_days=int(horizon))


def churn_band(p: float) -> str:
    """"High", "Medium" or "Low" for a churn probability ("" when unknown)."""
    if p != p:
        return ""
    return "High" if p >= CHURN_HIGH else "Medium" if p >= CHURN_MEDIUM else "Low"


def settings_dict(config: ValueConfig) -> dict[str, Any]:
    """The resolved settings as a run stores them (JSON-safe)."""
    return {"as_of_ms": config.as_of_ms, "horizon_days": config.horizon_days,
            "churn_min_days": config.churn_min_days, "seed": config.seed}
