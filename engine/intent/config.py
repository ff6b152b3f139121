"""Settings of the purchase-intent model: presets, the config dataclass and data-driven defaults.

No torch here: the GUI builds an :class:`IntentConfig` at startup.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Final

import pandas as pd

from engine.events import MS_PER_DAY

#: Settings behind each preset. Keys that are also ``IntentConfig`` fields fill its ``None``
#: fields; the others (``max_cutoffs``, ``patience``) are read from the preset directly.
#: ``max_cutoffs`` bounds the training examples (customers x cutoffs) and so the time per epoch.
PRESETS: Final[dict[str, dict[str, float | int | bool]]] = {
    "fast": {
        "epochs": 6,
        "batch_size": 256,
        "learning_rate": 3e-3,
        "hidden_size": 32,
        "seq_len": 100,
        "dropout": 0.1,
        "weight_decay": 1e-5,
        "augment": False,
        "max_cutoffs": 6,
        "patience": 2,
    },
    "balanced": {
        "epochs": 15,
        "batch_size": 256,
        "learning_rate": 2e-3,
        "hidden_size": 64,
        "seq_len": 200,
        "dropout": 0.2,
        "weight_decay": 1e-5,
        "augment": False,
        "max_cutoffs": 12,
        "patience": 3,
    },
    "thorough": {
        "epochs": 30,
        "batch_size": 128,
        "learning_rate": 1e-3,
        "hidden_size": 96,
        "seq_len": 300,
        "dropout": 0.3,
        "weight_decay": 1e-4,
        "augment": True,
        "max_cutoffs": 24,
        "patience": 4,
    },
}

#: Hashed-embedding table sizes: any catalogue fits, collisions only share a vector.
ITEM_BUCKETS: Final[int] = 1 << 15
CATEGORY_BUCKETS: Final[int] = 1 << 12
WORD_BUCKETS: Final[int] = 1 << 13

#: A cutoff is used only while at least this many customers have history before it.
MIN_CUSTOMERS_PER_CUTOFF: Final[int] = 20
#: Below these counts on the validation cutoff a sequence model is not worth training.
MIN_VALID_EXAMPLES: Final[int] = 200
MIN_VALID_BUYERS: Final[int] = 20


@dataclass(frozen=True)
class IntentConfig:
    """What the user chose for one training run; ``None`` means "from the data or the preset".

    ``refit_all`` defaults to False: the delivered model is then exactly the one whose validation
    metrics are reported. With True the epoch count chosen on validation is reused to retrain on
    every cutoff (validation included), which uses the freshest labels but cannot be validated.
    """

    as_of_ms: int | None = None
    horizon_days: int | None = None
    preset: str = "balanced"
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    hidden_size: int | None = None
    seq_len: int | None = None
    dropout: float | None = None
    weight_decay: float | None = None
    cell: str = "lstm"
    augment: bool | None = None
    refit_all: bool = False
    top_percent: float | None = None
    seed: int = 0
    device: str = "auto"

    def resolved(self, events: pd.DataFrame) -> IntentConfig:
        """Return a copy with every ``None`` filled from the data (as-of, horizon) and the preset."""
        if self.preset not in PRESETS:
            raise ValueError(f"Unknown preset {self.preset!r}; choose one of {sorted(PRESETS)}.")
        if self.cell not in ("lstm", "gru"):
            raise ValueError(f"Unknown cell {self.cell!r}; choose 'lstm' or 'gru'.")
        if self.top_percent is not None and not 0.0 < self.top_percent <= 100.0:
            raise ValueError("top_percent must be in (0, 100].")
        preset = PRESETS[self.preset]
        changes: dict[str, object] = {}
        for f in fields(self):
            if getattr(self, f.name) is None and f.name in preset:
                changes[f.name] = preset[f.name]
        as_of = self.as_of_ms if self.as_of_ms is not None else default_as_of_ms(events)
        changes["as_of_ms"] = int(as_of)
        if self.horizon_days is None:
            changes["horizon_days"] = default_horizon_days(events, int(as_of))
        elif self.horizon_days < 1:
            raise ValueError("horizon_days must be at least 1.")
        return replace(self, **changes)  # type: ignore[arg-type]


def default_as_of_ms(events: pd.DataFrame) -> int:
    """The last event time in the data (the default as-of date)."""
    if len(events) == 0:
        raise ValueError("There are no events to learn from.")
    return int(events["time_ms"].max())


def default_horizon_days(events: pd.DataFrame, as_of_ms: int | None = None) -> int:
    """About a quarter of the data's span up to the as-of date, at least 1 and at most 30 days."""
    as_of = default_as_of_ms(events) if as_of_ms is None else as_of_ms
    times = events["time_ms"]
    times = times[times <= as_of]
    if len(times) == 0:
        return 1
    span_days = (as_of - int(times.min())) / MS_PER_DAY
    return int(min(30, max(1, round(span_days / 4))))


def preset_value(config: IntentConfig, key: str) -> float | int | bool:
    """A preset-only setting (``max_cutoffs``, ``patience``) for the config's preset."""
    return PRESETS[config.preset][key]
