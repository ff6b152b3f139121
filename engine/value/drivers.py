"""What makes customers buy here: the chance-to-buy model's features ranked by how much its
ranking of buyers on the latest period drops when each is shuffled (permutation importance),
each said with its direction in plain words, from the actual buy rates: "Cart adds in the last
30 days 3 or more: bought 2.4× as often as the rest (41% against 17%)"."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.words import tr

#: Each feature in words ({0}: the horizon in days).
WORDS = {
    "orders": "orders so far",
    "purchase_days": "days they bought on",
    "spend": "spend so far",
    "mean_order": "average order",
    "days_since_purchase": "days since their last purchase",
    "usual_gap": "usual days between purchases",
    "gap_ratio": "wait since the last purchase ÷ their usual gap",
    "tenure_days": "days since first seen",
    "days_since_event": "days since their last visit",
    "events_recent": "actions in the last {0} days",
    "events_before": "actions in the {0} days before those",
    "trend": "activity trend (recent ÷ before)",
    "carts_recent": "cart adds in the last {0} days",
    "views_recent": "views in the last {0} days",
}
#: Drivers listed.
TOP = 5


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:,.1f}"


def direction(values: npt.NDArray[np.float64], bought: npt.NDArray[np.bool_], label: str
              ) -> str | None:
    """The feature's direction from the buy rates above and below its upper quartile (or
    above zero when most are zero); None when it cannot be split."""
    known = np.isfinite(values)
    v, b = values[known], bought[known]
    if len(v) < 20:
        return None
    cut = float(np.quantile(v, 0.75))
    if np.all(v == np.round(v)):  # counts and whole days: a whole number
        cut = float(np.ceil(cut))
    high = v >= cut if cut > np.min(v) else v > cut
    if high.all() or not high.any():
        return None
    a, c = float(b[high].mean()), float(b[~high].mean())
    if a <= 0 and c <= 0:
        return None
    name = tr(label)
    name = name[:1].upper() + name[1:]
    if a >= c:
        ratio = a / c if c > 0 else float("inf")
        return tr("{0} {1} or more: bought {2} as often as the rest ({3:.0%} against "
                  "{4:.0%})").format(name, _number(cut), _times(ratio), a, c)
    ratio = c / a if a > 0 else float("inf")
    return tr("{0} under {1}: bought {2} as often as the rest ({3:.0%} against "
              "{4:.0%})").format(name, _number(cut), _times(ratio), c, a)


def _times(ratio: float) -> str:
    return tr("{0:.1f}×").format(ratio) if ratio != float("inf") else tr("far more")


def _strong(values: npt.NDArray[np.float64], bought: npt.NDArray[np.bool_]) -> bool:
    """Whether the split behind the sentence differs enough to tell an owner (1.2× or more)."""
    known = np.isfinite(values)
    v, b = values[known], bought[known]
    cut = float(np.quantile(v, 0.75)) if len(v) else 0.0
    if len(v) and np.all(v == np.round(v)):
        cut = float(np.ceil(cut))
    high = v >= cut if len(v) and cut > np.min(v) else v > cut
    if high.all() or not high.any():
        return False
    a, c = float(b[high].mean()), float(b[~high].mean())
    lo, hi = min(a, c), max(a, c)
    return hi >= 1.2 * lo if lo > 0 else hi > 0


def drivers(model: Any, x: pd.DataFrame, bought: npt.NDArray[np.bool_], horizon_days: int,
            seed: int) -> list[dict[str, Any]]:
    """The top features of the chance-to-buy ``model`` on the check period's customers ``x``
    (who ``bought`` in it): feature, importance (AUC lost when shuffled), sentence."""
    from sklearn.inspection import permutation_importance
    from threadpoolctl import threadpool_limits

    if bought.all() or not bought.any() or not hasattr(model, "predict_proba"):
        return []
    with threadpool_limits(limits=1, user_api="openmp"):
        found = permutation_importance(model, x, bought, scoring="roc_auc", n_repeats=3,
                                       random_state=seed)
    order = np.argsort(-found.importances_mean, kind="stable")
    out = []
    for i in order[:TOP]:
        importance = float(found.importances_mean[i])
        if importance <= 0:
            break
        name = str(x.columns[i])
        label = tr(WORDS.get(name, name)).replace("{0}", str(horizon_days))
        sentence = direction(x[name].to_numpy(dtype=np.float64), bought, label)
        if sentence and _strong(x[name].to_numpy(dtype=np.float64), bought):
            out.append({"feature": name, "importance": round(importance, 4),
                        "sentence": sentence})
    return out
