"""Settings of the customer-profiles task: the config dataclass. No pandas, scikit-learn or
torch here: the command line's help and the GUI build a :class:`ProfileConfig` at startup.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.fields import setting


@dataclass(frozen=True)
class ProfileConfig:
    """Settings of a profile run (the GUI edits one and hands it over whole)."""

    as_of_ms: int | None = setting(
        None, label="As of", kind="date", flag="--as-of",
        help="profile customers as of this date (YYYY-MM-DD; default: end of data)",
    )
    # None = automatic (silhouette over k = 2..8)
    n_segments: int | None = setting(
        None, label="Segments", low=2, high=12, special="auto", flag="--segments",
        help="how many segments (2 to 12), or auto to let the data decide (default)",
    )
    embed_dim: int = 32
    epochs: int = setting(
        60, label="Epochs", low=1, high=1000, advanced=True,
        help="autoencoder epochs at most, 1 to 1000 (default 60)",
    )
    batch_size: int = 256
    learning_rate: float = 1e-3
    patience: int = 6
    seed: int = setting(
        0, label="Seed", low=0, high=2**32 - 1, advanced=True,
        help="the random start; the same seed repeats a run",
    )
    method: str = "auto"
    device: str = "auto"
