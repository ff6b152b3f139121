"""Training, evaluation and scoring of the purchase-intent model (imports torch; load lazily)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch
from torch import nn

from engine.events import MS_PER_DAY
from engine.intent.config import IntentConfig, model_label, preset_value
from engine.intent.data_check import check_data_built
from engine.intent.data_check import intent_data_of_steps as _build
from engine.intent.dataset import Examples, IntentData, gather
from engine.intent.drivers import sequence_drivers
from engine.intent.evaluate import (
    add_gaps,
    auc_gaps,
    augmentation_words,
    baseline_scores,
    curves_for,
    ensemble_figures,
    ensemble_words,
    fit_baselines,
    fit_rows,
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
    build_member,
    build_model,
    config_dict,
    ensemble_state,
    member_states,
    predict_logits,
    scores_frame,
)
from engine.intent.reports import BatchReport, DataCheck, EpochReport, IntentResult, Note
from engine.intent.steps import build_steps
from engine.nn import adam, ensure_threads, pick_device, standard_stats
from engine.stats import auc_metric, paired_bootstrap
from engine.words import tr

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
    model = build_member(conf)
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


#: Validation examples each epoch's early-stopping check reads at most (a fixed sample).
VALID_CHECK_MAX: Final[int] = 10_000


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
    later_s: float | None = None,
    later_fits: int = 0,
) -> Generator[Report, None, _Fit]:
    """Train with Adam, gradient clipping and early stopping on validation loss (best weights
    kept); without ``sequence`` the network sees the aggregates only (the ablation).

    The time left that the reports say includes what follows this fit: ``later_s`` seconds,
    or when unknown ``later_fits`` more fits as long as this one's epoch budget."""
    assert cfg.learning_rate is not None and cfg.batch_size is not None
    opt = adam(model.parameters(), device, lr=cfg.learning_rate,
               weight_decay=cfg.weight_decay or 0.0)
    loss_fn = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(cfg.seed)
    history: list[EpochReport] = []
    best_loss, best_auc, best_epoch = float("inf"), float("nan"), 0
    best_state: dict[str, torch.Tensor] | None = None
    bad = 0
    started = time.perf_counter()
    # A big shop: each epoch trains on the preset's number of examples, the next ones of a
    # shuffled cycle (drawn only then, so smaller logs train exactly as before).
    cap = int(preset_value(cfg, "epoch_examples"))
    cycle = rng.permutation(len(train)) if len(train) > cap else None
    # Early stopping watches a fixed sample of a big validation period (its own generator, so
    # the training draws stay as they are); the run's metrics are computed on all of it.
    if valid is not None and len(valid) > VALID_CHECK_MAX:
        sample = np.random.default_rng(cfg.seed).choice(len(valid), VALID_CHECK_MAX,
                                                         replace=False)
        valid = valid.take(np.sort(sample))
    for epoch in range(1, epochs + 1):
        if cycle is None:
            pick = np.arange(len(train))
        else:
            pick = np.take(cycle, np.arange((epoch - 1) * cap, epoch * cap), mode="wrap")
        # Length-sorted batches with random tie order, then shuffled batch order: buckets of
        # similar length pad little, yet each epoch sees a different order.
        order = pick[np.lexsort((rng.random(len(pick)), train.length[pick]))]
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
        train_loss = total / max(len(order), 1)
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
        per_epoch = elapsed / epoch
        later = later_s if later_s is not None else later_fits * per_epoch * epochs
        eta = later + (0.0 if last else per_epoch * (epochs - epoch))
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
    reported: its epochs are not epochs of the model being trained. ``s_model`` is the first
    model's (one network against one network, so averaging several is not credited to the
    sequence)."""
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


@dataclass
class _Members:
    """The networks trained from different random starts (``seeds``), in seed order."""

    fits: list[_Fit]  # each finished one with weights (a member stopped midway is left out)
    history: list[EpochReport]  # every epoch of every member, augmented tries included
    stopped: bool
    augmentation: dict[str, float | bool] | None  # the first member with and without it
    augmented: bool  # whether augmentation won on the first member (the others then use it)
    starts: list[dict[str, torch.Tensor] | None]  # each member's warm start (None: fresh)


def _training_member(i: int, k: int) -> Note:
    """The note at the start of member ``i`` of ``k``."""
    return Note(tr("Training model {0} of {1}, each from its own random start, to average "
                   "their scores.").format(i + 1, k))


def _phase(i: int, k: int) -> str:
    """The progress phase of member ``i`` of ``k``: "fit" for a single model."""
    return "fit" if k == 1 else tr("model {0} of {1}").format(i + 1, k)


def _members(
    conf: dict[str, object],
    cfg: IntentConfig,
    data: IntentData,
    device: torch.device,
    patience: int,
    should_stop: Callable[[], bool],
    init_state: dict[str, torch.Tensor] | None,
) -> Generator[Report | Note, None, _Members]:
    """Train ``cfg.seeds`` networks, member i with the seed ``cfg.seed + i`` and its own early
    stopping, so one seed alone trains exactly as it did before ensembles.

    Member i warm-starts from the previous run's member i (a single model is member 0); members
    the previous run did not have start fresh. Augmentation (thorough) is tried on the first
    member only, as before; the others train the way that won. A stop ends the run between
    batches: the members finished by then remain."""
    k = cfg.seeds or 1
    given = [] if init_state is None else member_states(init_state)
    starts: list[dict[str, torch.Tensor] | None] = [
        given[i] if i < len(given) else None for i in range(k)
    ]

    one_s: list[float] = []  # how long the first member took: the others take about as long

    def fit(i: int, augment: bool) -> Generator[Report, None, _Fit]:
        seeded = replace(cfg, seed=cfg.seed + i)
        model = _new_model(conf, seeded.seed, starts[i], data.train.agg, device)
        later = (k - 1 - i) * one_s[0] if one_s else None
        return (
            yield from _fit(model, data, data.train, data.valid, seeded, cfg.epochs or 1,
                            patience, augment, _phase(i, k), should_stop, device,
                            later_s=later, later_fits=k - 1 - i)
        )

    if k > 1:
        yield _training_member(0, k)
    aug_figures: dict[str, float | bool] | None = None
    outcome = yield from fit(0, False)
    if outcome.history:
        one_s.append(outcome.history[-1].elapsed_s)
    augmented = False
    if cfg.augment and not outcome.stopped:
        # Augmentation is kept only when it wins on validation: the note says which won.
        aug = yield from fit(0, True)
        won = aug.state is not None and not aug.stopped and aug.best_auc > outcome.best_auc
        aug_figures = {"auc_with": float(aug.best_auc), "auc_without": float(outcome.best_auc),
                       "kept": won}
        if won:
            outcome = _Fit(
                aug.state, outcome.history + aug.history, aug.best_epoch, aug.best_auc, False
            )
            augmented = True
        else:
            outcome = _Fit(
                outcome.state,
                outcome.history + aug.history,
                outcome.best_epoch,
                outcome.best_auc,
                aug.stopped,
            )
    fits = [outcome] if outcome.state is not None else []
    history = list(outcome.history)
    stopped = outcome.stopped
    for i in range(1, k):
        if stopped or not fits:
            break
        yield _training_member(i, k)
        member = yield from fit(i, augmented)
        history += member.history
        stopped = member.stopped
        if not member.stopped and member.state is not None:
            fits.append(member)
    return _Members(fits, history, stopped, aug_figures, augmented, starts)


def _refit(
    conf: dict[str, object],
    cfg: IntentConfig,
    data: IntentData,
    device: torch.device,
    patience: int,
    should_stop: Callable[[], bool],
    serving: list[_Fit],
    starts: list[dict[str, torch.Tensor] | None],
    augmented: bool,
) -> Generator[Report | Note, None, _Members]:
    """Retrain each serving member on every cutoff (validation included) for the epochs its
    validation chose, with its own seed and warm start; ``fits`` holds the members refitted
    before any stop."""
    everything = Examples.concat([data.valid, data.train])
    fits: list[_Fit] = []
    history: list[EpochReport] = []
    for i, chosen in enumerate(serving):
        if len(serving) > 1:
            yield Note(tr("Final fit on all periods: model {0} of {1}.").format(i + 1, len(serving)))
        seeded = replace(cfg, seed=cfg.seed + i)
        model = _new_model(conf, seeded.seed, starts[i], everything.agg, device)
        refit = yield from _fit(model, data, everything, None, seeded, max(chosen.best_epoch, 1),
                                patience, augmented, "refit", should_stop, device)
        history += refit.history
        if refit.state is None or refit.stopped:
            return _Members(fits, history, True, None, augmented, starts)
        fits.append(refit)
    return _Members(fits, history, False, None, augmented, starts)


def _trained_net(conf: dict[str, object], state: dict[str, torch.Tensor] | None,
                 device: torch.device) -> IntentNet:
    """One network with the weights a fit kept."""
    assert state is not None
    model = build_member(conf).to(device)
    model.load_state_dict(state)
    return model


def labelled_rows(parts: list[Examples], seed: int
                  ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The aggregates and labels the simple methods are fitted on from these examples taken as
    one set (in this order): what ``fit_baselines`` keeps of their concatenation, made without
    concatenating them all first (on a big shop that copy alone was 700 MB)."""
    sizes = [len(p) for p in parts]
    pick = fit_rows(sum(sizes), seed)
    if pick is None:
        whole = Examples.concat(parts)
        return whole.agg, whole.label
    bounds = np.cumsum([0, *sizes])
    x = np.concatenate([p.agg[pick[(pick >= lo) & (pick < hi)] - lo]
                        for p, lo, hi in zip(parts, bounds[:-1], bounds[1:], strict=True)])
    y = np.concatenate([p.label[pick[(pick >= lo) & (pick < hi)] - lo]
                        for p, lo, hi in zip(parts, bounds[:-1], bounds[1:], strict=True)])
    return x, y


def score_in_slices(data: IntentData, scorer: Callable[[Examples], F64]) -> tuple[I64, F64]:
    """The customer ids and scores of everyone with history at the as-of date, scored a slice
    of customers at a time (``IntentData.score_slices``): the same as scoring ``data.score`` in
    one go, without holding every customer's aggregates at once."""
    ids: list[I64] = []
    probs: list[F64] = []
    for ex in data.score_slices():
        ids.append(data.steps.customer_ids[ex.cust])
        probs.append(np.asarray(scorer(ex), dtype=np.float64))
    return np.concatenate(ids).astype(np.int64), np.concatenate(probs)


def train_intent(
    events: pd.DataFrame,
    config: IntentConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    init_state: dict[str, torch.Tensor] | None = None,
    keep_best_on_stop: bool = True,
) -> Iterator[DataCheck | Note | BatchReport | EpochReport | IntentResult]:
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
    assert cfg.as_of_ms is not None
    steps = build_steps(events, cfg.as_of_ms, keep_rows=False)
    # The steps hold all the run reads from here on: a big shop's event frame goes before its
    # examples are made (the callers let go of theirs once this generator holds it:
    # engine.runs, tasks.intent).
    del events
    data = _build(steps, cfg)
    del steps
    check = check_data_built(data, cfg)
    if not check.ok:
        raise ValueError(check.message)
    yield check  # the data check, from the one dataset this run trains on
    conf = config_dict(cfg)
    device = pick_device(cfg.device)
    assert cfg.epochs is not None
    patience = int(preset_value(cfg, "patience"))

    trained = yield from _members(conf, cfg, data, device, patience, should_stop, init_state)
    fits, history = trained.fits, list(trained.history)
    if not fits or (trained.stopped and not keep_best_on_stop):
        return
    y = data.valid.label.astype(np.float64)
    member_probs = [
        _sigmoid(predict_logits(_trained_net(conf, f.state, device), data.steps, data.valid, device))
        for f in fits
    ]
    # Several models: their average serves unless it ranks buyers worse than the first model
    # beyond noise (evaluate.average_serves says why); then the first model serves.
    figures = ensemble_figures(y, member_probs, cfg.seed) if len(fits) > 1 else None
    serving = fits if figures is not None and figures["ensemble_serves"] else fits[:1]
    s_model = np.mean(np.stack(member_probs), axis=0) if len(serving) > 1 else member_probs[0]
    scorers = {"model": s_model}
    scorers.update(baseline_scores(data.train.agg, data.train.label, data.valid.agg, cfg.seed))
    metrics: dict[str, dict[str, float]] = {}
    for name, s in scorers.items():
        metrics[name] = metrics_for(y, s, threshold_for(y, s, cfg.top_percent))
    add_gaps(metrics, auc_gaps(y, scorers, cfg.seed))
    if figures is not None:
        metrics["model"].update(figures)
    served = served_method(metrics, cfg.always_deep)
    ablation = _ablation(conf, cfg, data, device, patience, should_stop, y, member_probs[0])
    curves = curves_for(y, scorers[served])
    for name in scorers:
        if name != served:
            curves[f"roc:{name}"] = curves_for(y, scorers[name])["roc"]

    states = [f.state for f in serving if f.state is not None]
    if cfg.refit_all and not trained.stopped:
        refitted = yield from _refit(conf, cfg, data, device, patience, should_stop, serving,
                                     trained.starts, trained.augmented)
        history += refitted.history
        if len(refitted.fits) == len(serving):  # every member refitted, none stopped
            states = [f.state for f in refitted.fits if f.state is not None]
    conf = {**conf, "members": len(states)}
    state = ensemble_state(states)
    model = build_model(conf).to(device)
    model.load_state_dict(state)
    if served == "model":
        def scorer(ex: Examples) -> F64:
            return _sigmoid(predict_logits(model, data.steps, ex, device))
    else:
        # The simple method serves: refitted on every labelled period up to the as-of date
        # (the validation period too), then applied to everyone as of that date.
        x, labels = labelled_rows([data.valid, data.train], cfg.seed)
        simple = fit_baselines(x, labels, cfg.seed)[served]
        del x, labels

        def scorer(ex: Examples) -> F64:
            return simple(ex.agg)
    ids, probs = score_in_slices(data, scorer)
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None
    t1 = data.cutoffs_ms[0]
    period = period_words(t1, t1 + cfg.horizon_days * MS_PER_DAY)
    found = [] if should_stop() else sequence_drivers(
        model, data.steps, data.valid, cfg.horizon_days, device, seed=cfg.seed)
    yield IntentResult(
        config=conf,
        state_dict=state,
        metrics=metrics,
        model_name=model_label(cfg.cell, cfg.preset, len(states)),
        verdict=verdict(metrics, period, served, cfg.always_deep),
        curves=curves,
        scores=scores_frame(ids, probs),
        n_train=len(data.train),
        n_valid=len(data.valid),
        history=history,
        stopped=trained.stopped,
        warm_started=init_state is not None,
        augmentation_note=None if trained.augmentation is None else augmentation_words(
            trained.augmentation),
        augmentation=trained.augmentation,
        threshold=metrics[served]["threshold"],
        train_seconds=time.perf_counter() - started,
        served=served,
        period=period,
        period_ms=(int(t1), int(t1 + cfg.horizon_days * MS_PER_DAY)),
        sequence_gap=ablation,
        sequence_note=None if ablation is None else sequence_words(ablation, period),
        sequence_drivers=found,
        ensemble_note=None if figures is None else ensemble_words(figures, period),
    )

