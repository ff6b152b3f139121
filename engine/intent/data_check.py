"""Whether the data is enough for the purchase-intent model: the check the Train page shows
before any training, and the first report of a training. No torch here: the window runs this
check when it opens a project, long before anything is trained.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.intent.config import (
    MIN_VALID_BUYERS,
    MIN_VALID_EXAMPLES,
    IntentConfig,
    preset_value,
)
from engine.intent.dataset import IntentData, build_data
from engine.intent.reports import DataCheck

if TYPE_CHECKING:
    import pandas as pd


def check_data_built(data: IntentData, cfg: IntentConfig) -> DataCheck:
    """The small-data guard on already built examples."""
    h = cfg.horizon_days
    n_valid, n_buyers = len(data.valid), int(data.valid.label.sum())
    n_train, n_train_buyers = len(data.train), int(data.train.label.sum())
    fields = dict(
        n_customers=data.steps.n_customers,
        n_buyers=n_buyers,
        n_valid=n_valid,
        n_train=n_train,
        n_train_buyers=n_train_buyers,
        n_cutoffs=len(data.cutoffs_ms),
        horizon_days=int(h or 0),
    )
    if len(data.cutoffs_ms) < 2:
        msg = (
            f"Too little history for a sequence model: with a {h}-day horizon the data covers "
            f"{len(data.cutoffs_ms)} complete period(s) before the as-of date, and at least 2 are "
            "needed (one to learn from, one to check); choose a shorter horizon."
        )
        return DataCheck(False, msg, **fields)
    if (
        n_valid < MIN_VALID_EXAMPLES
        or n_buyers < MIN_VALID_BUYERS
        or n_train_buyers < MIN_VALID_BUYERS
    ):
        msg = (
            f"Too little data for a sequence model: the latest {h}-day period has {n_valid:,} "
            f"customers with history and {n_buyers:,} buyers (earlier periods: {n_train_buyers:,} "
            f"buyers), but at least {MIN_VALID_EXAMPLES} customers and {MIN_VALID_BUYERS} buyers "
            "are needed; import more history or use the RFM baseline."
        )
        return DataCheck(False, msg, **fields)
    msg = (
        f"Enough data: {data.steps.n_customers:,} customers; the latest {h}-day period has "
        f"{n_valid:,} customers with history and {n_buyers:,} buyers, and {len(data.cutoffs_ms) - 1} "
        f"earlier periods give {n_train:,} training examples with {n_train_buyers:,} buyers."
    )
    return DataCheck(True, msg, **fields)


def build_intent_data(events: pd.DataFrame, cfg: IntentConfig) -> IntentData:
    """The examples of a resolved config: what the check counts and the training learns from."""
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None and cfg.seq_len is not None
    return build_data(
        events, cfg.as_of_ms, cfg.horizon_days, cfg.seq_len, int(preset_value(cfg, "max_cutoffs"))
    )


def check_data(events: pd.DataFrame, config: IntentConfig) -> DataCheck:
    """Say, before training, whether there are enough labelled customers and buyers."""
    cfg = config.resolved(events)
    return check_data_built(build_intent_data(events, cfg), cfg)
