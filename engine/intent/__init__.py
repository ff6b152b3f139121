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

Who serves the scores: the deep model is compared on D-H with simple baselines (RFM logistic
regression with purchase-day features, gradient boosting on all aggregates) by a paired bootstrap
interval of the AUC gap (``engine.stats``). Unless it beats the best of them beyond noise (or
``always_deep`` is set), that baseline, refitted on every labelled period, scores the customers.
"The deep model" is the average of ``seeds`` networks from different random starts unless that
average ranks buyers worse than the first of them beyond noise (then the first alone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from engine.intent.config import MAX_SEEDS, PRESETS, IntentConfig, default_horizon_days
from engine.intent.reports import (
    BatchReport,
    DataCheck,
    EpochReport,
    IntentResult,
    Note,
    Reason,
)

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
    "ModelDamaged",
    "Note",
    "Reason",
    "check_data",
    "check_dates",
    "check_settings",
    "configure_threads",
    "default_horizon_days",
    "explain_customer",
    "load_checked_state",
    "load_state",
    "save_state",
    "score_customers",
    "train_intent",
]

#: What the user reads when a stored model cannot be trusted: damaged bytes, settings out of
#: bounds (a crafted file could ask for hundreds of GB), or weights that do not fit them.
MODEL_DAMAGED = "This model is damaged or was made by another version: train it again."


class ModelDamaged(ValueError):
    """A stored model cannot be used; the message is a sentence for the user."""

    def __init__(self, message: str = MODEL_DAMAGED) -> None:
        super().__init__(message)


#: Sane bounds of the stored settings that size a model (inclusive). The GUI offers hidden
#: sizes up to 1024 and sequences up to 2000 events; the hashed tables are 2^15, 2^12 and 2^13.
#: Anything outside was not made by IntentLens: a hidden size of 10^6 alone asks for 256 GB.
SETTING_BOUNDS: dict[str, tuple[int, int]] = {
    "hidden_size": (1, 1024),
    "seq_len": (1, 2000),
    "item_buckets": (2, 1 << 20),
    "cat_buckets": (2, 1 << 20),
    "word_buckets": (2, 1 << 20),
    "horizon_days": (1, 3660),
    # 1900-01-01 to 2100-01-01, the dates the importer accepts.
    "as_of_ms": (-2_208_988_800_000, 4_102_444_800_000),
}


def _whole(settings: Mapping[str, object], key: str) -> int:
    value = settings.get(key)
    low, high = SETTING_BOUNDS[key]
    # bool is an int to Python, but never a size.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelDamaged()
    if value != int(value) or not low <= int(value) <= high:
        raise ModelDamaged()
    return int(value)


def check_dates(settings: Mapping[str, object]) -> None:
    """Refuse a stored as-of date or horizon out of bounds (raises :class:`ModelDamaged`): what
    reading a run's scores needs, without the model's sizes."""
    if not isinstance(settings, Mapping):
        raise ModelDamaged()
    for key in ("as_of_ms", "horizon_days"):
        _whole(settings, key)


def check_settings(settings: Mapping[str, object]) -> None:
    """Refuse stored settings that this version did not write or that are out of bounds, so no
    model is ever built from them and no date or horizon read from them is absurd (raises
    :class:`ModelDamaged`). Torch-free: the read models call it before showing a run."""
    if not isinstance(settings, Mapping):
        raise ModelDamaged()
    for key in SETTING_BOUNDS:
        _whole(settings, key)
    if settings.get("cell", "lstm") not in ("lstm", "gru"):
        raise ModelDamaged()
    dropout = settings.get("dropout", 0.0)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise ModelDamaged()
    if not 0.0 <= float(dropout) < 1.0:
        raise ModelDamaged()
    # How many networks the weights hold (absent: one, as before ensembles).
    members = settings.get("members", 1)
    if isinstance(members, bool) or not isinstance(members, int) or not 1 <= members <= MAX_SEEDS:
        raise ModelDamaged()
    from engine.intent.names import AGG_NAMES, LEGACY_AGG_NAMES

    # The aggregates of this version, or of the first release (a prefix of them).
    names = settings.get("agg_names", list(AGG_NAMES))
    if not isinstance(names, list) or names not in (list(AGG_NAMES), list(LEGACY_AGG_NAMES)):
        raise ModelDamaged()


def check_data(events: pd.DataFrame, config: IntentConfig) -> DataCheck:
    """Whether there are enough labelled customers and buyers for a sequence model, in one sentence."""
    from engine.intent.data_check import check_data as impl

    return impl(events, config)


def train_intent(
    events: pd.DataFrame,
    config: IntentConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    init_state: dict[str, torch.Tensor] | None = None,
    keep_best_on_stop: bool = True,
) -> Iterator[DataCheck | Note | BatchReport | EpochReport | IntentResult]:
    """Train and evaluate the intent model; yields the data check, progress reports (notes
    say which of several models trains), and last the result.

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
    from engine.intent.network import score_customers as impl

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


def load_checked_state(data: bytes, settings: Mapping[str, object]) -> dict[str, torch.Tensor]:
    """Weights of a stored run, checked before any model is built: the settings within sane
    bounds, then the bytes read with ``weights_only=True``, then every tensor's name, shape and
    values against what those settings build. Raises :class:`ModelDamaged` otherwise."""
    from engine.intent.model import load_checked_state as impl

    return impl(data, settings)


def configure_threads(n: int | None = None) -> int:
    """Set torch's CPU threads (default ``max(1, cores - 1)``); returns the number set."""
    from engine.intent.model import configure_threads as impl

    return impl(n)
