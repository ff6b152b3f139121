"""The names and sizes a stored intent model is checked against: its aggregates and its inputs.

No numpy or pandas here: reading a run's score (``lookup``) checks a model's settings with these
without importing what building the data needs.
"""

from __future__ import annotations

from typing import Final

from engine.events import EVENT_TYPES

#: Per-step numeric inputs; the time to the cutoff is added per cutoff when a batch is gathered.
STEP_NUMERIC: Final[tuple[str, ...]] = ("log_gap", "log_price", "log_lines", "log_amount")

#: Event type codes 0..N_TYPES-1: padding, then ``steps.TYPE_CODE``.
N_TYPES: Final[int] = len(EVENT_TYPES) + 1
WINDOWS_DAYS: Final[tuple[int, ...]] = (7, 30, 90)
#: Step inputs of a gathered batch: ``steps.STEP_NUMERIC`` and the time to the cutoff.
N_NUMERIC: Final[int] = len(STEP_NUMERIC) + 1

#: The aggregates of the first release; a model saved then reads only these (a prefix of
#: AGG_NAMES: new aggregates are only ever appended, see ``check_settings``).
LEGACY_AGG_NAMES: Final[tuple[str, ...]] = (
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
#: Purchase occasions and timing: distinct purchase days (not lines), days since the last
#: purchase over the customer's usual gap between purchase days, and the activity of the last
#: horizon against the horizon before it (windows scaled to the horizon, "_h").
TIMING_NAMES: Final[tuple[str, ...]] = (
    "log_purchase_days",
    "log_purchase_days_h",
    "log_usual_gap_days",
    "log_overdue",
    "log_steps_h",
    "trend_steps_h",
)
AGG_NAMES: Final[tuple[str, ...]] = LEGACY_AGG_NAMES + TIMING_NAMES
