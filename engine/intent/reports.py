"""Immutable reports that training yields (progress, result) and explanation reasons. No torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import torch


@dataclass(frozen=True)
class DataCheck:
    """Whether the data is enough for a sequence model, with the numbers and one clear sentence."""

    ok: bool
    message: str
    n_customers: int
    n_buyers: int  # buyers on the validation cutoff
    n_valid: int
    n_train: int
    n_train_buyers: int
    n_cutoffs: int
    horizon_days: int


@dataclass(frozen=True)
class Note:
    """A stage of training in one sentence (e.g. which of several models is training now)."""

    message: str


@dataclass(frozen=True)
class BatchReport:
    """Training progress inside an epoch; ``train_loss`` is smoothed over recent batches."""

    epoch: int
    batch: int
    n_batches: int
    train_loss: float


@dataclass(frozen=True)
class EpochReport:
    """One finished epoch; ``phase`` is "fit" (validated) or "refit" (all cutoffs, valid_* NaN)."""

    epoch: int
    epochs: int
    train_loss: float
    valid_loss: float
    valid_auc: float
    elapsed_s: float
    eta_s: float
    phase: str


@dataclass(frozen=True)
class IntentResult:
    """Everything a finished (or stopped) training run delivers."""

    config: dict[str, object]
    state_dict: dict[str, torch.Tensor]
    metrics: dict[str, dict[str, float]]
    model_name: str
    verdict: str
    curves: dict[str, dict[str, list[float]]]
    scores: pd.DataFrame
    n_train: int
    n_valid: int
    history: list[EpochReport]
    stopped: bool
    warm_started: bool
    augmentation_note: str | None
    threshold: float
    train_seconds: float
    #: Whose scores ``scores`` holds: "model", or the simple method (a key of ``metrics``) that
    #: ranked buyers as well when the deep model did not beat it beyond noise.
    served: str = "model"
    #: The validation period the metrics were measured on, in words with its dates.
    period: str = ""
    #: The validation period (start, end) in epoch ms: the verdict and notes are worded again
    #: from it when a run is shown, in the language of that moment.
    period_ms: tuple[int, int] | None = None
    #: What the sequence adds (the ablation): the validation AUC of the same network on the
    #: aggregates alone ("auc_without") and the deep model's gap to it with its interval
    #: ("auc_gap", "auc_gap_lo", "auc_gap_hi"); None when it was not measured.
    sequence_gap: dict[str, float] | None = None
    #: The ablation in one sentence.
    sequence_note: str | None = None
    #: What makes customers buy as the sequence model reads it (``engine.intent.drivers``):
    #: the kinds of step whose removal moves the chance most, each with "text",
    #: "effect_points", "kind" and "window"; largest store-wide effect first.
    sequence_drivers: list[dict[str, Any]] = field(default_factory=list)
    #: The models from different random starts (``seeds`` above 1) in one sentence: their
    #: spread and whether their average or one model serves; None with one model. The figures
    #: are in ``metrics["model"]`` (``seed_auc_*``, ``ensemble_*``).
    ensemble_note: str | None = None
    #: The first model with and without sequence augmentation (thorough): auc_with,
    #: auc_without, kept; None when augmentation was not tried.
    augmentation: dict[str, float | bool] | None = None


@dataclass(frozen=True)
class Reason:
    """One step of a customer's history and how much it moved their score (occlusion)."""

    time_ms: int
    event: str
    item: str | None
    category: str | None
    effect: float  # score with the step minus score without it (probability, -1..1)
    text: str
