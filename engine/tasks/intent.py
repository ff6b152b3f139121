"""Purchase intent behind the task contract: who buys within the next days (``engine.intent``).

Importing this module is cheap (the command line's help reads the registry): pandas, storage and
torch load when a run trains or is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.intent import (
    DataCheck,
    EpochReport,
    IntentConfig,
    IntentResult,
    ModelDamaged,
    Note,
    check_data,
    load_checked_state,
    save_state,
    train_intent,
)
from engine.intent.config import model_label
from engine.tasks.base import (
    CardSection,
    Chart,
    Column,
    MetricTable,
    NoData,
    Progress,
    RunRecord,
    RunView,
    Series,
    SignalReader,
    Verdict,
)
from engine.words import join_sentences, padded, text_width, tr

if TYPE_CHECKING:
    import pandas as pd

    from storage.project import Project
    from storage.runs import RunInfo

#: Names of the comparison methods as the metrics table shows them.
METHOD_LABELS = {
    "base_rate": "Base rate (everyone alike)",
    "rfm_logistic": "RFM logistic regression",
    "hist_gradient_boosting": "Gradient boosting on aggregates",
}
#: Metrics of the table, in order, with their headings.
METRIC_COLUMNS = (
    ("auc", "AUC"), ("pr_auc", "PR AUC"), ("brier", "Brier"), ("accuracy", "Accuracy"),
    ("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"), ("lift_top10", "Lift 10%"),
)
#: The metrics of ``train intent --json`` (a contract), in order.
JSON_METRICS = ("auc", "pr_auc", "precision", "recall", "f1", "accuracy", "lift_top10", "brier")
#: What a baseline's entry adds when the run has it: the deep model's AUC gap and interval.
GAP_METRICS = ("auc_gap", "auc_gap_lo", "auc_gap_hi")


def _nan_none(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def history_dict(result: IntentResult) -> dict[str, Any]:
    """The curves of a run in a JSON-safe form (what the run history shows again later)."""
    return {
        "epochs": [
            {
                "epoch": e.epoch,
                "train_loss": e.train_loss,
                "valid_loss": _nan_none(e.valid_loss),
                "valid_auc": _nan_none(e.valid_auc),
                "elapsed_s": e.elapsed_s,
                "phase": e.phase,
            }
            for e in result.history
        ],
        "curves": result.curves,
        "threshold": result.threshold,
        "augmentation_note": result.augmentation_note,
        "augmentation": result.augmentation,
        "model_name": result.model_name,
        "n_train": result.n_train,
        "n_valid": result.n_valid,
        "served": result.served,
        "period": result.period,
        "period_ms": None if result.period_ms is None else list(result.period_ms),
        "sequence_gap": None if result.sequence_gap is None else {
            k: _nan_none(v) for k, v in result.sequence_gap.items()},
        "sequence_note": result.sequence_note,
        "ensemble_note": result.ensemble_note,
        "sequence_drivers": result.sequence_drivers,
    }


def seeds_dict(model: dict[str, float]) -> dict[str, Any] | None:
    """The models from different random starts, from the deep model's metrics, for
    ``train intent --json``: each one's validation AUC, their lowest, highest and standard
    deviation, their average's AUC and its gap to the first model with the 95% interval, and
    whether the average serves; None for a run of one model."""
    if "seeds" not in model:
        return None
    k = int(model["seeds"])
    return {
        "models": k,
        "auc": [_nan_none(model.get(f"seed_auc_{i}")) for i in range(1, k + 1)],
        "auc_min": _nan_none(model.get("seed_auc_min")),
        "auc_max": _nan_none(model.get("seed_auc_max")),
        "auc_sd": _nan_none(model.get("seed_auc_sd")),
        "average_auc": _nan_none(model.get("ensemble_auc")),
        "average_gap": _nan_none(model.get("ensemble_gap")),
        "average_gap_lo": _nan_none(model.get("ensemble_gap_lo")),
        "average_gap_hi": _nan_none(model.get("ensemble_gap_hi")),
        "average_serves": bool(model.get("ensemble_serves")),
    }


def sequence_drivers_of(run: RunInfo) -> list[dict[str, Any]]:
    """The sequence drivers saved with an intent run, their text in the user's words now
    ([] for a run saved before they were)."""
    from engine.intent.drivers import driver_text

    found = [d for d in run.history.get("sequence_drivers") or [] if isinstance(d, dict)]
    worded = ("kind", "window", "horizon_days", "effect_points")
    return [{**d, "text": driver_text(d)} if all(k in d for k in worded) else d for d in found]


def buy_drivers(data: dict[str, Any], runs: list[RunInfo]) -> list[str]:
    """What makes customers buy here, as lines: the active customer-value run's drivers (each
    customer's totals) when ``runs`` hold one, then the sequence drivers of an intent run's JSON
    ``data`` (``describe(run).data``), each group under a line saying where it comes from; []
    when neither has any."""
    value_run = next((r for r in runs if r.task == "value" and r.active), None)
    totals = [] if value_run is None else [
        d for d in value_run.metrics.get("drivers", []) if isinstance(d, dict)]
    lines: list[str] = []
    if totals:
        lines.append(tr("From each customer's totals (customer value model):"))
        lines += [f"{i}. {d.get('sentence', '')}" for i, d in enumerate(totals, 1)]
    steps = [d for d in data.get("sequence_drivers") or [] if isinstance(d, dict)]
    if steps:
        served = str(data.get("served") or "model")
        lines.append(
            tr("From the order of their steps (the sequence model, which gives the scores; each "
               "effect comes on top of what the customer's totals already say):")
            if served == "model" else
            tr("From the order of their steps (the sequence model; the scores come from the "
               "simpler method “{0}”; each effect comes on top of what the customer's totals "
               "already say):").format(tr(METHOD_LABELS.get(served, served))))
        lines += [f"{i}. {d.get('text', '')}" for i, d in enumerate(steps, 1)]
    return lines


class IntentTask:
    """Purchase intent: a sequence model over each customer's events, checked on the latest
    period against simple baselines; per customer a score (0..1) and a rank."""

    key = "intent"
    title = "Purchase intent"
    short_title = "Intent"
    cli_help = "purchase intent: who buys within the next days"
    saved_hint = ("Saved as run {run_id}; scores: python main.py export {project} scores "
                  "--out scores.csv")
    metric_names = {"valid_auc": "valid AUC"}
    config_type = IntentConfig
    supports_warm_start = True
    heavy_modules = ("engine.intent.training", "torch._dynamo", "sklearn.linear_model",
                     "sklearn.ensemble")
    output_names = ("score", "rank")
    signals = {"purchase_probability": "score"}

    def check(self, events: pd.DataFrame, config: IntentConfig) -> Verdict:
        """Whether there are enough labelled customers and buyers, with the numbers."""
        found = check_data(events, config)
        numbers = {k: float(getattr(found, k)) for k in (
            "n_customers", "n_buyers", "n_valid", "n_train", "n_train_buyers", "n_cutoffs",
            "horizon_days")}
        return Verdict(found.ok, found.message, numbers)

    def warm_state(self, run: RunInfo, weights: bytes, config: IntentConfig,
                   events: pd.DataFrame) -> Any | None:
        """The active model's weights when they fit this config's network; else None."""
        wanted = config.resolved(events)
        if any(run.settings.get(k) != getattr(wanted, k) for k in ("hidden_size", "cell")):
            return None
        from engine.intent.dataset import AGG_NAMES

        if run.settings.get("agg_names", list(AGG_NAMES)) != list(AGG_NAMES):
            return None  # a model of an earlier version reads fewer aggregates: start afresh
        try:
            return load_checked_state(weights, run.settings)
        except ModelDamaged as exc:
            raise NoData(tr(
                "The active model is damaged or was made by another version, so it cannot be a "
                "starting point: train without warm start."
            )) from exc

    def train(self, events: pd.DataFrame, config: IntentConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Progress | IntentResult]:
        """Train; the data check comes first (one dataset for check and training)."""
        reports = train_intent(events, config, should_stop=should_stop, init_state=warm_state,
                               keep_best_on_stop=True)
        del events  # the training holds the frame only until its steps are built (a big shop)
        try:
            first = next(reports)
        except StopIteration:
            return
        except ValueError as exc:  # the small-data guard's sentence, or a setting out of range
            raise NoData(str(exc)) from exc
        for report in _chain(first, reports):
            if isinstance(report, IntentResult):
                yield report
            elif isinstance(report, DataCheck | Note):
                yield Progress(self.key, "note", message=report.message)
            elif isinstance(report, EpochReport):
                yield Progress(
                    self.key, "epoch", phase=report.phase, epoch=report.epoch,
                    epochs=report.epochs,
                    losses={"train": report.train_loss, "valid": report.valid_loss},
                    metrics={"valid_auc": report.valid_auc},
                    elapsed_s=report.elapsed_s, eta_s=report.eta_s,
                )
            else:
                yield Progress(
                    self.key, "batch", epoch=report.epoch, batch=report.batch,
                    batches=report.n_batches, losses={"train": report.train_loss},
                )

    def record(self, result: IntentResult) -> RunRecord:
        """The run as saved: settings, curves, metrics, verdict, weights, scores and ranks."""
        return RunRecord(
            version=1,
            status="stopped" if result.stopped else "done",
            settings=dict(result.config),
            # How many it scored (its ranks run from 1 to that): a card reads it from here
            # rather than counting the outputs (0.3 s at 1,000,000 customers).
            history={**history_dict(result), "customers_scored": len(result.scores)},
            metrics=result.metrics,
            summary=result.verdict,
            warm_started=result.warm_started,
            weights=save_state(result.state_dict),
            outputs=result.scores[["customer_id", "score", "rank"]],
        )

    def describe(self, run: RunInfo) -> RunView:
        """Verdict, metrics against the baselines, curves and ROC/PR/lift charts of a run."""
        metrics: dict[str, dict[str, float]] = {
            k: v for k, v in run.metrics.items() if isinstance(v, dict)
        }
        history = run.history
        settings = run.settings
        # Named when shown (in today's language) from the run's settings; older runs kept a name.
        model_name = model_label(str(settings["cell"]), str(settings["preset"]),
                                 int(settings.get("members", 1) or 1)) if (
            "cell" in settings and "preset" in settings) else str(
            history.get("model_name", "Deep sequence model"))
        served = str(history.get("served") or "model")
        auc = metrics.get(served, metrics.get("model", {})).get("auc")
        headline = f"AUC {auc:.3f}" if isinstance(auc, float) and auc == auc else ""
        epochs = [e for e in history.get("epochs", []) if isinstance(e, dict)]
        xs = [float(e["epoch"]) for e in epochs]

        def series(label: str, key: str) -> Series:
            pts = [(x, e[key]) for x, e in zip(xs, epochs, strict=True)
                   if e.get(key) is not None]
            return Series(label, [p[0] for p in pts], [float(p[1]) for p in pts])

        rows = []
        tips = []
        period, said, notes = self._words(run, metrics)
        for name, m in metrics.items():
            label = model_name if name == "model" else tr(METHOD_LABELS.get(name, name))
            if name == served and name != "model":
                label += tr(" (serves the scores)")
            rows.append((label, [_nan_none(m.get(k)) for k, _ in METRIC_COLUMNS]))
            tips.append(_tips(m, period))
        curves = history.get("curves") or {}
        charts = _charts(curves) if curves else []
        prefix = (
            tr("Stopped early; this is the best model so far. ")
            if run.status == "stopped" else ""
        )
        data = self._json(run, metrics)
        return RunView(
            task=self.key,
            run_id=run.id,
            headline=headline,
            verdict=prefix + said,
            losses=[series(tr("training (per epoch)"), "train_loss"),
                    series(tr("validation"), "valid_loss")],
            extra_curves=[series("AUC", "valid_auc")],
            extra_title=tr("Validation AUC (higher is better)"),
            table=MetricTable(
                tr("How well it predicts (latest period, never seen in training)"),
                [tr("Method"), *[tr(h) for _, h in METRIC_COLUMNS]], rows, tips,
            ) if metrics else None,
            charts=charts,
            # One note a line: what the sequence adds, the random starts, augmentation.
            notes="\n".join(notes),
            text=self._text(run, metrics, model_name),
            data=data,
        )

    @staticmethod
    def _words(run: RunInfo, metrics: dict[str, dict[str, float]]
               ) -> tuple[str, str, list[str]]:
        """The validation period, the verdict and the notes of a run in today's language:
        worded again from the saved figures (runs saved before the period was kept show the
        sentences they were saved with)."""
        from engine.intent.evaluate import (
            augmentation_words,
            ensemble_words,
            period_words,
            sequence_words,
            verdict,
        )

        history = run.history
        span = history.get("period_ms")
        saved_notes = [str(history[k]) for k in (
            "sequence_note", "ensemble_note", "augmentation_note") if history.get(k)]
        if not (isinstance(span, list) and len(span) == 2 and "model" in metrics):
            return str(history.get("period") or ""), run.summary, saved_notes
        period = period_words(int(span[0]), int(span[1]))
        served = str(history.get("served") or "model")
        said = verdict(metrics, period, served, bool(run.settings.get("always_deep", False)))
        notes = []
        gap = history.get("sequence_gap")
        if isinstance(gap, dict) and all(isinstance(gap.get(k), int | float) for k in (
                "auc_without", "auc_gap", "auc_gap_lo", "auc_gap_hi")):
            notes.append(sequence_words(gap, period))
        if "seeds" in metrics["model"]:
            notes.append(ensemble_words(metrics["model"], period))
        aug = history.get("augmentation")
        if isinstance(aug, dict) and all(isinstance(aug.get(k), int | float) for k in (
                "auc_with", "auc_without")):
            notes.append(augmentation_words(aug))
        elif history.get("augmentation_note"):  # a run saved before the figures were kept
            notes.append(str(history["augmentation_note"]))
        return period, said, notes

    def _json(self, run: RunInfo, metrics: dict[str, dict[str, float]]) -> dict[str, Any]:
        def pick(m: dict[str, float]) -> dict[str, float | None]:
            out = {k: _nan_none(m.get(k)) for k in JSON_METRICS}
            # The deep model's AUC minus this method's, with its 95% bootstrap interval.
            out.update({k: _nan_none(m[k]) for k in GAP_METRICS if k in m})
            return out

        as_of = run.settings.get("as_of_ms")
        return {
            "model": pick(metrics.get("model", {})),
            "baselines": {name: pick(m) for name, m in metrics.items() if name != "model"},
            "as_of": None if as_of is None else datetime.fromtimestamp(
                int(as_of) / 1000, UTC).isoformat(),
            "horizon_days": run.settings.get("horizon_days"),
            "n_train": run.history.get("n_train"),
            "n_valid": run.history.get("n_valid"),
            "run_id": run.id,
            "verdict": run.summary,
            "served": str(run.history.get("served") or "model"),
            "period": run.history.get("period"),
            "sequence_gap": run.history.get("sequence_gap"),
            "seeds": seeds_dict(metrics.get("model", {})),
            "sequence_drivers": sequence_drivers_of(run),
        }

    def _text(self, run: RunInfo, metrics: dict[str, dict[str, float]],
              model_name: str) -> list[str]:
        n_valid = int(run.history.get("n_valid") or 0)
        n_train = int(run.history.get("n_train") or 0)
        # The command line's table: headings in the user's language, padded by the columns
        # they take on a terminal (a Chinese character takes two).
        heads = [("auc", "AUC"), ("pr_auc", "PR AUC"), ("precision", tr("prec")),
                 ("recall", tr("recall")), ("f1", "F1"), ("accuracy", tr("acc")),
                 ("lift_top10", tr("lift10"))]
        widths = [max(7 if key == "pr_auc" else 6, text_width(h)) for key, h in heads]
        lines = [
            "",
            tr("Validation on the latest cutoff ({0:,} customers; trained on {1:,} examples):")
            .format(n_valid, n_train),
            " ".join([padded(tr("method"), 36),
                      *[padded(h, w, right=True) for (_, h), w in zip(heads, widths, strict=True)]])
            + "  " + tr("deep minus this (95% interval)"),
        ]
        period = run.history.get("period")
        if period:
            lines.insert(2, tr("Measured on the latest period ({0}).").format(period))
        named = [(tr("model: {0}").format(model_name), metrics.get("model", {})),
                 *[(tr(METHOD_LABELS.get(n, n)), m) for n, m in metrics.items() if n != "model"]]
        for name, m in named:
            v = {k: (math.nan if m.get(k) is None else float(m[k])) for k, _ in METRIC_COLUMNS}
            cells = [f"{v[key]:.2f}" if key == "lift_top10" else f"{v[key]:.3f}"
                     for key, _ in heads]
            lines.append(
                " ".join([padded(name, 36),
                          *[padded(c, w, right=True) for c, w in zip(cells, widths, strict=True)]])
                + _gap_text(m)
            )
        lines.append(run.summary)
        for key in ("sequence_note", "ensemble_note"):
            if run.history.get(key):
                lines.append(str(run.history[key]))
        found = buy_drivers(self._json(run, metrics), [])
        if found:
            lines += ["", tr("What makes customers buy here"), *found]
        return lines

    def columns(self) -> list[Column]:
        """The customer table's intent columns."""
        return [Column("score", tr("Intent"), "percent"), Column("rank", tr("Rank"), "rank")]

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        """Score and rank by customer id."""
        import numpy as np

        from storage.runs import run_outputs

        out = run_outputs(project, run.id, names=self.output_names)
        return out.set_index("customer_id")[["score", "rank"]].astype(np.float64)

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection:
        """The score in words, the rank, and (with ``explain``, which runs the model) what moved
        the score most."""
        from engine.intent.lookup import lookup

        found = lookup(project, customer_id, with_reasons=explain)
        facts = []
        if found.rank is not None:
            facts.append(tr("Rank {0:,} of {1:,} (as of {2}).").format(
                found.rank, found.customers_scored, found.as_of))
        if found.reasons:
            points = [(r.text, r.effect) for r in found.reasons]
            empty = ""
        elif found.score is None:
            points, empty = [], tr("Train a purchase-intent model to see reasons.")
        elif found.served != "model":
            points, empty = [], tr(
                "This score comes from the simpler method “{0}”, which ranked buyers at least as "
                "well as the deep model on the latest period: it reads the customer's totals "
                "(purchase days, recency, spend), not single events."
            ).format(tr(METHOD_LABELS.get(found.served, found.served)))
        elif not explain:
            points, empty = [], tr("Working out what moved the score…")
        else:
            points, empty = [], tr("No single event moved the score noticeably.")
        as_of = None if run is None else int(run.settings["as_of_ms"])
        return CardSection(
            task=self.key, title=tr("Purchase intent"), headline=found.meaning(), facts=facts,
            points_title=tr("What moved the score most"), points=points, empty_points=empty,
            as_of_ms=as_of if found.score is not None else None,
        )


def _gap_text(m: dict[str, float]) -> str:
    """The CLI's gap column: "  +0.003 [-0.004, +0.010]", or nothing without an interval."""
    gap, lo, hi = (m.get(k) for k in GAP_METRICS)
    if not all(isinstance(v, float) and v == v for v in (gap, lo, hi)):
        return ""
    return f"  {gap:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _tips(m: dict[str, float], period: str) -> list[str]:
    """Hover texts of one method's row: where its figures were measured, and on the AUC cell
    the deep model's gap to it with the paired bootstrap interval."""
    from engine.intent.evaluate import signed

    where = tr("Measured on the latest period ({0}).").format(period) if period else ""
    cells = [where] * (1 + len(METRIC_COLUMNS))
    gap, lo, hi = (m.get(k) for k in GAP_METRICS)
    if (isinstance(gap, float) and isinstance(lo, float) and isinstance(hi, float)
            and gap == gap and lo == lo and hi == hi):
        cells[1] = join_sentences(tr(
            "The deep model's AUC minus this method's: {0} (95% interval {1} to {2}; paired "
            "bootstrap over the customers, 1,000 draws)."
        ).format(signed(gap), signed(lo), signed(hi)), where)
    return cells


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _charts(curves: dict[str, dict[str, list[float]]]) -> list[Chart]:
    def pair(name: str, x: str, y: str) -> tuple[list[float], list[float]]:
        c = curves.get(name, {})
        return list(c.get(x, [])), list(c.get(y, []))

    roc, pr, gains = pair("roc", "fpr", "tpr"), pair("pr", "recall", "precision"), pair(
        "gains", "fraction", "lift")
    return [
        Chart(tr("ROC: buyers found vs others flagged"), tr("share of non-buyers flagged"),
              tr("share of buyers found"), [Series("ROC", *roc)],
              reference=Series("", [0.0, 1.0], [0.0, 1.0])),
        Chart(tr("Precision vs recall"), tr("recall"), tr("precision"),
              [Series(tr("precision"), *pr)]),
        Chart(tr("Lift: buyer rate in the top X% vs average"), tr("share of customers contacted"),
              "", [Series(tr("lift"), *gains)], reference=Series("", [0.0, 1.0], [1.0, 1.0])),
    ]


INTENT = IntentTask()
