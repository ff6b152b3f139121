"""Settings of the purchase-intent model: presets, the config dataclass and data-driven defaults.

No torch here: the GUI builds an :class:`IntentConfig` at startup.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Final

from engine.dates import default_horizon_days as horizon_rule
from engine.dates import end_of_day
from engine.fields import setting
from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd  # annotations only: making a config imports no pandas

#: The presets as the user reads them.
PRESET_LABELS = {"fast": "Fast", "balanced": "Balanced", "thorough": "Thorough"}


def model_label(cell: str, preset: str, models: int = 1) -> str:
    """The deep model's name in the user's words: "LSTM sequence model (Fast)", "GRU sequence
    model (Balanced, average of 3)". Built when shown, so a saved run reads in today's
    language."""
    averaged = tr(", average of {0}").format(models) if models > 1 else ""
    return tr("{0} sequence model ({1}{2})").format(
        cell.upper(), tr(PRESET_LABELS.get(preset, preset)), averaged)


#: Settings behind each preset. Keys that are also ``IntentConfig`` fields fill its ``None``
#: fields; the others (``max_cutoffs``, ``patience``, ``epoch_examples``) are read from the preset
#: directly. ``max_cutoffs`` bounds the training examples (customers x cutoffs); on a big shop
#: ``epoch_examples`` bounds the time per epoch: each epoch then trains on that many examples,
#: the next ones in a shuffled cycle, so every example is seen before any is seen twice.
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
        "seeds": 1,
        "max_cutoffs": 6,
        "epoch_examples": 24_000,
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
        "seeds": 3,
        "max_cutoffs": 12,
        "epoch_examples": 80_000,
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
        "seeds": 3,
        "max_cutoffs": 24,
        "epoch_examples": 250_000,
        "patience": 4,
    },
}

#: Most networks one run may train from different random starts and average (``seeds``).
MAX_SEEDS: Final[int] = 5

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

    ``always_deep`` defaults to False: unless the deep model ranks buyers better than the best
    simple method beyond noise (a paired bootstrap interval), the simple method's scores serve.

    ``refit_all`` defaults to False: the delivered model is then exactly the one whose validation
    metrics are reported. With True the epoch count chosen on validation is reused to retrain on
    every cutoff (validation included), which uses the freshest labels but cannot be validated.

    ``seeds`` networks are trained from the random starts ``seed``, ``seed + 1``, ...; their
    scores are averaged unless the average ranks buyers worse than the first network beyond
    noise (``evaluate.average_serves``). Fast trains one (it must stay fast); balanced and
    thorough three, as single random starts spread by up to 0.03 AUC on small logs.
    """

    as_of_ms: int | None = setting(
        None, label="As of", kind="date", flag="--as-of",
        help="score as of this date (YYYY-MM-DD; default: end of data)",
    )
    horizon_days: int | None = setting(
        None, label="Buys within", unit="days", low=1, high=365, flag="--horizon",
        help="days ahead, 1 to 365 (default: from the data, at most 30)",
    )
    preset: str = setting(
        "balanced", label="Preset",
        choices=tuple(PRESET_LABELS.items()),
        help="how long and how carefully to train",
    )
    epochs: int | None = setting(
        None, label="Epochs", low=1, high=1000, advanced=True,
        help="epochs at most, 1 to 1000 (default: from the preset)",
    )
    batch_size: int | None = setting(
        None, label="Batch size", low=8, high=4096, advanced=True,
        help="customers per training step (default: from the preset)",
    )
    learning_rate: float | None = setting(
        None, label="Learning rate", low=1e-5, high=1.0, step=1e-4, decimals=5, advanced=True,
        help="step size of the optimizer (default: from the preset)",
    )
    hidden_size: int | None = setting(
        None, label="Hidden size", low=4, high=1024, advanced=True,
        help="size of the network's memory (default: from the preset)",
    )
    seq_len: int | None = setting(
        None, label="Events per customer", low=5, high=2000, advanced=True,
        help="the latest events of each customer the network reads (default: from the preset)",
    )
    dropout: float | None = setting(
        None, label="Dropout", low=0.0, high=0.9, step=0.05, decimals=2, advanced=True,
        help="share of the network switched off at random while training",
    )
    weight_decay: float | None = setting(
        None, label="Weight decay", low=0.0, high=0.1, step=1e-5, decimals=6, advanced=True,
        help="how strongly large weights are held back",
    )
    cell: str = setting(
        "lstm", label="Network", choices=(("lstm", "LSTM"), ("gru", "GRU")), advanced=True,
        help="the kind of recurrent network",
    )
    seeds: int | None = setting(
        None, label="Models averaged", low=1, high=MAX_SEEDS, advanced=True,
        help="train this many models from different random starts and average their scores; "
             "steadier, takes that many times longer (default: from the preset)",
    )
    augment: bool | None = None
    refit_all: bool = False
    top_percent: float | None = setting(
        None, label="Contact the top", unit="%", low=0.0, high=100.0, special="best F1",
        advanced=True, decimals=0,
        help="who counts as 'will buy': the best-F1 threshold, or the top X% of scores",
    )
    always_deep: bool = setting(
        False, label="Always use the deep model", advanced=True, flag="--always-deep",
        help="score customers with the deep model even when a simple method ranks buyers as "
             "well (by default the best simple method then serves the scores)",
    )
    seed: int = setting(
        0, label="Seed", low=0, high=2**32 - 1, advanced=True,
        help="the random start; the same seed repeats a run",
    )
    device: str = "auto"

    def resolved(self, events: pd.DataFrame) -> IntentConfig:
        """Return a copy with every ``None`` filled from the data (as-of, horizon) and the preset."""
        if self.preset not in PRESETS:
            raise ValueError(f"Unknown preset {self.preset!r}; choose one of {sorted(PRESETS)}.")
        if self.cell not in ("lstm", "gru"):
            raise ValueError(f"Unknown cell {self.cell!r}; choose 'lstm' or 'gru'.")
        if self.top_percent is not None and not 0.0 < self.top_percent <= 100.0:
            raise ValueError("top_percent must be in (0, 100].")
        if self.seeds is not None and not 1 <= self.seeds <= MAX_SEEDS:
            raise ValueError(f"seeds must be 1 to {MAX_SEEDS}.")
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
    """The default as-of date: the end of the day of the last event, as the Train page's date
    box gives it, so a command and a click train on the same periods."""
    if len(events) == 0:
        raise ValueError("There are no events to learn from.")
    return end_of_day(int(events["time_ms"].max()))


def default_horizon_days(events: pd.DataFrame, as_of_ms: int | None = None) -> int:
    """The default horizon for these events (the rule is ``engine.dates.default_horizon_days``)."""
    as_of = default_as_of_ms(events) if as_of_ms is None else as_of_ms
    times = events["time_ms"]
    times = times[times <= as_of]
    if len(times) == 0:
        return 1
    return horizon_rule(int(times.min()), as_of)


def preset_value(config: IntentConfig, key: str) -> float | int | bool:
    """A preset-only setting (``max_cutoffs``, ``patience``, ``epoch_examples``) for the
    config's preset."""
    return PRESETS[config.preset][key]
