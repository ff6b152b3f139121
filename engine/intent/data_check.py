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
from engine.intent.dataset import IntentData, build_data, data_of_steps
from engine.intent.reports import DataCheck
from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd

    from engine.intent.steps import Steps


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
    periods = len(data.cutoffs_ms)
    if periods < 2:
        covered = (tr("no complete period") if periods == 0 else tr("1 complete period"))
        advice = (tr("choose a shorter horizon or a later as-of date") if (h or 0) > 1
                  else tr("choose a later as-of date, or import more history"))
        msg = tr(
            "Too little history for a sequence model: with a {0}-day horizon the data covers "
            "{1} before the as-of date, and at least 2 are needed (one to learn from, one to "
            "check); {2}."
        ).format(h, covered, advice)
        return DataCheck(False, msg, **fields)
    if (
        n_valid < MIN_VALID_EXAMPLES
        or n_buyers < MIN_VALID_BUYERS
        or n_train_buyers < MIN_VALID_BUYERS
    ):
        msg = tr(
            "Too little data for a sequence model: the latest {0}-day period has {1:,} "
            "customers with history and {2:,} buyers (earlier periods: {3:,} buyers), but at "
            "least {4} customers and {5} buyers are needed; import more history or choose a "
            "longer horizon."
        ).format(h, n_valid, n_buyers, n_train_buyers, MIN_VALID_EXAMPLES, MIN_VALID_BUYERS)
        return DataCheck(False, msg, **fields)
    msg = tr(
        "Enough data: {0:,} customers; the latest {1}-day period has {2:,} customers with "
        "history and {3:,} buyers, and {4} earlier periods give {5:,} training examples with "
        "{6:,} buyers."
    ).format(data.steps.n_customers, h, n_valid, n_buyers, periods - 1, n_train,
             n_train_buyers)
    return DataCheck(True, msg, **fields)


def build_intent_data(events: pd.DataFrame, cfg: IntentConfig) -> IntentData:
    """The examples of a resolved config: what the check counts and the training learns from."""
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None and cfg.seq_len is not None
    return build_data(
        events, cfg.as_of_ms, cfg.horizon_days, cfg.seq_len, int(preset_value(cfg, "max_cutoffs"))
    )


def intent_data_of_steps(steps: Steps, cfg: IntentConfig) -> IntentData:
    """``build_intent_data`` from steps already built (``build_steps`` with the config's as-of
    date): the training builds the steps, lets the event frame go, then makes the examples."""
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None and cfg.seq_len is not None
    return data_of_steps(
        steps, cfg.as_of_ms, cfg.horizon_days, cfg.seq_len, int(preset_value(cfg, "max_cutoffs"))
    )


def check_data(events: pd.DataFrame, config: IntentConfig) -> DataCheck:
    """Say, before training, whether there are enough labelled customers and buyers."""
    cfg = config.resolved(events)
    return check_data_built(build_intent_data(events, cfg), cfg)
