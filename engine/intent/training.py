"""Training, evaluation and scoring of the purchase-intent model (imports torch; load lazily)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch
from torch import nn

from engine.events import MS_PER_DAY
from engine.intent.config import IntentConfig, preset_value
from engine.intent.data_check import build_intent_data as _build
from engine.intent.data_check import check_data_built
from engine.intent.dataset import Examples, IntentData, gather
from engine.intent.evaluate import (
    add_gaps,
    auc_gaps,
    baseline_scores,
    curves_for,
    fit_baselines,
    metrics_for,
    period_words,
    sequence_words,
    served_method,
    threshold_for,
    verdict,
)
from engine.intent.model import IntentNet, to_tensors
from engine.intent.network import (
    _auc,
    _bce,
    _sigmoid,
    build_model,
    config_dict,
    predict_logits,
    scores_frame,
)
from engine.intent.reports import BatchReport, DataCheck, EpochReport, IntentResult
from engine.nn import ensure_threads, pick_device, standard_stats
from engine.stats import auc_metric, paired_bootstrap

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Report = BatchReport | EpochReport
#: Event dropout probability and crop switch of the augmented (thorough) training.
AUG_DROP_P = 0.1
REPORT_INTERVAL_S = 0.1  # BatchReports at most ~10 per second


@dataclass
class _Fit:
    state: dict[str, torch.Tensor] | None  # best weights (None: no epoch finished)
    history: list[EpochReport]
    best_epoch: int
    best_auc: float
    stopped: bool


def _set_standardization(model: IntentNet, agg: npt.NDArray[np.float32]) -> None:
    # Constant columns (event types absent from this log) are centred, not divided by zero.
    mean, std = standard_stats(agg)
    with torch.no_grad():
        model.agg_mean.copy_(torch.from_numpy(mean))  # type: ignore[operator]
        model.agg_std.copy_(torch.from_numpy(std))  # type: ignore[operator]


def _new_model(
    conf: dict[str, object],
    seed: int,
    init_state: dict[str, torch.Tensor] | None,
    agg: npt.NDArray[np.float32],
    device: torch.device,
) -> IntentNet:
    torch.manual_seed(seed)
    model = build_model(conf)
    if init_state is not None:
        try:
            model.load_state_dict(init_state)
        except RuntimeError as exc:
            raise ValueError(
                "The previous model has a different shape (hidden size or cell type) and "
                "cannot be used as a starting point."
            ) from exc
    # Standardize with the current data even when warm-starting: its scale may have moved.
    _set_standardization(model, agg)
    return model.to(device)


def _fit(
    model: IntentNet,
    data: IntentData,
    train: Examples,
    valid: Examples | None,
    cfg: IntentConfig,
    epochs: int,
    patience: int,
    augment: bool,
    phase: str,
    should_stop: Callable[[], bool],
    device: torch.device,
    sequence: bool = True,
) -> Generator[Report, None, _Fit]:
    """Train with Adam, gradient clipping and early stopping on validation loss (best weights
    kept); without ``sequence`` the network sees the aggregates only (the ablation)."""
    assert cfg.learning_rate is not None and cfg.batch_size is not None
    opt = torch.optim.Adam(
        model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.weight_decay or 0.0
    )
    loss_fn = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(cfg.seed)
    history: list[EpochReport] = []
    best_loss, best_auc, best_epoch = float("inf"), float("nan"), 0
    best_state: dict[str, torch.Tensor] | None = None
    bad = 0
    started = time.perf_counter()
    for epoch in range(1, epochs + 1):
        # Length-sorted batches with random tie order, then shuffled batch order: buckets of
        # similar length pad little, yet each epoch sees a different order.
        order = np.lexsort((rng.random(len(train)), train.length))
        batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        rng.shuffle(batches)
        model.train()
        smooth, total, last_report = float("nan"), 0.0, 0.0
        for bi, idx in enumerate(batches, start=1):
            if should_stop():
                return _Fit(best_state, history, best_epoch, best_auc, True)
            arrays = gather(
                data.steps,
                train,
                idx,
                rng if augment else None,
                augment,
                AUG_DROP_P if augment else 0.0,
                sequence,
            )
            b = to_tensors(arrays, device)
            opt.zero_grad()
            loss = loss_fn(model(b), b["label"])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            value = float(loss.item())
            total += value * len(idx)
            smooth = value if np.isnan(smooth) else 0.9 * smooth + 0.1 * value
            now = time.perf_counter()
            if now - last_report >= REPORT_INTERVAL_S or bi == len(batches):
                last_report = now
                yield BatchReport(epoch, bi, len(batches), smooth)
        train_loss = total / max(len(train), 1)
        if valid is not None:
            logits = predict_logits(model, data.steps, valid, device, sequence=sequence)
            v_loss, v_auc = _bce(logits, valid.label), _auc(valid.label, _sigmoid(logits))
        else:
            v_loss, v_auc = float("nan"), float("nan")
        elapsed = time.perf_counter() - started
        improved = valid is None or v_loss < best_loss - 1e-5
        if improved:
            best_loss, best_auc, best_epoch, bad = v_loss, v_auc, epoch, 0
            best_state = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})
        else:
            bad += 1
        last = epoch == epochs or (valid is not None and bad >= patience)
        eta = 0.0 if last else elapsed / epoch * (epochs - epoch)
        report = EpochReport(epoch, epochs, train_loss, v_loss, v_auc, elapsed, eta, phase)
        history.append(report)
        yield report
        if last:
            break
    return _Fit(best_state, history, best_epoch, best_auc, False)


def _ablation(
    conf: dict[str, object],
    cfg: IntentConfig,
    data: IntentData,
    device: torch.device,
    patience: int,
    should_stop: Callable[[], bool],
    y: F64,
    s_model: F64,
) -> dict[str, float] | None:
    """What the sequence adds: the same network trained the same way on the aggregates alone
    (every history one blank step, so it takes seconds), and the deep model's validation AUC
    minus its own with the paired bootstrap interval. None when stopped. Its progress is not
    reported: its epochs are not epochs of the model being trained."""
    model = _new_model(conf, cfg.seed, None, data.train.agg, device)
    fit = _fit(model, data, data.train, data.valid, cfg, cfg.epochs or 1, patience, False,
               "ablation", should_stop, device, sequence=False)
    try:
        while True:
            next(fit)
    except StopIteration as done:
        flat: _Fit = done.value
    if flat.stopped or flat.state is None:
        return None
    model.load_state_dict(flat.state)
    s_flat = _sigmoid(predict_logits(model, data.steps, data.valid, device, sequence=False))
    gap = paired_bootstrap(s_model, s_flat, auc_metric(y), cfg.seed)
    return {"auc_without": _auc(data.valid.label, s_flat), "auc_gap": gap.diff,
            "auc_gap_lo": gap.lo, "auc_gap_hi": gap.hi}


def train_intent(
    events: pd.DataFrame,
    config: IntentConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    init_state: dict[str, torch.Tensor] | None = None,
    keep_best_on_stop: bool = True,
) -> Iterator[DataCheck | BatchReport | EpochReport | IntentResult]:
    """Train, validate against the baselines and score every customer as of the as-of date.

    Yields the data check (enough data, in one sentence), then progress reports; the last item
    is the :class:`IntentResult`. When ``should_stop``
    turns true the run ends between batches: with ``keep_best_on_stop`` and at least one finished
    epoch it still evaluates the best weights and yields a result with ``stopped=True``.
    Raises ValueError (with the small-data guard's sentence) when the data is too small.
    """
    ensure_threads()
    started = time.perf_counter()
    cfg = config.resolved(events)
    data = _build(events, cfg)
    check = check_data_built(data, cfg)
    if not check.ok:
        raise ValueError(check.message)
    yield check  # the data check, from the one dataset this run trains on
    conf = config_dict(cfg)
    device = pick_device(cfg.device)
    assert cfg.epochs is not None
    patience = int(preset_value(cfg, "patience"))

    def fit(augment: bool) -> Generator[Report, None, _Fit]:
        model = _new_model(conf, cfg.seed, init_state, data.train.agg, device)
        return (
            yield from _fit(
                model,
                data,
                data.train,
                data.valid,
                cfg,
                cfg.epochs or 1,
                patience,
                augment,
                "fit",
                should_stop,
                device,
            )
        )

    aug_note: str | None = None
    outcome = yield from fit(False)
    if cfg.augment and not outcome.stopped:
        # Augmentation is kept only when it wins on validation: the note says which won.
        aug = yield from fit(True)
        if aug.state is not None and not aug.stopped and aug.best_auc > outcome.best_auc:
            aug_note = (
                f"Sequence augmentation helped: validation AUC {aug.best_auc:.3f} with it against "
                f"{outcome.best_auc:.3f} without (same epoch budget); the augmented model is kept."
            )
            outcome = _Fit(
                aug.state, outcome.history + aug.history, aug.best_epoch, aug.best_auc, False
            )
        else:
            aug_note = (
                f"Sequence augmentation did not help: validation AUC {aug.best_auc:.3f} with it "
                f"against {outcome.best_auc:.3f} without (same epoch budget); the model without "
                "it is kept."
            )
            outcome = _Fit(
                outcome.state,
                outcome.history + aug.history,
                outcome.best_epoch,
                outcome.best_auc,
                aug.stopped,
            )
    if outcome.state is None or (outcome.stopped and not keep_best_on_stop):
        return
    model = build_model(conf).to(device)
    model.load_state_dict(outcome.state)

    y = data.valid.label.astype(np.float64)
    s_model = _sigmoid(predict_logits(model, data.steps, data.valid, device))
    scorers = {"model": s_model}
    scorers.update(baseline_scores(data.train.agg, data.train.label, data.valid.agg, cfg.seed))
    metrics: dict[str, dict[str, float]] = {}
    for name, s in scorers.items():
        metrics[name] = metrics_for(y, s, threshold_for(y, s, cfg.top_percent))
    add_gaps(metrics, auc_gaps(y, scorers, cfg.seed))
    served = served_method(metrics, cfg.always_deep)
    ablation = _ablation(conf, cfg, data, device, patience, should_stop, y, s_model)
    curves = curves_for(y, scorers[served])
    for name in scorers:
        if name != served:
            curves[f"roc:{name}"] = curves_for(y, scorers[name])["roc"]

    history = list(outcome.history)
    state = outcome.state
    if cfg.refit_all and not outcome.stopped:
        everything = Examples.concat([data.valid, data.train])
        refit_model = _new_model(conf, cfg.seed, init_state, everything.agg, device)
        refit = yield from _fit(
            refit_model,
            data,
            everything,
            None,
            cfg,
            max(outcome.best_epoch, 1),
            patience,
            bool(aug_note and aug_note.startswith("Sequence augmentation helped")),
            "refit",
            should_stop,
            device,
        )
        history += refit.history
        if refit.state is not None and not refit.stopped:
            state = refit.state
            model.load_state_dict(state)
    if served == "model":
        probs = _sigmoid(predict_logits(model, data.steps, data.score, device))
    else:
        # The simple method serves: refitted on every labelled period up to the as-of date
        # (the validation period too), then applied to everyone as of that date.
        everything = Examples.concat([data.valid, data.train])
        probs = fit_baselines(everything.agg, everything.label, cfg.seed)[served](data.score.agg)
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None
    t1 = data.cutoffs_ms[0]
    period = period_words(t1, t1 + cfg.horizon_days * MS_PER_DAY)
    yield IntentResult(
        config=conf,
        state_dict=state,
        metrics=metrics,
        model_name=f"{cfg.cell.upper()} sequence model ({cfg.preset})",
        verdict=verdict(metrics, period, served, cfg.always_deep),
        curves=curves,
        scores=scores_frame(data.steps.customer_ids[data.score.cust], probs),
        n_train=len(data.train),
        n_valid=len(data.valid),
        history=history,
        stopped=outcome.stopped,
        warm_started=init_state is not None,
        augmentation_note=aug_note,
        threshold=metrics[served]["threshold"],
        train_seconds=time.perf_counter() - started,
        served=served,
        period=period,
        sequence_gap=ablation,
        sequence_note=None if ablation is None else sequence_words(ablation, period),
    )

