"""Purchase intent: who is likely to buy within the next horizon days, as of a date.

Public API of the engine's intent model. Importing this package is cheap: torch is imported only
by ``engine.intent.model`` / ``training`` / ``explain``, which the functions below load on first
call (the GUI imports engine modules at startup).

Definitions (no leakage): events after the as-of date D are dropped before anything else. A
training example is (customer, cutoff T) with the customer's steps at or before T as input and
"made a purchase in (T, T+H]" as label. Cutoffs are D-H, D-2H, ... while at least
``MIN_CUSTOMERS_PER_CUTOFF`` customers have history (at most the preset's ``max_cutoffs``); D-H
is the validation set, the earlier ones train. Population: every customer with at least one
event at or before the cutoff (buyer or not) is trained and scored, because on view-heavy logs
the future buyers are often people who never bought before; on purchase-only logs (UCI) this is
the same as "customers with a prior purchase or refund".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from engine.intent.config import PRESETS, IntentConfig, default_horizon_days
from engine.intent.reports import BatchReport, DataCheck, EpochReport, IntentResult, Reason

if TYPE_CHECKING:
    import pandas as pd
    import torch

__all__ = [
    "PRESETS",
    "BatchReport",
    "DataCheck",
    "EpochReport",
    "IntentConfig",
    "IntentResult",
    "Reason",
    "check_data",
    "configure_threads",
    "default_horizon_days",
    "explain_customer",
    "load_state",
    "save_state",
    "score_customers",
    "train_intent",
]


def check_data(events: pd.DataFrame, config: IntentConfig) -> DataCheck:
    """Whether there are enough labelled customers and buyers for a sequence model, in one sentence."""
    from engine.intent.training import check_data as impl

    return impl(events, config)


def train_intent(
    events: pd.DataFrame,
    config: IntentConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    init_state: dict[str, torch.Tensor] | None = None,
    keep_best_on_stop: bool = True,
) -> Iterator[BatchReport | EpochReport | IntentResult]:
    """Train and evaluate the intent model; yields progress reports, the last item is the result.

    See :func:`engine.intent.training.train_intent`.
    """
    from engine.intent.training import train_intent as impl

    return impl(
        events,
        config,
        should_stop=should_stop,
        init_state=init_state,
        keep_best_on_stop=keep_best_on_stop,
    )


def score_customers(
    events: pd.DataFrame, state_dict: dict[str, torch.Tensor], config: dict[str, object]
) -> pd.DataFrame:
    """Scores (customer_id, score, rank, percentile) as of the config's as-of date."""
    from engine.intent.training import score_customers as impl

    return impl(events, state_dict, config)


def explain_customer(
    events: pd.DataFrame,
    customer_id: int,
    state_dict: dict[str, torch.Tensor],
    config: dict[str, object],
    top: int = 5,
    item_names: dict[str, str] | None = None,
) -> list[Reason]:
    """The steps of a customer's history that moved their score most (occlusion); items are
    named by ``item_names`` (key -> name) where given."""
    from engine.intent.explain import explain_customer as impl

    return impl(events, customer_id, state_dict, config, top, item_names)


def save_state(state_dict: dict[str, torch.Tensor]) -> bytes:
    """Serialize model weights (tensors only) for the project file."""
    from engine.intent.model import save_state as impl

    return impl(state_dict)


def load_state(data: bytes) -> dict[str, torch.Tensor]:
    """Read weights saved by :func:`save_state` with ``weights_only=True`` (never runs code)."""
    from engine.intent.model import load_state as impl

    return impl(data)


def configure_threads(n: int | None = None) -> int:
    """Set torch's CPU threads (default ``max(1, cores - 1)``); returns the number set."""
    from engine.intent.model import configure_threads as impl

    return impl(n)
