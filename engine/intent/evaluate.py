"""Validation metrics, the simple baselines every model is compared with, curves and the verdict."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from engine.intent.dataset import AGG_NAMES, RFM_NAMES
from engine.words import tr

F64 = npt.NDArray[np.float64]

#: Human names of the compared methods (keys of IntentResult.metrics).
METHOD_NAMES: Final[dict[str, str]] = {
    "model": "the deep model",
    "base_rate": "the base rate (everyone gets the same score)",
    "rfm_logistic": "RFM logistic regression",
    "hist_gradient_boosting": "gradient boosting on the customer aggregates",
}
MAX_CURVE_POINTS: Final[int] = 200


def baseline_scores(
    train_x: npt.NDArray[np.float32],
    train_y: npt.NDArray[np.float32],
    valid_x: npt.NDArray[np.float32],
    seed: int,
) -> dict[str, F64]:
    """Validation scores of the baselines, each fitted on the training cutoffs only."""
    y = train_y.astype(int)
    out: dict[str, F64] = {"base_rate": np.full(len(valid_x), float(y.mean()) if len(y) else 0.0)}
    if len(np.unique(y)) < 2:
        out["rfm_logistic"] = out["base_rate"].copy()
        out["hist_gradient_boosting"] = out["base_rate"].copy()
        return out
    rfm = [AGG_NAMES.index(n) for n in RFM_NAMES]
    logit = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    logit.fit(train_x[:, rfm], y)
    out["rfm_logistic"] = logit.predict_proba(valid_x[:, rfm])[:, 1].astype(np.float64)
    hgb = HistGradientBoostingClassifier(random_state=seed, max_iter=200)
    # One OpenMP thread: with OpenMP's default next to torch's pool, the fit was measured at a
    # median 9.4 s (once 32.6 s) on 2 cores against 0.5 s with one thread.
    with threadpool_limits(limits=1, user_api="openmp"):
        hgb.fit(train_x, y)
        out["hist_gradient_boosting"] = hgb.predict_proba(valid_x)[:, 1].astype(np.float64)
    return out


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
    if top_percent is not None:
        k = max(1, int(round(top_percent / 100.0 * len(s))))
        return float(np.sort(s)[::-1][k - 1])
    prec, rec, thr = precision_recall_curve(y, s)
    f1 = 2 * prec[:-1] * rec[:-1] / np.maximum(prec[:-1] + rec[:-1], 1e-12)
    return float(thr[int(np.argmax(f1))]) if len(thr) else 0.5


def metrics_for(y: F64, s: F64, threshold: float) -> dict[str, float]:
    """ROC/PR AUC, Brier, threshold metrics and top-10% lift of one scorer."""
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


def verdict(metrics: dict[str, dict[str, float]]) -> str:
    """One or two plain sentences: how the model does and whether a simple method does better."""
    m = metrics["model"]
    lift = m["lift_top10"]
    first = tr("The deep model finds {0:.1f}x more buyers in its top 10% than chance").format(lift)
    simple = {k: v for k, v in metrics.items() if k not in ("model", "base_rate")}
    if not simple:
        return first + tr(" (validation AUC {0:.3f}).").format(m["auc"])
    best = max(simple, key=lambda k: simple[k]["auc"])
    diff = m["auc"] - simple[best]["auc"]
    name = tr(METHOD_NAMES.get(best, best))
    if diff > 0.005:
        return first + tr(", and beats the best simple method ({0}) by {1:.3f} AUC.").format(
            name, diff)
    if diff >= -0.005:
        return first + tr(
            ", about as well as the best simple method ({0}): AUC {1:.3f} against {2:.3f}."
        ).format(name, m["auc"], simple[best]["auc"])
    return first + tr(
        ", but the simpler {0} ranks buyers better: AUC {1:.3f} against {2:.3f} ({3:.3f} "
        "higher). Prefer it for this data."
    ).format(name, simple[best]["auc"], m["auc"], -diff)
