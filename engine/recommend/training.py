"""Training a recommendations run: measure every method on the latest period, choose the one
that serves, refit it on everything up to the as-of date and rank every customer.

Nothing after the as-of date D is read. The methods are fitted on the interactions up to D-H and
measured on (D-H, D]; the blend learns on the period before, (D-2H, D-H]. The served method is
then fitted again on everything up to D (the blend relearns on (D-H, D], the neural model
retrains for as many epochs as it was best at) and ranks every customer with history. The shop's
rules (what not to recommend) apply to that ranking; the methods are measured without them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from engine.events import MS_PER_DAY
from engine.nn import default_threads
from engine.recommend import neural
from engine.recommend.config import LABELS, METHODS, RecommendConfig, settings_dict
from engine.recommend.data import Interactions, interactions
from engine.recommend.evaluation import (
    MIN_CUSTOMERS,
    Split,
    choose,
    measure,
    score_line,
    split,
    verdict,
)
from engine.recommend.methods import Cut, fit_cut
from engine.recommend.metrics import CHOOSE_BY, METRIC_KEYS, Scores
from engine.recommend.rules import resolve
from engine.recommend.serve import Served, outputs, serve
from engine.tasks.base import NoData, Progress
from engine.words import tr

TASK: Final[str] = "recommend"
#: While ranking every customer, a note at most this often (seconds).
SERVE_NOTE_S: Final[float] = 5.0
#: The default memory half-life is this many horizons.
HALF_LIFE_HORIZONS: Final[float] = 4.0


@dataclass(frozen=True)
class RecommendResult:
    """A finished run: settings, metrics per method, the verdict, the curves and the lists."""

    settings: dict[str, Any]
    metrics: dict[str, Any]
    history: dict[str, Any]
    verdict: str
    served: str
    outputs: pd.DataFrame
    weights: bytes | None
    customers: int


@dataclass(frozen=True)
class Check:
    """Whether the data can be measured: ``ok``, a sentence, and the numbers behind it."""

    ok: bool
    message: str
    numbers: dict[str, float]


def _prepare(events: pd.DataFrame, config: RecommendConfig) -> tuple[RecommendConfig,
                                                                     Interactions]:
    if len(events) == 0:
        raise NoData(tr("There are no events to learn from."))
    try:
        cfg = config.resolved(events)
    except ValueError as exc:  # a setting out of range, in one sentence
        raise NoData(str(exc)) from exc
    assert cfg.as_of_ms is not None
    # Nothing after the as-of date is read, even when the caller handed it over.
    return cfg, interactions(events[events["time_ms"] <= cfg.as_of_ms])


def check(events: pd.DataFrame, config: RecommendConfig) -> Check:
    """Enough customers with history before the cut and interactions after it."""
    return _check(*_prepare(events, config))


def _check(cfg: RecommendConfig, data: Interactions) -> Check:
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None
    cut = cfg.as_of_ms - cfg.horizon_days * MS_PER_DAY
    s = split(data, cut, cfg.as_of_ms, cfg.eval_customers, cfg.seed)
    numbers = {"customers": float(len(data.customers())), "items": float(data.n_items),
               "interactions": float(len(data)), "active_both_sides": float(s.active),
               "measured": float(len(s.customers)), "horizon_days": float(cfg.horizon_days)}
    if len(data) == 0:
        return Check(False, tr("No event names an item a customer viewed, carted, favorited or "
                               "bought, so there is nothing to recommend."), numbers)
    if s.active < MIN_CUSTOMERS and _visits_are_sessions(data):
        return Check(False, tr(
            "Only {0:,} customers were active both before and in {1}: each "
            "customer's activity lasts less than a day (the log's customers look like single "
            "visits), and recommendations are measured on customers who come back."
        ).format(s.active, _last(cfg.horizon_days)), numbers)
    if s.active < MIN_CUSTOMERS:
        return Check(False, tr(
            "Only {0:,} customers were active both before and in {1}, too few to measure "
            "recommendations (at least {2}): choose a longer horizon or a later date."
        ).format(s.active, _last(cfg.horizon_days), MIN_CUSTOMERS), numbers)
    return Check(True, tr(
        "Enough data: {0:,} customers, {1:,} items; measured on {2:,} customers active before "
        "and in {3}."
    ).format(len(data.customers()), data.n_items, len(s.customers), _last(cfg.horizon_days)),
        numbers)


def _last(days: int) -> str:
    return tr("the last day") if days == 1 else tr("the last {0} days").format(days)


def _visits_are_sessions(data: Interactions) -> bool:
    """Whether nine in ten customers are seen within less than one day (session ids as
    customers, as in click logs)."""
    if len(data) == 0:
        return False
    frame = pd.DataFrame({"c": data.customer, "t": data.time_ms})
    bounds = frame.groupby("c")["t"].agg(["min", "max"])
    return bool(((bounds["max"] - bounds["min"]) < MS_PER_DAY).mean() >= 0.9)


def _note(message: str) -> Progress:
    return Progress(TASK, "note", message=message)


def train_recommend(
    events: pd.DataFrame, config: RecommendConfig, *, should_stop: Callable[[], bool]
) -> Iterator[Progress | RecommendResult]:
    """Measure, choose, refit and serve; yields progress and, last, the result (nothing when
    stopped). Raises NoData with a sentence when the data cannot be measured."""
    cfg, data = _prepare(events, config)
    found = _check(cfg, data)
    if not found.ok:
        raise NoData(found.message)
    # The shop's rules first: a mistyped category or a missing list file is refused before the
    # minutes of training, not after.
    rules = resolve(data, cfg.exclude_bought, cfg.exclude_items, cfg.only_categories)
    yield _note(found.message)
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None
    d, h = cfg.as_of_ms, cfg.horizon_days
    cut, early = d - h * MS_PER_DAY, d - 2 * h * MS_PER_DAY
    half_life = cfg.half_life_days or HALF_LIFE_HORIZONS * h
    s = split(data, cut, d, cfg.eval_customers, cfg.seed)
    n_items = data.n_items
    scores: dict[str, Scores] = {}
    at = fit_cut(data, cut, h, half_life)
    for method in ("popularity", "own_history", "co_occurrence"):
        started = time.perf_counter()
        scores[method] = measure(at, method, s, n_items)
        yield _note(score_line(tr(LABELS[method]), scores[method], time.perf_counter() - started))
        if should_stop():
            return
    blend_info: dict[str, Any] = {}
    yield from _measure_blend(data, at, s, early, cut, h, half_life, cfg, scores, blend_info)
    if should_stop():
        return
    epochs: list[dict[str, Any]] = []
    model_state = None
    if not cfg.no_neural:
        started = time.perf_counter()  # its time is its training's, not only its measuring
        fitted = yield from _neural(data.until(cut), neural.settings_for(cfg), "fit", epochs,
                                    should_stop)
        if should_stop():
            return
        if fitted is not None:
            at.model = fitted
            scores["neural"] = measure(at, "neural", s, n_items)
            yield _note(score_line(tr(LABELS["neural"]), scores["neural"],
                                   time.perf_counter() - started))
    choice = choose(scores)
    served = choice.served
    sentence = verdict(scores, choice, s.only_purchases)
    yield _note(sentence)
    # Refit the served method on everything up to D.
    final = fit_cut(data, d, h, half_life, with_co=served in ("co_occurrence", "blend"))
    if served == "blend":
        latest = split(data, cut, d, cfg.eval_customers, cfg.seed + 1)
        from engine.recommend.blend import learn

        final.blender = learn(at, latest.customers, latest.truth, cfg.seed, default_threads())
        if final.blender is None:  # no next item among the candidates: keep the earlier one
            final.blender = at.blender
    if served == "neural":
        best = int(at.model.best_epoch) if at.model is not None else 1
        refit = yield from _neural(data, neural.settings_for(cfg, epochs=best), "refit", epochs,
                                   should_stop)
        if refit is None:
            return
        final.model = refit
        from engine.nn import save_state

        model_state = save_state(refit.state_dict)
    for note in rules.notes:
        yield _note(note)
    lists: Served | None = None
    said = time.perf_counter()
    for report in serve(final, served, rules, cfg.keep, should_stop=should_stop):
        if report is None:
            return
        if isinstance(report, Served):
            lists = report
        elif time.perf_counter() - said > SERVE_NOTE_S and report[0] < report[1]:
            said = time.perf_counter()
            yield _note(tr("Ranking every customer: {0:,} of {1:,} done.").format(*report))
    assert lists is not None
    yield _note(tr("Recommended up to {0} items to each of {1:,} customers.").format(
        cfg.keep, lists.customers))
    metrics: dict[str, Any] = {
        "methods": {m: {k: scores[m].means[k] for k in METRIC_KEYS} for m in METHODS
                    if m in scores},
        "served": served,
        "choose_by": CHOOSE_BY,
        "gaps": {m: {"gap": g, "se": e} for m, (g, e) in choice.gaps.items()},
        "about_as_well": choice.about_as_well(),
        "measured_customers": int(len(s.customers)),
        "active_customers": int(s.active),
        "only_purchases": s.only_purchases,
        "catalogue": int(n_items),
        "customers": int(lists.customers),
        "blend": blend_info,
        "rules": rules.as_dict(cfg.exclude_bought),
        "half_life_days": float(half_life),
    }
    settings = settings_dict(cfg)
    history = {"epochs": epochs}
    yield RecommendResult(settings, metrics, history, sentence, served,
                          outputs(lists, data.item_keys), model_state, lists.customers)


def _measure_blend(data: Interactions, at: Cut, s: Split, early: int, cut: int, h: int,
                   half_life: float, cfg: RecommendConfig, scores: dict[str, Scores],
                   info: dict[str, Any]) -> Iterator[Progress]:
    """Learn the blend on the earlier period and measure it on the latest (when possible)."""
    from engine.recommend.blend import learn

    started = time.perf_counter()
    learned_on = split(data, early, cut, cfg.eval_customers, cfg.seed)
    if learned_on.active < MIN_CUSTOMERS:
        yield _note(tr("The blend is left out: too few customers were active in the period "
                       "before the latest one to learn from."))
        return
    earlier = fit_cut(data, early, h, half_life)
    blender = learn(earlier, learned_on.customers, learned_on.truth, cfg.seed, default_threads())
    if blender is None:
        yield _note(tr("The blend is left out: the methods' candidates held too few of the "
                       "items customers turned to in the period before the latest one."))
        return
    at.blender = blender
    scores["blend"] = measure(at, "blend", s, data.n_items)
    info.update({"examples": blender.examples, "positives": blender.positives,
                 "customers": int(len(learned_on.customers))})
    yield _note(score_line(tr(LABELS["blend"]), scores["blend"], time.perf_counter() - started))


def _neural(data: Interactions, settings: Any, phase: str, epochs: list[dict[str, Any]],
            should_stop: Callable[[], bool]) -> Generator[Progress, None, Any]:
    """Train the sequence model, passing its epochs on; returns the model (None if none)."""
    from engine.recommend.sequence import SequenceModel

    model = None
    try:
        for report in neural.train(data, settings, should_stop=should_stop):
            if isinstance(report, neural.Epoch):
                epochs.append({"epoch": report.epoch, "train_loss": report.train_loss,
                               "valid_loss": report.valid_loss, "elapsed_s": report.elapsed_s,
                               "phase": phase})
                yield Progress(TASK, "epoch", phase=phase, epoch=report.epoch,
                               epochs=report.epochs,
                               losses={"train": report.train_loss, "valid": report.valid_loss},
                               elapsed_s=report.elapsed_s)
            elif isinstance(report, neural.Batch):
                yield Progress(TASK, "batch", phase=phase, epoch=report.epoch,
                               batch=report.batch,
                               batches=report.batches, losses={"train": report.loss})
            elif isinstance(report, SequenceModel):
                model = report
    except ValueError as exc:  # no customer with two interactions, in the model's words
        yield _note(tr("The neural model is left out: {0}").format(str(exc)))
        return None
    return model
