"""Validation metrics, the simple baselines every model is compared with, curves and the verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from engine.dates import day
from engine.stats import Interval, auc_metric, paired_bootstrap, paired_bootstraps
from engine.words import join_sentences, tr

F64 = npt.NDArray[np.float64]

#: Human names of the compared methods (keys of IntentResult.metrics).
METHOD_NAMES: Final[dict[str, str]] = {
    "model": "the deep model",
    "base_rate": "the base rate (everyone gets the same score)",
    "rfm_logistic": "RFM logistic regression",
    "hist_gradient_boosting": "gradient boosting on the customer aggregates",
}
MAX_CURVE_POINTS: Final[int] = 200


#: The simple methods that may serve the scores in the deep model's place (the base rate ranks
#: no one, so it never serves).
SIMPLE: Final[tuple[str, ...]] = ("rfm_logistic", "hist_gradient_boosting")

Scorer = Callable[[npt.NDArray[np.float32]], F64]

#: Most examples the simple methods are fitted on: above it, a random subset of this size (drawn
#: with the run's seed; the base rate still counts every example). Gradient boosting copies its
#: input into float64 and again into its held-out tenth: on a 1,000,000-customer shop's 2.8
#: million labelled examples that alone took over 3 GB and many minutes, while its validation
#: AUC no longer moves at this size (the network itself sees fewer: its epochs read
#: ``epoch_examples`` each). Below it every example is used, exactly as before.
BASELINE_MAX_ROWS: Final[int] = 200_000
#: Rows the simple methods score at a time (their inputs are copied into float64 first).
SCORE_ROWS: Final[int] = 65_536


def fit_rows(n: int, seed: int, cap: int | None = None) -> npt.NDArray[np.int64] | None:
    """The examples (positions, sorted) the simple methods are fitted on when there are ``n``:
    None for all of them (``n`` at most ``cap``, BASELINE_MAX_ROWS by default), else a random
    subset of ``cap`` drawn with ``seed``."""
    limit = BASELINE_MAX_ROWS if cap is None else cap
    if n <= limit:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False)).astype(np.int64)


def _in_slices(f: Callable[[npt.NDArray[np.float32]], F64]) -> Scorer:
    """``f`` applied SCORE_ROWS rows at a time (each row's score is its own: the same values)."""

    def scored(x: npt.NDArray[np.float32]) -> F64:
        if len(x) <= SCORE_ROWS:
            return f(x)
        out = np.empty(len(x), dtype=np.float64)
        for lo in range(0, len(x), SCORE_ROWS):
            out[lo : lo + SCORE_ROWS] = f(x[lo : lo + SCORE_ROWS])
        return out

    return scored


def rfm_logistic(train_x: npt.NDArray[np.float32], y: npt.NDArray[np.int_]) -> Scorer:
    """The RFM logistic regression (RFM_NAMES of the aggregates, standardized), fitted on these
    examples (both labels present), as a function of the aggregates (AGG_NAMES)."""
    from sklearn.linear_model import LogisticRegression  # sklearn loads when first used
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from engine.intent.dataset import AGG_NAMES, RFM_NAMES

    rfm = [AGG_NAMES.index(n) for n in RFM_NAMES]
    logit = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    logit.fit(train_x[:, rfm], y)
    return _in_slices(lambda x: logit.predict_proba(x[:, rfm])[:, 1].astype(np.float64))


def fit_baselines(
    train_x: npt.NDArray[np.float32], train_y: npt.NDArray[np.float32], seed: int
) -> dict[str, Scorer]:
    """The baselines fitted on these examples (above BASELINE_MAX_ROWS a random subset of them,
    see there), as functions of the aggregates (AGG_NAMES)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    y = train_y.astype(int)
    rate = float(y.mean()) if len(y) else 0.0
    pick = fit_rows(len(y), seed)
    if pick is not None:
        train_x, y = train_x[pick], y[pick]

    def constant(x: npt.NDArray[np.float32]) -> F64:
        return np.full(len(x), rate)

    out: dict[str, Scorer] = {"base_rate": constant}
    if len(np.unique(y)) < 2:
        out.update({name: constant for name in SIMPLE})
        return out
    out["rfm_logistic"] = rfm_logistic(train_x, y)
    # Early stopping on a held-out tenth always (sklearn's default turns it on only above
    # 10,000 examples): without it the small demo's scores ran up to 0.99, far above the buy rate.
    hgb = HistGradientBoostingClassifier(random_state=seed, max_iter=200, early_stopping=True)
    # One OpenMP thread: with OpenMP's default next to torch's pool, the fit was measured at a
    # median 9.4 s (once 32.6 s) on 2 cores against 0.5 s with one thread.
    with threadpool_limits(limits=1, user_api="openmp"):
        hgb.fit(train_x, y)

    def boosted(x: npt.NDArray[np.float32]) -> F64:
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.asarray(hgb.predict_proba(x)[:, 1], dtype=np.float64)

    out["hist_gradient_boosting"] = _in_slices(boosted)
    return out


def baseline_scores(
    train_x: npt.NDArray[np.float32],
    train_y: npt.NDArray[np.float32],
    valid_x: npt.NDArray[np.float32],
    seed: int,
) -> dict[str, F64]:
    """Validation scores of the baselines, each fitted on the training cutoffs only."""
    return {name: f(valid_x) for name, f in fit_baselines(train_x, train_y, seed).items()}


def auc_gaps(y: F64, scores: dict[str, F64], seed: int) -> dict[str, Interval]:
    """The deep model's AUC minus each other method's, with its paired bootstrap interval
    (customers of the validation period resampled, the same draws for both)."""
    others = {name: s for name, s in scores.items() if name != "model"}
    return paired_bootstraps(scores["model"], others, auc_metric(y), seed)


def add_gaps(metrics: dict[str, dict[str, float]], gaps: dict[str, Interval]) -> None:
    """Store each method's gap (the model's AUC minus its own) and interval in its metrics."""
    for name, gap in gaps.items():
        metrics[name].update(auc_gap=gap.diff, auc_gap_lo=gap.lo, auc_gap_hi=gap.hi)


def best_simple(metrics: dict[str, dict[str, float]]) -> str | None:
    """The simple method with the highest validation AUC (None when none has one)."""
    found = [k for k in SIMPLE if k in metrics and np.isfinite(metrics[k].get("auc", np.nan))]
    return max(found, key=lambda k: metrics[k]["auc"]) if found else None


def _beats(m: dict[str, float]) -> bool:
    """The deep model beats this method: the interval of its AUC gap lies above zero."""
    return bool(m.get("auc_gap_lo", np.nan) > 0.0)


def served_method(metrics: dict[str, dict[str, float]], always_deep: bool) -> str:
    """Who serves the scores: the deep model when it beats the best simple method beyond noise
    (or ``always_deep``), else that simple method."""
    best = best_simple(metrics)
    if always_deep or best is None or not np.isfinite(metrics["model"]["auc"]):
        return "model"
    return "model" if _beats(metrics[best]) else best


def top_share_rate(y: F64, s: F64, share: float) -> float:
    """Buyer rate among the top ``share`` of scores; ties at the border count proportionally,
    so a constant score gets exactly the base rate."""
    n = len(y)
    k = max(1, int(round(share * n)))
    order = np.argsort(-s, kind="stable")
    border = s[order[k - 1]]
    above = s > border
    tied = s == border
    need = k - int(above.sum())
    buyers = float(y[above].sum()) + need * float(y[tied].mean())
    return buyers / k


def threshold_for(y: F64, s: F64, top_percent: float | None) -> float:
    """Best-F1 threshold, or the score of the last customer inside the top X%."""
    from sklearn.metrics import precision_recall_curve

    if top_percent is not None:
        k = max(1, int(round(top_percent / 100.0 * len(s))))
        return float(np.sort(s)[::-1][k - 1])
    prec, rec, thr = precision_recall_curve(y, s)
    f1 = 2 * prec[:-1] * rec[:-1] / np.maximum(prec[:-1] + rec[:-1], 1e-12)
    return float(thr[int(np.argmax(f1))]) if len(thr) else 0.5


def metrics_for(y: F64, s: F64, threshold: float) -> dict[str, float]:
    """ROC/PR AUC, Brier, threshold metrics and top-10% lift of one scorer."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    pred = s >= threshold
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    base = float(y.mean())
    both = len(np.unique(y)) == 2
    return {
        "auc": float(roc_auc_score(y, s)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if both else float("nan"),
        "brier": float(brier_score_loss(y, np.clip(s, 0.0, 1.0))),
        "threshold": float(threshold),
        "accuracy": float(np.mean(pred == (y == 1))),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "lift_top10": top_share_rate(y, s, 0.10) / base if base > 0 else float("nan"),
        "n": float(len(y)),
        "buyers": float(y.sum()),
    }


def _down(*cols: F64) -> list[list[float]]:
    """At most MAX_CURVE_POINTS evenly spaced points, always keeping the ends."""
    n = len(cols[0])
    idx = np.unique(np.linspace(0, n - 1, min(n, MAX_CURVE_POINTS)).round().astype(int))
    return [[float(v) for v in c[idx]] for c in cols]


def curves_for(y: F64, s: F64) -> dict[str, dict[str, list[float]]]:
    """ROC, precision-recall and gains/lift points for the GUI's plots."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    fpr, tpr, _ = roc_curve(y, s)
    prec, rec, _ = precision_recall_curve(y, s)
    order = np.argsort(-s, kind="stable")
    found = np.cumsum(y[order]) / max(float(y.sum()), 1.0)
    frac = np.arange(1, len(y) + 1) / len(y)
    lift = found / frac
    fx, ty = _down(fpr, tpr)
    rx, py = _down(rec[::-1], prec[::-1])
    gx, gy, ly = _down(frac, found, lift)
    return {
        "roc": {"fpr": fx, "tpr": ty},
        "pr": {"recall": rx, "precision": py},
        "gains": {"fraction": gx, "gain": gy, "lift": ly},
    }


def signed(x: float) -> str:
    """An AUC difference to three decimals with its sign, or to its first significant digit
    where three decimals would hide its sign: an interval from +0.0004 is above zero (so the
    verdict says "beats"), and "+0.000" would read as a tie."""
    if x == x and x != 0.0 and round(x, 3) == 0.0:
        return f"{x:+.1g}" if abs(x) >= 1e-9 else f"{x:+.3f}"
    return f"{x:+.3f}"


def _gap_words(diff: float, lo: float, hi: float) -> str:
    return tr("{0}, 95% interval {1} to {2}").format(signed(diff), signed(lo), signed(hi))


def verdict(
    metrics: dict[str, dict[str, float]],
    period: str,
    served: str = "model",
    always_deep: bool = False,
) -> str:
    """Plain sentences: how the model does on the validation period (``period``, its dates),
    whether a simple method does as well or better (by the bootstrap interval of the AUC gap,
    see :func:`auc_gaps`), and whose scores serve the customers."""
    m = metrics["model"]
    first = tr(
        "On the latest period ({0}) the deep model finds {1:.1f}x more buyers in its top 10% "
        "than chance"
    ).format(period, m["lift_top10"])
    best = best_simple(metrics)
    if best is None:
        return first + tr(" (AUC {0:.3f}).").format(m["auc"])
    b = metrics[best]
    name = tr(METHOD_NAMES.get(best, best))
    gap = _gap_words(b.get("auc_gap", np.nan), b.get("auc_gap_lo", np.nan),
                     b.get("auc_gap_hi", np.nan))
    if _beats(b):
        text = first + tr(
            ", and beats the best simple method ({0}): AUC {1:.3f} against {2:.3f} (deep model minus simple method: {3})."
        ).format(name, m["auc"], b["auc"], gap)
    elif b.get("auc_gap_hi", np.nan) < 0.0:
        text = first + tr(
            ", but the simpler {0} ranks buyers better: AUC {1:.3f} against {2:.3f} "
            "(deep model minus simple method: {3})."
        ).format(name, b["auc"], m["auc"], gap)
    else:
        text = first + tr(
            ", about as well as the best simple method ({0}): AUC {1:.3f} against {2:.3f} "
            "(deep model minus simple method: {3})."
        ).format(name, m["auc"], b["auc"], gap)
    if served != "model":
        s = metrics[served]
        text += tr(
            " So the scores of {0} serve the customers: it finds {1:.1f}x more buyers in its "
            "top 10% than chance ({2}). The deep model serves only when it ranks buyers better "
            "beyond noise."
        ).format(tr(METHOD_NAMES.get(served, served)), s["lift_top10"], period)
    elif always_deep and not _beats(b):
        text += tr(" The deep model's scores serve anyway, as “Always use the deep model” asks.")
    return text


def sequence_words(gap: dict[str, float], period: str) -> str:
    """The ablation in one sentence: whether reading each customer's sequence of events helped
    beyond what the aggregates alone give (by the bootstrap interval of the AUC gap)."""
    numbers = tr("AUC {0:.3f} with it against {1:.3f} without ({2}), {3}").format(
        gap["auc_without"] + gap["auc_gap"], gap["auc_without"],
        _gap_words(gap["auc_gap"], gap["auc_gap_lo"], gap["auc_gap_hi"]), period)
    if gap["auc_gap_lo"] > 0.0:
        return tr("Reading each customer's sequence of events helped: {0}.").format(numbers)
    if gap["auc_gap_hi"] < 0.0:
        return tr("Reading each customer's sequence of events hurt: {0}; the customer totals "
                  "alone ranked buyers better.").format(numbers)
    return tr("Reading each customer's sequence of events added nothing beyond noise to the "
              "customer totals: {0}.").format(numbers)


def period_words(start_ms: int, end_ms: int) -> str:
    """The validation period as the verdict names it: "purchases 2011-08-11 to 2011-09-09"."""
    # The period is (start, end]; an as-of date given as 23:59:59 (not .999) would otherwise
    # name the day before the first full day.
    return tr("purchases {0} to {1}").format(day(start_ms + 1000), day(end_ms))


def ensemble_figures(y: F64, member_probs: list[F64], seed: int) -> dict[str, float]:
    """How models trained from different random starts compare on validation: each one's AUC
    (``seed_auc_1`` ...), their lowest, highest and standard deviation (``seed_auc_min``,
    ``seed_auc_max``, ``seed_auc_sd``, sample sd), the AUC of their average (the mean of their
    probabilities, ``ensemble_auc``) and its gap to the first model with the paired bootstrap
    interval (``ensemble_gap``, ``ensemble_gap_lo``, ``ensemble_gap_hi``); ``seeds`` counts them
    and ``ensemble_serves`` (1 or 0) says whether the average serves (:func:`average_serves`)."""
    from sklearn.metrics import roc_auc_score

    metric = auc_metric(y)
    mean = np.mean(np.stack(member_probs), axis=0)

    def auc(s: F64) -> float:
        return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else float("nan")

    aucs = [auc(p) for p in member_probs]
    gap = paired_bootstrap(mean, member_probs[0], metric, seed)
    out: dict[str, float] = {f"seed_auc_{i}": a for i, a in enumerate(aucs, start=1)}
    out.update(
        seeds=float(len(aucs)),
        seed_auc_min=min(aucs),
        seed_auc_max=max(aucs),
        seed_auc_sd=float(np.std(aucs, ddof=1)) if len(aucs) > 1 else 0.0,
        ensemble_auc=auc(mean),
        ensemble_gap=gap.diff,
        ensemble_gap_lo=gap.lo,
        ensemble_gap_hi=gap.hi,
        ensemble_serves=float(average_serves(gap)),
    )
    return out


def average_serves(gap: Interval) -> bool:
    """Whether the average of the models serves, given its AUC gap to the first model: unless it
    ranks buyers worse beyond noise (the whole interval below zero).

    Not "only when better beyond noise", as for the deep model against a simple method: there a
    simpler method is the safe choice, here the first model is merely one random start of the
    same network, no safer than the others. Where the interval includes zero the validation
    period cannot tell them apart, while across random starts the average is the steadier (on a
    small real log single starts spread by 0.03 AUC, and one lost 0.04 on the real future)."""
    return not gap.b_wins


def ensemble_words(figures: dict[str, float], period: str) -> str:
    """The models from different random starts in plain sentences: their spread, and how their
    average did against the first model, which says who serves (see :func:`average_serves`)."""
    lo, hi = figures["seed_auc_min"], figures["seed_auc_max"]
    text = tr(
        "{0} models trained the same way from different random starts: AUC {1:.3f} to {2:.3f} "
        "on the latest period ({3}), a spread of {4:.3f}."
    ).format(int(figures["seeds"]), lo, hi, period, hi - lo)
    gap = _gap_words(figures["ensemble_gap"], figures["ensemble_gap_lo"],
                     figures["ensemble_gap_hi"])
    if figures["ensemble_gap_lo"] > 0.0:
        return join_sentences(text, tr(
            "The average of their scores ranks buyers better than the first model alone: AUC "
            "{0:.3f} (average minus first model: {1}), so the average serves."
        ).format(figures["ensemble_auc"], gap))
    if figures["ensemble_gap_hi"] < 0.0:
        return join_sentences(text, tr(
            "The average of their scores ranks buyers worse than the first model alone: AUC "
            "{0:.3f} (average minus first model: {1}), so the first model serves."
        ).format(figures["ensemble_auc"], gap))
    return join_sentences(text, tr(
        "The average of their scores ranks buyers about as well as the first model alone: AUC "
        "{0:.3f} (average minus first model: {1}). The average serves, because it does not "
        "depend on one lucky or unlucky random start."
    ).format(figures["ensemble_auc"], gap))


def augmentation_words(figures: dict[str, Any]) -> str:
    """Whether the sequence augmentation (thorough preset) was kept, in plain words, from its
    saved figures: the first model's best validation AUC with and without it."""
    with_, without = float(figures["auc_with"]), float(figures["auc_without"])
    if figures.get("kept"):
        return tr(
            "Sequence augmentation helped: validation AUC {0:.3f} with it against {1:.3f} "
            "without (same epoch budget); the augmented model is kept."
        ).format(with_, without)
    return tr(
        "Sequence augmentation did not help: validation AUC {0:.3f} with it against {1:.3f} "
        "without (same epoch budget); the model without it is kept."
    ).format(with_, without)
