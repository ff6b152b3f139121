"""What makes customers buy here: the chance-to-buy model's features ranked by how much its
ranking of buyers on the latest period drops when each is shuffled (permutation importance),
each said with its direction in plain words, from the actual buy rates: "Cart adds in the last
30 days 3 or more: bought 2.4× as often as the rest (41% against 17%)"."""

from __future__ import annotations

from dataclasses import dataclass
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


def number(v: float) -> str:
    """A figure as an owner reads it: whole above 10, else one decimal."""
    return f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:,.1f}"


@dataclass(frozen=True)
class Split:
    """Customers split at the upper quartile of a value: the cut, whether "high" means above
    it (``strict``, when the cut is the smallest value, as with mostly-zero counts) or at or
    above it, and the share who bought on each side (``high``, ``rest``)."""

    cut: float
    strict: bool
    high: float
    rest: float
    whole: bool = True  # every value a whole number (counts, days)

    @property
    def least(self) -> float:
        """The smallest whole value on the high side of a count ("3 or more")."""
        return self.cut + 1 if self.strict else self.cut


def split(values: npt.NDArray[np.float64], bought: npt.NDArray[np.bool_]) -> Split | None:
    """The upper-quartile split of ``values`` with the buy rates on each side (unknown values
    left out); None when fewer than 20 are known or everyone falls on one side."""
    known = np.isfinite(values)
    v, b = values[known], bought[known]
    if len(v) < 20:
        return None
    cut = float(np.quantile(v, 0.75))
    whole = bool(np.all(v == np.round(v)))
    if whole:  # counts and whole days: a whole number
        cut = float(np.ceil(cut))
    strict = not cut > np.min(v)
    high = v > cut if strict else v >= cut
    if high.all() or not high.any():
        return None
    return Split(cut, strict, float(b[high].mean()), float(b[~high].mean()), whole)


def direction(values: npt.NDArray[np.float64], bought: npt.NDArray[np.bool_], label: str
              ) -> str | None:
    """The feature's direction from the buy rates above and below its upper quartile (or
    above zero when most are zero); None when it cannot be split."""
    found = split(values, bought)
    if found is None:
        return None
    a, c = found.high, found.rest
    if a <= 0 and c <= 0:
        return None
    name = tr(label)
    name = name[:1].upper() + name[1:]
    if a >= c:
        if found.strict and not found.whole:  # most at the lowest value: "spend over 0"
            return tr("{0} over {1}: bought {2} as often as the rest ({3:.0%} against "
                      "{4:.0%})").format(name, number(found.cut), times(a, c), a, c)
        return tr("{0} {1} or more: bought {2} as often as the rest ({3:.0%} against "
                  "{4:.0%})").format(name, number(found.least), times(a, c), a, c)
    if found.strict:  # the low side holds the lowest value only: "cart adds 0 at most"
        return tr("{0} at most {1}: bought {2} as often as the rest ({3:.0%} against "
                  "{4:.0%})").format(name, number(found.cut), times(c, a), c, a)
    return tr("{0} under {1}: bought {2} as often as the rest ({3:.0%} against "
              "{4:.0%})").format(name, number(found.cut), times(c, a), c, a)


def times(more: float, fewer: float) -> str:
    """How many times ``more`` is ``fewer`` in words ("2.4×", or "far more" against zero)."""
    ratio = more / fewer if fewer > 0 else float("inf")
    return tr("{0:.1f}×").format(ratio) if ratio != float("inf") else tr("far more")


def strong(found: Split | None) -> bool:
    """Whether the buy rates of a split differ enough to tell an owner (1.2× or more)."""
    if found is None:
        return False
    lo, hi = min(found.high, found.rest), max(found.high, found.rest)
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
        values = x[name].to_numpy(dtype=np.float64)
        sentence = direction(values, bought, label)
        if sentence and strong(split(values, bought)):
            out.append({"feature": name, "importance": round(importance, 4),
                        "sentence": sentence})
    return out
