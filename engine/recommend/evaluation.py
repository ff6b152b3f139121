"""Measuring the methods on the time split, choosing the one that serves, and the verdict.

The split: as of D with a horizon of H days, methods see the interactions up to D-H and are
measured on what the customers turned to in (D-H, D]. Measured are the customers with history
before the cut and at least one interaction after it (a seeded sample of at most
``eval_customers``). The method with the highest NDCG@20 serves; another method is "about as
well" when the 95% paired bootstrap interval of its gap to it (customers resampled, 1,000 draws,
``engine.stats.paired_bootstrap``) includes zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from engine.recommend.config import METHODS, NAMES
from engine.recommend.data import KIND_GRADE, PURCHASE, Interactions
from engine.recommend.methods import SUBJECTS, Cut, rank
from engine.recommend.metrics import CHOOSE_BY, CUTOFF, Scores, Truth, evaluate, paired_gap
from engine.recommend.ranking import Masks
from engine.stats import Interval, mean_metric, paired_bootstrap
from engine.words import tr

I64 = npt.NDArray[np.int64]

#: Fewer measured customers than this and no method can be told apart from another.
MIN_CUSTOMERS: Final[int] = 10
#: Customers per ranking batch while measuring.
BATCH: Final[int] = 1000
#: A gap within this many standard errors is "about as well" (only where no bootstrap
#: interval was computed).
NOISE_SE: Final[float] = 2.0
#: The fixed seed of the bootstrap resamples, so the same measurements give the same verdict.
BOOTSTRAP_SEED: Final[int] = 0


@dataclass(frozen=True)
class Split:
    """Who is measured after a cut, and what they turned to."""

    customers: I64  # sorted project ids; truth rows follow this order
    truth: Truth
    active: int  # customers active on both sides before sampling
    only_purchases: bool  # every next interaction is a purchase (an order log)


def split(data: Interactions, cut_ms: int, until_ms: int, most: int, seed: int) -> Split:
    """The customers with history up to ``cut_ms`` and interactions in ``(cut_ms, until_ms]``
    (a seeded sample of at most ``most``) and those next interactions."""
    before = np.unique(data.customer[data.time_ms <= cut_ms])
    after = data.between(cut_ms, until_ms)
    both = np.intersect1d(before, np.unique(after.customer))
    chosen = both
    if len(both) > most:
        chosen = np.sort(np.random.default_rng(seed).choice(both, most, replace=False))
    mask = np.isin(after.customer, chosen)
    rows = np.searchsorted(chosen, after.customer[mask])
    truth = Truth.of(rows, after.item[mask], KIND_GRADE[after.kind[mask]], len(chosen))
    only = bool(len(after.kind)) and bool((after.kind[mask] == PURCHASE).all())
    return Split(chosen.astype(np.int64), truth, len(both), only)


def ranked_lists(cut: Cut, method: str, customers: I64, k: int = CUTOFF) -> I64:
    """The method's top ``k`` for every customer, in batches."""
    parts = [rank(cut, method, customers[lo:lo + BATCH], k, Masks()).top
             for lo in range(0, len(customers), BATCH)]
    return np.concatenate(parts) if parts else np.zeros((0, k), np.int64)


def measure(cut: Cut, method: str, s: Split, n_catalogue: int) -> Scores:
    """The method's metrics on the split."""
    return evaluate(ranked_lists(cut, method, s.customers), s.truth, n_catalogue)


@dataclass(frozen=True)
class Choice:
    """The method that serves, and every other method's gap to it with its noise."""

    served: str
    gaps: dict[str, tuple[float, float]]  # method -> (served - method, standard error)
    #: method -> served minus method with its paired bootstrap interval (see ``engine.stats``);
    #: where a method has none, the two-standard-error rule decides.
    intervals: dict[str, Interval] = field(default_factory=dict)

    def about_as_well(self) -> list[str]:
        """The methods whose gap to the served one is within the noise: its 95% bootstrap
        interval includes zero."""
        near = []
        for m, (gap, se) in self.gaps.items():
            iv = self.intervals.get(m)
            if iv is not None and iv.lo == iv.lo:
                if not iv.a_wins:
                    near.append(m)
            elif abs(gap) <= NOISE_SE * se:
                near.append(m)
        return near


def choose(scores: dict[str, Scores], seed: int = BOOTSTRAP_SEED) -> Choice:
    """The method with the highest NDCG@20 (the simpler one on an exact tie)."""
    order = [m for m in METHODS if m in scores]
    served = max(order, key=lambda m: (scores[m].means[CHOOSE_BY], -order.index(m)))
    best = scores[served].per_row[CHOOSE_BY]
    gaps = {m: paired_gap(best, scores[m].per_row[CHOOSE_BY]) for m in order if m != served}
    intervals = {
        m: paired_bootstrap(best, scores[m].per_row[CHOOSE_BY], mean_metric, seed)
        for m in order if m != served
    }
    return Choice(served, gaps, intervals)


def _times(ratio: float) -> str:
    if 1.9 <= ratio < 2.1:
        return tr("twice")
    if 2.9 <= ratio < 3.1:
        return tr("three times")
    return tr("{0:.1f} times").format(ratio)


def verdict(scores: dict[str, Scores], choice: Choice, only_purchases: bool) -> str:
    """One sentence: which method serves, how much it finds, and how it compares."""
    served = choice.served
    recall = scores[served].means["recall_20"]
    what = tr("next purchases") if only_purchases else tr("the items customers turned to next")
    head = tr("{0} serves: it finds {1:.0%} of {2} in the top 20").format(
        tr(SUBJECTS[served]), recall, what)
    parts = []
    near = choice.about_as_well()
    if near:
        parts.append(tr("about as well as {0}").format(_join([tr(NAMES[m]) for m in near])))
    pop = scores.get("popularity")
    if served != "popularity" and "popularity" not in near and pop is not None:
        base = pop.means["recall_20"]
        if base > 0 and recall / base >= 10:
            parts.append(tr("far more than popularity ({0:.1%})").format(base))
        elif base > 0:
            parts.append(tr("{0} as many as popularity").format(_times(recall / base)))
        else:
            parts.append(tr("where popularity finds none"))
    return head + ("" if not parts else ", " + tr(" and ").join(parts)) + "."


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + tr(" and ") + names[-1]


def score_line(label: str, s: Scores, seconds: float) -> str:
    """A method's measurement as a progress note."""
    m = s.means
    return tr("{0}: Recall@10 {1:.1%}, Recall@20 {2:.1%}, MRR@20 {3:.3f}, NDCG@20 {4:.3f}, "
              "coverage {5:.1%} ({6:.1f} s).").format(
        label, m["recall_10"], m["recall_20"], m["mrr_20"], m["ndcg_20"], m["coverage"], seconds)
